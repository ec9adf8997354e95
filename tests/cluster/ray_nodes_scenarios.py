"""Cluster scenarios on two Ray nodes on this machine (`ray.cluster_utils.Cluster`, 127.0.0.1): placement
hints, a paused host noticed by health checks and fenced, a second driver finding hosts and leases, and
SIGKILL of a whole node under load. Run by test_cluster.py inside a loopback-only network namespace."""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import psutil
import pytest
import pytest_asyncio
from cluster_objects import Counter, EuCounter, MarsCounter
from lifecycle_objects import Shop
from loopback import tcp_sockets_of

from dotdo.cluster.cluster import Cluster, ClusterStub
from dotdo.cluster.fencing import LeaseLostError
from dotdo.cluster.liveness import HealthChecks
from dotdo.cluster.placement import PlacementError
from dotdo.cluster.ray_instance import HEALTH_CHECKS
from dotdo.cluster.wire import HostUnavailableError, WireClient
from dotdo.runtime.data_folder import DataFolderError
from dotdo.runtime.ids import id_from_name

pytestmark = pytest.mark.asyncio(loop_scope="module")
HERE = Path(__file__).parent
CHECKS = HealthChecks(period=0.25, timeout=1.0, failures=4)
"""Quicker than the default, still tolerant of a loaded machine (a host is removed after 1.75 s or more)."""
EU = "region:eu-west"
AMS = "colo:ams"
"""The colo label of the extra node's hosts (`move_to(colo="ams")`)."""


@pytest.fixture(scope="module")
def ray_nodes() -> Iterator[object]:
    """A head node and an extra node with the region:eu-west resource and two hosts (dotdo_hosts=2)."""
    import ray
    from ray.cluster_utils import Cluster as RayNodes

    scratch = Path(tempfile.mkdtemp(prefix="dotdo-nodes-", dir="/tmp"))
    (scratch / "home").mkdir()
    (scratch / "tmp" / "ray").mkdir(parents=True)
    (scratch / "home" / "ray_bootstrap_config.yaml").write_text("{}\n")
    os.environ.update(
        {"HOME": str(scratch / "home"), "RAY_TMPDIR": str(scratch / "tmp"), "RAY_USAGE_STATS_ENABLED": "0"}
    )
    common = {"node_ip_address": "127.0.0.1", "num_cpus": 1, "object_store_memory": 80 * 1024 * 1024}
    nodes = RayNodes(
        initialize_head=True,
        head_node_args={
            **common,
            "include_dashboard": False,
            "temp_dir": str(scratch / "tmp"),
            "_system_config": HEALTH_CHECKS,
        },
    )
    nodes.add_node(**common, resources={EU: 1, AMS: 1, "dotdo_hosts": 2})
    nodes.wait_for_nodes()
    try:
        yield nodes
    finally:
        ray.shutdown()
        nodes.shutdown()
        subprocess.run(["rm", "-rf", str(scratch)], check=False)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def cluster(ray_nodes: object, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Cluster]:
    data = tmp_path_factory.mktemp("nodes-data")
    rt = Cluster(
        address=ray_nodes.address, hosts=None, data_dir=data, objects=[Counter, EuCounter], health_checks=CHECKS
    )
    async with rt:
        yield rt


def eu_hosts(cluster: Cluster) -> list[str]:
    return sorted(host_id for host_id, info in cluster.view.hosts.items() if EU in info.labels)


async def test_one_host_per_node_and_as_many_as_a_node_asks_for(cluster: Cluster, ray_nodes: object) -> None:
    assert len(cluster.view.hosts) == 3
    # The directory lives on the head node (its raylet started it), which the node-kill scenario leaves alone.
    directory = psutil.Process(await cluster.directory.pid.remote())
    (head_raylet,) = ray_nodes.head_node.all_processes["raylet"]
    assert directory.ppid() == head_raylet.process.pid
    assert len(eu_hosts(cluster)) == 2
    assert len({info.pid for info in cluster.view.hosts.values()}) == 3


