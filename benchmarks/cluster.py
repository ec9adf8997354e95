"""The cluster benchmark: `python benchmarks/cluster.py [--duration S]`.

Prints, in one run, with `dotdo dev` (one process) as the baseline measured in the same run:
1. HTTP requests/s and server CPU per request over 1,000 counters (wrk, 64 connections), for
   `dotdo dev`, `dotdo serve --workers 1` and `dotdo serve --workers 2` side by side; the hosts'
   CPU and Ray's own processes' CPU are reported apart;
2. calls through an embedded `Cluster` of 2 hosts: to the owner, and through the other host
   (one cross-host hop), p50/p99;
3. memory with 10,000 live counters (`counter_resident.py`, no idle eviction): the RSS the
   server's processes that run objects (the `dotdo dev` process; the hosts) grew by while the
   counters after the first 1,000 were activated, per 10,000 of them, and Ray's own processes' PSS apart;
4. failover: SIGKILL of one host, time until each of its objects answers again (p50/p99) and
   acknowledged increments lost;
5. the forwarding hop's own CPU, in one process without Ray: a request answered by the owner's
   HTTP front vs the same request taken by the other host's front and forwarded over the wire.
Runs inside a loopback-only network namespace when `unshare -n` works (as root), else with Ray's
loopback settings only.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
from rich.console import Console
from rich.table import Table

BENCHMARKS = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCHMARKS))
sys.path.insert(0, str(BENCHMARKS.parent / "src"))

from runtime_bench.servers import free_port, python_env  # noqa: E402
from runtime_bench.wrk import run_wrk, wrk_path  # noqa: E402

console = Console(width=150)
OBJECTS = 1000
RESIDENT = 10_000
"""Live counters for the memory figures (`--resident`); RSS growth is reported per 10,000 of them."""
NETNS_MARK = "DOTDO_BENCH_IN_NETNS"


def reexec_in_loopback_namespace() -> None:
    """Run this script again inside `unshare -n` with only loopback up, when that is possible."""
    if os.environ.get(NETNS_MARK) or shutil.which("unshare") is None:
        return
    if subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode != 0:
        console.print("[yellow]unshare -n is not permitted here: running with Ray's loopback settings only")
        return
    env = {**os.environ, NETNS_MARK: "1"}
    command = ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", sys.executable, *sys.argv]
    raise SystemExit(subprocess.run(command, env=env).returncode)


def tree(pid: int) -> list[psutil.Process]:
    root = psutil.Process(pid)
    return [root, *root.children(recursive=True)]


def cpu_seconds(processes: list[psutil.Process]) -> dict[int, float]:
    seconds = {}
    for process in processes:
        try:
            times = process.cpu_times()
            seconds[process.pid] = times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return seconds


def is_host(process: psutil.Process) -> bool:
    try:
        return "HostActor" in " ".join(process.cmdline())
    except psutil.NoSuchProcess:
        return False


def wait_ready(port: int, process: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/n1/get")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"the server did not answer on port {port}")


def rss(processes: list[psutil.Process]) -> int:
    total = 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


def pss(processes: list[psutil.Process]) -> int:
    total = 0
    for process in processes:
        try:
            total += process.memory_full_info().pss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return total


def activate(port: int, first: int, last: int, connections: int = 8) -> None:
    """GET /n<i>/get for i in first..last over a few keep-alive connections (activates each counter)."""

    def run(numbers: range) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            for number in numbers:
                conn.request("GET", f"/n{number}/get")
                conn.getresponse().read()
        finally:
            conn.close()

    with ThreadPoolExecutor(connections) as pool:
        list(pool.map(run, [range(first + i, last + 1, connections) for i in range(connections)]))


def live_objects(port: int) -> int | None:
    """Live objects over every host of `dotdo serve` (None for `dotdo dev`, which has no status page)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", "/_dotdo/status")
        answer = conn.getresponse()
        body = answer.read()
    finally:
        conn.close()
    if answer.status != 200 or b"hosts" not in body:
        return None
    return sum(host.get("live_objects", 0) for host in json.loads(body)["hosts"])


