"""Fixtures of the workflow tests: run a script in a real child process over a data folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
SRC = HERE.parent.parent / "src"


def run_child(script: str, data_dir: Path, *, env: dict[str, str] | None = None, timeout: float = 60) -> int:
    """Run `script` in a fresh Python process (this folder importable); return its exit code."""
    child_env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(SRC), str(HERE)]), DOTDO_TEST_DATA=str(data_dir))
    child_env.update(env or {})
    done = subprocess.run(
        [sys.executable, "-c", script], env=child_env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode not in (0, -9):
        raise AssertionError(f"child failed ({done.returncode}):\n{done.stderr}")
    return done.returncode


@pytest.fixture
def child():
    """`child(script, data_dir, env=...)`: run a script in a real child process; returns its exit code."""
    return run_child
