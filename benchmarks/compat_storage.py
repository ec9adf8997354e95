"""S3 and SQS through boto3: dotdo's compat layers against moto's server, and against dotdo's bare storage path.

    python benchmarks/compat_storage.py [--objects 500] [--big-mib 64] [--messages 500] [--threads 8]
                                        [--aws-cli PATH] [--shards N]

Every row runs the same boto3 calls from `--threads` threads against `dotdo compat serve s3 sqs`
and against `moto_server` (an emulator users run locally), both real processes on 127.0.0.1. The
"bare" rows do the same work in process without HTTP, SigV4 or XML: the body into the blob store
and the row into the bucket's object (what the framework adds shows as the gap). With `--aws-cli`
(the `aws` executable, e.g. the one `python -m tests.compat.aws_cli` builds), two more rows time
`aws s3 cp` of the large object up and down against both servers (best of three). With `--shards N`,
a second dotdo server spreads every bucket and standard queue over N objects (`--bucket-shards N
--queue-shards N`), measured in the same run against the unsharded one.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from rich.console import Console
from rich.table import Table

from dotdo import Runtime
from dotdo.compat import Credentials
from dotdo.compat.s3 import S3Bucket
from dotdo.compat.s3.bucket import NewObject

KiB, MiB = 1024, 1024 * 1024


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the server exited before it listened")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the server did not start")


def start_dotdo(folder: Path, *options: str) -> tuple[subprocess.Popen[bytes], str, tuple[str, str]]:
    key = Credentials(folder / "compat").default_key()
    assert key.secret is not None
    port = free_port()
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "dotdo", "compat", "serve", "s3", "sqs", *options),
            *("--port", str(port), "--data-dir", str(folder)),
        ],
        stdout=subprocess.DEVNULL,
    )
    wait_for(port, process)
    return process, f"http://127.0.0.1:{port}", (key.access_key_id, key.secret)


def start_moto() -> tuple[subprocess.Popen[bytes], str, tuple[str, str]]:
    port = free_port()
    moto = shutil.which("moto_server") or str(Path(sys.executable).parent / "moto_server")
    process = subprocess.Popen(
        [moto, "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    wait_for(port, process)
    return process, f"http://127.0.0.1:{port}", ("testing", "testing")


def clients(url: str, key: tuple[str, str]) -> tuple[Any, Any]:
    config = Config(s3={"addressing_style": "path"}, max_pool_connections=64, retries={"max_attempts": 1})
    options = {
        "endpoint_url": url,
        "aws_access_key_id": key[0],
        "aws_secret_access_key": key[1],
        "region_name": "us-east-1",
        "config": config,
    }
    return boto3.client("s3", **options), boto3.client("sqs", **options)


def rate(threads: int, count: int, work: Callable[[int], Any]) -> float:
    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        list(pool.map(work, range(count)))
    return count / (time.perf_counter() - started)


def measure_server(url: str, key: tuple[str, str], args: argparse.Namespace) -> dict[str, float]:
    s3, sqs = clients(url, key)
    bucket = f"bench-{os.getpid()}"
    s3.create_bucket(Bucket=bucket)
    small = os.urandom(4 * KiB)
    big = os.urandom(args.big_mib * MiB)
    results = {
        "S3 PUT 4 KiB (objects/s)": rate(
            args.threads, args.objects, lambda i: s3.put_object(Bucket=bucket, Key=f"k{i}", Body=small)
        ),
        "S3 GET 4 KiB (objects/s)": rate(
            args.threads, args.objects, lambda i: s3.get_object(Bucket=bucket, Key=f"k{i}")["Body"].read()
        ),
    }
    # One large object is a single request: the best of three rounds steadies the figure.
    put_times, get_times = [], []
    for _ in range(3):
        started = time.perf_counter()
        s3.put_object(Bucket=bucket, Key="big", Body=big)
        put_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        assert len(s3.get_object(Bucket=bucket, Key="big")["Body"].read()) == len(big)
        get_times.append(time.perf_counter() - started)
    results[f"S3 PUT {args.big_mib} MiB (MiB/s)"] = args.big_mib / min(put_times)
    results[f"S3 GET {args.big_mib} MiB (MiB/s)"] = args.big_mib / min(get_times)
    queue = sqs.create_queue(QueueName=f"bench-{os.getpid()}")["QueueUrl"]

    def round_trip(i: int) -> None:
        sqs.send_message(QueueUrl=queue, MessageBody=f"message {i}")
        for message in sqs.receive_message(QueueUrl=queue).get("Messages", []):
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])

    results["SQS send+receive+delete (/s)"] = rate(args.threads, args.messages, round_trip)
    if args.aws_cli:
        results.update(measure_aws_cli(url, key, bucket, big, args))
    return results


def measure_aws_cli(
    url: str, key: tuple[str, str], bucket: str, big: bytes, args: argparse.Namespace
) -> dict[str, float]:
    """`aws s3 cp` of the large object up and down (the CLI's own multipart transfers), best of three."""
    env = {**os.environ, "AWS_ACCESS_KEY_ID": key[0], "AWS_SECRET_ACCESS_KEY": key[1]}
    env["AWS_DEFAULT_REGION"] = "us-east-1"
    with tempfile.TemporaryDirectory() as tmp:
        local, back = Path(tmp) / "big.bin", Path(tmp) / "back.bin"
        local.write_bytes(big)
        up: list[float] = []
        down: list[float] = []
        remote = f"s3://{bucket}/cli-big"
        for _ in range(3):
            for source, target, times in ((local, remote, up), (remote, back, down)):
                started = time.perf_counter()
                command = [args.aws_cli, "s3", "cp", str(source), str(target), "--endpoint-url", url, "--no-progress"]
                subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
                times.append(time.perf_counter() - started)
        assert back.read_bytes() == big
    return {
        f"aws s3 cp {args.big_mib} MiB up (MiB/s)": args.big_mib / min(up),
        f"aws s3 cp {args.big_mib} MiB down (MiB/s)": args.big_mib / min(down),
    }


async def measure_bare(folder: Path, args: argparse.Namespace) -> dict[str, float]:
    """The S3 rows' storage work without the framework: the bucket object, in process."""
    small = os.urandom(4 * KiB)
    async with Runtime(folder / "objects", objects=[S3Bucket]) as rt:
        bucket = rt.get(S3Bucket, "default/bench")
        await bucket.create("default", "bench", str(folder / "blobs"))

        async def put(i: int) -> None:
            # 4 KiB is under INLINE_MAX: the server keeps such a body in the object's row, as here.
            await bucket.put(NewObject(key=f"k{i}", size=len(small), etag='"x"', parts=[], inline=small))

        async def get(i: int) -> None:
            stored = await bucket.head(f"k{i}")
            assert stored.inline is not None and len(stored.inline) == len(small)

        results = {}
        for label, work in (("S3 PUT 4 KiB (objects/s)", put), ("S3 GET 4 KiB (objects/s)", get)):
            started = time.perf_counter()
            await asyncio.gather(*(work(i) for i in range(args.objects)))
            results[label] = args.objects / (time.perf_counter() - started)
        return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--objects", type=int, default=500, help="4 KiB objects put then got")
    parser.add_argument("--big-mib", type=int, default=64, help="size of the large object")
    parser.add_argument("--messages", type=int, default=500, help="SQS round trips")
    parser.add_argument("--threads", type=int, default=8, help="client threads")
    parser.add_argument("--aws-cli", help="an `aws` executable: also time `aws s3 cp` of the large object")
    parser.add_argument("--shards", type=int, help="also measure a dotdo server with buckets and queues in N shards")
    args = parser.parse_args()
    console = Console()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        dotdo_process, dotdo_url, dotdo_key = start_dotdo(root / "dotdo")
        moto_process, moto_url, moto_key = start_moto()
        processes = [dotdo_process, moto_process]
        sharded: dict[str, float] = {}
        try:
            with console.status("dotdo compat serve s3 sqs"):
                ours = measure_server(dotdo_url, dotdo_key, args)
            if args.shards:
                count = str(args.shards)
                process, url, key = start_dotdo(root / "sharded", "--bucket-shards", count, "--queue-shards", count)
                processes.append(process)
                with console.status(f"dotdo compat serve s3 sqs, {count} shards"):
                    sharded = measure_server(url, key, args)
            with console.status("moto_server"):
                moto = measure_server(moto_url, moto_key, args)
            with console.status("bare storage path"):
                bare = asyncio.run(measure_bare(root / "bare", args))
        finally:
            for process in processes:
                process.terminate()
                process.wait()
    table = Table(title=f"compat layers through boto3 ({args.threads} threads)")
    columns = ["row", "dotdo", "moto", "dotdo / moto", "bare dotdo", "dotdo / bare"]
    if sharded:
        columns += [f"dotdo {args.shards} shards", "sharded / dotdo"]
    for column in columns:
        table.add_column(column, justify="right")
    for row, value in ours.items():
        bare_value = bare.get(row)
        cells = [
            row,
            f"{value:,.1f}",
            f"{moto[row]:,.1f}",
            f"x{value / moto[row]:.2f}",
            f"{bare_value:,.1f}" if bare_value else "",
            f"x{value / bare_value:.2f}" if bare_value else "",
        ]
        if sharded:
            cells += [f"{sharded[row]:,.1f}", f"x{sharded[row] / value:.2f}"]
        table.add_row(*cells)
    console.print(table)


if __name__ == "__main__":
    main()
