"""Fork: a copy of an object's whole state at one commit point, equal at first and independent after."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from dotdo import Runtime
from dotdo.cluster.fork import ForkError
from tests.cluster.lifecycle_objects import Shop

BIG = bytes(range(256)) * 5000
"""Over a megabyte: fsx keeps it as a blob beside the database."""


@pytest.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[Runtime]:
    async with Runtime(tmp_path / "data", objects=[Shop]) as rt:
        yield rt


async def test_a_fork_equals_its_origin_and_then_lives_its_own_life(runtime: Runtime) -> None:
    app = runtime.get(Shop, "acme")
    for i in range(20):
        await app.add("Order", id=f"o{i}", customer_id=f"c{i % 3}", total=i)
    await app.change("o1", total=100)
    await app.relate("o1", "o2", "follows")
    await app.remember("plan", {"tier": "gold"})
    await app.write_file("/small.txt", b"hello")
    await app.write_file("/big.bin", BIG)
    assert await app.schedules() != []

    copy = await app.fork("acme-staging")

    assert copy.name == "acme-staging"
    assert await copy.ids() == await app.ids()
    assert await copy.history("o1") == [1, 2]
    assert await copy.related("o1") == ["o2"]
    assert await copy.recall("plan") == {"tier": "gold"}
    assert await copy.read_file("/small.txt") == b"hello"
    assert await copy.read_file("/big.bin") == BIG
    # The copy's schedules wait for a go-ahead; the origin's keep running.
    assert await copy.schedules() == []
    assert await copy.paused_schedules() == await app.schedules()
    assert await copy.enable_schedules() == await app.schedules()
    assert await copy.schedules() == await app.schedules()

    await copy.change("o3", total=-1)
    await copy.write_file("/big.bin", b"replaced")
    await app.add("Order", id="late", customer_id="c1", total=1)
    assert (await app.read("o3"))["data"]["total"] == 3
    assert await app.read_file("/big.bin") == BIG
    assert await copy.read("late") is None
    events = await app.events("fork.")
    assert [e["type"] for e in events] == ["fork.started", "fork.completed"]
    assert events[0]["correlation_id"] == events[1]["correlation_id"]


async def test_a_fork_taken_under_writes_holds_every_write_acknowledged_before_it(runtime: Runtime) -> None:
    app = runtime.get(Shop, "busy")
    await app.add("Order", id="first", customer_id="c", total=0)
    acked: list[str] = []

    async def writer() -> None:
        for i in range(200):
            await app.add("Order", id=f"w{i}", customer_id="c", total=i)
            acked.append(f"w{i}")
            await asyncio.sleep(0)

    task = asyncio.create_task(writer())
    await asyncio.sleep(0.01)
    before = list(acked)
    copy = await app.fork("busy-copy")
    await task
    copied = set(await copy.ids())
    assert set(before) <= copied
    # One commit point: the copy holds a prefix of the writes, never a gap.
    assert copied - {"first"} == {f"w{i}" for i in range(len(copied) - 1)}


async def test_forks_need_a_new_name(runtime: Runtime) -> None:
    app = runtime.get(Shop, "acme")
    await app.add("Order", id="o", customer_id="c", total=1)
    with pytest.raises(ForkError, match="different from this one"):
        await app.fork("acme")
    await runtime.get(Shop, "existing").add("Order", id="x", customer_id="c", total=1)
    with pytest.raises(ForkError, match="already"):
        await app.fork("existing")
    assert await runtime.get(Shop, "existing").ids() == ["x"]