async def test_every_socket_of_both_nodes_is_on_loopback(cluster: Cluster) -> None:
    await asyncio.gather(*(cluster.get(Counter, f"warm-{i}").increment() for i in range(12)))
    seen, off_loopback = tcp_sockets_of({p.pid for p in psutil.Process().children(recursive=True)} | {os.getpid()})
    assert off_loopback == []
    assert seen > 10  # two raylets, gcs_server, three hosts' wire and health-check servers, their connections


async def test_a_class_hint_keeps_its_objects_on_matching_hosts(cluster: Cluster) -> None:
    eu_pids = {cluster.host_pids()[h] for h in eu_hosts(cluster)}
    names = [f"eu-{i}" for i in range(16)]
    pids = await asyncio.gather(*(cluster.get(EuCounter, name).pid() for name in names))
    assert set(pids) == eu_pids  # on both eu-west hosts, never on the head node's
    everywhere = await asyncio.gather(*(cluster.get(Counter, f"any-{i}").pid() for i in range(24)))
    assert set(everywhere) == set(cluster.host_pids().values())


async def test_an_object_hint_moves_one_object_and_a_hint_no_host_matches_is_refused(cluster: Cluster) -> None:
    name = next(f"plain-{i}" for i in range(100) if cluster.owner(Counter, f"plain-{i}") not in eu_hosts(cluster))
    assert await cluster.get(Counter, name).increment(5) == 5
    await cluster.place(Counter, name, EU)
    assert cluster.owner(Counter, name) in eu_hosts(cluster)
    assert await cluster.get(Counter, name).bump() == (6, cluster.host_pids()[cluster.owner(Counter, name)])
    await cluster.place(Counter, name, None)

    with pytest.raises(PlacementError, match=r"No live host carries region:mars \(live hosts: host-0"):
        await cluster.place(Counter, name, "region:mars")
    with pytest.raises(PlacementError, match="No live host matches the placement region:mars of MarsCounter"):
        await cluster.get(MarsCounter, "x").increment()


async def owned_by(cluster: Cluster, cls: type, name: str, hosts: list[str]) -> str:
    """The host of `hosts` that owns the object, once this driver's view says so (it follows the directory)."""
    async with asyncio.timeout(10):
        while cluster.owner(cls, name) not in hosts:
            await asyncio.sleep(0.05)
    return cluster.owner(cls, name)


async def test_move_to_a_colo_under_load_loses_no_acknowledged_write(cluster: Cluster) -> None:
    name = next(f"shop-{i}" for i in range(100) if cluster.owner(Shop, f"shop-{i}") not in eu_hosts(cluster))
    shop = cluster.get(Shop, name)
    acknowledged: list[str] = []
    moved = asyncio.Event()

    async def writer(w: int) -> None:
        i = 0
        while not moved.is_set() or i < 20:
            await shop.add("Order", id=f"w{w}-{i}", customer_id=f"c{i % 7}")
            acknowledged.append(f"w{w}-{i}")
            i += 1

    writers = [asyncio.create_task(writer(w)) for w in range(4)]
    while len(acknowledged) < 20:
        await asyncio.sleep(0.01)
    await shop.move_to(colo="ams")
    moved.set()
    await asyncio.gather(*writers)

    owner = await owned_by(cluster, Shop, name, eu_hosts(cluster))
    assert await cluster.run_in(Shop, name, lambda obj: os.getpid()) == cluster.host_pids()[owner]
    assert sorted(await shop.ids("Order")) == sorted(acknowledged)  # every acknowledged write, once
    assert [e["type"] for e in await shop.events("move.")] == ["move.started", "move.completed"]
    with pytest.raises(PlacementError, match="No live host carries colo:nrt"):
        await shop.move_to(colo="nrt")


