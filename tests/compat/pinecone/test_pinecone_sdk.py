"""Pinecone through its official `pinecone` SDK (REST) against `dotdo compat serve pinecone`."""

from __future__ import annotations

import math
import random
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pinecone import Pinecone, PodSpec, ServerlessSpec
from pinecone.errors import ApiError, ConflictError, ForbiddenError, NotFoundError, UnauthorizedError

import dotdo.compat
from tests.compat.conftest import CompatServer, start_server, stop_server


def connect(server: CompatServer, access_key_id: str | None = None, secret: str | None = None) -> Pinecone:
    return dotdo.compat.pinecone.client(
        server.url, access_key_id=access_key_id or server.key.access_key_id, secret=secret or server.key.secret
    )


@pytest.fixture(scope="module")
def pc(pinecone_server: CompatServer) -> Pinecone:
    return connect(pinecone_server)


GENRES = ["drama", "comedy", "horror", "Drama"]


def make_records(count: int) -> list[dict[str, Any]]:
    chooser = random.Random(11)
    records = []
    for i in range(count):
        metadata: dict[str, Any] = {}
        if chooser.random() < 0.8:
            metadata["year"] = chooser.randint(1995, 2005)
        if chooser.random() < 0.6:
            metadata["rating"] = chooser.choice([1.5, 2, 3.25, 4, 5])
        kind = chooser.random()
        if kind < 0.45:
            metadata["genre"] = chooser.choice(GENRES)
        elif kind < 0.85:
            metadata["genre"] = chooser.sample(GENRES, chooser.randint(0, 3))
        if chooser.random() < 0.6:
            metadata["free"] = chooser.random() < 0.5
        vector = [chooser.uniform(-1, 1) for _ in range(4)]
        records.append({"id": f"m{i:03d}", "values": vector, "metadata": metadata})
    return records


RECORDS = make_records(150)


@pytest.fixture(scope="module")
def movies(pc: Pinecone) -> Any:
    pc.create_index("movies", dimension=4, metric="cosine", spec=ServerlessSpec(cloud="aws", region="us-east-1"))
    index = pc.index("movies")
    for start in range(0, len(RECORDS), 50):
        index.upsert(vectors=RECORDS[start : start + 50], namespace="catalog")
    return index


def elements(metadata: dict[str, Any], field: str) -> list[Any]:
    if field not in metadata:
        return []
    value = metadata[field]
    return value if isinstance(value, list) else [value]


def equal(element: Any, value: Any) -> bool:
    if isinstance(element, bool) or isinstance(value, bool):
        return isinstance(element, bool) and isinstance(value, bool) and element == value
    if isinstance(element, str) or isinstance(value, str):
        return isinstance(element, str) and isinstance(value, str) and element == value
    return element == value


def oracle(tree: dict[str, Any], metadata: dict[str, Any]) -> bool:
    """Pinecone's filter language read directly: list values match when one item does; $ne/$nin hold when absent."""
    results = []
    for key, condition in tree.items():
        if key == "$and":
            results.append(all(oracle(item, metadata) for item in condition))
        elif key == "$or":
            results.append(any(oracle(item, metadata) for item in condition))
        else:
            items = elements(metadata, key)
            operators = condition if isinstance(condition, dict) else {"$eq": condition}
            for operator, operand in operators.items():
                if operator == "$eq":
                    results.append(any(equal(e, operand) for e in items))
                elif operator == "$ne":
                    results.append(not any(equal(e, operand) for e in items))
                elif operator == "$in":
                    results.append(any(equal(e, v) for e in items for v in operand))
                elif operator == "$nin":
                    results.append(not any(equal(e, v) for e in items for v in operand))
                elif operator == "$exists":
                    results.append((key in metadata) == operand)
                else:
                    compare = {
                        "$gt": lambda a, b: a > b,
                        "$gte": lambda a, b: a >= b,
                        "$lt": lambda a, b: a < b,
                        "$lte": lambda a, b: a <= b,
                    }[operator]
                    numbers = [e for e in items if isinstance(e, int | float) and not isinstance(e, bool)]
                    results.append(any(compare(e, operand) for e in numbers))
    return all(results)


