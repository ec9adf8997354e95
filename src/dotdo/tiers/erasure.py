"""Erasure: a subject removed from every tier.

What goes: the thing whose id is the subject and every thing any version of which mentions it (as a
JSON string value), with their whole history and relationships; every relationship, event and
action that names or mentions it. From: hot objects, their outboxes, the warm tables (rewritten,
then every older snapshot expired and its files deleted, so `as_of` cannot see it either) and the
cold archives.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from ..graph.things import Things
from ..runtime.storage import Storage
from . import cold, outbox
from .duckdb_connection import connect_duckdb
from .object_store import WarehouseStore
from .warehouse import Warehouse


@dataclass
class ErasureReport:
    """What `erase(subject=)` removed, per tier and table."""

    subject: str
    hot: dict[str, int] = field(default_factory=dict)
    warm: dict[str, int] = field(default_factory=dict)
    cold: int = 0
    snapshots_expired: int = 0


def erase_hot(
    storage: Storage, files: WarehouseStore, subject: str, mention: str
) -> tuple[dict[str, int], list[str], set[str]]:
    """Erase in one object (run as its event): rows removed per table, its archive files, the thing
    ids purged."""
    counts: dict[str, int] = {"things": 0, "relationships": 0}
    things = Things(storage)
    doomed = {subject} if things.history(subject) else set()
    if storage.table_exists("things"):
        doomed.update(
            row[0]
            for row in storage.sql.exec(
                "SELECT id FROM things WHERE instr(data, ?1) > 0 "
                "UNION SELECT thing_id FROM thing_versions WHERE instr(data, ?1) > 0",
                mention,
            ).raw()
        )
    archives = cold.archive_files(storage)
    doomed.update(cold.things_mentioning(files, archives, mention))
    for thing_id in sorted(doomed):
        versions = len(things.history(thing_id))
        edges = next(
            iter(
                storage.sql.exec("SELECT count(*) FROM relationships WHERE from_id = ?1 OR to_id = ?1", thing_id).raw()
            )
        )[0]
        if things.delete(thing_id, purge=True):
            counts["things"] += versions
            counts["relationships"] += edges

    def remove(table: str, condition: str, *args: Any) -> None:
        if storage.table_exists(table):
            counts[table] = storage.sql.exec(f"DELETE FROM {table} WHERE {condition}", *args).rows_written

    remove("events", "source = ? OR instr(data, ?) > 0", subject, mention)
    remove("actions", "instr(args, ?) > 0 OR instr(result, ?) > 0", mention, mention)
    counts["outbox"] = outbox.remove_matching(storage, mention)
    return counts, archives, doomed


def erase_warm(warehouse: Warehouse, subject: str, mention: str) -> tuple[dict[str, int], int]:
    """Erase in the warm tables: (rows removed per table, snapshots expired)."""
    # things: whole histories of the things that are or mention the subject; others: matching rows.
    checks = {
        "things": ("id", "id = $subject OR contains(data, $mention)"),
        "relationships": (
            "sequence",
            "id = $subject OR from_id = $subject OR to_id = $subject OR contains(data, $mention)",
        ),
        "events": ("sequence", "source = $subject OR contains(data, $mention)"),
        "actions": ("sequence", "contains(args, $mention) OR contains(result, $mention)"),
    }
    removed: dict[str, int] = {}
    expired = 0
    for kind, (column, condition) in checks.items():
        scan = warehouse.plan(kind)
        if scan.rows is None and not scan.files:
            continue
        conn = connect_duckdb()
        try:
            conn.register("warm", scan.rows if scan.rows is not None else warehouse.dataset(scan))
            named = {
                name: value for name, value in (("subject", subject), ("mention", mention)) if f"${name}" in condition
            }
            keys = conn.execute(f"SELECT DISTINCT object_id, {column} FROM warm WHERE {condition}", named).fetchall()
        finally:
            conn.close()
        removed[kind] = warehouse.delete_matching(kind, column, keys) if keys else 0
        # Older snapshots still hold the rows: expire them all and delete their files.
        expired += warehouse.expire(kind, older_than=time.time() + 1, spare_recent_files=0)
    return removed, expired
