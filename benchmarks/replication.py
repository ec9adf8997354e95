"""The replication benchmark: `python benchmarks/replication.py [--quick]`.

Prints, in one run, each figure next to a baseline measured in the same run:
1. calls/s with durability="replicated" (acknowledged after the upload to a local S3-compatible
   server on 127.0.0.1: dotdo's own S3 layer by default, `--s3 moto` for moto's) vs
   durability="power" (acknowledged after fsync, no upload), for one hot object and for 1,000
   objects, 64 calls in flight (target: replicated >= 0.5x power);
2. shipping lag (commit to object in the store) p50/p99 under that load in process mode with
   background shipping, and the lag of read replicas following some of those objects (the age of
   the newest commit when a replica applies it) (targets p50 < 50 ms, p99 < 500 ms);
3. the time to rebuild a 100 MB object from the store (snapshot + log) vs copying its file, and the
   time a read replica of it takes to apply one more commit vs rebuilding it whole.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import boto3
from rich.console import Console
from rich.table import Table

from dotdo import DO, Runtime
from dotdo.cluster.host import REPLICA_POLL_INTERVAL
from dotdo.cluster.location import normalize_location
from dotdo.cluster.replica import ObjectReplica
from dotdo.cluster.replica_keeper import ReplicaKeeper
from dotdo.compat import Credentials
from dotdo.runtime.ids import id_from_name
from dotdo.runtime.log_format import object_key
from dotdo.runtime.log_reader import LogReader
from dotdo.runtime.object_log import write_database
from dotdo.runtime.runtime import Runtime as AnyRuntime

console = Console()


class Counter(DO):
    async def increment(self, by: int = 1) -> int:
        value = (self.storage.get("n") or 0) + by
        self.storage.put("n", value)
        return value

    async def fill(self, megabytes: int) -> None:
        self.storage.sql.exec("CREATE TABLE IF NOT EXISTS blobs (id INTEGER PRIMARY KEY, data BLOB)")
        for _ in range(megabytes * 4):
            self.storage.sql.exec("INSERT INTO blobs (data) VALUES (?)", os.urandom(256 * 1024))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="short run (2 s per load, a 20 MB restore)")
    parser.add_argument("--seconds", type=float, help="seconds per load run (default 5; quick 2)")
    parser.add_argument("--objects", type=int, default=1000, help="objects of the spread load")
    parser.add_argument("--in-flight", type=int, default=64, help="calls in flight")
    parser.add_argument(
        "--s3",
        choices=("dotdo", "moto"),
        default="dotdo",
        help="the S3 API server on 127.0.0.1: dotdo's own S3 layer (default) or moto's",
    )
    parser.add_argument("--restore-mb", type=int, help="size of the restored object in MB (default 100; quick 20)")
    return parser.parse_args()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class S3Server:
    """An S3 API server on 127.0.0.1 started for this run, and the key its clients sign with."""

    process: subprocess.Popen[bytes]
    endpoint: str
    access_key_id: str
    secret_access_key: str

    def options(self) -> dict[str, str]:
        """`replicate_options` for the change log."""
        return {
            "endpoint": self.endpoint,
            "access_key_id": self.access_key_id,
            "secret_access_key": self.secret_access_key,
            "region": "us-east-1",
        }

    def new_bucket(self, name: str) -> tuple[str, dict[str, str]]:
        """Create bucket `name`; the `replicate_to` URL and options that ship into it."""
        s3 = boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=self.access_key_id,
            aws_secret_access_key=self.secret_access_key,
            region_name="us-east-1",
        )
        s3.create_bucket(Bucket=name)
        return f"s3://{name}/dotdo", self.options()


def start_s3(kind: str, scratch: Path) -> S3Server:
    """Start dotdo's own S3 layer (`dotdo compat serve s3`) or moto's server on a free port."""
    port = free_port()
    if kind == "moto":
        argv = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
        key_id, secret = "t", "t"
    else:
        key = Credentials(scratch / "s3-server" / "compat").default_key()
        assert key.secret is not None
        argv = [sys.executable, "-m", "dotdo", "compat", "serve", "s3", "--port", str(port)]
        argv += ["--data-dir", str(scratch / "s3-server")]
        key_id, secret = key.access_key_id, key.secret
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return S3Server(process, endpoint, key_id, secret)
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError(f"the {kind} S3 server did not start") from None
            time.sleep(0.1)


async def load(rt: AnyRuntime, names: list[str], seconds: float, in_flight: int) -> float:
    """Calls/s of `increment` on random objects among `names`, `in_flight` at once, after a warm-up."""
    for name in names:
        await rt.get(Counter, name).increment()
    done = 0
    stop = time.perf_counter() + seconds

    async def worker(seed: int) -> None:
        nonlocal done
        rng = random.Random(seed)
        while time.perf_counter() < stop:
            await rt.get(Counter, rng.choice(names)).increment()
            done += 1

    start = time.perf_counter()
    await asyncio.gather(*(worker(i) for i in range(in_flight)))
    return done / (time.perf_counter() - start)


async def throughput(args: argparse.Namespace, s3: S3Server, scratch: Path) -> list[tuple[str, float, float]]:
    rows = []
    for label, names in (
        ("1 hot object", ["hot"]),
        (f"{args.objects} objects", [f"o{i}" for i in range(args.objects)]),
    ):
        folder = scratch / f"power-{len(names)}"
        async with Runtime(
            folder, objects=[Counter], durability="power", max_live_objects=20_000, idle_timeout=600
        ) as rt:
            power = await load(rt, names, args.seconds, args.in_flight)
        url, options = s3.new_bucket(f"bench-{len(names)}")
        folder = scratch / f"replicated-{len(names)}"
        async with Runtime(
            folder,
            objects=[Counter],
            durability="replicated",
            replicate_to=url,
            replicate_options=options,
            max_live_objects=20_000,
            idle_timeout=600,
        ) as rt:
            replicated = await load(rt, names, args.seconds, args.in_flight)
        rows.append((label, replicated, power))
    return rows


REPLICAS = 8
"""Objects of the lag load that a read replica follows, as a cluster host follows them."""


async def lag(args: argparse.Namespace, s3: S3Server, scratch: Path) -> tuple[float, float, float, float, float]:
    """Shipping lag p50/p99 under the spread load, its calls/s, and the replicas' lag p50/p99."""
    url, options = s3.new_bucket("bench-lag")
    names = [f"o{i}" for i in range(args.objects)]
    async with Runtime(
        scratch / "lag",
        objects=[Counter],
        replicate_to=url,
        replicate_options=options,
        max_live_objects=20_000,
        idle_timeout=600,
    ) as rt:
        assert rt.change_log is not None
        # As on a cluster: the owner's change log tells the replicas of each upload; polling is the fallback.
        keeper = ReplicaKeeper(rt.change_log.store, scratch / "replicas", REPLICA_POLL_INTERVAL)
        rt.change_log.upload_listeners.append(keeper.wake)
        for name in names[:REPLICAS]:
            await rt.get(Counter, name).increment()
            await rt.change_log.drain()
            await keeper.replica("Counter", name, "eu-west").catch_up()
        rate = await load(rt, names, args.seconds, args.in_flight)
        await rt.change_log.drain()
        stats = rt.change_log.stats()
        replica_lags = sorted(sample for replica in keeper.replicas() for sample in replica.lag_samples())
        await keeper.close()
    p50 = replica_lags[len(replica_lags) // 2] if replica_lags else float("nan")
    p99 = replica_lags[min(len(replica_lags) - 1, int(len(replica_lags) * 0.99))] if replica_lags else float("nan")
    return stats.lag_p50, stats.lag_p99, rate, p50, p99


async def restore_time(args: argparse.Namespace, scratch: Path) -> tuple[float, float, int, float]:
    """Seconds to rebuild the big object from the store, to copy its file, its size, and the median
    time a read replica of it takes to apply one more commit."""
    log = scratch / "restore-log"
    async with Runtime(scratch / "restore", objects=[Counter], replicate_to=log) as rt:
        await rt.get(Counter, "big").fill(args.restore_mb)
        await rt.get(Counter, "big").increment()
        assert rt.change_log is not None
        await rt.change_log.drain()
        oid = id_from_name(Counter, "big")
        source = rt.data_folder.object_path(oid.namespace, oid.hex)
        key = object_key(oid.namespace, oid.hex)
        head = await (await LogReader(rt.change_log.store, key).scan()).head()
        await rt.change_log.compact(key, head.commit - 1)  # a snapshot, then the last commit from the log
        replica = ObjectReplica(rt.change_log.store, "Counter", "big", normalize_location("eu-west"), scratch)
        await replica.catch_up()
        catch_ups = []
        for _ in range(10):
            await rt.get(Counter, "big").increment()
            await rt.change_log.drain()
            start = time.perf_counter()
            await replica.catch_up()
            catch_ups.append(time.perf_counter() - start)
        replica.close()
    size = source.stat().st_size
    assert rt.change_log is not None
    store_reader = LogReader(rt.change_log.store, key)
    start = time.perf_counter()
    await store_reader.scan()
    image = await store_reader.image_at((await store_reader.head()).commit)
    write_database(scratch / "restored.sqlite", image)
    rebuilt = time.perf_counter() - start
    start = time.perf_counter()
    shutil.copyfile(source, scratch / "copied.sqlite")
    with open(scratch / "copied.sqlite", "rb+") as file:
        os.fsync(file.fileno())
    copied = time.perf_counter() - start
    return rebuilt, copied, size, statistics.median(catch_ups)


def main() -> None:
    args = parse_args()
    args.seconds = args.seconds or (2.0 if args.quick else 5.0)
    args.restore_mb = args.restore_mb or (20 if args.quick else 100)
    scratch = Path(tempfile.mkdtemp(prefix="dotdo-replication-"))
    s3 = start_s3(args.s3, scratch)
    try:
        rows = asyncio.run(throughput(args, s3, scratch))
        p50, p99, rate, replica_p50, replica_p99 = asyncio.run(lag(args, s3, scratch))
        rebuilt, copied, size, catch_up = asyncio.run(restore_time(args, scratch))
    finally:
        s3.process.kill()
        s3.process.wait()
        shutil.rmtree(scratch, ignore_errors=True)
    table = Table(title=f"replication ({args.in_flight} calls in flight, S3: {args.s3} on 127.0.0.1)")
    for column in ("figure", "dotdo", "baseline", "ratio", "target"):
        table.add_column(column)
    for label, replicated, power in rows:
        table.add_row(
            f"calls/s, {label}",
            f"{replicated:,.0f} replicated",
            f"{power:,.0f} power",
            f"{replicated / power:.2f}x",
            ">= 0.5x",
        )
    table.add_row("shipping lag p50", f"{p50 * 1000:.1f} ms", f"({rate:,.0f} calls/s, process)", "", "< 50 ms")
    table.add_row("shipping lag p99", f"{p99 * 1000:.1f} ms", "", "", "< 500 ms")
    replicas = f"({REPLICAS} replicas, told of uploads)"
    table.add_row("replica lag p50", f"{replica_p50 * 1000:.1f} ms", replicas, "", "< 50 ms")
    table.add_row("replica lag p99", f"{replica_p99 * 1000:.1f} ms", "", "", "< 500 ms")
    table.add_row(
        f"restore {size / 1e6:.0f} MB object",
        f"{rebuilt:.2f} s",
        f"{copied:.2f} s file copy",
        f"{rebuilt / copied:.1f}x",
        "< 10 s",
    )
    table.add_row(
        f"replica catch-up, 1 commit, {size / 1e6:.0f} MB",
        f"{catch_up * 1000:.1f} ms",
        f"{rebuilt * 1000:,.0f} ms whole rebuild",
        f"{catch_up / rebuilt:.3f}x",
        "",
    )
    console.print(table)


if __name__ == "__main__":
    main()
