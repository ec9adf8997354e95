"""Sharding an object: strategies, errors, routed reads and writes, fan-out queries, events."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from dotdo.cluster.shard_query import ShardQueryError
from dotdo.cluster.shard_strategies import ShardingError
from dotdo.graph import DuplicateThingError, ThingNotFoundError
from dotdo.runtime.runtime import Runtime
from tests.cluster.lifecycle_objects import BROKEN, FlakyShop, Shop, by_region


@pytest.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[Runtime]:
    async with Runtime(tmp_path / "data", objects=[Shop, FlakyShop]) as rt:
        yield rt


async def stock(app, orders: int = 60) -> None:
    for i in range(orders):
        await app.add("Order", id=f"o{i:03}", customer_id=f"c{i % 12}", total=i, region="paris" if i % 2 else "berlin")


async def shard_sizes(runtime: Runtime, name: str, count: int) -> list[int]:
    return [await runtime.get(Shop, f"{name}-shard-{i}").count() for i in range(count)]


async def test_hash_sharding_moves_every_thing_into_its_shard_and_leaves_the_registry(runtime: Runtime) -> None:
    app = runtime.get(Shop, "acme")
    await stock(app)
    report = await app.shard(key="customer_id", count=4, strategy="hash")
    assert report["moved"] == 60
    sizes = await shard_sizes(runtime, "acme", 4)
    assert sum(sizes) == 60 and all(sizes)
    # The source keeps the registry and nothing else.
    count_sql = "SELECT count(*) AS n FROM things"
    left = await runtime.run_in(Shop, "acme", lambda obj: obj.storage.sql.exec(count_sql).one())
    assert left["n"] == 0
    info = await app.shard_info()
    assert info["key"] == "customer_id" and info["shards"] == [f"acme-shard-{i}" for i in range(4)]
    # All the orders of one customer are in one shard.
    for customer in (f"c{i}" for i in range(12)):
        holding = [await runtime.get(Shop, s).count("Order", {"customer_id": customer}) for s in info["shards"]]
        assert sorted(holding) == [0, 0, 0, 5]


async def test_range_round_robin_and_function_strategies_place_things_as_documented(runtime: Runtime) -> None:
    ranged = runtime.get(Shop, "ranged")
    await stock(ranged)
    await ranged.shard(key="total", count=3, strategy="range", bounds=[20, 40])
    assert await shard_sizes(runtime, "ranged", 3) == [20, 20, 20]
    assert (await runtime.get(Shop, "ranged-shard-0").ids()) == [f"o{i:03}" for i in range(20)]

    dealt = runtime.get(Shop, "dealt")
    await stock(dealt, 10)
    await dealt.shard(key="id", count=3, strategy="round_robin")
    assert await shard_sizes(runtime, "dealt", 3) == [4, 3, 3]
    await dealt.add("Order", id="new", customer_id="c1", total=1, region="x")
    assert (await dealt.read("new"))["data"]["total"] == 1

    mapped = runtime.get(Shop, "mapped")
    await stock(mapped, 10)
    await mapped.shard(key="region", count=2, strategy=by_region)
    assert await runtime.get(Shop, "mapped-shard-0").ids() == [f"o{i:03}" for i in range(0, 10, 2)]
    assert await runtime.get(Shop, "mapped-shard-1").ids() == [f"o{i:03}" for i in range(1, 10, 2)]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"key": "", "count": 4}, "key must name the field"),
        ({"key": "customer_id", "count": 0}, "at least 1"),
        ({"key": "customer_id", "count": 1001}, "maximum 1000 shards"),
        ({"key": "customer_id", "count": 4, "strategy": "modulo"}, "Unknown strategy 'modulo'"),
        ({"key": "customer_id", "count": 3, "strategy": "range"}, "needs bounds"),
        ({"key": "customer_id", "count": 3, "strategy": "range", "bounds": [5, 1]}, "strictly ascending"),
        ({"key": "customer_id", "count": 2, "strategy": lambda v, n: 0}, "module level"),
        ({"key": "email", "count": 4}, "Things without 'email'"),
    ],
)
async def test_bad_shard_requests_are_refused_clearly_and_move_nothing(runtime: Runtime, arguments, message) -> None:
    app = runtime.get(Shop, "shop")
    await stock(app, 5)
    with pytest.raises(ShardingError, match=message):
        await app.shard(**arguments)
    assert await app.count() == 5
    assert (await app.shard_info())["sharded"] is False


async def test_empty_and_already_sharded_objects_are_refused(runtime: Runtime) -> None:
    with pytest.raises(ShardingError, match="no things to shard"):
        await runtime.get(Shop, "empty").shard(key="customer_id", count=2)
    app = runtime.get(Shop, "shop")
    await stock(app, 5)
    await app.shard(key="customer_id", count=2)
    with pytest.raises(ShardingError, match="already sharded"):
        await app.shard(key="customer_id", count=3)
    with pytest.raises(ShardingError, match="has no 'customer_id'"):
        await app.add("Order", id="x", total=1)
    with pytest.raises(ShardingError, match="not sharded"):
        await runtime.get(Shop, "other").rebalance(count=3)


async def test_things_and_the_graph_are_routed_transparently_after_sharding(runtime: Runtime) -> None:
    app = runtime.get(Shop, "acme")
    await stock(app, 24)
    await app.add("Customer", id="alice", customer_id="c1")
    await app.relate("alice", "o001", "placed")
    await app.relate("alice", "o013", "placed")
    await app.add("Item", id="i1", customer_id="c5")
    await app.relate("o013", "i1", "contains")
    await app.shard(key="customer_id", count=4)

    await app.add("Order", id="o999", customer_id="c7", total=999, region="lyon")
    assert (await app.read("o999"))["data"]["total"] == 999
    assert await app.change("o999", total=1000) == 2
    assert await app.count("Order", {"total": {"gte": 999}}) == 1
    with pytest.raises(DuplicateThingError):
        await app.add("Order", id="o999", customer_id="c7", total=1)
    with pytest.raises(ShardingError, match="cannot change"):
        await app.change("o999", customer_id="c8")
    assert await app.remove("o999") is True
    assert await app.read("o999") is None
    with pytest.raises(ThingNotFoundError):
        await app.change("o999", total=1)

    assert await app.ids("Order", order_by="-total", limit=3) == ["o023", "o022", "o021"]
    assert await app.related("alice", "placed") == ["o001", "o013"]
    assert await app.related("o013", direction="in") == ["alice"]
    assert await app.walk("alice", ["placed", "contains"]) == ["o001", "o013", "i1"]


async def test_query_shards_combines_and_reports_failed_shards(runtime: Runtime) -> None:
    app = runtime.get(FlakyShop, "flaky")
    await stock(app)
    await app.shard(key="customer_id", count=4)
    where = {"total": {"gt": 29}}
    assert (await app.query_shards(type="Order", where=where, aggregate="count")).value == 30
    assert (await app.query_shards(type="Order", aggregate="sum", field="total")).value == sum(range(60))
    assert (await app.query_shards(type="Order", aggregate="avg", field="total")).value == pytest.approx(29.5)
    top = await app.query_shards(type="Order", aggregate="merge", order_by="-total", limit=5)
    assert [t.data["total"] for t in top.rows] == [59, 58, 57, 56, 55]
    assert len((await app.query_shards(type="Order", aggregate="concat")).rows) == 60

    BROKEN.add("flaky-shard-2")
    try:
        runtime.host.evict(("FlakyShop", runtime.id_from_name(FlakyShop, "flaky-shard-2").hex), force=True)
        with pytest.raises(ShardQueryError, match="flaky-shard-2 failed"):
            await app.query_shards(type="Order", aggregate="count")
        partial = await app.query_shards(type="Order", aggregate="count", continue_on_error=True)
    finally:
        BROKEN.discard("flaky-shard-2")
    assert partial.partial and [f.shard for f in partial.failed] == ["flaky-shard-2"]
    assert "is down" in partial.failed[0].error
    assert 0 < partial.value < 60


async def test_every_operation_reports_started_and_completed_with_one_correlation_id(runtime: Runtime) -> None:
    app = runtime.get(Shop, "acme")
    await stock(app, 10)
    await app.shard(key="customer_id", count=2)
    with pytest.raises(ShardingError):
        await app.rebalance(count=2000)
    await app.unshard()
    assert await app.count() == 10
    events = await app.events("shard.")
    assert [e["type"] for e in events] == ["shard.started", "shard.completed", "shard.started", "shard.completed"]
    assert events[0]["correlation_id"] == events[1]["correlation_id"] != events[2]["correlation_id"]
    assert events[1]["moved"] == 10 and events[3]["kind"] == "unshard"