async def test_shard_fork_and_promote_to_a_colo_across_hosts(cluster: Cluster) -> None:
    spread = next(
        f"sharded-{i}" for i in range(100) if len({cluster.owner(Shop, f"sharded-{i}-shard-{j}") for j in range(4)}) > 1
    )
    sharded = cluster.get(Shop, spread)
    for i in range(8):
        await sharded.add("Order", id=f"o{i}", customer_id=f"c{i}")
    assert (await sharded.shard(key="customer_id", count=4))["moved"] == 8
    for i in range(8, 16):  # routed to their shards, on this host and another
        await sharded.add("Order", id=f"o{i}", customer_id=f"c{i}")
    await sharded.change("o3", total=5)
    assert (await sharded.read("o15"))["data"] == {"customer_id": "c15"}
    assert await sharded.count("Order") == 16

    head = [h for h in cluster.view.hosts if h not in eu_hosts(cluster)]
    name = next(f"origin-{i}" for i in range(100) if cluster.owner(Shop, f"origin-{i}") in head)
    copy_name = next(f"copy-{i}" for i in range(100) if cluster.owner(Shop, f"copy-{i}") in eu_hosts(cluster))
    shop = cluster.get(Shop, name)
    for i in range(5):
        await shop.add("Customer", id=f"{name}-c{i}", customer_id=f"c{i}")
    await shop.change(f"{name}-c1", plan="gold")

    copy = await shop.fork(copy_name)  # written by the origin's host, opened by another

    assert isinstance(copy, ClusterStub) and copy.name == copy_name
    assert await copy.ids() == await shop.ids()
    assert await copy.history(f"{name}-c1") == [1, 2]
    await copy.add("Customer", id="only-in-the-copy", customer_id="x")
    assert "only-in-the-copy" not in await shop.ids()

    promoted = await shop.promote(f"{name}-c2", colo="ams")

    assert isinstance(promoted, ClusterStub)
    await owned_by(cluster, Shop, f"{name}-c2", eu_hosts(cluster))
    assert (await promoted.read(f"{name}-c2"))["data"] == {"customer_id": "c2"}
    assert (await shop.read_thing(f"{name}-c2")).data == {"customer_id": "c2"}  # the parent follows the link
    assert (await shop.read(f"{name}-c2"))["data"] == {"promoted_to": f"Shop/{name}-c2"}


async def test_a_second_driver_finds_the_hosts_and_their_leases(cluster: Cluster, ray_nodes: object) -> None:
    names = [f"kept-{i}" for i in range(6)]
    for name in names:
        await cluster.get(Counter, name).increment(7)
    # A driver in another process (a restarted front end) attaches by name, reads, and leaves.
    script = f"""
import asyncio, json, sys
sys.path.insert(0, {str(HERE)!r})
from cluster_objects import Counter
from dotdo.cluster.cluster import Cluster, ClusterStub

async def main():
    rt = Cluster(address={ray_nodes.address!r}, hosts=None, objects=[Counter])
    async with rt:
        totals = [await rt.get(Counter, name).total() for name in {names!r}]
        starts = [await rt.get(Counter, name).starts() for name in {names!r}]
        print(json.dumps({{"attached": rt.attached, "pids": rt.host_pids(), "totals": totals, "starts": starts}}))

asyncio.run(main())
"""
    done = await asyncio.create_subprocess_exec(
        sys.executable, "-c", script, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ)
    )
    out, err = await asyncio.wait_for(done.communicate(), 90)
    assert done.returncode == 0, err.decode()[-3000:]
    import json

    report = json.loads(out.decode().strip().splitlines()[-1])
    assert report["attached"] is True
    assert report["pids"] == cluster.host_pids()
    assert report["totals"] == [7] * len(names)
    # Still active on the same hosts under the same leases: nothing was activated again.
    assert report["starts"] == [1] * len(names)
    # The second driver left the hosts serving when it closed.
    assert await cluster.get(Counter, names[0]).increment() == 8


