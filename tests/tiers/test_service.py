"""Cold archiving read back transparently, erasure across every tier, and the status of the tiers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from dotdo.tiers import Runtime
from tests.tiers.dataset import Shop


async def test_old_versions_move_to_the_cold_archive_and_read_back(runtime: Runtime) -> None:
    def write(obj: Any) -> None:
        obj.ctx.things.create("Order", id="a", amount=1)
        obj.ctx.things.update("a", amount=2)
        obj.ctx.things.update("a", amount=3, note="x" * 5000)
        obj.ctx.things.update("a", amount=4)

    await runtime.run_in(Shop, "s", write)
    before = await runtime.run_in(Shop, "s", lambda obj: [(t.version, t.data) for t in obj.ctx.things.history("a")])
    assert await runtime.archive(older_than=0) == 3
    hot = await runtime.run_in(Shop, "s", lambda obj: obj.storage.sql.exec("SELECT count(*) FROM thing_versions").raw())
    assert list(hot) == [(0,)]
    after = await runtime.run_in(Shop, "s", lambda obj: [(t.version, t.data) for t in obj.ctx.things.history("a")])
    assert after == before
    old = await runtime.run_in(Shop, "s", lambda obj: obj.ctx.things.get("a", version=2))
    assert old.data == {"amount": 2}
    assert await runtime.archive(older_than=0) == 0


async def test_erase_removes_a_subject_from_every_tier(tmp_path: Any) -> None:
    from dotdo.tiers import TierConfig

    async with Runtime(tmp_path, objects=[Shop], tiers=TierConfig(ship_interval=None)) as rt:

        def write(obj: Any) -> None:
            obj.ctx.things.create("User", id="user:alice", email="alice@example.com")
            obj.ctx.things.update("user:alice", email="a@example.com")
            obj.ctx.things.create("User", id="user:bob")
            obj.ctx.things.create("Order", id="o1", customer="user:alice")
            obj.ctx.things.create("Order", id="o2", customer="user:bob")
            obj.ctx.relationships.create(from_="user:bob", to="user:alice", type="knows")
            obj.ctx.send("User.signup", {"user": "user:alice"})
            obj.ctx.send("User.signup", {"user": "user:bob"})

        await rt.run_in(Shop, "s1", write)
        await rt.run_in(Shop, "s2", lambda obj: obj.ctx.things.create("User", id="user:alice"))
        await rt.ship()
        snapshot_time = datetime.now(UTC)
        await rt.run_in(Shop, "s1", lambda obj: obj.ctx.things.update("user:alice", note="unshipped"))
        assert await rt.archive(older_than=0) == 2

        report = await rt.erase("user:alice")
        # alice: 3 versions in s1 (2 of them archived) and 1 in s2; o1 mentions her.
        assert report.hot["things"] == 5
        assert report.hot["relationships"] == 1
        assert report.hot["events"] == 1
        assert report.warm["things"] == 4
        assert report.warm["relationships"] == 1
        assert report.warm["events"] == 1
        assert report.cold == 2
        assert report.snapshots_expired > 0

        mention = "SELECT count(*) FROM {} WHERE {}"
        for table, condition in [
            ("thing_versions", "id = 'user:alice' OR contains(data, 'alice')"),
            ("relationships", "to_id = 'user:alice'"),
            ("events", "contains(data, 'user:alice')"),
        ]:
            sql = mention.format(table, condition)
            assert (await rt.query(sql)).rows == [(0,)]
            assert (await rt.query(sql, fresh=True)).rows == [(0,)]
            assert (await rt.query(sql, as_of=snapshot_time)).rows in ([(0,)], [])
        assert await rt.run_in(Shop, "s1", lambda obj: obj.ctx.things.history("user:alice")) == []
        # No file left in the warehouse (warm data, old snapshots' files, cold archives) holds her.
        import pyarrow.parquet as pq

        files = list((tmp_path / "tiers" / "warehouse").rglob("*.parquet"))
        assert files
        for path in files:
            assert "alice" not in str(pq.read_table(path).to_pylist()), path
        assert (await rt.query("SELECT id FROM things ORDER BY id")).rows == [("o2",), ("user:bob",)]
        assert (await rt.query("SELECT id FROM things ORDER BY id", fresh=True)).rows == [("o2",), ("user:bob",)]
        await rt.ship()
        assert (await rt.query("SELECT id FROM things ORDER BY id")).rows == [("o2",), ("user:bob",)]
        with pytest.raises(ValueError, match="subject"):
            await rt.erase("")


async def test_status_reports_tables_and_backlog(runtime: Runtime) -> None:
    await runtime.run_in(Shop, "s", lambda obj: obj.ctx.things.create("Order", id="a"))
    status = await runtime.tiers_status()
    assert [(b.rows, b.lag is not None) for b in status.backlog] == [(1, True)]
    await runtime.ship()
    status = await runtime.tiers_status()
    assert [b.rows for b in status.backlog] == [0]
    things = status.tables[0]
    assert (things.name, things.files, things.rows) == ("things", 1, 1)
    assert things.bytes > 0


async def test_a_runtime_without_a_warehouse_says_how_to_get_one(tmp_path: Any) -> None:
    async with Runtime(tmp_path, objects=[Shop]) as rt:
        with pytest.raises(RuntimeError, match="warehouse"):
            await rt.query("SELECT 1")


async def test_the_background_loop_ships_and_lets_idle_objects_go(tmp_path: Any) -> None:
    import asyncio

    from dotdo.tiers import TierConfig

    async def wait_for(condition: Any) -> None:
        for _ in range(400):
            if await condition():
                return
            await asyncio.sleep(0.05)
        raise AssertionError("timed out")

    async def _count(rt: Runtime, count: int) -> bool:
        return (await rt.query("SELECT count(*) FROM things")).rows == [(count,)]

    config = TierConfig(ship_interval=0.05)
    async with Runtime(tmp_path, objects=[Shop], tiers=config, idle_timeout=0.3) as rt:
        await rt.run_in(Shop, "s", lambda obj: obj.ctx.things.create("Order", id="a"))
        await wait_for(lambda: _count(rt, 1))
        key = (Shop.__name__, rt.id_from_name(Shop, "s").hex)

        async def evicted() -> bool:
            return rt.host.live(key) is None

        # Background rounds look at the outbox without running events: the idle object is evicted.
        await wait_for(evicted)
        await rt.run_in(Shop, "s", lambda obj: obj.ctx.things.create("Order", id="b"))
        await wait_for(lambda: _count(rt, 2))
