"""Chroma through `chromadb.HttpClient` against `dotdo compat serve chroma`."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from chromadb.errors import ChromaError, NotFoundError

import dotdo.compat
from tests.compat.conftest import CompatServer, start_server, stop_server


def connect(server: CompatServer, access_key_id: str | None = None, secret: str | None = None) -> Any:
    address = urlsplit(server.url)
    return dotdo.compat.chroma.client(
        address.hostname,
        address.port,
        access_key_id=access_key_id or server.key.access_key_id,
        secret=secret or server.key.secret,
    )


@pytest.fixture(scope="module")
def client(chroma_server: CompatServer) -> Any:
    return connect(chroma_server)


@pytest.fixture(scope="module")
def fruits(client: Any) -> Any:
    collection = client.create_collection(
        "fruits", metadata={"owner": "test"}, configuration={"hnsw": {"space": "cosine"}}
    )
    collection.add(
        ids=["apple", "banana", "cherry", "kiwi"],
        embeddings=[[1.0, 0.0, 0.0], [0.9, 0.1, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
        metadatas=[
            {"color": "red", "price": 1.0},
            {"color": "yellow", "price": 0.5},
            {"color": "red", "price": 3.0},
            {"color": "green", "price": 2.0},
        ],
        documents=["a crisp apple", "a ripe banana", "a sweet cherry", "a fuzzy kiwi"],
    )
    return collection


def test_collections_are_created_listed_modified_and_deleted(client: Any) -> None:
    client.create_collection("scratch")
    assert "scratch" in [c.name for c in client.list_collections()]
    assert client.get_or_create_collection("scratch").name == "scratch"
    with pytest.raises(ChromaError):
        client.create_collection("scratch")
    client.get_collection("scratch").modify(name="renamed", metadata={"v": 2})
    renamed = client.get_collection("renamed")
    assert renamed.metadata == {"v": 2}
    client.delete_collection("renamed")
    with pytest.raises(NotFoundError):
        client.get_collection("renamed")


def test_query_get_with_where_filters_and_distances(fruits: Any) -> None:
    result = fruits.query(query_embeddings=[[1.0, 0.0, 0.0]], n_results=2, include=["distances", "documents"])
    assert result["ids"] == [["apple", "banana"]]
    assert result["distances"][0][0] == pytest.approx(0.0, abs=1e-6)
    assert result["distances"][0][1] == pytest.approx(1 - 0.9 / math.sqrt(0.82), abs=1e-6)
    assert result["documents"][0] == ["a crisp apple", "a ripe banana"]
    red = fruits.query(query_embeddings=[[0.0, 1.0, 0.0]], n_results=5, where={"color": "red"})
    assert red["ids"] == [["cherry", "apple"]]
    cheap = fruits.get(where={"$and": [{"price": {"$lt": 2.5}}, {"color": {"$in": ["red", "green"]}}]})
    assert sorted(cheap["ids"]) == ["apple", "kiwi"]
    fuzzy = fruits.get(where_document={"$contains": "fuzzy"}, include=["metadatas", "embeddings"])
    assert fuzzy["ids"] == ["kiwi"] and fuzzy["metadatas"] == [{"color": "green", "price": 2.0}]
    assert list(fuzzy["embeddings"][0]) == [0.0, 0.0, 1.0]
    assert fruits.count() == 4
    assert fruits.get(limit=2, offset=1)["ids"] == ["banana", "cherry"]


def test_records_are_upserted_updated_and_deleted(client: Any) -> None:
    notes = client.create_collection("notes")
    notes.add(ids=["a", "b"], embeddings=[[0.0, 0.0], [3.0, 4.0]], metadatas=[{"n": 1}, {"n": 2}])
    near = notes.query(query_embeddings=[[0.0, 0.0]], n_results=2, include=["distances"])
    assert near["distances"][0] == [0.0, 25.0]  # l2 is squared, as Chroma reports it
    notes.update(ids=["a"], metadatas=[{"tag": "x"}])
    notes.upsert(ids=["b", "c"], embeddings=[[1.0, 1.0], [2.0, 2.0]], documents=["bee", "sea"])
    got = notes.get(ids=["a", "b", "c"], include=["metadatas", "documents"])
    # An upsert of an existing record without metadata keeps the record's metadata, as an update does.
    assert got["metadatas"] == [{"n": 1, "tag": "x"}, {"n": 2}, None] and got["documents"] == [None, "bee", "sea"]
    notes.delete(where={"n": 1})
    notes.delete(ids=["c"])
    assert notes.get()["ids"] == ["b"]


def test_hostile_input_is_answered_in_chroma_shape(chroma_server: CompatServer, fruits: Any) -> None:
    with pytest.raises(ChromaError) as raised:
        fruits.add(ids=["x"], embeddings=[[1.0, 2.0]])
    assert "dimension" in str(raised.value)
    with pytest.raises(ChromaError):
        fruits.query(query_embeddings=[[1.0, 0.0]], n_results=1)
    key = chroma_server.key
    headers = {"x-chroma-token": f"{key.access_key_id}{key.secret}", "content-type": "application/json"}
    base = f"{chroma_server.url}/api/v2/tenants/default_tenant/databases/default_database/collections/{fruits.id}"
    nan = httpx.post(f"{base}/add", content=b'{"ids": ["x"], "embeddings": [[NaN, 1, 1]]}', headers=headers)
    assert nan.status_code == 400 and nan.json()["error"] == "InvalidArgumentError"
    bad_where = httpx.post(f"{base}/get", json={"where": {"color": {"$regex": "r.*"}}}, headers=headers)
    assert bad_where.status_code == 400 and bad_where.json()["error"] == "InvalidArgumentError"
    huge = httpx.post(f"{base}/get", json={"where": {"$or": [{"color": "red"}] * 5000}}, headers=headers)
    assert huge.status_code == 400
    assert fruits.count() == 4
    unauthorized = httpx.get(
        f"{chroma_server.url}/api/v2/tenants/default_tenant/databases/default_database/collections"
    )
    assert unauthorized.status_code == 401 and unauthorized.json()["error"] == "AuthError"


def test_tenants_are_isolated(chroma_server: CompatServer, fruits: Any) -> None:
    other = chroma_server.credentials().create("chroma-other", ["chroma"])
    stranger = connect(chroma_server, other.access_key_id, other.secret)
    assert stranger.list_collections() == []
    with pytest.raises(NotFoundError):
        stranger.get_collection("fruits")


def test_collections_survive_a_restart(tmp_path_factory: pytest.TempPathFactory) -> None:
    data_dir = tmp_path_factory.mktemp("chroma-restart")
    server = start_server(data_dir, ["chroma"])
    try:
        connect(server).create_collection("kept").add(ids=["1"], embeddings=[[1.0, 2.0]], documents=["kept"])
    finally:
        stop_server(server)
    server = start_server(data_dir, ["chroma"])
    try:
        result = connect(server).get_collection("kept").query(query_embeddings=[[1.0, 2.0]], n_results=1)
        assert result["ids"] == [["1"]] and result["documents"] == [["kept"]]
    finally:
        stop_server(server)
