"""Stripe customers through the SaaS engine, against a hand-written Starlette handler doing the same work.

    python benchmarks/compat_saas.py [--cycles 300] [--threads 4]

One cycle is what an app does most: create a customer, retrieve it, list the newest ten. The same
httpx calls (form bodies, a Bearer key) run from `--threads` threads against `dotdo compat serve
stripe` and against `benchmarks/compat_saas_baseline/handwritten_customers.py` under uvicorn, both
real processes on 127.0.0.1. The ratio is the engine's overhead: routing from the document,
decoding, validation against Stripe's schemas, the account object, events. A third row runs the same
cycles as a tenant whose account is spread over `--shards` shard objects (`--account-shards`), on the
same server, against the unsharded tenant's rate: the cost of asking shards over RPC and merging lists.
Stripe's own mock server
(stripe-mock) is a Go program published on GitHub and Docker Hub only; neither is reachable here, so
it is not in the table.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

from dotdo.compat import Credentials
from dotdo.compat.openapi import bearer_tokens

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(command: list[str], port: int, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{command[2]} exited before it listened")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{command[2]} did not start")


def cycles_per_second(url: str, token: str, cycles: int, threads: int) -> float:
    def cycle(index: int) -> None:
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as http:
            for step in range(index, cycles, threads):
                created = http.post("/v1/customers", data={"email": f"c{step}@example.com", "metadata[n]": str(step)})
                created.raise_for_status()
                http.get(f"/v1/customers/{created.json()['id']}").raise_for_status()
                http.get("/v1/customers", params={"limit": 10}).raise_for_status()

    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        list(pool.map(cycle, range(threads)))
    return cycles / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cycles", type=int, default=300, help="create + retrieve + list cycles per server")
    parser.add_argument("--threads", type=int, default=4, help="client threads")
    parser.add_argument("--shards", type=int, default=4, help="shard objects of the sharded tenant's account")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="dotdo-saas-bench-"))
    console = Console()
    processes = []
    try:
        credentials = Credentials(folder / "compat")
        token = bearer_tokens.mint(credentials.default_key(), "sk_test_")
        big_token = bearer_tokens.mint(credentials.create("big", ("stripe",)), "sk_test_")
        dotdo_port, bare_port = free_port(), free_port()
        console.print("starting dotdo compat serve stripe and the hand-written Starlette app…")
        processes.append(
            start(
                [
                    sys.executable,
                    "-m",
                    "dotdo",
                    "compat",
                    "serve",
                    "stripe",
                    "--port",
                    str(dotdo_port),
                    "--data-dir",
                    str(folder),
                    "--account-shards",
                    f"big={args.shards}",
                ],
                dotdo_port,
            )
        )
        env = {**os.environ, "BASELINE_DB": str(folder / "baseline.sqlite")}
        processes.append(
            start(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "benchmarks.compat_saas_baseline.handwritten_customers:app",
                    "--port",
                    str(bare_port),
                    "--log-level",
                    "warning",
                    "--no-access-log",
                ],
                bare_port,
                env,
            )
        )
        results: dict[str, list[float]] = {"dotdo": [], "sharded": [], "hand-written": []}
        for _ in range(3):
            results["dotdo"].append(
                cycles_per_second(f"http://127.0.0.1:{dotdo_port}", token, args.cycles, args.threads)
            )
            results["sharded"].append(
                cycles_per_second(f"http://127.0.0.1:{dotdo_port}", big_token, args.cycles, args.threads)
            )
            results["hand-written"].append(
                cycles_per_second(f"http://127.0.0.1:{bare_port}", token, args.cycles, args.threads)
            )
        dotdo_rate = sorted(results["dotdo"])[1]
        bare_rate = sorted(results["hand-written"])[1]
        sharded_rate = sorted(results["sharded"])[1]
        table = Table(title=f"Stripe customers: create + retrieve + list, {args.threads} client threads (median of 3)")
        for column in ("server", "cycles/s", "requests/s", "time per cycle vs hand-written (target <= 1.5x)"):
            table.add_column(column, justify="right")
        table.add_row(
            "dotdo compat serve stripe",
            f"{dotdo_rate:,.0f}",
            f"{3 * dotdo_rate:,.0f}",
            f"{bare_rate / dotdo_rate:.2f}x",
        )
        table.add_row(
            f"dotdo, the tenant over {args.shards} shards",
            f"{sharded_rate:,.0f}",
            f"{3 * sharded_rate:,.0f}",
            f"{bare_rate / sharded_rate:.2f}x ({dotdo_rate / sharded_rate:.2f}x unsharded)",
        )
        table.add_row("hand-written Starlette + sqlite3", f"{bare_rate:,.0f}", f"{3 * bare_rate:,.0f}", "1.00x")
        console.print(table)
        console.print(
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; stripe-mock: not installable here"
        )
    finally:
        for process in processes:
            process.terminate()
            process.wait(10)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
