"""Weaviate through `weaviate-client` v4 (REST and gRPC) against `dotdo compat serve weaviate`."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import httpx
import numpy as np
import pytest
import weaviate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from weaviate.classes.config import Configure, DataType, Property, VectorDistances
from weaviate.classes.data import DataObject
from weaviate.classes.query import Filter, MetadataQuery
from weaviate.exceptions import UnexpectedStatusCodeError, WeaviateInsertManyAllFailedError, WeaviateQueryError
from weaviate.proto.v1 import base_pb2, health_weaviate_pb2, search_get_pb2

import dotdo.compat
from dotdo.compat import Credentials
from tests.compat.conftest import CompatServer, start_server, stop_server
from tests.conftest import free_port


@dataclass
class Served:
    """A running server and its gRPC port."""

    server: CompatServer
    grpc_port: int

    def connect(self, access_key_id: str | None = None, secret: str | None = None) -> weaviate.WeaviateClient:
        return dotdo.compat.weaviate.client(
            self.server.url,
            grpc_port=self.grpc_port,
            access_key_id=access_key_id or self.server.key.access_key_id,
            secret=secret or self.server.key.secret,
        )

    @property
    def headers(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.server.key.access_key_id}{self.server.key.secret}"}


def serve(data_dir: Path, grpc_port: int | None = None) -> Served:
    grpc_port = grpc_port or free_port()
    return Served(start_server(data_dir, ["weaviate"], None, "--grpc-port", str(grpc_port)), grpc_port)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    running = serve(tmp_path_factory.mktemp("compat-weaviate"))
    try:
        yield running
    finally:
        stop_server(running.server)


@pytest.fixture(scope="module")
def client(served: Served) -> Iterator[weaviate.WeaviateClient]:
    connected = served.connect()
    try:
        yield connected
    finally:
        connected.close()


GENRES = ["drama", "comedy", "horror"]
RNG = np.random.default_rng(7)
BOOKS = [
    {
        "id": str(uuid.UUID(int=i + 1)),
        "vector": RNG.normal(size=6).round(3).tolist(),
        "properties": {
            "title": f"Book {i}",
            "genre": GENRES[i % 3],
            "year": 1990 + (i * 7) % 30,
            "rating": round(1 + (i * 13 % 40) / 10, 1),
            "available": i % 4 != 0,
            "tags": [GENRES[(i + 1) % 3], "paper" if i % 2 else "ebook"],
        },
    }
    for i in range(60)
]


@pytest.fixture(scope="module")
def books(client: weaviate.WeaviateClient) -> Any:
    collection = client.collections.create(
        "Book",
        properties=[
            Property(name="title", data_type=DataType.TEXT),
            Property(name="genre", data_type=DataType.TEXT),
            Property(name="year", data_type=DataType.INT),
            Property(name="rating", data_type=DataType.NUMBER),
            Property(name="available", data_type=DataType.BOOL),
            Property(name="tags", data_type=DataType.TEXT_ARRAY),
        ],
        vector_config=Configure.Vectors.self_provided(
            vector_index_config=Configure.VectorIndex.hnsw(distance_metric=VectorDistances.COSINE)
        ),
    )
    result = collection.data.insert_many(
        [DataObject(properties=b["properties"], uuid=b["id"], vector=b["vector"]) for b in BOOKS]
    )
    assert result.errors == {}
    return collection


def test_meta_readiness_and_grpc_health(client: weaviate.WeaviateClient, served: Served) -> None:
    assert client.is_ready() and client.is_live()
    assert client.get_meta()["version"] == "1.32.0"
    with grpc.insecure_channel(f"127.0.0.1:{served.grpc_port}") as channel:
        check = channel.unary_unary(
            "/grpc.health.v1.Health/Check",
            request_serializer=health_weaviate_pb2.WeaviateHealthCheckRequest.SerializeToString,
            response_deserializer=health_weaviate_pb2.WeaviateHealthCheckResponse.FromString,
        )
        reply = check(health_weaviate_pb2.WeaviateHealthCheckRequest(), timeout=10)
    assert reply.status == health_weaviate_pb2.WeaviateHealthCheckResponse.SERVING


def test_collections_are_created_read_listed_and_deleted(client: weaviate.WeaviateClient) -> None:
    scratch = client.collections.create(
        "scratch",
        properties=[Property(name="label", data_type=DataType.TEXT)],
        vector_config=Configure.Vectors.self_provided(
            vector_index_config=Configure.VectorIndex.hnsw(distance_metric=VectorDistances.DOT)
        ),
    )
    assert scratch.name == "Scratch"
    config = scratch.config.get()
    assert [p.name for p in config.properties] == ["label"]
    assert config.vector_config["default"].vector_index_config.distance_metric == VectorDistances.DOT
    assert client.collections.exists("Scratch") and "Scratch" in client.collections.list_all()
    scratch.config.add_property(Property(name="count", data_type=DataType.INT))
    assert [p.name for p in scratch.config.get().properties] == ["label", "count"]
    with pytest.raises(UnexpectedStatusCodeError) as raised:
        client.collections.create("Scratch")
    assert raised.value.status_code == 422 and "already exists" in raised.value.message
    legacy = client.collections.create_from_dict(
        {"class": "Legacy", "vectorizer": "none", "vectorIndexConfig": {"distance": "l2-squared"}}
    )
    assert legacy.config.get().vector_index_config.distance_metric == VectorDistances.L2_SQUARED
    client.collections.delete(["Scratch", "Legacy"])
    assert not client.collections.exists("Scratch") and not client.collections.exists("Legacy")


def test_objects_are_inserted_read_replaced_updated_and_deleted(client: weaviate.WeaviateClient) -> None:
    notes = client.collections.create("Note", vector_config=Configure.Vectors.self_provided())
    first = notes.data.insert({"text": "hello", "stars": 3}, vector=[1.0, 0.0])
    fetched = notes.query.fetch_object_by_id(first, include_vector=True)
    assert fetched is not None and fetched.properties == {"text": "hello", "stars": 3.0}
    assert fetched.vector["default"] == [1.0, 0.0]
    notes.data.update(first, properties={"stars": 5})
    assert notes.query.fetch_object_by_id(first).properties == {"text": "hello", "stars": 5.0}
    notes.data.replace(first, properties={"text": "replaced"}, vector=[0.0, 1.0])
    replaced = notes.query.fetch_object_by_id(first, include_vector=True)
    assert replaced.properties == {"text": "replaced"} and replaced.vector["default"] == [0.0, 1.0]
    inferred = {p.name: p.data_type for p in notes.config.get().properties}
    assert inferred == {"text": DataType.TEXT, "stars": DataType.NUMBER}  # auto-schema
    mixed = notes.data.insert_many(
        [DataObject(properties={"text": "fine"}, vector=[0.5, 0.5]), DataObject(properties={}, vector=[1e39, 0.0])]
    )
    assert list(mixed.errors) == [1] and "float32" in mixed.errors[1].message
    assert notes.data.delete_by_id(mixed.uuids[0])
    assert notes.data.exists(first)
    assert notes.data.delete_by_id(first)
    assert not notes.data.exists(first) and notes.query.fetch_object_by_id(first) is None
    assert not notes.data.delete_by_id(first)
    second = notes.data.insert({"text": "named"}, vector={"default": [0.6, 0.8]})
    [hit] = notes.query.near_vector([0.6, 0.8], target_vector="default").objects
    assert str(hit.uuid) == str(second)
    with pytest.raises(WeaviateQueryError) as raised:
        notes.query.near_vector([0.6, 0.8], target_vector="other")
    assert "no vector named 'other'" in raised.value.message
    with pytest.raises(UnexpectedStatusCodeError) as refused:
        notes.data.insert({"text": "elsewhere"}, vector={"other": [0.6, 0.8]})
    assert refused.value.status_code == 422 and "no vector named 'other'" in refused.value.message
    with pytest.raises(UnexpectedStatusCodeError) as refused:
        notes.data.insert({"text": "again"}, uuid=second, vector=[1.0, 0.0])
    assert refused.value.status_code == 422 and "already exists" in refused.value.message
    client.collections.delete("Note")


def exact(vector: list[float], candidates: list[dict[str, Any]], metric: str) -> list[tuple[str, float]]:
    """The candidates' ids and Weaviate distances to `vector`, nearest first (numpy's exact arithmetic)."""
    query = np.asarray(vector)
    scored = []
    for book in candidates:
        v = np.asarray(book["vector"], dtype=np.float32).astype(float)
        if metric == "cosine":
            d = 1 - float(v @ query) / (np.linalg.norm(v) * np.linalg.norm(query))
        elif metric == "dot":
            d = -float(v @ query)
        else:
            d = float(((v - query) ** 2).sum())
        scored.append((book["id"], d))
    return sorted(scored, key=lambda pair: pair[1])


def test_near_vector_matches_exact_search(books: Any) -> None:
    target = [0.5, -1.0, 0.25, 0.0, 1.0, -0.5]
    result = books.query.near_vector(target, limit=7, return_metadata=MetadataQuery(distance=True))
    expected = exact(target, BOOKS, "cosine")[:7]
    assert [str(o.uuid) for o in result.objects] == [i for i, _ in expected]
    for found, (_, distance) in zip(result.objects, expected, strict=True):
        assert math.isclose(found.metadata.distance, distance, abs_tol=1e-5)
    paged = books.query.near_vector(target, limit=3, offset=2)
    assert [str(o.uuid) for o in paged.objects] == [i for i, _ in expected[2:5]]
    close = books.query.near_vector(target, distance=expected[3][1] + 1e-6, limit=20)
    assert [str(o.uuid) for o in close.objects] == [i for i, _ in expected[:4]]
    with_vector = books.query.near_vector(target, limit=1, include_vector=True, return_properties=["title"])
    [top] = with_vector.objects
    assert top.properties == {"title": next(b for b in BOOKS if b["id"] == expected[0][0])["properties"]["title"]}
    assert top.vector["default"] == pytest.approx(next(b for b in BOOKS if b["id"] == expected[0][0])["vector"])


def test_near_vector_on_a_graph_sized_collection_agrees_with_exact_search(client: weaviate.WeaviateClient) -> None:
    rng = np.random.default_rng(3)
    points = [{"id": str(uuid.UUID(int=10_000 + i)), "vector": rng.normal(size=8).tolist()} for i in range(2600)]
    many = client.collections.create_from_dict(
        {"class": "Many", "vectorizer": "none", "vectorIndexConfig": {"distance": "l2-squared"}}
    )
    for start in range(0, len(points), 1000):
        chunk = points[start : start + 1000]
        assert (
            many.data.insert_many(
                [DataObject(properties={"n": i}, uuid=p["id"], vector=p["vector"]) for i, p in enumerate(chunk)]
            ).errors
            == {}
        )
    assert many.aggregate.over_all(total_count=True).total_count == len(points)
    recalls = []
    for _ in range(5):
        target = rng.normal(size=8).tolist()
        found = [str(o.uuid) for o in many.query.near_vector(target, limit=10).objects]
        truth = [i for i, _ in exact(target, points, "euclidean")[:10]]
        recalls.append(len(set(found) & set(truth)) / 10)
    assert sum(recalls) / len(recalls) >= 0.95
    client.collections.delete("Many")


def oracle(tree: tuple[Any, ...], properties: dict[str, Any]) -> bool:
    """Whether a generated filter holds for `properties`, computed in Python."""
    kind = tree[0]
    if kind == "and":
        return all(oracle(item, properties) for item in tree[1])
    if kind == "or":
        return any(oracle(item, properties) for item in tree[1])
    if kind == "not":
        return not oracle(tree[1], properties)
    _, field, op, value = tree
    held = properties.get(field)
    items = held if isinstance(held, list) else [held]
    if op == "eq":
        return value in items
    if op == "ne":
        return value not in items
    if op == "any":
        return any(v in items for v in value)
    if op == "all":
        return all(v in items for v in value)
    if op == "none":
        return not any(v in items for v in value)
    compare = {"gt": float.__gt__, "gte": float.__ge__, "lt": float.__lt__, "lte": float.__le__}[op]
    return any(compare(float(e), float(value)) for e in items)


def to_filter(tree: tuple[Any, ...]) -> Any:
    """The client's `Filter` for a generated filter."""
    kind = tree[0]
    if kind == "and":
        return Filter.all_of([to_filter(item) for item in tree[1]])
    if kind == "or":
        return Filter.any_of([to_filter(item) for item in tree[1]])
    if kind == "not":
        return Filter.not_(to_filter(tree[1]))
    _, field, op, value = tree
    prop = Filter.by_property(field)
    method = {
        "eq": prop.equal,
        "ne": prop.not_equal,
        "gt": prop.greater_than,
        "gte": prop.greater_or_equal,
        "lt": prop.less_than,
        "lte": prop.less_or_equal,
        "any": prop.contains_any,
        "all": prop.contains_all,
        "none": prop.contains_none,
    }[op]
    return method(value)


