"""Erasure: a subject gone from every tier, old snapshots and archive files included."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from dotdo.tiers import Runtime
from tests.tiers.dataset import Shop


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