async def test_hosts_and_leases_outlive_a_driver_that_was_killed(ray_nodes: object, tmp_path: Path) -> None:
    script = f"""
import asyncio, json, sys
sys.path.insert(0, {str(HERE)!r})
from cluster_objects import Counter
from dotdo.cluster.cluster import Cluster, ClusterStub

async def main():
    rt = Cluster(address={ray_nodes.address!r}, hosts=1, name="restart", data_dir={str(tmp_path)!r}, objects=[Counter])
    await rt.start()
    await rt.get(Counter, "survivor").increment(5)
    print(json.dumps(rt.host_pids()), flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
"""
    driver = await asyncio.create_subprocess_exec(
        sys.executable, "-c", script, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ)
    )
    assert driver.stdout is not None
    line = await asyncio.wait_for(driver.stdout.readline(), 90)
    assert line, (await driver.stderr.read()).decode()[-3000:]
    import json

    pids = json.loads(line)
    driver.kill()  # no close(), no goodbye
    await driver.wait()

    rt = Cluster(address=ray_nodes.address, name="restart", objects=[Counter])
    await rt.start()
    try:
        assert rt.attached and rt.host_pids() == pids
        assert await rt.get(Counter, "survivor").total() == 5
        assert await rt.get(Counter, "survivor").starts() == 1  # the same activation, under the same lease
    finally:
        await rt.close(stop_hosts=True)
    (pid,) = pids.values()
    deadline = time.monotonic() + 30
    while psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
        assert time.monotonic() < deadline, "the host was not stopped"
        await asyncio.sleep(0.1)


