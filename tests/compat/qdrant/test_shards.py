"""Qdrant collections spread over shard objects (`--index-shards`): `qdrant-client` sees what one collection shows."""

from __future__ import annotations

import random
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from qdrant_client import QdrantClient, models

from tests.compat.conftest import CompatServer, start_server, stop_server
from tests.compat.qdrant.test_app import connect

SHARDS = 3
DIMENSION = 8


def make_points(count: int) -> list[models.PointStruct]:
    chooser = random.Random(5)
    return [
        models.PointStruct(
            id=i if i % 3 else str(f"00000000-0000-0000-0000-{i:012d}"),
            vector=[chooser.uniform(-1, 1) for _ in range(DIMENSION)],
            payload={"group": chooser.choice("abc"), "n": chooser.randint(0, 9)},
        )
        for i in range(count)
    ]


POINTS = make_points(300)
FILTERS = [
    None,
    models.Filter(must=[models.FieldCondition(key="group", match=models.MatchValue(value="b"))]),
    models.Filter(
        should=[
            models.FieldCondition(key="n", range=models.Range(gte=7)),
            models.FieldCondition(key="group", match=models.MatchValue(value="a")),
        ],
        must_not=[models.FieldCondition(key="n", match=models.MatchValue(value=9))],
    ),
]


@pytest.fixture(scope="module")
def clients(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[QdrantClient, QdrantClient, CompatServer]]:
    """A client of an unsharded server and one of a server whose collections have `SHARDS` shards, same points."""
    one = start_server(tmp_path_factory.mktemp("qdrant-one"), ["qdrant"])
    many = start_server(tmp_path_factory.mktemp("qdrant-many"), ["qdrant"], None, "--index-shards", str(SHARDS))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pair = connect(one), connect(many)
            for client in pair:
                client.create_collection(
                    "points", vectors_config=models.VectorParams(size=DIMENSION, distance=models.Distance.COSINE)
                )
                for start in range(0, len(POINTS), 100):
                    client.upsert("points", points=POINTS[start : start + 100], wait=True)
            yield *pair, many
    finally:
        stop_server(one)
        stop_server(many)


def exact_nearest(query: list[float], limit: int, accepted: set[Any] | None) -> list[Any]:
    vectors = np.array([point.vector for point in POINTS], dtype=np.float32)
    scores = vectors @ np.array(query, dtype=np.float32)
    scores /= np.linalg.norm(vectors, axis=1) * np.linalg.norm(query)
    order = [i for i in np.argsort(-scores, kind="stable") if accepted is None or POINTS[i].id in accepted]
    return [POINTS[i].id for i in order[:limit]]


def ids(points: list[Any]) -> list[Any]:
    return [point.id for point in points]


@pytest.mark.parametrize("which", range(len(FILTERS)))
def test_queries_match_one_collection_and_exact_search(clients: Any, which: int) -> None:
    one, many, _ = clients
    chooser = random.Random(which)
    accepted = None if FILTERS[which] is None else {p.id for p in one.scroll("points", FILTERS[which], limit=400)[0]}
    for _ in range(5):
        query = [chooser.uniform(-1, 1) for _ in range(DIMENSION)]
        hits = [
            c.query_points("points", query=query, query_filter=FILTERS[which], limit=10, offset=3) for c in clients[:2]
        ]
        assert ids(hits[1].points) == ids(hits[0].points) == exact_nearest(query, 13, accepted)[3:]
        assert [hit.score for hit in hits[1].points] == pytest.approx([hit.score for hit in hits[0].points])
    assert many.count("points", FILTERS[which]).count == one.count("points", FILTERS[which]).count


def test_scroll_pages_follow_one_insertion_order(clients: Any) -> None:
    one, many, _ = clients
    for query_filter in FILTERS:
        pages: list[list[Any]] = [[], []]
        for index, client in enumerate((one, many)):
            offset = None
            while True:
                found, offset = client.scroll("points", query_filter, limit=23, offset=offset)
                pages[index].append(ids(found))
                if offset is None:
                    break
        assert pages[1] == pages[0]


def test_writes_by_id_and_by_filter_reach_their_shards(clients: Any) -> None:
    one, many, _ = clients
    group_c = models.Filter(must=[models.FieldCondition(key="group", match=models.MatchValue(value="c"))])
    for client in (one, many):
        client.set_payload("points", {"seen": True}, points=[1, 2, 4], wait=True)
        client.delete("points", points_selector=models.PointIdsList(points=[5, 7]), wait=True)
        client.delete("points", points_selector=models.FilterSelector(filter=group_c), wait=True)
    assert [p.payload for p in many.retrieve("points", [4, 2, 1, 5])] == [
        p.payload for p in one.retrieve("points", [4, 2, 1, 5])
    ]
    assert many.count("points").count == one.count("points").count
    assert ids(many.scroll("points", limit=400)[0]) == ids(one.scroll("points", limit=400)[0])


def test_tenants_see_only_their_own_sharded_collections(clients: Any) -> None:
    _, many, server = clients
    other = server.credentials().create("qdrant-shards-other", ["qdrant"])
    stranger = connect(server, other.access_key_id, other.secret)
    assert not stranger.collection_exists("points")
    stranger.create_collection("points", vectors_config=models.VectorParams(size=2, distance=models.Distance.DOT))
    stranger.upsert("points", points=[models.PointStruct(id=1, vector=[1, 0], payload={"mine": True})], wait=True)
    assert stranger.count("points").count == 1
    assert many.retrieve("points", [1])[0].payload != {"mine": True}


def test_a_sharded_collection_survives_a_restart(tmp_path_factory: pytest.TempPathFactory) -> None:
    data_dir = tmp_path_factory.mktemp("qdrant-shards-restart")
    server = start_server(data_dir, ["qdrant"], None, "--index-shards", str(SHARDS))
    try:
        client = connect(server)
        client.create_collection("kept", vectors_config=models.VectorParams(size=DIMENSION, distance="Euclid"))
        client.upsert("kept", points=POINTS[:40], wait=True)
        query = POINTS[0].vector
        before = ids(client.query_points("kept", query=query, limit=5).points)
    finally:
        stop_server(server)
    server = start_server(data_dir, ["qdrant"])  # restarted without the option: the collection keeps its shards
    try:
        client = connect(server)
        assert ids(client.query_points("kept", query=query, limit=5).points) == before
        assert client.count("kept").count == 40
        assert ids(client.scroll("kept", limit=50)[0]) == ids(POINTS[:40])
    finally:
        stop_server(server)
