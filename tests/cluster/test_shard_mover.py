"""Online moves: reads and writes during shard, rebalance and unshard, checked against an oracle;
the consistent-hash movement bound; a process killed mid-move."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import msgspec
import pytest

from dotdo.runtime.runtime import Runtime
from tests.cluster.lifecycle_objects import BusyShop

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[Runtime]:
    async with Runtime(tmp_path / "data", objects=[BusyShop]) as rt:
        yield rt


class Load:
    """Writers and readers running against one object; `acked` is the oracle of acknowledged writes."""

    def __init__(self, app) -> None:
        self.app = app
        self.acked: dict[str, int] = {}
        self.problems: list[str] = []
        self.writes_during_move = 0
        self.moving = False
        self.stop = asyncio.Event()

    async def writer(self, name: str) -> None:
        step = 0
        mine: list[str] = []
        while not self.stop.is_set():
            step += 1
            if step % 3 or not mine:
                thing_id = f"{name}-{step:05}"
                await self.app.add("Order", id=thing_id, customer_id=f"c{step % 31}", total=step)
                mine.append(thing_id)
                self.acked[thing_id] = step
            else:
                thing_id = mine[step % len(mine)]
                await self.app.change(thing_id, total=step)
                self.acked[thing_id] = step
            if self.moving:
                self.writes_during_move += 1
            await asyncio.sleep(0)

    async def reader(self) -> None:
        while not self.stop.is_set():
            before = dict(self.acked)
            ids = await self.app.every_copy("Order")
            if len(ids) != len(set(ids)):
                self.problems.append(f"a find saw {len(ids) - len(set(ids))} things twice")
            missing = set(before) - set(ids)
            if missing:
                self.problems.append(f"a find missed acknowledged things {sorted(missing)[:3]}")
            if before:
                probe = next(iter(before))
                found = await self.app.read(probe)
                if found is None or found["data"]["total"] < before[probe]:
                    self.problems.append(f"a read of {probe} returned {found}")
            await asyncio.sleep(0)

    async def during(self, phase: str, operation) -> dict:
        tasks = [asyncio.create_task(self.writer(f"{phase}{i}")) for i in range(3)]
        tasks += [asyncio.create_task(self.reader()) for _ in range(2)]
        await asyncio.sleep(0.05)
        self.moving = True
        try:
            return await operation()
        finally:
            self.moving = False
            await asyncio.sleep(0.02)
            self.stop.set()
            await asyncio.gather(*tasks)
            self.stop.clear()


async def check_exactly_once(app, load: Load, preloaded: int) -> None:
    ids = await app.ids("Order")
    assert len(ids) == len(set(ids)) == preloaded + len([i for i in load.acked if not i.startswith("b")])
    for thing_id, total in load.acked.items():
        assert (await app.read(thing_id))["data"]["total"] == total


async def test_writes_and_reads_during_shard_rebalance_and_unshard_are_exact(runtime: Runtime) -> None:
    app = runtime.get(BusyShop, "acme")
    preloaded = await app.bulk(400)
    load = Load(app)
    for phase, operation in {
        "shard": lambda: app.shard(key="customer_id", count=4),
        "up": lambda: app.rebalance(count=7),
        "down": lambda: app.rebalance(count=3),
        "unshard": app.unshard,
    }.items():
        report = await load.during(phase, operation)
        assert report["moved"] > 0
        assert load.problems == []
        await check_exactly_once(app, load, preloaded)
    assert load.writes_during_move > 0
    assert (await app.shard_info())["sharded"] is False


async def test_going_from_16_to_17_hash_shards_moves_about_a_seventeenth(runtime: Runtime) -> None:
    app = runtime.get(BusyShop, "big")
    total = await app.bulk(3400)
    await app.shard(key="id", count=16)
    report = await app.rebalance(count=17)
    assert abs(report["moved"] / total - 1 / 17) < 0.02
    assert await app.count("Order") == total


CHILD = """
import asyncio, sys
sys.path.insert(0, {root!r})
from dotdo.runtime.runtime import Runtime
from tests.cluster.lifecycle_objects import BusyShop

class Loud(BusyShop):
    namespace = "BusyShop"
    def on_move_progress(self, moved):
        print("moved", moved, flush=True)

async def main():
    async with Runtime({data!r}, objects=[Loud]) as rt:
        app = rt.get(Loud, "acme")
        await app.shard(key="customer_id", count=5)
        print("finished", flush=True)

asyncio.run(main())
"""


async def test_a_process_killed_mid_move_resumes_with_nothing_lost_or_doubled(tmp_path: Path) -> None:
    data = tmp_path / "data"
    async with Runtime(data, objects=[BusyShop]) as rt:
        app = rt.get(BusyShop, "acme")
        await app.bulk(3000)
        await app.change("b000007", total=-7)
        expected = {t: (await app.read(t))["data"] for t in await app.ids("Order")}
        path = rt.data_folder.object_path("BusyShop", rt.id_from_name(BusyShop, "acme").hex)

    script = CHILD.format(root=str(ROOT), data=str(data))
    child = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    assert child.stdout is not None
    for line in child.stdout:
        if line.startswith("moved") and int(line.split()[1]) >= 400:
            child.send_signal(signal.SIGKILL)
            break
    child.wait()
    assert child.returncode == -signal.SIGKILL

    with contextlib.closing(sqlite3.connect(path)) as db:
        registry = msgspec.json.decode(db.execute("SELECT value FROM shard_registry").fetchone()[0])
    assert registry["move"] is not None and registry["move"]["kind"] == "shard"

    async with Runtime(data, objects=[BusyShop]) as rt:
        app = rt.get(BusyShop, "acme")
        report = await app.finish_move()
        info = await app.shard_info()
        assert info["move"] is None and info["count"] == 5
        ids = await app.ids("Order")
        assert len(ids) == len(set(ids)) == len(expected)
        assert {t: (await app.read(t))["data"] for t in ids} == expected
        assert (await app.read("b000007"))["version"] == 2
        assert report is None or report["moved"] < len(expected)