leaf = st.one_of(
    st.tuples(st.just("leaf"), st.just("genre"), st.sampled_from(["eq", "ne"]), st.sampled_from(GENRES)),
    st.tuples(st.just("leaf"), st.just("available"), st.sampled_from(["eq", "ne"]), st.booleans()),
    st.tuples(
        st.just("leaf"),
        st.just("year"),
        st.sampled_from(["eq", "ne", "gt", "gte", "lt", "lte"]),
        st.integers(1988, 2021),
    ),
    st.tuples(
        st.just("leaf"),
        st.just("rating"),
        st.sampled_from(["gt", "gte", "lt", "lte"]),
        st.sampled_from([1.5, 2.5, 4.0]),
    ),
    st.tuples(
        st.just("leaf"),
        st.just("tags"),
        st.sampled_from(["any", "all", "none"]),
        st.lists(st.sampled_from([*GENRES, "paper", "ebook"]), min_size=1, max_size=3, unique=True),
    ),
)
trees = st.recursive(
    leaf,
    lambda inner: st.one_of(
        st.tuples(st.sampled_from(["and", "or"]), st.lists(inner, min_size=2, max_size=3)),
        st.tuples(st.just("not"), inner),
    ),
    max_leaves=5,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tree=trees)
def test_filters_agree_with_the_oracle(books: Any, tree: tuple[Any, ...]) -> None:
    expected = [b for b in BOOKS if oracle(tree, b["properties"])]
    where = to_filter(tree)
    fetched = books.query.fetch_objects(filters=where, limit=100)
    assert {str(o.uuid) for o in fetched.objects} == {b["id"] for b in expected}
    assert books.aggregate.over_all(total_count=True, filters=where).total_count == len(expected)
    target = [1.0, 0.0, -1.0, 0.5, 0.0, 0.25]
    nearest = books.query.near_vector(target, filters=where, limit=5)
    assert [str(o.uuid) for o in nearest.objects] == [i for i, _ in exact(target, expected, "cosine")[:5]]


