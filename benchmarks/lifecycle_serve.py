"""Writes to a sharded collection under `dotdo serve --workers 2`: `python benchmarks/lifecycle_serve.py`.

One server, `dotdo serve --workers 2 lifecycle_app:app`, two stores in it: "plain", one object,
and "sharded", the same class sharded by customer into `--shards` shards (spread over both hosts
by the cluster's placement). wrk writes orders of random customers to each in turn, `--rounds`
times, alternating; the unsharded store's writes/s in the same run is the baseline (target: the
sharded store >= 1.5x). Every write is a `GET /<store>/add/<n>` creating one thing. Runs inside a
loopback-only network namespace when `unshare -n` works, like benchmarks/cluster.py.
"""

from __future__ import annotations

import argparse
import http.client
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCHMARKS))
sys.path.insert(0, str(BENCHMARKS.parent / "src"))

from runtime_bench.servers import free_port, python_env  # noqa: E402
from runtime_bench.wrk import run_wrk, wrk_path  # noqa: E402

from cluster import reexec_in_loopback_namespace  # noqa: E402

CUSTOMERS = 100_000


def get(port: int, path: str, timeout: float = 600) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        answer = conn.getresponse()
        body = answer.read().decode()
    finally:
        conn.close()
    if answer.status != 200:
        raise RuntimeError(f"GET {path} answered {answer.status}: {body[:500]}")
    return body


def wait_ready(port: int, process: subprocess.Popen[bytes], timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"dotdo serve exited with {process.returncode}")
        try:
            get(port, "/plain/count", timeout=5)
            return
        except (OSError, RuntimeError):
            time.sleep(0.3)
    raise RuntimeError(f"dotdo serve did not answer on port {port}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=8.0, help="seconds of wrk per round and store")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--shards", type=int, default=16)
    parser.add_argument("--connections", type=int, default=64)
    options = parser.parse_args()
    if wrk_path() is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install -y wrk)")
    reexec_in_loopback_namespace()
    scratch = Path(tempfile.mkdtemp(prefix="dotdo-lifecycle-serve-"))
    port = free_port()
    argv = [sys.executable, "-m", "dotdo", "serve", "--workers", "2", "lifecycle_app:app"]
    argv += ["--port", str(port), "--data-dir", str(scratch / "data")]
    process = subprocess.Popen(
        argv, cwd=BENCHMARKS, env=python_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        wait_ready(port, process)
        for i in range(options.shards * 4):
            get(port, f"/sharded/add/{i}")
        moved = get(port, f"/sharded/shard/{options.shards}")
        print(f"dotdo serve --workers 2: 'sharded' moved {moved} things into {options.shards} shards")
        for store in ("plain", "sharded"):  # warm: every shard and the plain store active
            run_wrk(port, f"/{store}/add/%d", objects=CUSTOMERS, duration=2, connections=options.connections)
        rates: dict[str, list[float]] = {"plain": [], "sharded": []}
        for _ in range(options.rounds):
            for store in rates:
                result = run_wrk(
                    port, f"/{store}/add/%d", objects=CUSTOMERS, duration=options.duration,
                    connections=options.connections,
                )  # fmt: skip
                if result.errors:
                    raise RuntimeError(f"{result.errors} failed writes to {store}")
                rates[store].append(result.rps)
                print(
                    f"  {store:8} {result.rps:9,.0f} writes/s  p50 {result.p50_ms:6.1f} ms  p99 {result.p99_ms:6.1f} ms"
                )
        counts = {store: int(get(port, f"/{store}/count")) for store in rates}
        print(f"orders stored: {counts}")
        plain, sharded = (sorted(rates[s])[len(rates[s]) // 2] for s in ("plain", "sharded"))
        print(
            f"median of {options.rounds}: plain {plain:,.0f} writes/s, {options.shards} shards {sharded:,.0f} writes/s"
        )
        print(f"ratio sharded / plain {sharded / plain:.2f}  (target >= 1.5)")
    finally:
        process.terminate()
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