async def test_dotdo_serve_killed_and_started_again_under_its_name_serves_the_same_hosts(
    ray_nodes: object, tmp_path: Path
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    argv = [
        sys.executable, "-m", "dotdo", "serve", "cluster_app:app", "--ray", ray_nodes.address, "--name", "web",
        "--workers", "1", "--port", str(port), "--data-dir", str(tmp_path / "data"), "--drain-timeout", "5",
    ]  # fmt: skip

    async def serve_until_serving() -> tuple[asyncio.subprocess.Process, str]:
        server = await asyncio.create_subprocess_exec(*argv, cwd=HERE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        assert server.stdout is not None
        printed = []
        async with asyncio.timeout(120):
            while not printed or "dotdo serve serving" not in " ".join(printed[-3:]):
                line = await server.stdout.readline()
                assert line, "".join(printed)
                printed.append(line.decode())
        return server, " ".join(" ".join(printed).split())

    first, _ = await serve_until_serving()
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        try:
            before = (await client.post("/kept/")).json()
            first.kill()  # no drain, no goodbye: the hosts are detached actors and keep serving
            await first.wait()
            assert (await client.get("/kept/")).json() == before

            second, printed = await serve_until_serving()
            try:
                assert "Found the cluster web running on Ray" in printed, printed
                after = (await client.post("/kept/")).json()
                assert (after["total"], after["pid"]) == (2, before["pid"])  # the same host and activation
            finally:
                second.send_signal(signal.SIGTERM)
                assert await asyncio.wait_for(second.wait(), 60) == 0
        finally:
            if first.returncode is None:
                first.kill()
    # Its SIGTERM drained and stopped the hosts the first one started.
    deadline = time.monotonic() + 30
    while psutil.pid_exists(before["pid"]) and psutil.Process(before["pid"]).status() != psutil.STATUS_ZOMBIE:
        assert time.monotonic() < deadline, "the host was not stopped"
        await asyncio.sleep(0.1)


async def test_a_directory_whose_hosts_all_died_is_replaced_not_attached_to(ray_nodes: object, tmp_path: Path) -> None:
    first = Cluster(address=ray_nodes.address, hosts=1, name="stale", data_dir=tmp_path, objects=[Counter])
    await first.start()
    (dead_pid,) = first.host_pids().values()
    os.kill(dead_pid, signal.SIGKILL)
    await first.wait_for_hosts(0)
    await first.close(stop_hosts=False)  # its directory stays, listing no host

    second = Cluster(address=ray_nodes.address, hosts=1, name="stale", data_dir=tmp_path, objects=[Counter])
    await second.start()
    try:
        assert not second.attached
        assert list(second.host_pids().values()) != [dead_pid]
        assert await second.get(Counter, "again").increment() == 1
    finally:
        await second.close()


async def test_a_paused_host_is_removed_by_health_checks_and_when_it_resumes_nothing_of_it_lands(
    cluster: Cluster, tmp_path: Path
) -> None:
    victim = eu_hosts(cluster)[1]
    victim_pid = cluster.host_pids()[victim]
    name = next(f"paused-{i}" for i in range(200) if cluster.owner(EuCounter, f"paused-{i}") == victim)
    assert await cluster.get(EuCounter, name).increment(1) == 1
    go = tmp_path / "go"
    late_write = asyncio.create_task(cluster.get(EuCounter, name).add_once_file_exists(100, str(go)))
    await cluster.get(EuCounter, name).release_file()
    while not (tmp_path / "go.waiting").exists():  # the event runs on the host
        await asyncio.sleep(0.01)
    oid = id_from_name(EuCounter, name)
    direct = WireClient(cluster.view.hosts[victim].wire, victim)
    hosts_before = len(cluster.view.hosts)
    os.kill(victim_pid, signal.SIGSTOP)
    try:
        await cluster.wait_for_hosts(hosts_before - 1)
        assert victim not in cluster.view.hosts
        # A client that still talks to the paused host: its request waits in the socket.
        queued = asyncio.create_task(
            direct.request("call", (oid.namespace, oid.hex, name, 1, "increment", (1000,), {}))
        )
        await asyncio.sleep(0.2)
        new_owner = cluster.owner(EuCounter, name)
        assert await cluster.get(EuCounter, name).bump() == (2, cluster.host_pids()[new_owner])
        await cluster.get(EuCounter, name).release_file()
    finally:
        os.kill(victim_pid, signal.SIGCONT)
    go.touch()
    with pytest.raises(LeaseLostError, match=f"{victim} holds epoch 1 .* epoch 2 held by {new_owner}"):
        await late_write
    with pytest.raises(HostUnavailableError, match=victim):
        await queued
    await direct.close()
    assert await cluster.get(EuCounter, name).total() == 2
    # The removed host ends its own process once it resumes and sees it was removed.
    deadline = time.monotonic() + 30
    while psutil.pid_exists(victim_pid) and psutil.Process(victim_pid).status() != psutil.STATUS_ZOMBIE:
        assert time.monotonic() < deadline, "the removed host kept running"
        await asyncio.sleep(0.1)


async def test_a_data_folder_a_node_does_not_share_is_refused_at_start(ray_nodes: object, tmp_path: Path) -> None:
    import ray

    data = tmp_path / "data"
    data.mkdir()
    # A third node whose processes see another filesystem at the data folder's path.
    start_node = (
        f'mount -t tmpfs tmpfs {data} && exec "$0" start --address={ray_nodes.address} '
        """--node-ip-address=127.0.0.1 --num-cpus=0 --resources='{"elsewhere": 1}' --block"""
    )
    ray_cli = str(Path(sys.executable).with_name("ray"))
    command = ["unshare", "-m", "--propagation", "private", "sh", "-c", start_node, ray_cli]
    node = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        async with asyncio.timeout(60):
            while not any(n["Alive"] and "elsewhere" in n["Resources"] for n in ray.nodes()):
                assert node.poll() is None, "ray start failed"
                await asyncio.sleep(0.2)
        rt = Cluster(address=ray_nodes.address, hosts=None, data_dir=data, name="unshared", health_checks=CHECKS)
        with pytest.raises(DataFolderError, match=r"The data folder .* is not shared with host host-\d \(pid \d+\)"):
            await rt.start()
        # Nothing of the failed start keeps running: its directory and hosts were killed.
        async with asyncio.timeout(30):
            while [name for name in ray.util.list_named_actors() if name.startswith("unshared:")]:
                await asyncio.sleep(0.1)
    finally:
        processes = [psutil.Process(node.pid), *psutil.Process(node.pid).children(recursive=True)]
        os.killpg(node.pid, signal.SIGTERM)
        _gone, alive = psutil.wait_procs(processes, timeout=20)
        for process in alive:
            process.kill()


async def test_a_killed_node_loses_no_acknowledged_write_and_its_alarms_fire_once(
    cluster: Cluster, ray_nodes: object
) -> None:
    (eu_node,) = ray_nodes.worker_nodes
    names = [f"node-load-{i}" for i in range(1000)]
    acknowledged = dict.fromkeys(names, 0)
    unacknowledged = dict.fromkeys(names, 0)
    answered_by: dict[str, list[int]] = {name: [] for name in names}
    doomed = {cluster.host_pids()[h] for h in eu_hosts(cluster)}
    on_doomed = [name for name in names if cluster.owner(Counter, name) in eu_hosts(cluster)]
    assert on_doomed
    with_alarm = on_doomed[0]
    survivors = len(cluster.view.hosts) - len(eu_hosts(cluster))

    async def settled() -> None:
        try:
            await cluster.wait_for_hosts(survivors, timeout=30)
        except TimeoutError:
            departed = await cluster.directory.departed.remote()
            raise AssertionError(f"hosts now {sorted(cluster.view.hosts)}; departed: {departed}") from None

    async def hammer(name: str, rounds: int) -> None:
        for _ in range(rounds):
            try:
                _total, pid = await cluster.get(Counter, name).bump()
            except HostUnavailableError:
                unacknowledged[name] += 1
                await settled()
            else:
                acknowledged[name] += 1
                answered_by[name].append(pid)

    load = asyncio.gather(*(hammer(name, 2) for name in names))
    async with asyncio.timeout(60):
        while sum(acknowledged[name] for name in on_doomed) < len(on_doomed) // 2:
            await asyncio.sleep(0.01)
    # Due just after the node dies: missed there, fired by the survivor that adopts it.
    await cluster.get(Counter, with_alarm).set_alarm_in(0.3)
    for pid in doomed:
        os.kill(pid, signal.SIGKILL)
    await asyncio.to_thread(ray_nodes.remove_node, eu_node, False)
    await load
    await settled()

    survivor_pids = set(cluster.host_pids().values())
    for name, pids in answered_by.items():
        # One host at a time: never back to a dead host once a survivor answered.
        first_survivor = next((i for i, pid in enumerate(pids) if pid in survivor_pids), len(pids))
        assert all(pid in survivor_pids for pid in pids[first_survivor:]), (name, pids)
        assert len(set(pids[:first_survivor])) <= 1, (name, pids)

    async def read_total(name: str) -> int:
        # A read may still reach the dead host while the view settles: like a client, retry it.
        for _ in range(50):
            try:
                return await cluster.get(Counter, name).total()
            except HostUnavailableError:
                await asyncio.sleep(0.2)
        return await cluster.get(Counter, name).total()

    totals = await asyncio.gather(*(read_total(name) for name in names))
    for name, total in zip(names, totals, strict=True):
        assert acknowledged[name] <= total <= acknowledged[name] + unacknowledged[name], name
    assert sum(acknowledged.values()) >= len(names)
    # The alarm was due while its node died: it fires on a survivor, once.
    async with asyncio.timeout(30):
        while await cluster.get(Counter, with_alarm).alarms() == 0:
            await asyncio.sleep(0.1)
    await asyncio.sleep(1.0)
    assert await cluster.get(Counter, with_alarm).alarms() == 1
    assert await cluster.get(Counter, with_alarm).alarm_ran_in() in survivor_pids