def warm(port: int) -> None:
    """Activate every counter once, so the load measures steady state rather than activations."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        for number in range(1, OBJECTS + 1):
            conn.request("GET", f"/n{number}/get")
            conn.getresponse().read()
    finally:
        conn.close()


def measure_http(label: str, argv: list[str], port: int, duration: float, resident: int) -> dict[str, float]:
    """Start a server, warm it on every object, load it with wrk, read the CPU of its processes."""
    process = subprocess.Popen(
        argv, cwd=BENCHMARKS, env=python_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        wait_ready(port, process)
        processes = tree(process.pid)
        hosts = {p.pid for p in processes if is_host(p)}
        runners = [p for p in processes if p.pid in hosts] if hosts else [processes[0]]
        ray_system = [p for p in processes if p.pid not in hosts and p.pid != process.pid] if hosts else []
        warm(port)
        run_wrk(port, "/n%d/incr", objects=OBJECTS, duration=2, connections=64)
        processes = tree(process.pid)
        before = cpu_seconds(processes)
        result = run_wrk(port, "/n%d/incr", objects=OBJECTS, duration=duration, connections=64)
        after = cpu_seconds(processes)
        spent = {pid: after[pid] - before.get(pid, 0.0) for pid in after}
        served = sum(v for pid, v in spent.items() if pid in hosts) if hosts else sum(spent.values())
        ray_own = sum(v for pid, v in spent.items() if pid not in hosts and pid != process.pid) if hosts else 0.0
        # The baseline is after the load, whose buffers and the first 1,000 counters are in it: the
        # growth is what the counters activated from here on cost.
        rss_before = rss(runners)
        activate(port, OBJECTS + 1, resident)
        grown = rss(runners) - rss_before
        live = live_objects(port)
        return {
            "rss_per_10k": grown / ((live or resident) - OBJECTS) * 10_000 / 2**20,
            "rss_after": rss(runners) / 2**20,
            "live": float(live if live is not None else -1),
            "ray_pss": pss(ray_system) / 2**20,
            "ray_processes": float(len(ray_system)),
            "rps": result.rps,
            "p50": result.p50_ms,
            "p99": result.p99_ms,
            "errors": result.errors,
            "cpu_us": served / result.requests * 1e6,
            "ray_us": ray_own / result.requests * 1e6,
        }
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


async def measure_cluster(data_dir: Path, calls: int) -> dict[str, float]:
    """Embedded cluster of 2 hosts: direct and forwarded call latency, then failover after a SIGKILL."""
    from counter_app import Counter

    from dotdo.cluster.cluster import Cluster
    from dotdo.cluster.wire import HostUnavailableError, WireClient
    from dotdo.runtime.ids import id_from_name

    figures: dict[str, float] = {}
    async with Cluster(hosts=2, data_dir=data_dir, objects=[Counter]) as cluster:
        oid = id_from_name(Counter, "latency")
        owner = cluster.view.owner(oid.namespace, oid.hex)
        other = next(h for h in cluster.view.hosts if h != owner)
        request = (oid.namespace, oid.hex, "latency", 0, "ping", (), {})
        for name, host_id in (("direct", owner), ("forwarded", other)):
            client = WireClient(cluster.view.hosts[host_id].wire, host_id)
            samples = []
            for index in range(calls + 200):
                started = time.perf_counter()
                await client.request("call", request)
                if index >= 200:
                    samples.append(time.perf_counter() - started)
            await client.close()
            samples.sort()
            figures[f"{name}_p50"] = samples[len(samples) // 2] * 1e3
            figures[f"{name}_p99"] = samples[int(len(samples) * 0.99)] * 1e3
        figures["hop_p50"] = figures["forwarded_p50"] - figures["direct_p50"]

        names = [f"f{i}" for i in range(OBJECTS)]
        acknowledged = dict.fromkeys(names, 0)
        await asyncio.gather(*(cluster.get(Counter, n).increment() for n in names))
        for n in names:
            acknowledged[n] += 1
        victim = sorted(cluster.host_pids())[0]
        moved = [n for n in names if cluster.owner(Counter, n) == victim]
        killed_at = time.perf_counter()
        os.kill(cluster.host_pids()[victim], signal.SIGKILL)
        answered: dict[str, float] = {}

        async def until_answered(name: str) -> None:
            while True:
                try:
                    await cluster.get(Counter, name).ping()
                except HostUnavailableError:
                    await asyncio.sleep(0.02)
                    continue
                answered[name] = time.perf_counter() - killed_at
                return

        await asyncio.gather(*(until_answered(n) for n in moved))
        totals = await asyncio.gather(*(cluster.run_in(Counter, n, lambda o: o.storage.sql.exec(
            "SELECT v FROM c WHERE k = 'n'").one()["v"]) for n in names))  # fmt: skip
        waits = sorted(answered.values())
        figures["moved"] = len(moved)
        figures["failover_p50"] = waits[len(waits) // 2]
        figures["failover_p99"] = waits[int(len(waits) * 0.99)]
        figures["lost"] = sum(max(0, acknowledged[n] - t) for n, t in zip(names, totals, strict=True))
    return figures


async def measure_forwarding(seconds: float) -> dict[str, float]:
    """CPU per request through the owner's HTTP front vs through the other host's front and the wire.

    Both hosts run in this process (no Ray, no uvicorn: the fronts are called as ASGI apps), so the
    difference is the forwarding hop itself: routing, the wire both ways and the owner's ASGI glue.
    """
    from counter_app import Counter

    from dotdo import API
    from dotdo.cluster.host import ClusterHost
    from dotdo.cluster.http_front import HostRouter
    from dotdo.cluster.placement import HostInfo, PlacementView
    from dotdo.runtime.ids import id_from_name
    from dotdo.runtime.runtime import Runtime

    data = Path(tempfile.mkdtemp(prefix="dotdo-forwarding-"))
    hosts: dict[str, ClusterHost] = {}
    try:
        for host_id in ("host-0", "host-1"):
            host = ClusterHost(host_id, str(data), "probe", None, classes=[], import_paths=[])
            runtime = await Runtime(data / host_id).start()
            host.app = API(Counter, ns="/:name", runtime=runtime)
            host.runtime, host.router = runtime, HostRouter(host, host.app)
            await host.wire.start("127.0.0.1")
            hosts[host_id] = host
        view = PlacementView(1, {h: HostInfo(h, host.wire.address, os.getpid()) for h, host in hosts.items()})
        for host in hosts.values():
            host.view = view
        names = [f"n{i}" for i in range(1, OBJECTS + 1)]
        names = [n for n in names if view.owner("Counter", id_from_name(Counter, n).hex) == "host-1"]

        async def load(router: HostRouter, duration: float) -> float:
            done = 0
            end = time.perf_counter() + duration

            async def receive() -> dict[str, object]:
                return {"type": "http.request", "body": b"", "more_body": False}

            async def send(message: dict[str, object]) -> None:
                pass

            async def client(offset: int) -> None:
                nonlocal done
                while time.perf_counter() < end:
                    path = f"/{names[(done + offset) % len(names)]}/incr"
                    scope = {
                        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
                        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
                        "root_path": "", "headers": [(b"host", b"127.0.0.1")], "server": ("127.0.0.1", 80),
                        "client": ("127.0.0.1", 1),
                    }  # fmt: skip
                    await router(scope, receive, send)
                    done += 1

            started = time.process_time()
            await asyncio.gather(*(client(index * 7) for index in range(32)))
            return (time.process_time() - started) / done * 1e6

        figures = {}
        for label, router in (("direct", hosts["host-1"].router), ("forwarded", hosts["host-0"].router)):
            assert router is not None
            await load(router, 1.0)
            figures[label] = await load(router, seconds)
        return figures
    finally:
        for host in hosts.values():
            await host.wire.close()
            if host.runtime is not None:
                await host.runtime.close()
        shutil.rmtree(data, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=6.0, help="seconds of wrk load per server (default 6)")
    parser.add_argument("--calls", type=int, default=2000, help="calls per latency sample (default 2000)")
    parser.add_argument(
        "--resident", type=int, default=RESIDENT, help=f"live counters for the memory figures (default {RESIDENT:,})"
    )
    parser.add_argument(
        "--http-only", action="store_true", help="measure the HTTP servers only (no embedded-cluster latency, failover)"
    )
    options = parser.parse_args()
    if wrk_path() is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install -y wrk)")
    reexec_in_loopback_namespace()
    scratch = Path(tempfile.mkdtemp(prefix="dotdo-cluster-bench-"))
    try:
        rows = {}
        for label, extra in (
            ("dotdo dev", ["dev"]),
            ("serve, 1 host", ["serve", "--workers", "1"]),
            ("serve, 2 hosts", ["serve", "--workers", "2"]),
        ):
            port = free_port()
            data = scratch / label.replace(" ", "-").replace(",", "")
            argv = [
                sys.executable,
                "-m",
                "dotdo",
                *extra,
                "counter_resident:app",
                "--port",
                str(port),
                "--data-dir",
                str(data),
            ]
            console.print(f"measuring {label} ...")
            rows[label] = measure_http(label, argv, port, options.duration, options.resident)
        console.print("measuring the forwarding hop in one process ...")
        forwarding = asyncio.run(measure_forwarding(3.0))
        cluster = None
        if not options.http_only:
            console.print("measuring the embedded cluster (latency, failover) ...")
            cluster = asyncio.run(measure_cluster(scratch / "embedded", options.calls))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    base = rows["dotdo dev"]
    table = Table(title=f"HTTP, {OBJECTS} counters, wrk -c64 ({options.duration:g} s), ratios vs dotdo dev")
    for column in (
        "server",
        "req/s",
        "x dev",
        "p50 ms",
        "p99 ms",
        "host CPU µs/req",
        "x dev",
        "Ray CPU µs/req",
        "errors",
    ):
        table.add_column(column)
    for label, row in rows.items():
        table.add_row(
            label, f"{row['rps']:,.0f}", f"{row['rps'] / base['rps']:.2f}", f"{row['p50']:.2f}", f"{row['p99']:.2f}",
            f"{row['cpu_us']:.0f}", f"{row['cpu_us'] / base['cpu_us']:.2f}", f"{row['ray_us']:.0f}", str(row["errors"]),
        )  # fmt: skip
    console.print(table)
    memory = Table(title=f"memory with {options.resident:,} live counters, per 10,000, ratios vs dotdo dev")
    for column in ("server", "live objects", "RSS of object processes MB", "RSS growth per 10k objects MB", "x dev",
                   "Ray's own processes (count, PSS MB)"):  # fmt: skip
        memory.add_column(column)
    for label, row in rows.items():
        memory.add_row(
            label, "n/a" if row["live"] < 0 else f"{row['live']:,.0f}", f"{row['rss_after']:.0f}",
            f"{row['rss_per_10k']:.1f}", f"{row['rss_per_10k'] / base['rss_per_10k']:.2f}",
            f"{row['ray_processes']:.0f}, {row['ray_pss']:.0f}" if row["ray_processes"] else "none",
        )  # fmt: skip
    console.print(memory)
    console.print(
        f"forwarding hop, one process, no Ray (32 concurrent): answered by the owner's front "
        f"{forwarding['direct']:.0f} µs CPU/request; through the other host's front and the wire "
        f"{forwarding['forwarded']:.0f} µs ({forwarding['forwarded'] / forwarding['direct']:.2f}x)"
    )
    if cluster is None:
        return
    console.print(
        f"calls over the wire (n={options.calls}): to the owner p50 {cluster['direct_p50']:.3f} ms "
        f"p99 {cluster['direct_p99']:.3f} ms; through the other host p50 {cluster['forwarded_p50']:.3f} ms "
        f"p99 {cluster['forwarded_p99']:.3f} ms; one cross-host hop adds {cluster['hop_p50']:.3f} ms at p50"
    )
    console.print(
        f"failover: {cluster['moved']:.0f} objects of the killed host answered again after p50 "
        f"{cluster['failover_p50']:.2f} s, p99 {cluster['failover_p99']:.2f} s; acknowledged increments lost: "
        f"{cluster['lost']:.0f}"
    )


if __name__ == "__main__":
    main()
