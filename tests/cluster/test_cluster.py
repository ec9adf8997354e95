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


@pytest.mark.timeout(300)
def test_cluster_scenarios_on_real_ray() -> None:
    scenarios = str(HERE / "ray_scenarios.py")
    command = [sys.executable, "-m", "pytest", scenarios, "-p", "no:cacheprovider", "-o", "addopts="]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), str(HERE)])}
    if _loopback_namespace_works():
        # Only loopback exists in the namespace: no packet can leave the machine, whatever Ray tries.
        command = ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", *command]
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=HERE.parents[1], timeout=280)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    summary = result.stdout.strip().splitlines()[-1]
    assert re.search(r"\b\d+ passed\b", summary) and "failed" not in summary and "skipped" not in summary, summary


@pytest.mark.parametrize("hosts", [0, -1])
def test_a_cluster_needs_at_least_one_host(hosts: int) -> None:
    from dotdo.cluster import Cluster

    with pytest.raises(ValueError, match="at least one host"):
        Cluster(hosts=hosts)


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
