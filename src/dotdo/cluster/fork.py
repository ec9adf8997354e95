"""`fork(new_name)`: a copy of an object's whole state, taken at one commit point.

Inside one event of the object (so no write of it is half done), its pending writes are committed,
then `VACUUM INTO` copies the database as of that commit (through the object's own connection,
which holds the file exclusively): things, key-value data, events,
journals, git refs and objects, fsx metadata, everything in its tables. fsx file contents kept as
blobs beside the database are linked (hard links: blobs never change once written, so the copy
shares them by reference) or copied where links are not possible. The copy's schedules are paused
(kept, listed in `paused_schedules`, their timers removed) until `enable_schedules()` is called on
it, so a fork never repeats its origin's scheduled work by surprise.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
from pathlib import Path
from typing import Any

PAUSED_TABLE = "paused_schedules"
_SCHEDULES = "schedules"
_TIMERS = "_dotdo_timers"
_SCHEDULE_TIMER_PREFIX = "dotdo:schedule:"


class ForkError(ValueError):
    """A fork that cannot be made as asked."""


def copy_database(storage: Any, target: Path) -> None:
    """Commit `storage` and copy its database as of that commit to a new file `target`.

    The object's connection holds its file exclusively, so the copy is written through it
    (`VACUUM INTO`, which reads one consistent snapshot); the copy is then prepared on its own.
    """
    if target.exists():
        raise ForkError(f"The fork target already has a database ({target.name}); fork to a new name")
    run_internal = getattr(storage, "run_internal", None)
    if run_internal is None:
        raise NotImplementedError(f"fork needs a local SQLite storage; {type(storage).__name__} cannot be copied yet")
    target.parent.mkdir(parents=True, exist_ok=True)
    storage.commit()
    run_internal("VACUUM INTO ?", (str(target),))
    with contextlib.closing(sqlite3.connect(target, isolation_level=None)) as copy:
        copy.execute("PRAGMA journal_mode=WAL")
        copy.execute("BEGIN")
        _pause_schedules(copy)
        copy.execute("COMMIT")


def _has_table(db: sqlite3.Connection, name: str) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone() is not None


def _pause_schedules(db: sqlite3.Connection) -> None:
    if not _has_table(db, _SCHEDULES):
        return
    db.execute(f"CREATE TABLE IF NOT EXISTS {PAUSED_TABLE} (id TEXT PRIMARY KEY)")
    db.execute(f"INSERT OR IGNORE INTO {PAUSED_TABLE} (id) SELECT id FROM {_SCHEDULES} WHERE cancelled = 0")
    # Marked cancelled by the user, a method schedule stays off across activations until enabled.
    db.execute(f"UPDATE {_SCHEDULES} SET cancelled = 1 WHERE id IN (SELECT id FROM {PAUSED_TABLE})")
    if _has_table(db, _TIMERS):
        db.execute(f"DELETE FROM {_TIMERS} WHERE id LIKE ?", (_SCHEDULE_TIMER_PREFIX + "%",))


def link_blobs(source: Path, target: Path) -> int:
    """Share the blob folder `source` with a fork at `target` (hard links, copies where linking fails)."""
    if not source.is_dir():
        return 0
    shared = 0
    for root, _, files in os.walk(source):
        destination = target / Path(root).relative_to(source)
        destination.mkdir(parents=True, exist_ok=True)
        for name in files:
            try:
                os.link(Path(root) / name, destination / name)
            except OSError:
                shutil.copy2(Path(root) / name, destination / name)
            shared += 1
    return shared


def paused_schedules(storage: Any) -> list[str]:
    """Ids of the schedules a fork paused (empty once enabled, or for an object that is not a fork)."""
    if not storage.table_exists(PAUSED_TABLE):
        return []
    return [row[0] for row in storage.sql.exec(f"SELECT id FROM {PAUSED_TABLE} ORDER BY id").raw()]


def unpause(storage: Any) -> list[str]:
    """Mark the paused schedules active again and forget the pause; returns their ids (timers: the caller)."""
    ids = paused_schedules(storage)
    for sid in ids:
        storage.sql.exec(f"UPDATE {_SCHEDULES} SET cancelled = 0 WHERE id = ?", sid)
    if ids:
        storage.sql.exec(f"DELETE FROM {PAUSED_TABLE}")
    return ids
