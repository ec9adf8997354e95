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