def test_like_is_none_and_certainty(client: weaviate.WeaviateClient, books: Any) -> None:
    like = books.query.fetch_objects(filters=Filter.by_property("title").like("*ook 1*"), limit=100)
    assert {o.properties["title"] for o in like.objects} == {
        b["properties"]["title"] for b in BOOKS if "ook 1" in b["properties"]["title"]
    }
    exact_title = books.query.fetch_objects(filters=Filter.by_property("title").like("Book 7"))
    assert [o.properties["title"] for o in exact_title.objects] == ["Book 7"]
    sparse = client.collections.create("Sparse", vector_config=Configure.Vectors.self_provided())
    sparse.data.insert_many(
        [
            DataObject(properties={"size": 1}, vector=[1.0, 0.0]),
            DataObject(properties={"size": None, "label": "x"}, vector=[0.0, 1.0]),
            DataObject(properties={"label": "y"}, vector=[1.0, 1.0]),
        ]
    )
    missing = sparse.query.fetch_objects(filters=Filter.by_property("size").is_none(True))
    assert sorted(o.properties["label"] for o in missing.objects) == ["x", "y"]
    assert len(sparse.query.fetch_objects(filters=Filter.by_property("size").is_none(False)).objects) == 1
    near = sparse.query.near_vector([1.0, 0.0], certainty=0.9, return_metadata=MetadataQuery(certainty=True))
    assert [o.properties.get("size") for o in near.objects] == [1]
    assert math.isclose(near.objects[0].metadata.certainty, 1.0, abs_tol=1e-6)
    client.collections.delete("Sparse")


