"""Fixtures of the context tests: a helper that runs a script in a child process over a data folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
SRC = HERE.parent.parent / "src"


def run_child(script: str, data_dir: Path, *, expect_kill: bool = False, timeout: float = 60) -> str:
    """Run `script` in a fresh Python process (with this folder importable); return its stdout.

    With `expect_kill` the child is expected to die of SIGKILL (it kills itself at the crash point).
    """
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(SRC), str(HERE)]), DOTDO_TEST_DATA=str(data_dir))
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if expect_kill:
        assert done.returncode == -9, f"child was expected to die of SIGKILL: {done.returncode}\n{done.stderr}"
    else:
        assert done.returncode == 0, f"child failed ({done.returncode}):\n{done.stderr}"
    return done.stdout


@pytest.fixture
def child():
    """`child(script, data_dir, expect_kill=False)`: run a script in a real child process."""
    return run_child
