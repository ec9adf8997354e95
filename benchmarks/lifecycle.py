"""Lifecycle rates: consistent hashing compared, sharding throughput, fan-out latency, each with a baseline.

    python benchmarks/lifecycle.py [--things 1000000] [--keys 200000] [--shards 16]

1. Hashing: jump, rendezvous and a ring of 160 virtual nodes per shard, on the same keys: the
   spread over 16 shards (largest deviation from the mean) and the share of keys moved going from
   16 to 17 shards (the minimum is 1/17 = 5.88%).
2. Sharding: `shard(key="customer_id", count=16)` of an object holding `--things` things, in things
   moved per second (target: 50,000/s), against the baseline of hand-written sqlite3 doing the same
   copy (read every row, hash its key, insert into 16 files, delete from the source, one transaction
   per batch) in the same run. Ratios above 1.0 mean dotdo is faster.
3. Fan-out: the p50 of `query_shards(aggregate="count")` over 16 shards in process (target: < 20 ms),
   against the p50 of one `count()` on a single object holding the same things: once over all the
   things (where counting dominates: SQLite scans every row either way), once over 1,600 things
   (where what is left is the cost of asking 16 objects).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sqlite3
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

import msgspec

from dotdo.cluster.hash_ring import HashRing, jump_hash, key_digest, rendezvous_hash
from dotdo.cluster.lifecycle import Lifecycle
from dotdo.cluster.shard_rows import ThingRows, merge_rows
from dotdo.graph.schema import MIGRATIONS
from dotdo.runtime.runtime import Runtime

STAMP = "2026-01-01T00:00:00.000000Z"
LOAD_BATCH = 50_000


class Store(Lifecycle):
    """The object being sharded."""

    def load(self, start: int, count: int) -> int:
        rows = [
            (
                f"t{i:08}",
                "Order",
                None,
                msgspec.json.encode({"customer_id": f"c{i % 50_000}", "total": i}).decode(),
                1,
                STAMP,
                STAMP,
                None,
                "private",
            )
            for i in range(start, start + count)
        ]
        merge_rows(self.storage, ThingRows(rows, [], [], []))
        return count

    def count(self) -> int:
        return self.ctx.things.count()


def hashing(keys: int, shards: int) -> None:
    digests = [key_digest(f"customer-{i}") for i in range(keys)]
    rings = {shards: HashRing(shards), shards + 1: HashRing(shards + 1)}
    methods = {
        "jump": jump_hash,
        "rendezvous": rendezvous_hash,
        "ring (160 vnodes)": lambda d, n: rings[n].bucket(d),
    }
    print(
        f"hashing {keys:,} keys over {shards} shards (moved: {shards} -> {shards + 1}, minimum {1 / (shards + 1):.2%})"
    )
    for name, place in methods.items():
        started = time.perf_counter()
        before = [place(d, shards) for d in digests]
        elapsed = time.perf_counter() - started
        after = [place(d, shards + 1) for d in digests]
        counts = Counter(before)
        mean = keys / shards
        spread = max(abs(c - mean) for c in counts.values()) / mean
        moved = sum(a != b for a, b in zip(before, after, strict=True)) / keys
        print(f"  {name:18} spread ±{spread:6.2%}  moved {moved:6.2%}  {elapsed / keys * 1e9:7.0f} ns/key")


def baseline_copy(source: Path, folder: Path, shards: int, things: int) -> tuple[float, float]:
    """Hand-written sqlite3: move every row of `source` into `shards` files by jump hash of its key.

    Returns things moved per second, and per CPU-second of this process."""
    db = sqlite3.connect(source, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    for _, script in MIGRATIONS:
        db.executescript(script)
    db.execute("BEGIN")
    db.executemany(
        "INSERT INTO things VALUES (?, 'Order', NULL, ?, 1, ?, ?, NULL, 'private')",
        (
            (f"t{i:08}", msgspec.json.encode({"customer_id": f"c{i % 50_000}", "total": i}).decode(), STAMP, STAMP)
            for i in range(things)
        ),
    )
    db.execute("COMMIT")
    targets = []
    for index in range(shards):
        target = sqlite3.connect(folder / f"shard-{index}.sqlite", isolation_level=None)
        target.execute("PRAGMA journal_mode=WAL")
        target.execute("PRAGMA synchronous=NORMAL")
        for _, script in MIGRATIONS:
            target.executescript(script)
        targets.append(target)
    started, cpu = time.perf_counter(), time.process_time()
    after = ""
    while True:
        rows = db.execute(
            "SELECT id, type, name, data, version, created_at, updated_at, deleted_at, visibility, "
            "json_extract(data, '$.customer_id') FROM things WHERE id > ? ORDER BY id LIMIT 5000",
            (after,),
        ).fetchall()
        if not rows:
            break
        after = rows[-1][0]
        groups: dict[int, list[tuple]] = {}
        for row in rows:
            groups.setdefault(jump_hash(key_digest(row[9]), shards), []).append(row[:9])
        for index, group in groups.items():
            target = targets[index]
            target.execute("BEGIN")
            target.executemany("INSERT INTO things VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", group)
            target.execute("COMMIT")
        db.execute("BEGIN")
        db.executemany("DELETE FROM things WHERE id = ?", ((row[0],) for row in rows))
        db.execute("COMMIT")
    elapsed, spent = time.perf_counter() - started, time.process_time() - cpu
    for target in targets:
        target.close()
    db.close()
    return things / elapsed, things / spent


async def sharding(things: int, shards: int, folder: Path) -> None:
    async with Runtime(folder / "dotdo", objects=[Store]) as runtime:
        app = runtime.get(Store, "big")
        for start in range(0, things, LOAD_BATCH):
            await app.load(start, min(LOAD_BATCH, things - start))
        started, cpu = time.perf_counter(), time.process_time()
        report = await app.shard(key="customer_id", count=shards)
        elapsed, spent = time.perf_counter() - started, time.process_time() - cpu
        assert report["moved"] == things, report
        rate, cpu_rate = things / elapsed, things / spent
        (folder / "baseline").mkdir()
        base, base_cpu = baseline_copy(folder / "baseline" / "source.sqlite", folder / "baseline", shards, things)
        # On a shared machine the wall-clock rate follows the load; the rate per CPU-second of this
        # process is what one core would give.
        print(f"sharding {things:,} things into {shards} shards      per second   per CPU-second")
        print(f"  dotdo shard()          {rate:12,.0f} {cpu_rate:16,.0f}  ({elapsed:.1f} s; target >= 50,000/s)")
        print(f"  sqlite3 by hand        {base:12,.0f} {base_cpu:16,.0f}")
        print(f"  ratio                  {rate / base:12.2f} {cpu_rate / base_cpu:16.2f}")

        whole = runtime.get(Store, "whole")
        for start in range(0, things, LOAD_BATCH):
            await whole.load(start, min(LOAD_BATCH, things - start))
        fan_out = await latencies(lambda: app.query_shards(aggregate="count"), 100)
        single = await latencies(whole.count, 100)
        print(f"count over {things:,} things")
        print(f"  query_shards, {shards} shards  p50 {fan_out * 1000:8.2f} ms  (target < 20 ms)")
        print(f"  one object, count()     p50 {single * 1000:8.2f} ms")
        print(f"  ratio (one / fan-out)      {single / fan_out:8.2f}")

        # The cost of fanning out itself: 16 small shards, where the counting is nothing.
        small, alone = runtime.get(Store, "small"), runtime.get(Store, "alone")
        await small.load(0, 1600)
        await alone.load(0, 1600)
        await small.shard(key="customer_id", count=shards)
        fan_out = await latencies(lambda: small.query_shards(aggregate="count"), 200)
        single = await latencies(alone.count, 200)
        print("count over 1,600 things (the fan-out overhead)")
        print(f"  query_shards, {shards} shards  p50 {fan_out * 1000:8.2f} ms  (target < 20 ms)")
        print(f"  one object, count()     p50 {single * 1000:8.2f} ms")
        print(f"  ratio (one / fan-out)      {single / fan_out:8.2f}")


async def latencies(call, runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        await call()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--things", type=int, default=1_000_000)
    parser.add_argument("--keys", type=int, default=200_000)
    parser.add_argument("--shards", type=int, default=16)
    args = parser.parse_args()
    hashing(args.keys, args.shards)
    with tempfile.TemporaryDirectory() as folder, contextlib.suppress(KeyboardInterrupt):
        asyncio.run(sharding(args.things, args.shards, Path(folder)))


if __name__ == "__main__":
    main()