def test_fetch_pages_and_ids(books: Any) -> None:
    first = books.query.fetch_objects(limit=25)
    second = books.query.fetch_objects(limit=25, offset=25)
    assert [str(o.uuid) for o in first.objects + second.objects] == [b["id"] for b in BOOKS[:50]]
    assert len(books.query.fetch_objects().objects) == 10
    by_ids = books.query.fetch_objects(filters=Filter.by_id().contains_any([BOOKS[3]["id"], BOOKS[9]["id"]]))
    assert {str(o.uuid) for o in by_ids.objects} == {BOOKS[3]["id"], BOOKS[9]["id"]}
    assert len(list(books.iterator())) == len(BOOKS)
    assert len(books) == len(BOOKS)


def test_batches_and_deletes_by_filter(client: weaviate.WeaviateClient) -> None:
    events = client.collections.create("Event", vector_config=Configure.Vectors.self_provided())
    with events.batch.fixed_size(batch_size=40) as batch:
        for i in range(100):
            batch.add_object(properties={"n": i, "kind": "odd" if i % 2 else "even"}, vector=[float(i), 1.0])
    assert events.batch.failed_objects == []
    with client.batch.dynamic() as batch:
        for i in range(100, 400):
            batch.add_object(
                collection="Event", properties={"n": i, "kind": "odd" if i % 2 else "even"}, vector=[1.0, 0]
            )
    assert client.batch.failed_objects == []
    events.data.delete_many(where=Filter.by_property("n").greater_or_equal(100))
    assert len(events) == 100
    odd = Filter.by_property("kind").equal("odd")
    dry = events.data.delete_many(where=odd, dry_run=True)
    assert (dry.matches, len(events)) == (50, 100)
    deleted = events.data.delete_many(where=odd, verbose=True)
    assert deleted.matches == deleted.successful == 50 and len(deleted.objects) == 50
    assert len(events) == 50
    client.collections.delete("Event")


