"""Fixtures of the graph tests: a real SQLite storage and the stores over it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dotdo.graph import Relationships, Things
from dotdo.runtime.storage import Storage


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[Storage]:
    store = Storage(tmp_path / "object.sqlite")
    yield store
    store.close()


@pytest.fixture
def things(storage: Storage) -> Things:
    return Things(storage)


@pytest.fixture
def relationships(storage: Storage) -> Relationships:
    return Relationships(storage)
