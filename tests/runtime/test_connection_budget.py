"""The budget of open SQLite connections: idle ones close, ones holding writes not yet durable stay open."""

from __future__ import annotations

import sqlite3
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from dotdo.runtime.connection_budget import DEFAULT_MAX_OPEN, MAX_OPEN_VARIABLE, ConnectionBudget
from dotdo.runtime.connection_closer import ConnectionCloser
from dotdo.runtime.group_commit import GroupCommit
from dotdo.runtime.storage import Storage


def open_storage(folder: Path, name: str, commit: GroupCommit, budget: ConnectionBudget) -> Storage:
    return Storage(folder / f"{name}.sqlite", durability=commit.durability, group_commit=commit, budget=budget)


async def test_idle_connections_close_oldest_first_and_reopen_with_their_data(tmp_path: Path) -> None:
    commit, budget = GroupCommit("process"), ConnectionBudget(max_open=2)
    stores = [open_storage(tmp_path, name, commit, budget) for name in "abc"]
    for index, store in enumerate(stores):
        store.put("n", index)
        await store.settled()
    assert len(budget) == 2
    assert [store.is_open for store in stores] == [False, True, True]
    assert stores[0].get("n") == 0
    assert stores[0].is_open and not stores[1].is_open


async def test_a_connection_whose_fsync_is_running_is_not_closed(tmp_path: Path) -> None:
    commit, budget = GroupCommit("power"), ConnectionBudget(max_open=1)
    first = open_storage(tmp_path, "first", commit, budget)
    first.put("k", "durable")
    commit.flush()
    waiter = first.commit_waiter()
    assert waiter is not None and not waiter.done(), "the fsync of the committed write is still to run"
    assert first.unsettled

    second = open_storage(tmp_path, "second", commit, budget)
    second.put("k", "other")

    assert first.is_open, "closing it now would pull the WAL handle from under the running fsync"
    await first.settled()
    await second.settled()
    assert not first.unsettled
    third = open_storage(tmp_path, "third", commit, budget)
    third.put("k", "third")
    await third.settled()
    assert not first.is_open, "once durable, the oldest idle connection is the one to close"
    assert first.get("k") == "durable"
    for store in (first, second, third):
        store.close()


def test_the_environment_sets_the_default_budget_and_a_bad_value_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(MAX_OPEN_VARIABLE, "300")
    assert ConnectionBudget().max_open == 300
    for bad in ("0", "-4", "many", "2.5"):
        monkeypatch.setenv(MAX_OPEN_VARIABLE, bad)
        with pytest.raises(ValueError, match=f"{MAX_OPEN_VARIABLE} must be a whole number"):
            ConnectionBudget()
    monkeypatch.delenv(MAX_OPEN_VARIABLE)
    assert ConnectionBudget().max_open <= DEFAULT_MAX_OPEN


class GatedCloser(ConnectionCloser):
    """Holds every close back until `gate` is set, as a slow disk would during the closing checkpoint."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.pool = ThreadPoolExecutor(2)

    def close(self, conn: sqlite3.Connection) -> Future[None] | None:
        def close_when_allowed() -> None:
            self.gate.wait(10)
            conn.close()

        return self.pool.submit(close_when_allowed)


async def test_a_database_released_in_the_background_is_reopened_only_once_its_close_is_done(
    tmp_path: Path,
) -> None:
    commit, budget = GroupCommit("process"), ConnectionBudget(max_open=1)
    budget.closer = closer = GatedCloser()
    first = open_storage(tmp_path, "first", commit, budget)
    first.put("n", 1)
    await first.settled()
    second = open_storage(tmp_path, "second", commit, budget)
    second.put("n", 2)
    assert not first.is_open, "opening the second released the first"
    assert (tmp_path / "first.sqlite-wal").exists(), "its close (and checkpoint) is still held back"

    threading.Timer(0.2, closer.gate.set).start()
    assert first.get("n") == 1, "the reopen waits for the close instead of finding the file locked"
    second.close()
    first.close()
    assert not (tmp_path / "first.sqlite-wal").exists() and not (tmp_path / "second.sqlite-wal").exists()
    closer.pool.shutdown()


async def test_releasing_a_connection_returns_with_the_file_closed_even_after_a_background_release(
    tmp_path: Path,
) -> None:
    commit, budget = GroupCommit("process"), ConnectionBudget(max_open=1)
    budget.closer = closer = GatedCloser()
    first = open_storage(tmp_path, "first", commit, budget)
    first.put("n", 1)
    await first.settled()
    open_storage(tmp_path, "second", commit, budget).put("n", 2)
    threading.Timer(0.2, closer.gate.set).start()
    first.release_connection()
    assert not (tmp_path / "first.sqlite-wal").exists(), "a copy of the file taken now is whole"
    with sqlite3.connect(tmp_path / "first.sqlite") as reader:
        assert reader.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] >= 1
    closer.pool.shutdown()
