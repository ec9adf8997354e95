"""Resharding an S3 and a Cloud Storage bucket: keys moved per second, against sqlite3 doing the same copy.

    python benchmarks/compat_reshard.py [--keys 20000] [--shards 4]

1. Split: a bucket of `--keys` objects (100-byte bodies, kept in their rows) held by its own object
   is resharded into `--shards` shard objects (`S3Bucket.reshard`, what `dotdo compat reshard s3`
   asks of a running server), timed until the move has finished.
2. Grow: the same bucket from `--shards` to twice as many (jump hashing moves about half the keys).
3. The same two moves of a Cloud Storage bucket of `--keys` objects (`GcsBucket.reshard`, what
   `dotdo compat reshard gcs` asks), through the same shared mover.

The baseline, in the same run, is sqlite3 by hand doing the same copy between the same number of
files: read the source's rows in key order, hash each key with the same function, insert into the
target files, delete from the source, one transaction per file per batch of 200 keys (the
reshard's batch). Ratios above 1.0 mean dotdo is faster. What the reshard does beyond that copy:
marking each batch as moving and checking every key's place (so writes never land on a copy about
to be dropped), recording its progress durably, and running each step as a call to another object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import tempfile
import time
from pathlib import Path

from dotdo.compat.gcs import GcsBucket
from dotdo.compat.s3 import S3Bucket
from dotdo.compat.s3.bucket import SCHEMA
from dotdo.compat.sharding import shard_object_name, shard_of
from dotdo.runtime.runtime import Runtime

BATCH = S3Bucket.reshard_batch_size
STAMP = 1_767_225_600.0


def rows(keys: int) -> list[tuple]:
    """The `s3_objects` rows of `keys` objects with 100-byte bodies."""
    body = b"x" * 100
    return [
        (f"data/{i:08}", "null", i + 1, 1, 0, len(body), '"etag"', "[]", None, "{}", "{}", "{}", STAMP, body)
        for i in range(keys)
    ]


class LoadedBucket(S3Bucket):
    """The bucket being resharded, with a loader that writes its rows in one transaction."""

    namespace = "S3Bucket"

    def load(self, keys: int) -> int:
        def insert() -> None:
            for row in rows(keys):
                self.storage.sql.exec("INSERT INTO s3_objects VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", *row)

        self.storage.transaction_sync(insert)
        return keys


class LoadedGcsBucket(GcsBucket):
    """The Cloud Storage bucket being resharded, with a loader that writes its rows in one transaction."""

    namespace = "GcsBucket"

    def load(self, keys: int) -> int:
        body = b"x" * 100

        def insert() -> None:
            for i in range(keys):
                self.storage.sql.exec(
                    "INSERT INTO gcs_objects VALUES (?, ?, 1, 1, ?, '', '', '[]', ?, NULL, '{}', '{}', ?, ?, NULL)",
                    f"data/{i:08}",
                    i + 1,
                    len(body),
                    body,
                    STAMP,
                    STAMP,
                )

        self.storage.transaction_sync(insert)
        return keys


async def dotdo_reshard(folder: Path, keys: int, shards: int, *, gcs: bool = False) -> tuple[float, float]:
    kind = LoadedGcsBucket if gcs else LoadedBucket
    async with Runtime(folder / "objects", objects=[kind]) as rt:
        bucket = rt.get(kind, "default/bench")
        if gcs:
            await bucket.create("default", "bench", str(folder / "blobs"), False, {})
        else:
            await bucket.create("default", "bench", str(folder / "blobs"))
        await bucket.load(keys)
        started = time.perf_counter()
        await bucket.reshard(shards)
        await bucket.finish_reshard()
        split = time.perf_counter() - started
        started = time.perf_counter()
        await bucket.reshard(2 * shards)
        await bucket.finish_reshard()
        grow = time.perf_counter() - started
        held = 0
        for index in range(2 * shards):
            shard = rt.get(kind, shard_object_name("default", "bench", index))
            held += await shard.count_keys()
        assert held == keys, f"{held} keys after the reshard, {keys} before"
        return split, grow


def open_file(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.executescript(SCHEMA)
    return conn


def copy_by_hand(source: sqlite3.Connection, targets: dict[int, sqlite3.Connection], count: int) -> None:
    """Move every row whose key `count` shards place elsewhere, batch by batch, in key order."""
    after = ""
    while True:
        page = source.execute("SELECT * FROM s3_objects WHERE key > ? ORDER BY key LIMIT ?", (after, BATCH)).fetchall()
        if not page:
            return
        after = page[-1][0]
        groups: dict[int, list[tuple]] = {}
        for row in page:
            groups.setdefault(shard_of(row[0], count), []).append(row)
        for place, group in groups.items():
            target = targets.get(place)
            if target is None:
                continue  # stays where it is
            target.execute("BEGIN")
            target.executemany("INSERT INTO s3_objects VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", group)
            target.execute("COMMIT")
        leaving = json.dumps([row[0] for row in page if shard_of(row[0], count) in targets])
        source.execute("BEGIN")
        source.execute("DELETE FROM s3_objects WHERE key IN (SELECT value FROM json_each(?))", (leaving,))
        source.execute("COMMIT")


def sqlite_reshard(folder: Path, keys: int, shards: int) -> tuple[float, float]:
    root = open_file(folder / "root.sqlite")
    root.execute("BEGIN")
    root.executemany("INSERT INTO s3_objects VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows(keys))
    root.execute("COMMIT")
    files = {i: open_file(folder / f"shard-{i}.sqlite") for i in range(2 * shards)}
    started = time.perf_counter()
    copy_by_hand(root, {i: files[i] for i in range(shards)}, shards)
    split = time.perf_counter() - started
    started = time.perf_counter()
    for index in range(shards):
        copy_by_hand(files[index], {i: files[i] for i in range(shards, 2 * shards)}, 2 * shards)
    grow = time.perf_counter() - started
    held = sum(conn.execute("SELECT count(*) FROM s3_objects").fetchone()[0] for conn in files.values())
    assert held == keys, f"{held} keys after the copy, {keys} before"
    return split, grow


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=20_000)
    parser.add_argument("--shards", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as dotdo_folder, tempfile.TemporaryDirectory() as sqlite_folder:
        ours = asyncio.run(dotdo_reshard(Path(dotdo_folder) / "s3", args.keys, args.shards))
        gcs = asyncio.run(dotdo_reshard(Path(dotdo_folder) / "gcs", args.keys, args.shards, gcs=True))
        baseline = sqlite_reshard(Path(sqlite_folder), args.keys, args.shards)
    print(f"resharding a bucket of {args.keys:,} objects (batches of {BATCH})")
    print(f"{'move':<34}{'dotdo keys/s':>14}{'sqlite3 keys/s':>16}{'dotdo / sqlite3':>17}")
    for name, mine, theirs in (
        (f"s3 split 1 -> {args.shards}", ours[0], baseline[0]),
        (f"s3 grow {args.shards} -> {2 * args.shards} (of all keys)", ours[1], baseline[1]),
        (f"gcs split 1 -> {args.shards}", gcs[0], baseline[0]),
        (f"gcs grow {args.shards} -> {2 * args.shards} (of all keys)", gcs[1], baseline[1]),
    ):
        print(f"{name:<34}{args.keys / mine:>14,.0f}{args.keys / theirs:>16,.0f}{theirs / mine:>16.2f}x")


if __name__ == "__main__":
    main()
