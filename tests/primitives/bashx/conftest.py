"""Fixtures for bashx: a real fsx filesystem on a real SQLite file, and a shell over it."""

from __future__ import annotations

from pathlib import Path

import pytest

from dotdo.primitives.bashx import Bash
from dotdo.primitives.fsx import FileSystem
from dotdo.runtime.storage import Storage


@pytest.fixture
def fs(tmp_path: Path) -> FileSystem:
    """An empty filesystem in ``tmp_path / "object.sqlite"``."""
    return FileSystem(Storage(tmp_path / "object.sqlite"))


@pytest.fixture
def bash(fs: FileSystem) -> Bash:
    """A shell over ``fs`` with the default sandbox settings."""
    return Bash(fs)
