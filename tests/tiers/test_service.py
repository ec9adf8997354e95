"""The status of the tiers, the runtime without a warehouse, and the background shipping loop."""

from __future__ import annotations

from typing import Any

import pytest

from dotdo.tiers import Runtime
from tests.tiers.dataset import Shop


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
