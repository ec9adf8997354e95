"""The cluster on real Ray: runs ray_scenarios.py in a loopback-only network namespace when possible."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
SRC = HERE.parents[1] / "src"


def _loopback_namespace_works() -> bool:
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return False
    probe = subprocess.run(["unshare", "-n", "sh", "-c", "ip link set lo up"], capture_output=True)
    return probe.returncode == 0


def _loopback_only(command: list[str]) -> list[str]:
    """`command` inside a network namespace with only loopback up, where the kernel allows one."""
    if not _loopback_namespace_works():
        return command
    # Only loopback exists in the namespace: no packet can leave the machine, whatever Ray tries.
    return ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", *command]


# A loaded 2-core machine runs each module in one to two and a half minutes.
@pytest.mark.timeout(600)
@pytest.mark.parametrize("scenarios", ["ray_scenarios.py", "ray_nodes_scenarios.py", "ray_replication_scenarios.py"])
def test_cluster_scenarios_on_real_ray(scenarios: str) -> None:
    scenarios = str(HERE / scenarios)
    # Without the captured output: a killed raylet echoes its log, which would bury the assertion.
    pytest_args = [scenarios, "-p", "no:cacheprovider", "-o", "addopts=", "--show-capture=no", "--tb=short"]
    command = _loopback_only([sys.executable, "-m", "pytest", *pytest_args])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), str(HERE)])}
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=HERE.parents[1], timeout=580)
    failures = result.stdout.find("= FAILURES =")
    assert result.returncode == 0, result.stdout[failures:][:8000] if failures >= 0 else result.stdout[-6000:]
    summary = result.stdout.strip().splitlines()[-1]
    assert re.search(r"\b\d+ passed\b", summary) and "failed" not in summary and "skipped" not in summary, summary


@pytest.mark.timeout(180)
def test_the_cluster_example_runs(tmp_path: Path) -> None:
    example = HERE.parents[1] / "examples" / "cluster_counters.py"
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    done = subprocess.run(
        _loopback_only([sys.executable, str(example)]),
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=170,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 hosts: host-0 (pid" in done.stdout
    assert "hooli: 2  (on host-0)" in done.stdout and "acme: 2  (on host-1)" in done.stdout


@pytest.mark.timeout(180)
def test_the_placement_example_runs(tmp_path: Path) -> None:
    example = HERE.parents[1] / "examples" / "cluster_placement.py"
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    done = subprocess.run(
        _loopback_only([sys.executable, str(example)]),
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=170,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "host-0: labels region:eu-west" in done.stdout and "paris: 3  (on host-" in done.stdout
    assert "refused: No live host matches the placement region:mars of MarsCounter" in done.stdout


@pytest.mark.timeout(180)
def test_the_replication_example_runs(tmp_path: Path) -> None:
    example = HERE.parents[1] / "examples" / "cluster_replication.py"
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    done = subprocess.run(
        _loopback_only([sys.executable, str(example)]),
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=170,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"host-1 killed; its \d+ accounts rebuilt on host-0 from the store: \[10(, 10)*\]", done.stdout)
    assert "read in London with the write's bookmark: 100" in done.stdout


def test_resources_label_only_a_local_instance() -> None:
    from dotdo.cluster import Cluster

    with pytest.raises(ValueError, match="resources= labels the node of a local Ray instance"):
        Cluster(address="auto", resources={"region:eu-west": 1})


@pytest.mark.parametrize("hosts", [0, -1])
def test_a_cluster_needs_at_least_one_host(hosts: int) -> None:
    from dotdo.cluster import Cluster

    with pytest.raises(ValueError, match="at least one host"):
        Cluster(hosts=hosts)


def test_replicated_durability_needs_a_store_every_host_reaches() -> None:
    from dotdo.cluster import Cluster

    with pytest.raises(ValueError, match="needs replicate_to="):
        Cluster(hosts=1, durability="replicated")
    with pytest.raises(ValueError, match="durability must be process, power or replicated"):
        Cluster(hosts=1, durability="eventually")


def test_serving_http_needs_an_app() -> None:
    from dotdo.cluster import Cluster

    with pytest.raises(ValueError, match="http_port needs app="):
        Cluster(hosts=1, http_port=8787)


async def test_a_cluster_that_was_not_started_says_so() -> None:
    from dotdo.cluster import Cluster
    from dotdo.cluster.wire import HostUnavailableError
    from tests.cluster.cluster_objects import Counter

    with pytest.raises(HostUnavailableError, match="not running"):
        await Cluster(hosts=1, objects=[Counter]).get(Counter, "acme").increment()
