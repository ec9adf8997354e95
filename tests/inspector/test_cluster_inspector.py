"""`dotdo serve --inspector`: cluster_scenarios.py on real Ray, in a loopback-only network namespace."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cluster.test_cluster import _loopback_only

HERE = Path(__file__).parent
ROOT = HERE.parents[1]


@pytest.mark.timeout(300)
def test_the_inspector_under_dotdo_serve_on_real_ray() -> None:
    scenarios = str(HERE / "cluster_scenarios.py")
    pytest_args = [scenarios, "-p", "no:cacheprovider", "-o", "addopts=", "--tb=short"]
    command = _loopback_only([sys.executable, "-m", "pytest", *pytest_args])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(HERE), str(ROOT)])}
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=290)
    failures = result.stdout.find("= FAILURES =")
    assert result.returncode == 0, result.stdout[failures:][:8000] if failures >= 0 else result.stdout[-6000:]
    summary = result.stdout.strip().splitlines()[-1]
    assert re.search(r"\b1 passed\b", summary) and "failed" not in summary and "skipped" not in summary, summary


def test_inspector_write_without_the_inspector_is_refused() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(
        [sys.executable, "-m", "dotdo", "serve", "shop_app:app", "--inspector-write"],
        cwd=HERE,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0 and "--inspector-write goes with --inspector" in done.stdout + done.stderr
