"""Cluster scenarios of the change log on two Ray nodes on this machine (127.0.0.1): hosts that share no
folder, a host SIGKILLed under load whose objects are rebuilt elsewhere from object storage (moto's S3
server), and read replicas on the hosts of other regions. Run by test_cluster.py inside a
loopback-only network namespace."""

import asyncio
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from replication_objects import Ledger, LondonLedger

from dotdo.cluster.cluster import Cluster
from dotdo.cluster.liveness import HealthChecks
from dotdo.cluster.location import normalize_location
from dotdo.cluster.placement import PlacementError
from dotdo.cluster.ray_instance import HEALTH_CHECKS
from dotdo.cluster.replicas import ReplicaWriteError, replicate
from dotdo.cluster.wire import HostUnavailableError

pytestmark = pytest.mark.asyncio(loop_scope="module")
CHECKS = HealthChecks(period=0.25, timeout=1.0, failures=4)
US, EU, LONDON = "region:us-east", "region:eu-west", "colo:lhr"


@pytest.fixture(scope="module")
def ray_nodes() -> Iterator[object]:
    """A head node labelled region:us-east (one host) and a node labelled region:eu-west and colo:lhr (two hosts)."""
    import ray
    from ray.cluster_utils import Cluster as RayNodes

    scratch = Path(tempfile.mkdtemp(prefix="dotdo-repl-", dir="/tmp"))
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
            "resources": {US: 1},
        },
    )
    nodes.add_node(**common, resources={EU: 1, LONDON: 1, "dotdo_hosts": 2})
    nodes.wait_for_nodes()
    try:
        yield nodes
    finally:
        ray.shutdown()
        nodes.shutdown()
        subprocess.run(["rm", "-rf", str(scratch)], check=False)


@pytest.fixture(scope="module")
def s3_bucket() -> Iterator[tuple[str, dict[str, str]]]:
    """A bucket on moto's S3 server, started on a free 127.0.0.1 port for this module: its URL and options."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint, bucket = f"http://127.0.0.1:{port}", f"log-{secrets.token_hex(4)}"
    deadline = time.monotonic() + 30
    try:
        while True:
            try:
                urllib.request.urlopen(urllib.request.Request(f"{endpoint}/{bucket}", method="PUT"), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "moto's S3 server did not start"
                time.sleep(0.1)
        options = {"endpoint": endpoint, "access_key_id": "test", "secret_access_key": "test", "region": "us-east-1"}
        yield f"s3://{bucket}/dotdo", options
    finally:
        server.terminate()
        server.wait(10)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def shipped(
    ray_nodes: object, s3_bucket: tuple[str, dict[str, str]], tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Cluster]:
    """Three hosts in replicated mode shipping to S3, each with its own data folder."""
    url, options = s3_bucket
    rt = Cluster(
        address=ray_nodes.address,
        hosts=None,
        data_dir=tmp_path_factory.mktemp("shipped"),
        objects=[Ledger],
        durability="replicated",
        replicate_to=url,
        replicate_options=options,
        name="shipped",
        health_checks=CHECKS,
        # Replicas look at their log only when the owner says commits are uploaded (or a read asks).
        replica_poll_interval=3600,
    )
    async with rt:
        yield rt


async def read_total(cluster: Cluster, name: str) -> int:
    """The object's total; a read that reaches a dead host while the view settles is retried, as a client would."""
    for _ in range(50):
        try:
            return await cluster.get(Ledger, name).total()
        except HostUnavailableError:
            await asyncio.sleep(0.2)
    return await cluster.get(Ledger, name).total()


async def test_hosts_share_no_folder(shipped: Cluster) -> None:
    root = Path(shipped.data_dir)
    folders = [root / "hosts" / host_id / "objects" for host_id in shipped.view.hosts]
    assert len(folders) == 3
    assert all(folder.is_dir() and not folder.is_symlink() for folder in folders)
    assert not (root / "objects").exists()
    _bookmark, pid = await shipped.get(Ledger, "first").add(1)
    owner = shipped.owner(Ledger, "first")
    assert pid == shipped.host_pids()[owner]
    files = [path for folder in folders for path in folder.rglob("*.sqlite")]
    assert [path.parts[-5] for path in files] == [owner]  # only the owner holds a copy


async def test_a_class_placed_by_a_location_runs_on_the_hosts_of_that_place(shipped: Cluster) -> None:
    london = {shipped.host_pids()[h] for h, info in shipped.view.hosts.items() if LONDON in info.labels}
    pids = await asyncio.gather(*(shipped.get(LondonLedger, f"uk-{i}").add(1) for i in range(8)))
    assert {pid for _bookmark, pid in pids} <= london


