"""Peak memory of bashx scripts, measured in a fresh Python process so earlier work cannot hide it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

PEAK_PROBE = """
import json, resource, sys, tempfile
from pathlib import Path
from dotdo.primitives.bashx import Bash
from dotdo.primitives.fsx import FileSystem
from dotdo.runtime.storage import Storage

with tempfile.TemporaryDirectory() as folder:
    bash = Bash(FileSystem(Storage(Path(folder) / "object.sqlite")))
    bash.run_sync("echo warm | grep w | sed s/w/W/ | awk '{print}' | sort | wc -l", timeout=60)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    outputs = [bash.run_sync(script, timeout=600).stdout for script in sys.argv[1:]]
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(json.dumps({"grown_mb": grown // 1024, "outputs": outputs}))
"""


def peak_growth_and_outputs(scripts: list[str]) -> tuple[int, list[str]]:
    """Run ``scripts`` in a fresh Python process: how much its peak memory grew (MB), and their outputs."""
    probe = subprocess.run(
        [sys.executable, "-c", PEAK_PROBE, *scripts],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
        env={"PYTHONPATH": str(Path(__file__).parents[3] / "src"), "PATH": "/usr/bin:/bin"},
    )
    report = json.loads(probe.stdout)
    return report["grown_mb"], report["outputs"]
