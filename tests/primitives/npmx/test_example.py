"""examples/npmx_project.py runs as its docstring says, against the local registry."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.primitives.npmx.local_registry import LocalRegistry

ROOT = Path(__file__).resolve().parents[3]


def test_the_npmx_example_runs(registry: LocalRegistry, tmp_path: Path) -> None:
    registry.publish({"name": "is-number", "version": "7.0.0"}, {"index.js": "module.exports = n => true\n"})
    registry.publish({"name": "left-pad", "version": "1.3.0"}, {"index.js": "module.exports = s => s\n"})
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "DOTDO_EXAMPLE_REGISTRY": registry.url}
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "npmx_project.py")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "npm run report: ['prereport', 'report'] -> ['checking', 'is-number', 'left-pad']" in done.stdout
    assert "ci reinstalled 2 packages, 0 downloaded" in done.stdout
