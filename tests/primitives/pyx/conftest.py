"""Fixtures for pyx: a real fsx filesystem on a real SQLite file, and sandboxed Python over it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dotdo.primitives.bashx import SandboxConfig, SandboxExecutor, SandboxLimits
from dotdo.primitives.fsx import FileSystem
from dotdo.primitives.pyx import PyConfig, Python, SandboxPool
from dotdo.runtime.storage import Storage


@pytest.fixture
def fs(tmp_path: Path) -> FileSystem:
    """An empty filesystem in ``tmp_path / "object.sqlite"``."""
    return FileSystem(Storage(tmp_path / "object.sqlite"))


@pytest.fixture(scope="module")
def pool() -> Iterator[SandboxPool]:
    """One pool of warm sandboxes for a test module, closed at its end."""
    limits = SandboxLimits(wall_clock_seconds=120.0)
    pool = SandboxPool(SandboxExecutor(SandboxConfig(limits=limits)), size=1)
    yield pool
    pool.close()


@pytest.fixture
def py(fs: FileSystem, pool: SandboxPool) -> Python:
    """Sandboxed Python over ``fs``."""
    return Python(fs, pool=pool, config=PyConfig(limits=pool.executor.config.limits, warm=1))
