"""Benchmark of the ctx layer: event dispatch, journaled steps, and 10,000 schedules on one object.

Run: `python benchmarks/context.py [--n 2000]`. Every figure is printed with its baseline measured in
the same run, as a ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sqlite3
import tempfile
import time
from pathlib import Path

import psutil

from dotdo import Runtime
from dotdo.context import DO, Event


class Bench(DO):
    async def on_start(self) -> None:
        self.count = 0
        self.ctx.on.Bench.tick(self.handle)

    def handle(self, event: Event) -> None:
        self.count += 1

    def step(self, i: int) -> int:
        self.count += 1
        return i

    async def awaited_step(self, i: int) -> int:
        self.count += 1
        return i

    def tick(self) -> None:
        self.count += 1


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:>12,.0f}/s"


async def timed(fn) -> float:
    start = time.perf_counter()
    await fn()
    return time.perf_counter() - start


def raw_sqlite(path: Path, n: int, *, commit_each: bool) -> float:
    """Seconds for n raw sqlite3 inserts (WAL, synchronous=NORMAL), one commit each or one in all."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, data TEXT)")
    start = time.perf_counter()
    conn.execute("BEGIN")
    for i in range(n):
        conn.execute("INSERT INTO t (data) VALUES (?)", (f'{{"i": {i}}}',))
        if commit_each:
            conn.execute("COMMIT")
            conn.execute("BEGIN")
    conn.execute("COMMIT")
    took = time.perf_counter() - start
    conn.close()
    return took


async def bench_events(rt: Runtime, n: int, tmp: Path) -> None:
    async def bare(obj: Bench) -> None:
        event = Event("x", "Bench.tick", {"i": 0}, "Bench/b", 0.0, 0)
        for _ in range(n):
            obj.handle(event)

    async def emit(obj: Bench) -> None:
        for i in range(n):
            await obj.ctx.emit("Bench.tick", {"i": i})

    async def send(obj: Bench) -> None:
        for i in range(n):
            obj.ctx.send("Bench.tick", {"i": i})
        await obj.ctx.settle()

    base = await timed(lambda: rt.run_in(Bench, "events", bare))
    emitted = await timed(lambda: rt.run_in(Bench, "events", emit))
    sent = await timed(lambda: rt.run_in(Bench, "events", send))
    raw = raw_sqlite(tmp / "raw-events.sqlite", n, commit_each=False)
    print(f"events: bare handler call        {rate(n, base)}")
    print(f"events: raw sqlite3 insert       {rate(n, raw)}")
    print(f"events: ctx.emit (record+dispatch){rate(n, emitted)}  {emitted / raw:8.1f}x a raw insert")
    print(f"events: ctx.send (+background)    {rate(n, sent)}  {sent / raw:8.1f}x a raw insert")


async def bench_steps(rt: Runtime, n: int, tmp: Path) -> None:
    async def bare(obj: Bench) -> None:
        for i in range(n):
            await obj.awaited_step(i)

    async def journaled(obj: Bench) -> None:
        for i in range(n):
            await obj.ctx.do("step", i)

    async def replayed(obj: Bench) -> None:
        for i in range(n):
            await obj.ctx.do("step", i)

    base = await timed(lambda: rt.run_in(Bench, "steps", bare))
    first = await timed(lambda: rt.run_in(Bench, "steps", journaled))
    again = await timed(lambda: rt.run_in(Bench, "steps", replayed))
    raw = raw_sqlite(tmp / "raw-steps.sqlite", n, commit_each=True)
    print(f"do:     bare awaited call         {rate(n, base)}")
    print(f"do:     raw sqlite3 insert+commit {rate(n, raw)}")
    print(
        f"do:     journaled step (first run){rate(n, first)}  {first / base:8.0f}x the bare call, "
        f"{first / raw:.1f}x a raw insert+commit"
    )
    print(f"do:     completed step (replay)   {rate(n, again)}  {again / base:8.1f}x the bare call")


async def bench_schedules(rt: Runtime, data: Path, count: int) -> None:
    def register(obj: Bench, k: int) -> None:
        for i in range(k):
            obj.ctx.every(f"{i % 60} {(i // 60) % 24} * * *", _handler(i))

    def next_alarm(obj: Bench, rounds: int) -> float:
        start = time.perf_counter()
        for _ in range(rounds):
            obj.storage.timers.next_fire_at()
        return (time.perf_counter() - start) / rounds

    await rt.run_in(Bench, "one", lambda obj: register(obj, 1))
    await rt.run_in(Bench, "many", lambda obj: None)
    gc.collect()
    rss_before = psutil.Process().memory_info().rss
    started = time.perf_counter()
    await rt.run_in(Bench, "many", lambda obj: register(obj, count))
    took = time.perf_counter() - started
    gc.collect()
    held = psutil.Process().memory_info().rss - rss_before
    one = await rt.run_in(Bench, "one", lambda obj: next_alarm(obj, 2000))
    many = await rt.run_in(Bench, "many", lambda obj: next_alarm(obj, 2000))
    listed = await rt.run_in(Bench, "many", lambda obj: len(obj.ctx.schedules.list()))
    files = {p.name: p.stat().st_size for p in data.rglob("*") if p.is_file()}
    biggest = max(files.values())
    print(f"schedules: {listed:,} persisted on one object, registered in {took:.2f} s ({listed / took:,.0f}/s)")
    print(
        f"schedules: next alarm with {listed:,}: {many * 1e6:.1f} µs vs {one * 1e6:.1f} µs with 1 ({many / one:.2f}x)"
    )
    print(
        f"schedules: process memory grew {held / 1024:.0f} KiB while registering ({held / listed:.0f} B per "
        f"schedule, in-memory handlers included); largest SQLite file {biggest / 1024:.0f} KiB"
    )


def _handler(i: int):
    def handler() -> None:
        return None

    handler.__qualname__ = f"bench_handler_{i}"
    return handler


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=2000, help="events and steps per measurement")
    parser.add_argument("--schedules", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        async with Runtime(data, objects=[Bench], idle_timeout=3600) as rt:
            print(f"pid {os.getpid()}: n={args.n}, schedules={args.schedules}")
            for name in ("events", "steps"):
                await rt.run_in(Bench, name, lambda obj: None)
            await bench_events(rt, args.n, Path(tmp))
            await bench_steps(rt, args.n, Path(tmp))
            await bench_schedules(rt, data, args.schedules)


if __name__ == "__main__":
    asyncio.run(main())
