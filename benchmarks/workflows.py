"""Benchmark of workflows: instances/s of a 3-step workflow, and memory of many sleeping instances.

Run: `python benchmarks/workflows.py [--n 10000] [--sleeping 10000]`. Baselines measured in the same
run: the same 3 steps as plain `ctx.do` calls in one object, and raw sqlite3 writing the same
journal rows, once into one file and once into one new database per instance opened as the
runtime opens one, given the tables and rows an instance writes, in as many commits (what an
instance costs in SQLite alone, before any Python of the runtime or of workflows runs).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import ctypes
import gc
import sqlite3
import tempfile
import time
from pathlib import Path

import psutil

from dotdo import Runtime
from dotdo.context import DO
from dotdo.runtime.connection_budget import DEFAULT_MAX_OPEN
from dotdo.testing import ManualClock
from dotdo.workflows import Workflow

RATE_TARGET = 1_000
"""Instances/s of the 3-step workflow the project aims for."""
MEMORY_TARGET_MB = 100
"""Megabytes 10,000 sleeping instances may cost."""


def add_one(value: int) -> int:
    return value + 1


class ThreeSteps(Workflow):
    async def run(self, event, step):
        a = await step.do("a", add_one, event.params)
        b = await step.do("b", add_one, a)
        return await step.do("c", add_one, b)


class Sleeping(Workflow):
    async def run(self, event, step):
        await step.sleep("nap", "1 hour")
        return await step.do("after", add_one, event.params)


class PlainSteps(DO):
    async def three(self, n: int) -> int:
        a = await self.ctx.do(add_one, n, step_id=f"a{n}")
        b = await self.ctx.do(add_one, a, step_id=f"b{n}")
        return await self.ctx.do(add_one, b, step_id=f"c{n}")


async def workflows_per_second(folder: Path, n: int) -> tuple[float, float]:
    """(instances/s to completion, CPU milliseconds per instance)."""
    async with Runtime(folder, clock=ManualClock()) as rt:
        started = time.perf_counter()
        cpu = time.process_time()
        await ThreeSteps.create_batch(rt, [{"id": f"i{i}", "params": i} for i in range(n)])
        await ThreeSteps.wait_for(rt, status="complete", count=n)
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu
        counts = await ThreeSteps.counts(rt)
        assert counts == {"complete": n}, counts
    return n / elapsed, cpu / n * 1000


async def plain_ctx_do_per_second(folder: Path, n: int) -> float:
    async with Runtime(folder, clock=ManualClock()) as rt:
        stub = rt.get(PlainSteps, "one")
        started = time.perf_counter()
        await asyncio.gather(*(stub.three(i) for i in range(n)))
        return n / (time.perf_counter() - started)


RAW_SCHEMA = (
    "CREATE TABLE instance (id INTEGER PRIMARY KEY, status TEXT, params TEXT, output TEXT, run INTEGER, "
    "created_at REAL, updated_at REAL)",
    "CREATE TABLE steps (run INTEGER, seq INTEGER, name TEXT, kind TEXT, status TEXT, result TEXT, "
    "started_at REAL, PRIMARY KEY (run, seq))",
    "CREATE TABLE timers (id TEXT PRIMARY KEY, fire_at REAL NOT NULL, kind TEXT NOT NULL)",
    "CREATE INDEX timers_fire_at ON timers(fire_at)",
)


def raw_sqlite_per_second(folder: Path, n: int, *, file_per_instance: bool) -> float:
    """The journal rows of `n` instances, in one file or in one new database each (at most as many
    open at once as the runtime's connection budget allows, the oldest closed first)."""
    started = time.perf_counter()
    connections: collections.deque[sqlite3.Connection] = collections.deque()
    conn = None
    for i in range(n):
        if conn is None or file_per_instance:
            if len(connections) >= DEFAULT_MAX_OPEN:
                connections.popleft().close()
            path = folder / f"raw{i if file_per_instance else ''}.sqlite"
            conn = sqlite3.connect(path, isolation_level=None)
            connections.append(conn)
            # As the runtime opens a database: exclusive lock, no syncs before WAL, then WAL.
            conn.execute("PRAGMA locking_mode=EXCLUSIVE")
            conn.execute("PRAGMA synchronous=OFF")
            conn.execute("PRAGMA journal_mode=MEMORY")
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("BEGIN")
            for statement in RAW_SCHEMA:
                conn.execute(statement)
            conn.execute("COMMIT")
            conn.execute("PRAGMA synchronous=NORMAL")
        # An instance commits its start (with its resume timer), its steps and end, and the
        # deletion of its timer once the directory has its status.
        conn.execute("BEGIN")
        conn.execute("INSERT INTO instance VALUES (?, 'queued', ?, NULL, 1, 0, 0)", (i, str(i)))
        conn.execute("INSERT INTO timers VALUES (?, 2.0, 'resume')", (f"t{i}",))
        conn.execute("COMMIT")
        conn.execute("BEGIN")
        for seq, name in enumerate("abc"):
            conn.execute("INSERT INTO steps VALUES (?, ?, ?, 'do', 'complete', ?, 0)", (i, seq, name, str(i + seq)))
        conn.execute("UPDATE instance SET status = 'complete', output = ? WHERE id = ?", (str(i + 3), i))
        conn.execute("COMMIT")
        conn.execute("DELETE FROM timers WHERE id = ?", (f"t{i}",))
    rate = n / (time.perf_counter() - started)
    for each in connections:
        each.close()
    return rate


def rss_mb() -> float:
    """Resident memory after a full collection, with freed C memory handed back to the system."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    return psutil.Process().memory_info().rss / 1e6


async def sleeping_instances(folder: Path, n: int) -> tuple[float, float, float, float, int]:
    """(seconds to create, MB when the last one reported it sleeps, MB once all are asleep and still in
    memory, MB once idle ones were evicted, how many completed right when their wake time came)."""
    clock = ManualClock()
    async with Runtime(folder, clock=clock, idle_timeout=30) as rt:
        before = rss_mb()
        started = time.perf_counter()
        await Sleeping.create_batch(rt, [{"id": f"s{i}", "params": i} for i in range(n)])
        await Sleeping.wait_for(rt, status="waiting", count=n)
        created = time.perf_counter() - started
        reported = rss_mb() - before
        # The last instances to report "waiting" still hold their database until their final commit
        # is made (a loop turn later); a moment of real time (the clock stands still) lets them close it.
        await asyncio.sleep(1.0)
        live = rss_mb() - before
        # A minute later (well before the hour they sleep) the runtime has evicted the idle instances:
        # a sleeping instance is a row, a timer and an alarm index entry, nothing in memory.
        await clock.advance(60)
        idle = rss_mb() - before
        assert await Sleeping.counts(rt) == {"waiting": n}
        await clock.advance(3599 - 60)
        assert await Sleeping.counts(rt) == {"waiting": n}
        await clock.advance(1)
        await Sleeping.wait_for(rt, status="complete", count=n)
        completed = (await Sleeping.counts(rt)).get("complete", 0)
    return created, reported, live, idle, completed


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10_000, help="instances of the 3-step workflow")
    parser.add_argument("--sleeping", type=int, default=10_000, help="sleeping instances")
    parser.add_argument("--folder", default=None, help="where the databases go (default: a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.folder) as tmp:
        root = Path(tmp)
        for name in ("wf", "plain", "raw-one", "raw-many", "sleep"):
            (root / name).mkdir()
        # First, so the memory it reports is not hidden by a heap the other runs already grew.
        created, reported, live, idle, completed = await sleeping_instances(root / "sleep", args.sleeping)
        print(
            f"{args.sleeping} sleeping instances: created in {created:.1f} s ({args.sleeping / created:,.0f}/s); "
            f"memory {reported:.1f} MB when the last reported it sleeps, {live:.1f} MB once all are asleep "
            f"(all live), {idle:.1f} MB once idle ones are evicted; "
            f"{completed} completed when the clock reached their wake time"
        )
        verdict = _verdict(live < MEMORY_TARGET_MB)
        print(f"  target: 10,000 sleeping instances under {MEMORY_TARGET_MB} MB while live: {verdict}")
        rate, cpu_ms = await workflows_per_second(root / "wf", args.n)
        plain = await plain_ctx_do_per_second(root / "plain", args.n)
        raw_one = raw_sqlite_per_second(root / "raw-one", args.n, file_per_instance=False)
        raw_many = raw_sqlite_per_second(root / "raw-many", args.n, file_per_instance=True)
        print(f"3-step workflow, {args.n} instances to completion: {rate:,.0f} instances/s ({cpu_ms:.2f} ms CPU each)")
        print(f"  baseline: same 3 steps as ctx.do in one object:     {plain:,.0f} /s (x{rate / plain:.3f})")
        print(f"  baseline: raw sqlite3 journal rows, one file:          {raw_one:,.0f} /s (x{rate / raw_one:.3f})")
        print(f"  baseline: raw sqlite3, a new database per instance:   {raw_many:,.0f} /s (x{rate / raw_many:.3f})")
        print(f"  target: at least {RATE_TARGET:,} instances/s: {_verdict(rate >= RATE_TARGET)}")


def _verdict(met: bool) -> str:
    return "met" if met else "missed"


if __name__ == "__main__":
    asyncio.run(main())