def test_rest_batches_and_object_listing(client: weaviate.WeaviateClient, served: Served) -> None:
    client.collections.create("Plain", vector_config=Configure.Vectors.self_provided())
    url, headers = served.server.url, served.headers
    kept = str(uuid.UUID(int=77))
    answer = httpx.post(
        f"{url}/v1/batch/objects",
        json={
            "objects": [
                {"class": "Plain", "id": kept, "properties": {"word": "kept"}, "vector": [1, 0, 0]},
                {"class": "Plain", "properties": {"word": "short"}, "vector": [1, 0]},
                {"class": "Nowhere", "properties": {}, "vector": [1, 0, 0]},
            ]
        },
        headers=headers,
    ).json()
    assert [item["result"].get("errors") is None for item in answer] == [True, False, False]
    assert "length 2" in answer[1]["result"]["errors"]["error"][0]["message"]
    assert "not found" in answer[2]["result"]["errors"]["error"][0]["message"]
    one = httpx.get(f"{url}/v1/objects/Plain/{kept}", params={"include": "vector"}, headers=headers).json()
    assert (one["id"], one["class"], one["properties"], one["vector"]) == (kept, "Plain", {"word": "kept"}, [1, 0, 0])
    listed = httpx.get(f"{url}/v1/objects", params={"class": "Plain"}, headers=headers).json()
    assert [o["id"] for o in listed["objects"]] == [kept]
    assert httpx.get(f"{url}/v1/objects/Plain/{uuid.UUID(int=78)}", headers=headers).status_code == 404
    client.collections.delete("Plain")


