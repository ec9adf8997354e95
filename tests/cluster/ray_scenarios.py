"""Cluster scenarios on a real Ray instance on 127.0.0.1: run by test_cluster.py inside a loopback-only
network namespace (one Ray instance for the whole module)."""

import asyncio
import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import psutil
import pytest
import pytest_asyncio
import uvicorn
import websockets
from cluster_objects import Counter, increment_counter
from loopback import tcp_sockets_of
from starlette.websockets import WebSocket

import dotdo
from dotdo import Runtime
from dotdo.cluster.cluster import Cluster
from dotdo.cluster.fencing import LeaseLostError
from dotdo.cluster.wire import HostUnavailableError, WireClient
from dotdo.runtime.ids import id_from_name
from dotdo.runtime.stub import build_request

pytestmark = pytest.mark.asyncio(loop_scope="module")
HERE = Path(__file__).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def cluster(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Cluster]:
    async with Cluster(hosts=2, data_dir=tmp_path_factory.mktemp("cluster"), objects=[Counter]) as rt:
        yield rt
    leftover = [p for p in psutil.Process().children(recursive=True) if p.is_running()]
    assert leftover == [], f"processes left after the cluster closed: {leftover}"


def _ray_scratch(processes: list[psutil.Process]) -> str:
    """The scratch folder of the Ray instance these processes belong to (it is in Ray's own command lines)."""
    for process in processes:
        found = re.search(r"(/\S*/dotdo-ray-[^/\s]+)", " ".join(process.cmdline()))
        if found:
            return found.group(1)
    raise AssertionError(f"no Ray process among {processes}")


