"""The budget of open SQLite connections: idle ones close, ones holding writes not yet durable stay open."""

from __future__ import annotations

from pathlib import Path

import pytest

from dotdo.runtime.connection_budget import DEFAULT_MAX_OPEN, MAX_OPEN_VARIABLE, ConnectionBudget
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