def test_hostile_input_is_refused_in_weaviate_shape(
    client: weaviate.WeaviateClient, books: Any, served: Served
) -> None:
    with pytest.raises(WeaviateInsertManyAllFailedError) as failed:
        books.data.insert_many([DataObject(properties={"title": "x"}, vector=[1.0, 2.0])])
    assert "length 2" in failed.value.message and "length 6" in failed.value.message
    with pytest.raises(WeaviateInsertManyAllFailedError) as failed:
        books.data.insert_many([DataObject(properties={"title": "x"})])
    assert "needs a vector" in failed.value.message
    with pytest.raises(WeaviateQueryError) as raised:
        books.query.near_vector([1.0, 2.0], limit=1)
    assert "dimension" in raised.value.message
    with pytest.raises(WeaviateQueryError) as raised:
        books.query.fetch_objects(filters=Filter.by_property("genre").greater_than("drama"))
    assert "compares numbers" in raised.value.message
    with pytest.raises(WeaviateQueryError) as raised:
        books.query.bm25("book")
    assert "not supported by this server" in raised.value.message
    nan = httpx.post(
        f"{served.server.url}/v1/objects",
        content=b'{"class": "Book", "properties": {"title": "x"}, "vector": [NaN, 1, 1, 1, 1, 1]}',
        headers=served.headers,
    )
    assert nan.status_code == 400 and "error" in nan.json()
    infinite = httpx.post(
        f"{served.server.url}/v1/objects",
        json={"class": "Book", "properties": {"title": "x"}, "vector": [1e39, 1, 1, 1, 1, 1]},
        headers=served.headers,
    )
    assert infinite.status_code == 422 and infinite.json()["error"][0]["message"]
    typed = httpx.post(
        f"{served.server.url}/v1/objects",
        json={"class": "Book", "properties": {"year": "nineteen"}, "vector": [1, 1, 1, 1, 1, 1]},
        headers=served.headers,
    )
    assert typed.status_code == 422 and "year" in typed.json()["error"][0]["message"]
    bad_class = httpx.post(f"{served.server.url}/v1/schema", json={"class": "9lives"}, headers=served.headers)
    assert bad_class.status_code == 422 and "not a valid class name" in bad_class.json()["error"][0]["message"]
    bad_id = httpx.get(f"{served.server.url}/v1/objects/Book/not-a-uuid", headers=served.headers)
    assert bad_id.status_code == 422
    unauthorized = httpx.get(f"{served.server.url}/v1/schema", headers={"authorization": "Bearer wrong"})
    assert unauthorized.status_code == 401 and unauthorized.json()["error"][0]["message"]
    with grpc.insecure_channel(f"127.0.0.1:{served.grpc_port}") as channel:
        search = channel.unary_unary(
            "/weaviate.v1.Weaviate/Search",
            request_serializer=search_get_pb2.SearchRequest.SerializeToString,
            response_deserializer=search_get_pb2.SearchReply.FromString,
        )
        with pytest.raises(grpc.RpcError) as refused:
            search(search_get_pb2.SearchRequest(collection="Book"), timeout=10)
        assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED
        with pytest.raises(grpc.RpcError) as refused:
            search(
                search_get_pb2.SearchRequest(collection="Book", near_vector={"vector_bytes": b"\x00\x00\xc0\x7f" * 6}),
                metadata=[("authorization", served.headers["authorization"])],
                timeout=10,
            )
        assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "finite" in refused.value.details()
        leaf = base_pb2.Filters(operator=base_pb2.Filters.OPERATOR_EQUAL, target={"property": "year"}, value_int=2000)
        deep = leaf
        for _ in range(40):
            deep = base_pb2.Filters(operator=base_pb2.Filters.OPERATOR_NOT, filters=[deep])
        malformed = [
            base_pb2.Filters(operator=99, target={"property": "year"}, value_int=1),
            base_pb2.Filters(operator=base_pb2.Filters.OPERATOR_AND),
            base_pb2.Filters(operator=base_pb2.Filters.OPERATOR_EQUAL, target={"property": "year"}),
            base_pb2.Filters(operator=base_pb2.Filters.OPERATOR_NOT, filters=[leaf, leaf]),
            base_pb2.Filters(operator=base_pb2.Filters.OPERATOR_OR, filters=[leaf] * 5000),
            deep,
        ]
        for where in malformed:
            with pytest.raises(grpc.RpcError) as refused:
                search(
                    search_get_pb2.SearchRequest(collection="Book", filters=where),
                    metadata=[("authorization", served.headers["authorization"])],
                    timeout=10,
                )
            assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT, refused.value.details()
    assert len(books) == len(BOOKS)  # nothing was written by the refused requests