@contextlib.asynccontextmanager
async def serving_asgi(app: object) -> AsyncIterator[str]:
    """Serve an ASGI app with uvicorn on a free 127.0.0.1 port in this event loop; yields `host:port`."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    task = asyncio.get_running_loop().create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def test_every_ray_socket_is_on_loopback(cluster: Cluster) -> None:
    await cluster.get(Counter, "warm").increment()
    seen, off_loopback = tcp_sockets_of({p.pid for p in psutil.Process().children(recursive=True)} | {os.getpid()})
    assert off_loopback == []
    assert seen > 5  # gcs_server, raylet, the hosts' wire servers and their connections


async def test_each_call_runs_on_the_owning_host_and_both_hosts_serve(cluster: Cluster) -> None:
    pids = cluster.host_pids()
    assert len(pids) == 2
    names = [f"org-{i}" for i in range(24)]
    answered = await asyncio.gather(*(cluster.get(Counter, name).pid() for name in names))
    for name, pid in zip(names, answered, strict=True):
        assert pid == pids[cluster.owner(Counter, name)]
    assert set(answered) == set(pids.values())


async def test_run_in_and_fetch_reach_the_object(cluster: Cluster) -> None:
    assert await cluster.get(Counter, "acme").increment(5) == 5
    assert await cluster.run_in(Counter, "acme", lambda obj: obj.storage.get("total") * 2) == 10
    response = await cluster.get(Counter, "acme").fetch("/stats?x=1")
    assert response.status_code == 200
    assert b'"total":5' in response.body
    posted = await cluster.fetch(Counter, "acme", build_request("/add", method="POST", body=b"{}"))
    assert b'"total":6' in posted.body
    assert await cluster.call(Counter, "acme", "increment", 4) == 10


async def test_an_object_calls_an_object_of_the_other_host(cluster: Cluster) -> None:
    caller = "caller-0"
    elsewhere = [
        f"callee-{i}" for i in range(100) if cluster.owner(Counter, f"callee-{i}") != cluster.owner(Counter, caller)
    ]
    callee = elsewhere[0]
    callee_pid = cluster.host_pids()[cluster.owner(Counter, callee)]
    assert await cluster.get(Counter, caller).add_to(callee, 3) == (3, callee_pid)
    assert await cluster.get(Counter, callee).total() == 3


async def test_a_call_sent_to_the_wrong_host_is_forwarded_and_activates_the_object_once(cluster: Cluster) -> None:
    oid = id_from_name(Counter, "contended")
    owner = cluster.view.owner(oid.namespace, oid.hex)
    clients = [WireClient(info.wire, host_id) for host_id, info in cluster.view.hosts.items()]
    try:
        request = ("Counter", oid.hex, "contended", 0, "increment", (1,), {})
        results = await asyncio.gather(*(client.request("call", request) for client in clients * 5))
    finally:
        for client in clients:
            await client.close()
    assert sorted(results) == list(range(1, 11))
    assert await cluster.get(Counter, "contended").starts() == 1
    assert await cluster.get(Counter, "contended").pid() == cluster.host_pids()[owner]


def _on_two_hosts(cluster: Cluster, prefix: str) -> tuple[str, str]:
    """Names of two counters owned by different hosts."""
    first = f"{prefix}-0"
    names = (f"{prefix}-{i}" for i in range(1, 100))
    return first, next(name for name in names if cluster.owner(Counter, name) != cluster.owner(Counter, first))


async def test_objects_reach_objects_of_the_other_host_by_every_door(cluster: Cluster) -> None:
    caller, callee = _on_two_hosts(cluster, "door")
    callee_pid = cluster.host_pids()[cluster.owner(Counter, callee)]
    # ctx: the callee empties the list it got; the caller's list is untouched (arguments are copied).
    assert await cluster.get(Counter, caller).ctx_add(callee, [1, 2, 3]) == (6, [1, 2, 3])
    status, body = await cluster.get(Counter, caller).fetch_other(callee)
    assert status == 200 and f'"total":7,"pid":{callee_pid}'.encode() in body
    assert await cluster.get(Counter, caller).run_in_other(callee, 10) == (17, callee_pid)
    assert await cluster.get(Counter, caller).spawn_on_other(callee, 1) == 8
    assert await cluster.spawn(Counter, callee, increment_counter, callee, 2) == 10
    # An error crosses hosts as itself; the caller's breaker opens after 3 failures (the class's policy).
    failures = [await cluster.get(Counter, caller).ctx_fail(callee) for _ in range(4)]
    assert failures[:3] == [f"ValueError: failed on {callee_pid}"] * 3
    assert failures[3].startswith("CircuitOpenError")
    assert await cluster.get(Counter, callee).total() == 10


async def test_a_websocket_relayed_to_a_host_that_dies_is_closed_with_1012(tmp_path: Path) -> None:
    """A second, private cluster on the same Ray instance (this test kills one of its hosts)."""
    async with Cluster(hosts=2, data_dir=tmp_path / "data", objects=[Counter], name="ws-test") as cluster:

        async def app(scope: dict, receive: object, send: object) -> None:
            name = scope["path"].strip("/")
            await cluster.accept_websocket(Counter, name, WebSocket(scope, receive, send))

        name = "room-1"
        owner_pid = cluster.host_pids()[cluster.owner(Counter, name)]
        async with serving_asgi(app) as address, websockets.connect(f"ws://{address}/{name}") as ws:
            await ws.send("hello")
            assert await ws.recv() == f"{owner_pid} hello"
            os.kill(owner_pid, signal.SIGKILL)
            with pytest.raises(websockets.ConnectionClosedError):
                await ws.recv()
            assert ws.close_code == 1012
            await cluster.wait_for_hosts(1)
            # The client reconnects and reaches the object on its new host.
            async with websockets.connect(f"ws://{address}/{name}") as again:
                await again.send("back")
                survivor_pid = next(iter(cluster.host_pids().values()))
                assert await again.recv() == f"{survivor_pid} back"


async def test_a_dead_host_is_started_again_and_its_objects_come_back_to_it(tmp_path: Path) -> None:
    """A private cluster serving HTTP, as `dotdo serve` runs it, that starts a killed host again."""
    port = free_port()
    options = {"app": "cluster_app:app", "http_port": port, "replace_dead_hosts": True, "name": "replace"}
    async with (
        Cluster(hosts=2, data_dir=tmp_path / "data", objects=[Counter], **options) as cluster,
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client,
    ):
        names = [f"back-{i}" for i in range(24)]
        first = {name: (await client.post(f"/{name}/")).json() for name in names}
        victim, victim_pid = "host-0", cluster.host_pids()["host-0"]
        on_victim = {name for name in names if cluster.owner(Counter, name) == victim}
        assert on_victim and {first[name]["pid"] for name in on_victim} == {victim_pid}
        os.kill(victim_pid, signal.SIGKILL)
        async with asyncio.timeout(60):
            while cluster.host_pids().get(victim) in (None, victim_pid):
                await asyncio.sleep(0.1)
        new_pid = cluster.host_pids()[victim]
        assert not psutil.pid_exists(victim_pid) or psutil.Process(victim_pid).status() == psutil.STATUS_ZOMBIE

        async def answer(name: str) -> dict:
            # While an object moves back, a request may get 503 with Retry-After: retry as a client would.
            for _ in range(100):
                response = await client.get(f"/{name}/")
                if response.status_code != 503:
                    break
                await asyncio.sleep(0.1)
            assert response.status_code == 200, response.text
            return response.json()

        again = {name: await answer(name) for name in names}
        # Every write is there; the dead host's objects answer from the new host, the others from where they were.
        assert all(again[name]["total"] == 1 for name in names), again
        assert {name: again[name]["pid"] for name in names} == {
            name: new_pid if name in on_victim else first[name]["pid"] for name in names
        }


async def test_a_paused_host_whose_object_moved_cannot_commit_when_it_resumes(cluster: Cluster, tmp_path: Path) -> None:
    name = "fenced"
    old_owner = cluster.owner(Counter, name)
    new_owner = next(host for host in cluster.view.hosts if host != old_owner)
    old_pid = cluster.host_pids()[old_owner]
    assert await cluster.get(Counter, name).increment(1) == 1
    # An event of the old owner is in flight (it writes once the file exists) when the host is paused.
    go = tmp_path / "go"
    late_write = asyncio.create_task(cluster.get(Counter, name).add_once_file_exists(100, str(go)))
    await cluster.get(Counter, name).release_file()
    os.kill(old_pid, signal.SIGSTOP)
    try:
        await cluster.pin(Counter, name, new_owner)
        assert await cluster.get(Counter, name).bump() == (2, cluster.host_pids()[new_owner])
        await cluster.get(Counter, name).release_file()
    finally:
        os.kill(old_pid, signal.SIGCONT)
    go.touch()
    with pytest.raises(LeaseLostError, match=f"{old_owner} holds epoch 1 .* epoch 2 held by {new_owner}"):
        await late_write
    assert await cluster.get(Counter, name).total() == 2
    await cluster.pin(Counter, name, None)


async def test_a_killed_host_loses_no_acknowledged_write(cluster: Cluster) -> None:
    names = [f"load-{i}" for i in range(1000)]
    acknowledged = dict.fromkeys(names, 0)
    unacknowledged = dict.fromkeys(names, 0)
    answered_by: dict[str, list[int]] = {name: [] for name in names}
    victim, survivor = sorted(cluster.host_pids())
    victim_pid, survivor_pid = cluster.host_pids()[victim], cluster.host_pids()[survivor]
    on_victim = [name for name in names if cluster.owner(Counter, name) == victim]

    async def hammer(name: str, rounds: int) -> None:
        for _ in range(rounds):
            try:
                _total, pid = await cluster.get(Counter, name).bump()
            except HostUnavailableError:
                unacknowledged[name] += 1
                await cluster.wait_for_hosts(1)
            else:
                acknowledged[name] += 1
                answered_by[name].append(pid)

    load = asyncio.gather(*(hammer(name, 2) for name in names))
    async with asyncio.timeout(60):
        while sum(acknowledged[name] for name in on_victim) < len(on_victim) * 3 // 4:
            await asyncio.sleep(0.01)
    with_alarm = on_victim[0]
    await cluster.get(Counter, with_alarm).set_alarm_in(1.0)
    os.kill(victim_pid, signal.SIGKILL)
    await load
    await cluster.wait_for_hosts(1)
    assert list(cluster.view.hosts) == [survivor]

    # One host at a time: the victim's objects answered from the victim, then only from the survivor.
    for name, pids in answered_by.items():
        expected = [victim_pid] * pids.count(victim_pid) + [survivor_pid] * pids.count(survivor_pid)
        assert pids == expected and (name in on_victim or victim_pid not in pids), (name, pids)
    totals = await asyncio.gather(*(cluster.get(Counter, name).total() for name in names))
    for name, total in zip(names, totals, strict=True):
        assert acknowledged[name] <= total <= acknowledged[name] + unacknowledged[name], name
    assert sum(acknowledged.values()) > 0
    survivor_pid = cluster.host_pids()[survivor]
    assert set(await asyncio.gather(*(cluster.get(Counter, name).pid() for name in names[:20]))) == {survivor_pid}
    # The dead host's alarm fires on the survivor, which adopted it from the dead host's index. The bound
    # leaves room for adoption's own wait on that index (up to 10 s) on a loaded machine.
    async with asyncio.timeout(30):
        while await cluster.get(Counter, with_alarm).alarm_ran_in() is None:
            await asyncio.sleep(0.1)
    assert await cluster.get(Counter, with_alarm).alarm_ran_in() == survivor_pid


async def test_dotdo_serve_ships_every_commit_of_both_hosts_to_its_change_log(tmp_path: Path) -> None:
    port, log = free_port(), tmp_path / "log"
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "dotdo", "serve", "cluster_app:app", "--port", str(port), "--workers", "2",
        "--data-dir", str(tmp_path / "data"), "--durability", "replicated", "--replicate-to", str(log),
        cwd=HERE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            async with asyncio.timeout(90):
                while True:
                    assert server.returncode is None, (await server.stdout.read()).decode()
                    with contextlib.suppress(httpx.TransportError):
                        if (await client.get("/_dotdo/ready")).status_code == 200:
                            break
                    await asyncio.sleep(0.3)
            names = [f"logged-{i}" for i in range(12)]
            for _ in range(2):
                answers = [(await client.post(f"/{name}/")).json() for name in names]
        assert len({answer["pid"] for answer in answers}) == 2, "both hosts served"
        server.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(server.wait(), 60) == 0
    finally:
        if server.returncode is None:
            server.kill()
            await server.wait()
    # Acknowledged means in the change log: an empty folder rebuilds every object from it alone.
    async with Runtime(tmp_path / "elsewhere", objects=[Counter], replicate_to=log) as rebuilt:
        assert [await rebuilt.get(Counter, name).total() for name in names] == [2] * len(names)


async def test_dotdo_serve_answers_from_both_hosts_and_drains_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "dotdo", "serve", "cluster_app:app", "--port", str(port), "--workers", "2",
        "--data-dir", str(tmp_path / "data"), "--drain-timeout", "10",
        cwd=HERE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            async with asyncio.timeout(90):
                while True:
                    assert server.returncode is None, (await server.stdout.read()).decode()
                    try:
                        if (await client.get("/_dotdo/ready")).status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    await asyncio.sleep(0.3)
            descendants = psutil.Process(server.pid).children(recursive=True)
            scratch = _ray_scratch(descendants)
            # First requests for one new object, on many connections at once (the kernel spreads them over
            # both hosts' listeners): one activation, on its owner; every increment counted once.
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as burst:
                firsts = await asyncio.gather(*(burst.post("/fresh/") for _ in range(24)))
            assert sorted(r.json()["total"] for r in firsts) == list(range(1, 25))
            assert len({r.json()["pid"] for r in firsts}) == 1
            first = {name: (await client.post(f"/{name}/")).json() for name in (f"shop-{i}" for i in range(16))}
            again = {name: (await client.get(f"/{name}/")).json() for name in first}
            assert all(first[name]["total"] == again[name]["total"] == 1 for name in first)
            # Whichever host accepted the connection, each object answers from its one owner.
            assert all(first[name]["pid"] == again[name]["pid"] for name in first)
            assert len({answer["pid"] for answer in first.values()}) == 2
            # Cap'n Web at /rpc: whichever host takes the session, each call runs on the object's owner.
            async with dotdo.connect(f"http://127.0.0.1:{port}/rpc") as api:
                answers = await asyncio.gather(*(api.Counter(name).pid() for name in first))
            assert answers == [first[name]["pid"] for name in first]
            async with dotdo.connect(f"ws://127.0.0.1:{port}/rpc") as api:
                answers = await asyncio.gather(*(api.Counter(name).pid() for name in first))
                properties = await asyncio.gather(*(api.Counter(name).host_pid for name in first))
            assert answers == properties == [first[name]["pid"] for name in first]

            # A pipelined chain over objects of both hosts is one client round trip (one HTTP batch).
            # (Not shop-0, whose total the drain check below expects at 1.)
            by_pid = {answer["pid"]: name for name, answer in first.items() if name != "shop-0"}
            a, b = by_pid.values()
            batches: list[httpx.Request] = []

            async def count(request: httpx.Request) -> None:
                batches.append(request)

            async with (
                httpx.AsyncClient(event_hooks={"request": [count]}) as counting,
                dotdo.connect(f"http://127.0.0.1:{port}/rpc", http_client=counting) as api,
            ):
                a_total = api.Counter(a).total()
                b_total = api.Counter(b).increment(a_total)
                assert await api.Counter(a).increment(b_total) == 3
            assert len(batches) == 1

            # WebSockets: whichever host takes the connection, the object's owner answers.
            for name in list(first)[:6]:
                async with websockets.connect(f"ws://127.0.0.1:{port}/{name}/") as ws:
                    await ws.send("hi")
                    assert await ws.recv() == f"{first[name]['pid']} hi"

            status = (await client.get("/_dotdo/status")).json()
            assert [host["host"] for host in status["hosts"]] == ["host-0", "host-1"]
            assert sum(host["live_objects"] for host in status["hosts"]) >= len(first)
            # The two hosts share the machine's budget of open databases, as one `dotdo dev` process has it.
            # (Fewer if the descriptor limit, `ulimit -n`, allows fewer.)
            limits = [host["max_open_databases"] for host in status["hosts"]]
            assert limits[0] == limits[1] <= 512, limits
            printed = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "dotdo", "cluster", "status", "--url", f"http://127.0.0.1:{port}",
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            )  # fmt: skip
            table = (await printed.communicate())[0].decode()
            assert printed.returncode == 0 and "host-0" in table and "host-1" in table and "serving" in table, table

            slow = asyncio.create_task(client.post("/shop-0/slow"))
            await asyncio.sleep(0.3)
            server.send_signal(signal.SIGTERM)
            response = await slow
            assert response.status_code == 200 and response.json()["total"] == 2
        assert await asyncio.wait_for(server.wait(), 30) == 0
        left = [p for p in descendants if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
        assert left == [], left
        # Nothing of its Ray instance is left, by `ps` (even a process that was reparented), nor its scratch folder.
        table = subprocess.run(["ps", "-eo", "pid,stat,args"], capture_output=True, text=True, check=True).stdout
        stray = [line for line in table.splitlines() if scratch in line and " Z" not in line]
        assert stray == [], stray
        assert not Path(scratch).exists()
    finally:
        if server.returncode is None:
            server.kill()
            await server.wait()