values = st.one_of(st.sampled_from(GENRES), st.integers(1995, 2005), st.sampled_from([1.5, 2.0, 4, 5]), st.booleans())
leaf = st.one_of(
    st.builds(lambda f, v: {f: v}, st.sampled_from(["genre", "year", "free"]), values),
    st.builds(
        lambda f, op, v: {f: {op: v}},
        st.sampled_from(["genre", "year", "rating", "free"]),
        st.sampled_from(["$eq", "$ne"]),
        values,
    ),
    st.builds(
        lambda f, op, v: {f: {op: v}},
        st.sampled_from(["year", "rating"]),
        st.sampled_from(["$gt", "$gte", "$lt", "$lte"]),
        st.one_of(st.integers(1994, 2006), st.sampled_from([2.0, 3.25, 4.5])),
    ),
    st.builds(
        lambda f, op, v: {f: {op: v}},
        st.sampled_from(["genre", "year", "free"]),
        st.sampled_from(["$in", "$nin"]),
        st.lists(values, min_size=1, max_size=3),
    ),
    st.builds(lambda f, b: {f: {"$exists": b}}, st.sampled_from(["genre", "rating", "free"]), st.booleans()),
    st.just({"year": {"$gte": 1998, "$lt": 2002}}),
)
filters = st.recursive(
    leaf,
    lambda inner: st.builds(
        lambda op, items: {op: items}, st.sampled_from(["$and", "$or"]), st.lists(inner, min_size=1, max_size=3)
    ),
    max_leaves=6,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tree=filters)
def test_query_filters_agree_with_the_oracle(movies: Any, tree: dict[str, Any]) -> None:
    expected = {r["id"] for r in RECORDS if oracle(tree, r["metadata"])}
    found = movies.query(vector=[1, 0, 0, 0], top_k=len(RECORDS), filter=tree, namespace="catalog").matches
    assert {match.id for match in found} == expected
    stats = movies.describe_index_stats(filter=tree)
    assert stats.namespaces["catalog"].vector_count == len(expected)


def test_queries_rank_by_cosine_and_return_values_and_metadata(movies: Any) -> None:
    target = [0.3, -0.2, 0.9, 0.1]

    def cosine(v: list[float]) -> float:
        return sum(a * b for a, b in zip(v, target, strict=True)) / (
            math.sqrt(sum(a * a for a in v)) * math.sqrt(sum(b * b for b in target))
        )

    expected = sorted(RECORDS, key=lambda r: -cosine(r["values"]))[:5]
    result = movies.query(vector=target, top_k=5, include_values=True, include_metadata=True, namespace="catalog")
    assert [m.id for m in result.matches] == [r["id"] for r in expected]
    assert math.isclose(result.matches[0].score, cosine(expected[0]["values"]), rel_tol=1e-5)
    assert result.matches[0].metadata == expected[0]["metadata"]
    assert result.matches[0].values == pytest.approx(expected[0]["values"], rel=1e-6)
    by_id = movies.query(id=expected[0]["id"], top_k=1, namespace="catalog")
    assert by_id.matches[0].id == expected[0]["id"] and math.isclose(by_id.matches[0].score, 1.0, rel_tol=1e-5)
    assert movies.query(vector=target, top_k=3, namespace="elsewhere").matches == []


def test_indexes_are_created_described_configured_and_deleted(pc: Pinecone) -> None:
    created = pc.create_index(
        "pods", dimension=8, metric="euclidean", spec=PodSpec(environment="us-east1-gcp", pod_type="p1.x1")
    )
    assert created.dimension == 8 and created.metric == "euclidean" and created.status.ready
    described = pc.describe_index("pods")
    assert described.host.endswith("/index/pods") and described.deployment.pod_type == "p1.x1"
    assert "pods" in [i.name for i in pc.list_indexes()] and pc.has_index("pods")
    with pytest.raises(ConflictError):
        pc.create_index("pods", dimension=8, spec=ServerlessSpec(cloud="aws", region="us-east-1"))
    configured = pc.configure_index("pods", deletion_protection="enabled", tags={"team": "search"}, replicas=2)
    assert configured.deletion_protection == "enabled" and configured.tags == {"team": "search"}
    assert configured.deployment.replicas == 2 and configured.deployment.pod_type == "p1.x1"
    with pytest.raises(ForbiddenError):
        pc.delete_index("pods")
    pc.configure_index("pods", deletion_protection="disabled")
    pc.delete_index("pods")
    assert not pc.has_index("pods")
    with pytest.raises(NotFoundError):
        pc.describe_index("pods")


