"""Qdrant through `qdrant-client` (REST) against `dotdo compat serve qdrant`."""

from __future__ import annotations

import math
import uuid
import warnings
from collections.abc import Iterator

import httpx
import pytest
from qdrant_client import QdrantClient, models
from qdrant_client.http.exceptions import UnexpectedResponse

import dotdo.compat
from tests.compat.conftest import CompatServer, start_server, stop_server


def connect(server: CompatServer, access_key_id: str | None = None, secret: str | None = None) -> QdrantClient:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the client warns that an api key travels over plain http
        return dotdo.compat.qdrant.client(
            server.url, access_key_id=access_key_id or server.key.access_key_id, secret=secret or server.key.secret
        )


@pytest.fixture(scope="module")
def client(qdrant_server: CompatServer) -> Iterator[QdrantClient]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield connect(qdrant_server)


CITIES = [
    (1, [0.9, 0.1, 0.0, 0.0], {"city": "Berlin", "country": "DE", "population": 3.6, "tags": ["capital"]}),
    (2, [0.8, 0.2, 0.1, 0.0], {"city": "Hamburg", "country": "DE", "population": 1.8, "tags": ["port"]}),
    (3, [0.0, 0.9, 0.1, 0.0], {"city": "Paris", "country": "FR", "population": 2.1, "tags": ["capital"]}),
    (4, [0.0, 0.1, 0.9, 0.1], {"city": "Lyon", "country": "FR", "population": 0.5, "tags": []}),
    (5, [0.1, 0.0, 0.0, 0.9], {"city": "Oslo", "country": "NO", "population": 0.7, "tags": ["capital", "port"]}),
]


@pytest.fixture(scope="module")
def cities(client: QdrantClient) -> str:
    client.create_collection("cities", vectors_config=models.VectorParams(size=4, distance=models.Distance.COSINE))
    client.upsert(
        "cities",
        points=[models.PointStruct(id=i, vector=v, payload=p) for i, v, p in CITIES],
        wait=True,
    )
    return "cities"


def test_collections_are_created_described_listed_and_deleted(client: QdrantClient) -> None:
    client.create_collection("scratch", vectors_config=models.VectorParams(size=3, distance=models.Distance.DOT))
    assert client.collection_exists("scratch")
    info = client.get_collection("scratch")
    assert info.config.params.vectors.size == 3 and info.config.params.vectors.distance == models.Distance.DOT
    assert "scratch" in [c.name for c in client.get_collections().collections]
    with pytest.raises(UnexpectedResponse) as raised:
        client.create_collection("scratch", vectors_config=models.VectorParams(size=3, distance=models.Distance.DOT))
    assert raised.value.status_code == 409
    assert client.delete_collection("scratch")
    assert not client.collection_exists("scratch")
    with pytest.raises(UnexpectedResponse) as raised:
        client.get_collection("scratch")
    assert raised.value.status_code == 404 and b"doesn't exist" in raised.value.content


def test_query_with_filters_scores_and_payload(client: QdrantClient, cities: str) -> None:
    hits = client.query_points(cities, query=[1.0, 0.0, 0.0, 0.0], limit=2, with_payload=True).points
    assert [hit.id for hit in hits] == [1, 2]
    assert math.isclose(hits[0].score, 0.9 / math.sqrt(0.82), rel_tol=1e-5)
    french = client.query_points(
        cities,
        query=[1.0, 0.0, 0.0, 0.0],
        query_filter=models.Filter(must=[models.FieldCondition(key="country", match=models.MatchValue(value="FR"))]),
        limit=5,
    ).points
    assert {hit.id for hit in french} == {3, 4}
    capitals_not_de = client.query_points(
        cities,
        query=[0.0, 0.0, 0.0, 1.0],
        query_filter=models.Filter(
            must=[models.FieldCondition(key="tags", match=models.MatchAny(any=["capital"]))],
            must_not=[models.FieldCondition(key="country", match=models.MatchValue(value="DE"))],
        ),
        limit=5,
        with_payload=["city"],
    ).points
    assert [(hit.id, hit.payload) for hit in capitals_not_de] == [(5, {"city": "Oslo"}), (3, {"city": "Paris"})]
    large = models.Filter(must=[models.FieldCondition(key="population", range=models.Range(gte=1.0, lt=3.0))])
    assert client.count(cities, count_filter=large).count == 2
    page, following = client.scroll(cities, limit=3, with_vectors=True)
    assert [p.id for p in page] == [1, 2, 3] and following == 4 and len(page[0].vector) == 4
    rest, done = client.scroll(cities, limit=3, offset=following)
    assert [p.id for p in rest] == [4, 5] and done is None


