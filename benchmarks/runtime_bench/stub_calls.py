"""Section 2: in-process stub calls/s, `await rt.get(Counter, "x").increment()`, vs raw sqlite3.

Sequential calls each wait for their own commit (the output gate), so the baseline commits once per
call; 64 gathered calls share one group commit, so the baseline gathers 64 coroutines doing the raw
upsert and commits once per round. The dotdo commit count is reported to show the grouping held.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

from counter_app import Counter

from dotdo import Runtime

from .raw_sqlite import open_raw, raw_increment
from .report import Figure, middle

FAN_OUT = 64


async def _dotdo_sequential(rt: Runtime, count: int) -> float:
    start = time.perf_counter()
    for _ in range(count):
        await rt.get(Counter, "x").increment()
    return count / (time.perf_counter() - start)


async def _dotdo_gathered(rt: Runtime, count: int) -> float:
    stub = rt.get(Counter, "x")
    start = time.perf_counter()
    for _ in range(count // FAN_OUT):
        await asyncio.gather(*(stub.increment() for _ in range(FAN_OUT)))
    return count / (time.perf_counter() - start)


async def _raw_call(conn: sqlite3.Connection) -> int:
    return raw_increment(conn)


async def _raw_sequential(conn: sqlite3.Connection, count: int) -> float:
    start = time.perf_counter()
    for _ in range(count):
        conn.execute("BEGIN")
        await _raw_call(conn)
        conn.execute("COMMIT")
    return count / (time.perf_counter() - start)


async def _raw_gathered(conn: sqlite3.Connection, count: int) -> float:
    start = time.perf_counter()
    for _ in range(count // FAN_OUT):
        conn.execute("BEGIN")
        await asyncio.gather(*(_raw_call(conn) for _ in range(FAN_OUT)))
        conn.execute("COMMIT")
    return count / (time.perf_counter() - start)


async def measure(folder: Path, *, count: int, repeats: int) -> tuple[list[Figure], list[str]]:
    """Stub calls/s, sequential and 64 gathered, each against raw sqlite3 at the same commit rate."""
    folder.mkdir(parents=True, exist_ok=True)
    conn = open_raw(folder / "raw.sqlite")
    results: dict[str, list[float]] = {"seq": [], "seq_raw": [], "fan": [], "fan_raw": []}
    async with Runtime(data_dir=folder / "dotdo", objects=[Counter]) as rt:
        await rt.get(Counter, "x").increment()
        commits = rt.host.group_commit
        seq_commits = fan_commits = 0
        for _ in range(repeats):
            before = commits.commits
            results["seq"].append(await _dotdo_sequential(rt, count))
            seq_commits += commits.commits - before
            results["seq_raw"].append(await _raw_sequential(conn, count))
            before = commits.commits
            results["fan"].append(await _dotdo_gathered(rt, count))
            fan_commits += commits.commits - before
            results["fan_raw"].append(await _raw_gathered(conn, count))
    conn.close()
    figures = [
        Figure(
            label="stub calls/s, sequential",
            value=middle(results["seq"]),
            unit="/s",
            baseline_label="raw sqlite3, commit per call",
            baseline=middle(results["seq_raw"]),
            note=f"{count:,} calls; {seq_commits / (repeats * count):.2f} dotdo commits per call",
        ),
        Figure(
            label=f"stub calls/s, {FAN_OUT} gathered",
            value=middle(results["fan"]),
            unit="/s",
            baseline_label=f"raw sqlite3, {FAN_OUT} gathered, commit per round",
            baseline=middle(results["fan_raw"]),
            note=f"{count:,} calls; {fan_commits / (repeats * count):.3f} dotdo commits per call",
        ),
    ]
    seq_us = 1e6 / figures[0].value - 1e6 / figures[0].baseline
    notes = [
        f"A stub call costs about {seq_us:.0f} µs more than the bare upsert and commit "
        "(stub lookup, input gate, argument/result copies, output gate).",
        f"Median of {repeats} alternating repetitions.",
    ]
    return figures, notes