def test_vectors_are_fetched_updated_listed_and_deleted(pc: Pinecone) -> None:
    pc.create_index("notes", dimension=2, metric="dotproduct", spec=ServerlessSpec(cloud="aws", region="us-east-1"))
    index = pc.index("notes")
    index.upsert(vectors=[(f"doc1#chunk{i}", [1.0, float(i)], {"part": i}) for i in range(5)], namespace="a")
    index.upsert(vectors=[("doc2#chunk0", [2.0, 0.0], {"part": 0}), ("other", [0.5, 0.5], {})], namespace="a")
    index.upsert(vectors=[("solo", [1.0, 1.0], {"part": 9})])
    [top] = index.query(vector=[0.0, 1.0], top_k=1, namespace="a").matches
    assert top.id == "doc1#chunk4" and math.isclose(top.score, 4.0)  # dot product
    fetched = index.fetch(ids=["doc1#chunk1", "missing"], namespace="a")
    assert list(fetched.vectors) == ["doc1#chunk1"] and fetched.vectors["doc1#chunk1"].values == [1.0, 1.0]
    index.update(id="doc1#chunk1", values=[3.0, 3.0], set_metadata={"seen": True}, namespace="a")
    vector = index.fetch(ids=["doc1#chunk1"], namespace="a").vectors["doc1#chunk1"]
    assert vector.values == [3.0, 3.0] and vector.metadata == {"part": 1, "seen": True}
    assert index.update(set_metadata={"late": True}, filter={"part": {"$gte": 3}}, namespace="a").matched_records == 2
    page = index.list_paginated(prefix="doc1#", limit=2, namespace="a")
    assert [v.id for v in page.vectors] == ["doc1#chunk0", "doc1#chunk1"] and page.pagination.next
    rest = index.list_paginated(prefix="doc1#", limit=2, namespace="a", pagination_token=page.pagination.next)
    assert [v.id for v in rest.vectors] == ["doc1#chunk2", "doc1#chunk3"]
    assert [v.id for response in index.list(prefix="doc1#", namespace="a") for v in response.vectors][-1] == (
        "doc1#chunk4"
    )
    stats = index.describe_index_stats()
    assert {name: ns.vector_count for name, ns in stats.namespaces.items()} == {"a": 7, "": 1}
    assert stats.total_vector_count == 8 and stats.dimension == 2
    listed = index.list_namespaces_paginated(limit=1)
    assert [(ns.name, ns.record_count) for ns in listed.namespaces] == [("__default__", 1)] and listed.total_count == 2
    following = index.list_namespaces_paginated(limit=1, pagination_token=listed.pagination.next)
    assert [ns.name for ns in following.namespaces] == ["a"] and following.pagination is None
    assert index.describe_namespace(name="a").record_count == 7
    index.delete_namespace(name="__default__")
    with pytest.raises(NotFoundError):
        index.describe_namespace(name="__default__")
    index.upsert(vectors=[("solo", [1.0, 1.0], {"part": 9})])
    index.delete(ids=["other"], namespace="a")
    index.delete(filter={"late": {"$eq": True}}, namespace="a")
    assert index.describe_index_stats().namespaces["a"].vector_count == 4
    index.delete(delete_all=True, namespace="a")
    assert set(index.describe_index_stats().namespaces) == {""}


