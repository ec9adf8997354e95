"""Cap'n Web RPC benchmark: the dotdo Python server against the official JavaScript server
(`tests/rpc/js/interop_server.mjs`, installed with `npm ci` into a cache folder), both on
127.0.0.1, driven by the same Python client.

    python benchmarks/rpc.py [--calls 300]

For HTTP batch and WebSocket it measures a simple call (`hello`) and a pipelined chain of three
dependent calls (`hello(hello(hello(x)))`), printing calls/s, p50 and p99 latency and the ratio
Python/JS; then the round trips pipelining saves (chain awaited step by step vs pipelined).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests" / "rpc"))

from js_peer import prepare_peer  # noqa: E402

from dotdo import rpc  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_listening(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited early: {process.stdout.read().decode() if process.stdout else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"server did not listen on {port}")


@contextmanager
def server(command: list[str], *, cwd: Path, env: dict[str, str], port: int) -> Iterator[str]:
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_listening(port, process)
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def summarize(latencies: list[float]) -> tuple[float, float, float]:
    """calls/s, p50 ms and p99 ms of sequential calls."""
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return len(ordered) / sum(ordered), statistics.median(ordered) * 1000, p99 * 1000


async def timed(call: Callable[[], Awaitable[object]], count: int) -> list[float]:
    latencies = []
    for _ in range(count):
        begin = time.perf_counter()
        await call()
        latencies.append(time.perf_counter() - begin)
    return latencies


def workloads(api: rpc.RpcStub) -> dict[str, Callable[[], Awaitable[object]]]:
    return {"simple": lambda: api.hello("x"), "chain of 3": lambda: api.hello(api.hello(api.hello("x")))}


async def compare(addresses: dict[str, str], count: int, rounds: int = 10) -> dict[str, dict[str, tuple]]:
    """Per transport and workload, the figures of each server; the servers alternate in chunks of
    calls so both see the same machine load."""
    results: dict[str, dict[str, tuple]] = {}
    for scheme in ("http", "ws"):
        apis = {server: rpc.connect(f"{scheme}://{address}/rpc") for server, address in addresses.items()}
        for name in ("simple", "chain of 3"):
            samples: dict[str, list[float]] = {server: [] for server in apis}
            for api in apis.values():
                await timed(workloads(api)[name], 10)  # warm up
            for _ in range(rounds):
                for server, api in apis.items():
                    samples[server] += await timed(workloads(api)[name], max(1, count // rounds))
            results[f"{scheme} {name}"] = {server: summarize(values) for server, values in samples.items()}
        for api in apis.values():
            await rpc.aclose(api)
    return results


async def round_trips(address: str, count: int) -> tuple[int, int, float, float]:
    """Requests and chains/s of a chain of 3 awaited step by step vs pipelined (HTTP batch)."""
    sent = []

    async def on_request(request: httpx.Request) -> None:
        sent.append(request)

    client = httpx.AsyncClient(event_hooks={"request": [on_request]})
    async with rpc.connect(f"http://{address}/rpc", http_client=client) as api:

        async def stepwise() -> None:
            first = await api.hello("x")
            second = await api.hello(first)
            await api.hello(second)

        async def pipelined() -> None:
            await api.hello(api.hello(api.hello("x")))

        before = len(sent)
        await stepwise()
        stepwise_requests = len(sent) - before
        before = len(sent)
        await pipelined()
        pipelined_requests = len(sent) - before
        stepwise_rate = summarize(await timed(stepwise, count))[0]
        pipelined_rate = summarize(await timed(pipelined, count))[0]
    await client.aclose()
    return stepwise_requests, pipelined_requests, stepwise_rate, pipelined_rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        peer = prepare_peer(Path(temp) / "peer")
        python_port, js_port = free_port(), free_port()
        python_env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT / "tests" / "rpc")])}
        python_command = [sys.executable, "-m", "uvicorn", "interop_app:app", "--port", str(python_port)]
        python_command += ["--host", "127.0.0.1", "--log-level", "warning"]
        js_env = {**os.environ, "PORT": str(js_port), "HOST": "127.0.0.1"}
        with (
            server(python_command, cwd=ROOT, env=python_env, port=python_port) as python_address,
            server(["node", "interop_server.mjs"], cwd=peer, env=js_env, port=js_port) as js_address,
        ):
            results = asyncio.run(compare({"python": python_address, "js": js_address}, args.calls))
            saved = asyncio.run(round_trips(python_address, args.calls // 3))

    print(f"Cap'n Web, {args.calls} sequential calls per row, same Python client, servers alternating")
    print("in chunks; baseline: the official capnweb server (tests/rpc/js/interop_server.mjs)")
    print(f"{'workload':<18}{'server':<8}{'calls/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'py/js calls/s':>16}")
    for name, by_server in results.items():
        rate, p50, p99 = by_server["python"]
        js_rate, js_p50, js_p99 = by_server["js"]
        print(f"{name:<18}{'python':<8}{rate:>10.0f}{p50:>10.2f}{p99:>10.2f}{rate / js_rate:>15.2f}x")
        print(f"{'':<18}{'js':<8}{js_rate:>10.0f}{js_p50:>10.2f}{js_p99:>10.2f}")
    stepwise_requests, pipelined_requests, stepwise_rate, pipelined_rate = saved
    print(
        f"pipelining (HTTP batch, chain of 3 on the Python server): {pipelined_requests} request instead of "
        f"{stepwise_requests}; {pipelined_rate:.0f} chains/s vs {stepwise_rate:.0f} awaited step by step "
        f"({pipelined_rate / stepwise_rate:.2f}x)"
    )


if __name__ == "__main__":
    main()