def test_points_are_retrieved_updated_and_deleted(client: QdrantClient) -> None:
    client.create_collection("notes", vectors_config=models.VectorParams(size=2, distance=models.Distance.EUCLID))
    note = str(uuid.uuid4())
    client.upsert("notes", points=[models.PointStruct(id=note, vector=[1, 1], payload={"text": "hi"})])
    client.upsert("notes", points=models.Batch(ids=[7, 8], vectors=[[0, 0], [3, 4]], payloads=[{"n": 7}, {"n": 8}]))
    [hit] = client.query_points("notes", query=[0, 0], limit=3).points[2:]
    assert hit.id == 8 and math.isclose(hit.score, 5.0)  # Euclid scores are distances
    client.set_payload("notes", payload={"seen": True}, points=[note])
    [record] = client.retrieve("notes", ids=[note], with_vectors=True)
    assert record.payload == {"text": "hi", "seen": True} and record.vector == [1.0, 1.0]
    client.overwrite_payload("notes", payload={"only": 1}, points=[7])
    client.delete_payload("notes", keys=["seen"], points=[note])
    assert {r.id: r.payload for r in client.retrieve("notes", ids=[7, note])} == {7: {"only": 1}, note: {"text": "hi"}}
    client.delete(
        "notes",
        points_selector=models.FilterSelector(
            filter=models.Filter(must=[models.FieldCondition(key="n", match=models.MatchValue(value=8))])
        ),
    )
    client.delete("notes", points_selector=models.PointIdsList(points=[7]))
    assert client.count("notes").count == 1


def test_hostile_input_is_answered_in_qdrant_shape(
    client: QdrantClient, qdrant_server: CompatServer, cities: str
) -> None:
    with pytest.raises(UnexpectedResponse) as raised:
        client.upsert(cities, points=[models.PointStruct(id=9, vector=[1.0, 2.0], payload={})])
    assert raised.value.status_code == 400 and b"Vector dimension error" in raised.value.content
    with pytest.raises(UnexpectedResponse) as raised:
        client.query_points(cities, query=[1.0, 2.0, 3.0])
    assert raised.value.status_code == 400
    key = qdrant_server.key
    headers = {"api-key": f"{key.access_key_id}{key.secret}", "content-type": "application/json"}
    nan = httpx.put(
        f"{qdrant_server.url}/collections/{cities}/points",
        content=b'{"points": [{"id": 9, "vector": [NaN, 1, 1, 1]}]}',
        headers=headers,
    )
    assert nan.status_code == 400 and "error" in nan.json()["status"]
    bad_id = httpx.put(
        f"{qdrant_server.url}/collections/{cities}/points",
        json={"points": [{"id": "not-a-uuid", "vector": [1, 1, 1, 1]}]},
        headers=headers,
    )
    assert bad_id.status_code == 400 and "UUID" in bad_id.json()["status"]["error"]
    huge = {"must": [{"key": "country", "match": {"value": "DE"}}] * 5000}
    refused = httpx.post(
        f"{qdrant_server.url}/collections/{cities}/points/count", json={"filter": huge}, headers=headers
    )
    assert refused.status_code == 400
    assert client.count(cities).count == len(CITIES)  # nothing was written by the refused requests
    unauthorized = httpx.get(f"{qdrant_server.url}/collections", headers={"api-key": "wrong"})
    assert unauthorized.status_code == 401


def test_tenants_are_isolated(qdrant_server: CompatServer, cities: str) -> None:
    other = qdrant_server.credentials().create("qdrant-other", ["qdrant"])
    stranger = connect(qdrant_server, other.access_key_id, other.secret)
    assert stranger.get_collections().collections == []
    assert not stranger.collection_exists(cities)


def test_collections_survive_a_restart(tmp_path_factory: pytest.TempPathFactory) -> None:
    data_dir = tmp_path_factory.mktemp("qdrant-restart")
    server = start_server(data_dir, ["qdrant"])
    try:
        client = connect(server)
        client.create_collection("kept", vectors_config=models.VectorParams(size=2, distance=models.Distance.COSINE))
        client.upsert("kept", points=[models.PointStruct(id=1, vector=[1, 0], payload={"a": 1})])
    finally:
        stop_server(server)
    server = start_server(data_dir, ["qdrant"])
    try:
        client = connect(server)
        [hit] = client.query_points("kept", query=[1, 0], with_payload=True).points
        assert (hit.id, hit.payload) == (1, {"a": 1})
    finally:
        stop_server(server)