def test_euclidean_scores_are_squared_distances(pc: Pinecone) -> None:
    pc.create_index("points", dimension=2, metric="euclidean", spec=ServerlessSpec(cloud="aws", region="us-east-1"))
    index = pc.index("points")
    index.upsert(vectors=[("near", [1.0, 1.0]), ("far", [4.0, 5.0])])
    matches = index.query(vector=[1.0, 1.0], top_k=2).matches
    assert [(m.id, m.score) for m in matches] == [("near", 0.0), ("far", 25.0)]


def test_hostile_input_is_answered_in_pinecone_shape(pinecone_server: CompatServer, movies: Any) -> None:
    with pytest.raises(ApiError) as raised:
        movies.upsert(vectors=[("bad", [1.0, 2.0])], namespace="catalog")
    assert raised.value.status_code == 400 and "dimension 2 does not match" in raised.value.message
    with pytest.raises(ApiError) as raised:
        movies.query(vector=[1, 0, 0, 0], top_k=3, filter={"year": {"$near": 2000}}, namespace="catalog")
    assert raised.value.status_code == 400 and "$near" in raised.value.message
    with pytest.raises(ApiError) as raised:
        movies.query(vector=[1, 0, 0, 0], top_k=3, filter={"year": {"$gt": "2000"}}, namespace="catalog")
    assert raised.value.status_code == 400
    key = pinecone_server.key
    headers = {"Api-Key": f"{key.access_key_id}{key.secret}", "X-Pinecone-Api-Version": "2026-07"}
    upsert = f"{pinecone_server.url}/index/movies/vectors/upsert"
    nan = httpx.post(upsert, content=b'{"vectors": [{"id": "n", "values": [NaN, 1, 1, 1]}]}', headers=headers)
    assert nan.status_code == 400 and set(nan.json()) == {"code", "message", "details"}
    nested = httpx.post(
        upsert, json={"vectors": [{"id": "x", "values": [1, 0, 0, 0], "metadata": {"a": {"b": 1}}}]}, headers=headers
    )
    assert nested.status_code == 400 and "field `a`" in nested.json()["message"]
    huge = httpx.post(upsert, content=b'{"vectors": [' + b"1," * 1_500_000 + b"1]}", headers=headers)
    assert huge.status_code == 413 and huge.json()["code"] == 8
    many = {"year": {"$in": list(range(20_000))}}
    refused = httpx.post(
        f"{pinecone_server.url}/index/movies/query",
        json={"topK": 1, "vector": [1, 0, 0, 0], "filter": many, "namespace": "catalog"},
        headers=headers,
    )
    assert refused.status_code == 400
    missing = httpx.get(f"{pinecone_server.url}/indexes/nope", headers=headers)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "NOT_FOUND"
    assert movies.describe_index_stats().namespaces["catalog"].vector_count == len(RECORDS)
    with pytest.raises(UnauthorizedError):
        Pinecone(api_key="wrong", host=pinecone_server.url).list_indexes()


def test_tenants_are_isolated(pinecone_server: CompatServer, movies: Any) -> None:
    other = pinecone_server.credentials().create("pinecone-other", ["pinecone"])
    stranger = connect(pinecone_server, other.access_key_id, other.secret)
    assert [i.name for i in stranger.list_indexes()] == []
    with pytest.raises(NotFoundError):
        stranger.index(host=movies.host).fetch(ids=["m000"], namespace="catalog")


def test_indexes_survive_a_restart(tmp_path_factory: pytest.TempPathFactory) -> None:
    data_dir = tmp_path_factory.mktemp("pinecone-restart")
    server = start_server(data_dir, ["pinecone"])
    try:
        pc = connect(server)
        pc.create_index("kept", dimension=2, metric="cosine", spec=ServerlessSpec(cloud="aws", region="us-east-1"))
        pc.index("kept").upsert(vectors=[("a", [1.0, 0.0], {"n": 1})], namespace="ns")
    finally:
        stop_server(server)
    server = start_server(data_dir, ["pinecone"])
    try:
        index = connect(server).index("kept")
        [hit] = index.query(vector=[1.0, 0.0], top_k=1, include_metadata=True, namespace="ns").matches
        assert (hit.id, hit.metadata) == ("a", {"n": 1})
    finally:
        stop_server(server)
