"""Section 1: increments/s through `storage.sql.exec` vs raw sqlite3, same statement, same commits.

dotdo runs inside an event loop, as in the runtime: writes join an open transaction that the group
commit closes at the end of the loop cycle. "One transaction" does every increment in one cycle;
"commit per 100" yields to the loop after each 100 (one commit each, checked with the commit counter).
Raw sqlite3 runs the same upsert on a connection with the same pragmas, with BEGIN/COMMIT at the
same points. Runs alternate between the two and the median of the repetitions is kept.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from counter_app import UPSERT

from dotdo.runtime.storage import Storage

from .raw_sqlite import CREATE, open_raw, raw_increment
from .report import Figure, middle, ratio_at_least

BATCH = 100


async def _dotdo_run(storage: Storage, count: int, batch: int) -> float:
    exec_ = storage.sql.exec
    start = time.perf_counter()
    for _ in range(count // batch):
        for _ in range(batch):
            exec_(UPSERT, 1).one()["v"]
        if storage.durability == "power":
            await storage.settled()
        else:
            await asyncio.sleep(0)
    await storage.settled()
    return count / (time.perf_counter() - start)


async def _raw_run(path: Path, count: int, batch: int, synchronous: str) -> float:
    conn = open_raw(path, synchronous=synchronous)
    try:
        start = time.perf_counter()
        for _ in range(count // batch):
            conn.execute("BEGIN")
            for _ in range(batch):
                raw_increment(conn)
            conn.execute("COMMIT")
            await asyncio.sleep(0)
        return count / (time.perf_counter() - start)
    finally:
        conn.close()


async def _compare(folder: Path, count: int, batch: int, durability: str, repeats: int) -> tuple[float, float, int]:
    synchronous = "FULL" if durability == "power" else "NORMAL"
    storage = Storage(folder / f"dotdo-{durability}-{batch}.sqlite", durability=durability)
    storage.sql.exec(CREATE)
    await storage.settled()
    dotdo_rates: list[float] = []
    raw_rates: list[float] = []
    commits_before = storage.group_commit.commits
    try:
        for _ in range(repeats):
            dotdo_rates.append(await _dotdo_run(storage, count, batch))
            raw_rates.append(await _raw_run(folder / f"raw-{durability}-{batch}.sqlite", count, batch, synchronous))
    finally:
        commits = storage.group_commit.commits - commits_before
        storage.close()
        storage.group_commit.close()
    return middle(dotdo_rates), middle(raw_rates), commits // repeats


async def measure(folder: Path, *, count: int, power_count: int, repeats: int) -> tuple[list[Figure], list[str]]:
    """Increments/s of dotdo and raw sqlite3: one transaction, and one commit per 100 (both modes)."""
    folder.mkdir(parents=True, exist_ok=True)
    figures: list[Figure] = []
    notes: list[str] = []
    runs = [
        ("one transaction (process)", "process", count, count),
        (f"commit per {BATCH} (process)", "process", BATCH, count),
        (f"commit per {BATCH} (power: fsync per commit)", "power", BATCH, power_count),
    ]
    for label, durability, batch, total in runs:
        dotdo_rate, raw_rate, commits = await _compare(folder, total, batch, durability, repeats)
        target = ">= 0.7x" if durability == "process" else ""
        figures.append(
            Figure(
                label=f"increments/s, {label}",
                value=dotdo_rate,
                unit="/s",
                baseline_label="raw sqlite3",
                baseline=raw_rate,
                target=target,
                meets=ratio_at_least(0.7) if target else None,
                note=f"{total:,} increments, {commits:,} dotdo commits per repetition",
            )
        )
    notes.append(
        f"Median of {repeats} alternating repetitions; statement: the issue's upsert with RETURNING, read with "
        ".one()['v'] (dotdo) and .fetchone()[0] (raw); same pragmas (WAL, exclusive locking) on both sides."
    )
    return figures, notes
