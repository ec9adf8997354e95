"""Section 3: activation time of a cold object, brand-new and re-activated after eviction.

Each sample is the time of the first call (`await stub.ping()`, a method that does nothing) to an
object that is not in memory: opening its SQLite file, `on_start` (CREATE TABLE IF NOT EXISTS) and,
for a new object, the commit of its new table. The baseline does the same with raw sqlite3: open a
file with the same pragmas and create the table (committed), in a file of its own per sample.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

from counter_app import Counter

from dotdo import Runtime

from .raw_sqlite import open_raw
from .report import Figure, percentile, value_below


def _raw_open_ms(folder: Path, name: str) -> float:
    shard = hashlib.sha256(name.encode()).hexdigest()[:2]  # sharded like dotdo's data folder
    start = time.perf_counter()
    conn = open_raw(folder / shard / f"{name}.sqlite")
    elapsed = (time.perf_counter() - start) * 1000
    conn.close()
    return elapsed


async def _first_call_ms(rt: Runtime, name: str) -> float:
    start = time.perf_counter()
    await rt.get(Counter, name).ping()
    return (time.perf_counter() - start) * 1000


async def measure(folder: Path, *, count: int) -> tuple[list[Figure], list[str]]:
    """Median and p99 activation time, new and re-activated, against opening the file with sqlite3."""
    names = [f"cold{i}" for i in range(count)]
    new_ms: list[float] = []
    again_ms: list[float] = []
    hot_ms: list[float] = []
    raw_new: list[float] = []
    raw_again: list[float] = []
    # dotdo and raw samples alternate, so a burst of disk load from elsewhere hits both alike.
    async with Runtime(data_dir=folder / "dotdo", objects=[Counter]) as rt:
        await rt.get(Counter, "warm").ping()
        for name in names:
            new_ms.append(await _first_call_ms(rt, name))
            raw_new.append(_raw_open_ms(folder / "raw", name))
        for name in names:
            hot_ms.append(await _first_call_ms(rt, name))
        for name in names:
            oid = rt.id_from_name(Counter, name)
            if not rt.host.evict((oid.namespace, oid.hex)):
                raise RuntimeError(f"could not evict {name}: it is still busy")
        for name in names:
            again_ms.append(await _first_call_ms(rt, name))
            raw_again.append(_raw_open_ms(folder / "raw", name))
    figures = []
    kinds = (("brand-new object", new_ms, raw_new), ("re-activated after eviction", again_ms, raw_again))
    for label, samples, raw in kinds:
        for name, fraction in (("median", 0.5), ("p99", 0.99)):
            target = "< 1 ms" if name == "median" else ""
            figures.append(
                Figure(
                    label=f"activation, {label}, {name}",
                    value=percentile(samples, fraction),
                    unit="ms",
                    baseline_label="raw sqlite3 open + pragmas + CREATE TABLE",
                    baseline=percentile(raw, fraction),
                    higher_is_better=False,
                    target=target,
                    meets=value_below(1.0) if target else None,
                )
            )
    notes = [
        f"{count:,} objects; a call to a live object takes {percentile(hot_ms, 0.5) * 1000:.0f} µs (median), "
        "included in every activation sample. Lower is better here.",
        "workerd's object creation is measured over HTTP in section 5c (first request to a new object).",
    ]
    return figures, notes
