"""A vector collection spread over shard objects: ids route to one shard, listings merge, bad batches store nothing."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from dotdo import Runtime
from dotdo.compat.search import Compare
from dotdo.compat.vector import Point, ShardedCollection, VectorCollection, VectorError


async def test_sharded_and_unsharded_collections_answer_alike(tmp_path: Path) -> None:
    chooser = random.Random(3)
    points = [
        Point(n if n % 2 else f"doc-{n:03}", [chooser.uniform(-1, 1) for _ in range(3)], {"n": n % 5})
        for n in range(120)
    ]
    async with Runtime(tmp_path, objects=[VectorCollection]) as runtime:
        pair = ShardedCollection(runtime, "t/one"), ShardedCollection(runtime, "t/many", shards=4)
        for collection in pair:
            await collection.create("c", 3, "dot")
            await collection.upsert(points[:70])
            await collection.upsert(points[50:])
            assert await collection.delete([3, "doc-004"]) == 2
        parts = [(await pair[1].shard(i).info())["count"] for i in range(4)]
        assert all(parts) and sum(parts) == (await pair[0].info())["count"] == 118
        one, many = pair
        assert await many.get(["doc-010", 7, 3, "doc-002"]) == await one.get(["doc-010", 7, 3, "doc-002"])
        assert await many.string_ids("doc-0", "doc-020", 7) == await one.string_ids("doc-0", "doc-020", 7)
        assert await many.scroll(Compare("n", "<", 3), 9, 11) == await one.scroll(Compare("n", "<", 3), 9, 11)
        query = [0.2, -0.5, 0.9]
        assert await many.query(query, 7, Compare("n", "!=", 1), 2) == await one.query(
            query, 7, Compare("n", "!=", 1), 2
        )
        for collection in pair:
            assert await collection.set_payload(None, Compare("n", "=", 4), {"n": 9}, False) == 23
        assert await many.count(Compare("n", "=", 9)) == await one.count(Compare("n", "=", 9)) == 23


async def test_a_refused_batch_stores_nothing_in_any_shard(tmp_path: Path) -> None:
    async with Runtime(tmp_path, objects=[VectorCollection]) as runtime:
        collection = ShardedCollection(runtime, "t/strict", shards=3)
        await collection.create("strict", 2, "cosine")
        batch = [Point(n, [1.0, float(n)]) for n in range(10)]
        for bad in (Point(99, [1.0]), Point(99, [float("nan"), 1.0]), Point(1.5, [1.0, 1.0])):  # type: ignore[arg-type]
            with pytest.raises(VectorError):
                await collection.upsert([*batch, bad])
        assert await collection.count() == 0
        with pytest.raises(VectorError):
            await collection.query([1.0, 2.0, 3.0])