async def test_a_killed_host_is_rebuilt_elsewhere_from_the_store_with_every_acknowledged_write(
    shipped: Cluster,
) -> None:
    names = [f"load-{i}" for i in range(200)]
    victim = next(h for h in sorted(shipped.view.hosts) if EU in shipped.view.hosts[h].labels)
    victim_pid = shipped.host_pids()[victim]
    on_victim = [name for name in names if shipped.owner(Ledger, name) == victim]
    assert on_victim
    acknowledged = dict.fromkeys(names, 0)
    refused = dict.fromkeys(names, 0)
    answered_by: dict[str, list[int]] = {name: [] for name in names}

    async def hammer(name: str, rounds: int) -> None:
        for _ in range(rounds):
            try:
                _bookmark, pid = await shipped.get(Ledger, name).add(1)
            except HostUnavailableError:
                refused[name] += 1
                async with asyncio.timeout(30):
                    while victim in shipped.view.hosts:
                        await asyncio.sleep(0.05)
            else:
                acknowledged[name] += 1
                answered_by[name].append(pid)

    # Objects of the victim with an alarm and no call to come: the survivors must fire them all the same.
    reminded = [name for name in (f"remind-{i}" for i in range(40)) if shipped.owner(Ledger, name) == victim][:4]
    markers = Path(tempfile.mkdtemp(prefix="dotdo-alarms-"))
    await asyncio.gather(*(shipped.get(Ledger, name).remind(str(markers / name), 10.0) for name in reminded))
    await asyncio.sleep(1.0)  # the host's copy of its alarm index reaches the store (every 0.5 s)
    load = asyncio.gather(*(hammer(name, 4) for name in names))
    async with asyncio.timeout(60):
        while sum(acknowledged[name] for name in on_victim) < len(on_victim):
            await asyncio.sleep(0.01)
    os.kill(victim_pid, signal.SIGKILL)
    # Its disk is gone with it: the survivors have only the object store.
    shutil.rmtree(Path(shipped.data_dir) / "hosts" / victim)
    await load
    await shipped.wait_for_hosts(2, timeout=30)
    async with asyncio.timeout(45):
        while not all((markers / name).exists() for name in reminded):
            await asyncio.sleep(0.1)
    survivors = set(shipped.host_pids().values())
    assert reminded and all(int((markers / name).read_text()) in survivors for name in reminded)
    shutil.rmtree(markers)

    totals = await asyncio.gather(*(read_total(shipped, name) for name in names))
    for name, total in zip(names, totals, strict=True):
        assert acknowledged[name] <= total <= acknowledged[name] + refused[name], name
    moved = [name for name in on_victim if answered_by[name] and answered_by[name][-1] in survivors]
    assert moved  # some of the victim's objects took writes again on a survivor, after being rebuilt there
    assert sum(acknowledged.values()) >= 2 * len(names)


TOTAL = "SELECT coalesce(sum(amount), 0) FROM entries"


async def test_replicas_on_hosts_of_other_places_read_your_writes_with_a_bookmark(shipped: Cluster) -> None:
    replicas = await replicate(
        shipped, Ledger, primary="us-east", secondaries=["London"], read_preference="nearest", forward_writes=False
    )
    host = replicas.replica_host("acme", "lhr")
    assert LONDON in shipped.view.hosts[host].labels
    for amount in range(1, 11):
        bookmark, pid = await replicas.call("acme", "add", amount)
        assert US in shipped.view.hosts[next(h for h, p in shipped.host_pids().items() if p == pid)].labels
        # Read right after the write, on a replica that polls its log: the bookmark makes it catch up first.
        assert await replicas.read("acme", TOTAL, near="London", bookmark=bookmark) == [(amount * (amount + 1) // 2,)]
    assert await replicas.read("acme", TOTAL, near="New York") == [(55,)]  # the primary's region: the primary
    # No bookmark and no poll within the hour: the primary's host tells the replica's host of the upload.
    await replicas.call("acme", "add", 45)
    async with asyncio.timeout(30):
        while await replicas.read("acme", TOTAL, near="London") != [(100,)]:
            await asyncio.sleep(0.05)
    kept = Path(shipped.data_dir) / "hosts" / host / "replicas" / "lhr" / "Ledger"
    assert len(list(kept.glob("*.sqlite"))) == 1  # the replica lives on the London host, in its own folder
    await replicas.catch_up("acme")
    (lag,) = await replicas.lag("acme")
    assert (lag.location, lag.commits_behind) == (normalize_location("lhr"), 0)
    assert 0 <= lag.p50 <= lag.p99

    with pytest.raises(ReplicaWriteError, match="read-only"):
        await replicas.read("acme", "INSERT INTO entries (amount) VALUES (1)", near="London")
    with pytest.raises(ReplicaWriteError, match="send writes to the primary"):
        await replicas.call("acme", "add", 1, at="London")
    with pytest.raises(PlacementError, match="No live host carries colo:nrt"):
        await (await replicate(shipped, Ledger, primary="us-east", secondaries=["Tokyo"])).catch_up("acme")


async def test_a_replica_is_promoted_when_the_primary_host_is_killed(shipped: Cluster) -> None:
    replicas = await replicate(shipped, Ledger, primary="us-east", secondaries=["eu-west"])
    acknowledged = 0
    for amount in (1, 2, 3):
        _bookmark, pid = await replicas.call("promoted", "add", amount)
        acknowledged += amount
    (primary_host,) = [h for h, p in shipped.host_pids().items() if p == pid]
    os.kill(pid, signal.SIGKILL)
    shutil.rmtree(Path(shipped.data_dir) / "hosts" / primary_host)
    async with asyncio.timeout(30):
        while primary_host in shipped.view.hosts:
            await asyncio.sleep(0.05)

    assert await replicas.promote("promoted") == normalize_location("eu-west")
    _bookmark, pid = await replicas.call("promoted", "add", 4)  # writes go on, in the promoted place
    assert EU in shipped.view.hosts[next(h for h, p in shipped.host_pids().items() if p == pid)].labels
    assert await replicas.read("promoted", TOTAL) == [(acknowledged + 4,)]
