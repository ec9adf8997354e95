"""The outbox is written in the same SQLite transaction as the change it records."""

from __future__ import annotations

from typing import Any

import pytest

from dotdo.tiers import Runtime
from dotdo.tiers.outbox import OUTBOX_TABLE
from tests.tiers.dataset import Shop


def _outbox(obj: Any) -> list[tuple[str, str]]:
    return [tuple(row) for row in obj.storage.sql.exec(f"SELECT kind, op FROM {OUTBOX_TABLE} ORDER BY sequence").raw()]


async def test_each_change_queues_one_row_and_a_rolled_back_change_none(runtime: Runtime) -> None:
    def write(obj: Any) -> None:
        obj.ctx.things.create("Order", id="a", amount=1)
        obj.ctx.things.update("a", amount=2)
        obj.ctx.things.create("Order", id="b")
        obj.ctx.relationships.create(from_="a", to="b", type="next")
        obj.ctx.send("Order.placed", {"id": "a"})

        def failing() -> None:
            obj.ctx.things.create("Order", id="c")
            raise RuntimeError("rolled back")

        with pytest.raises(RuntimeError):
            obj.storage.transaction_sync(failing)
        obj.ctx.things.delete("b", purge=True)

    await runtime.run_in(Shop, "s", write)
    rows = await runtime.run_in(Shop, "s", _outbox)
    assert rows == [
        ("things", "upsert"),
        ("things", "upsert"),
        ("things", "upsert"),
        ("relationships", "upsert"),
        ("events", "upsert"),
        ("relationships", "delete"),
        ("things", "purge"),
    ]
    await runtime.ship()
    assert await runtime.run_in(Shop, "s", _outbox) == []
    assert (await runtime.query("SELECT id, version FROM thing_versions ORDER BY 1, 2")).rows == [("a", 1), ("a", 2)]


async def test_recreating_a_soft_deleted_thing_keeps_its_history(runtime: Runtime) -> None:
    def write(obj: Any) -> None:
        obj.ctx.things.create("Order", id="a", amount=1)
        obj.ctx.things.delete("a")
        obj.ctx.things.create("Order", id="a", amount=3)

    await runtime.run_in(Shop, "s", write)
    await runtime.ship()
    rows = (await runtime.query("SELECT version, amount, deleted_at IS NULL FROM thing_versions ORDER BY 1")).rows
    assert rows == [(1, 1, True), (2, 1, False), (3, 3, True)]