def test_tenants_are_isolated(served: Served, books: Any) -> None:
    other = served.server.credentials().create("weaviate-other", ["weaviate"])
    stranger = served.connect(other.access_key_id, other.secret)
    try:
        assert stranger.collections.list_all() == {}
        assert not stranger.collections.exists("Book")
        with pytest.raises(WeaviateQueryError) as raised:
            stranger.collections.use("Book").query.fetch_objects()
        assert "not found" in raised.value.message
    finally:
        stranger.close()


def serve_reading_the_banner(data_dir: Path) -> tuple[Served, str]:
    """`dotdo compat serve weaviate` as a user runs it: what it prints, once both ports answer."""
    http_port, grpc_port = free_port(), free_port()
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "dotdo", "compat", "serve", "weaviate"),
            *("--port", str(http_port), "--grpc-port", str(grpc_port), "--data-dir", str(data_dir)),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert process.stdout is not None
    banner = ""
    while "gRPC" not in banner:
        line = process.stdout.readline()
        assert line, f"the server exited before printing its gRPC port: {banner}"
        banner += line
    key = Credentials(data_dir / "compat").default_key()
    server = CompatServer(f"http://127.0.0.1:{http_port}", data_dir, key, process)
    for _ in range(300):
        try:
            if httpx.get(f"{server.url}/v1/.well-known/ready").status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    return Served(server, grpc_port), banner


def test_collections_survive_a_restart(tmp_path_factory: pytest.TempPathFactory) -> None:
    data_dir = tmp_path_factory.mktemp("weaviate-restart")
    running = serve(data_dir)
    try:
        with running.connect() as client:
            kept = client.collections.create("Kept", vector_config=Configure.Vectors.self_provided())
            kept.data.insert({"a": "one"}, uuid=str(uuid.UUID(int=5)), vector=[1.0, 0.0])
    finally:
        stop_server(running.server)
    running, banner = serve_reading_the_banner(data_dir)
    try:
        assert f"Weaviate gRPC on 127.0.0.1:{running.grpc_port}" in banner
        with running.connect() as client:
            [hit] = client.collections.use("Kept").query.near_vector([1.0, 0.0]).objects
            assert (str(hit.uuid), hit.properties) == (str(uuid.UUID(int=5)), {"a": "one"})
    finally:
        stop_server(running.server)
