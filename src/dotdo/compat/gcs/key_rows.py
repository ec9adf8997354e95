"""A Cloud Storage bucket object's rows of some object names, taken out and put back whole: what a reshard moves.

A name's rows are its generations (`gcs_objects`, live and noncurrent, with their generation and
metageneration numbers kept exactly) and its resumable upload sessions (`gcs_uploads`, with the
chunks received so far). `export` reads them; `import_rows` writes them into another object,
replacing any copy an interrupted move left there, and counts their blob references; `release`
deletes them from the object they left. Each runs in one transaction of its object.
"""

from __future__ import annotations

import json
from typing import Any

from ...runtime.sql import SqlStorage
from .. import key_rows
from ..blob_references import BlobReferences

KEY_TABLES = {"gcs_objects": "name", "gcs_uploads": "name"}
"""The tables holding rows of an object name (table -> name column)."""

_IN_KEYS = "name IN (SELECT value FROM json_each(?))"


def held_keys(sql: SqlStorage, *, after: str, limit: int) -> list[str]:
    """Up to `limit` names this object has rows of, after `after`, in name order."""
    return key_rows.held_keys(sql, KEY_TABLES, after=after, limit=limit)


def holds(sql: SqlStorage, name: str) -> bool:
    """Whether this object has any row of `name` (a generation or an upload session)."""
    return key_rows.holds(sql, KEY_TABLES, name)


def export(sql: SqlStorage, keys: list[str]) -> dict[str, Any]:
    """Every row of the names `keys`."""
    marks = json.dumps(keys)
    return {
        "keys": keys,
        "objects": sql.exec(f"SELECT * FROM gcs_objects WHERE {_IN_KEYS} ORDER BY name, generation", marks).to_list(),
        "uploads": sql.exec(f"SELECT * FROM gcs_uploads WHERE {_IN_KEYS}", marks).to_list(),
    }


def _shas(row: dict[str, Any]) -> list[str]:
    return [sha for sha, _ in json.loads(row["parts"])]


def blob_shas(rows: dict[str, Any]) -> set[str]:
    """The blobs the exported rows reference (they must be in the namespace of the object they go to)."""
    return {sha for table in ("objects", "uploads") for row in rows[table] for sha in _shas(row)}


def split(rows: dict[str, Any], places: dict[str, int]) -> dict[int, dict[str, Any]]:
    """The exported rows grouped by the place (`places[name]`) each name goes to."""
    groups: dict[int, dict[str, Any]] = {}
    for key in rows["keys"]:
        groups.setdefault(places[key], {"keys": [], "objects": [], "uploads": []})["keys"].append(key)
    for table in ("objects", "uploads"):
        for row in rows[table]:
            groups[places[row["name"]]][table].append(row)
    return groups


def import_rows(sql: SqlStorage, references: BlobReferences, rows: dict[str, Any]) -> None:
    """Write the rows of `rows["keys"]` here, replacing any earlier copy of them, with their references."""
    release(sql, references, rows["keys"])
    for table in ("objects", "uploads"):
        key_rows.insert(sql, f"gcs_{table}", rows[table])
        for row in rows[table]:
            for sha in _shas(row):
                references.add(sha)


def release(sql: SqlStorage, references: BlobReferences, keys: list[str]) -> None:
    """Delete the rows of the names `keys` (now copied to their new place)."""
    marks = json.dumps(keys)
    for table in ("objects", "uploads"):
        for row in sql.exec(f"DELETE FROM gcs_{table} WHERE {_IN_KEYS} RETURNING parts", marks).to_list():
            for sha in _shas(row):
                references.drop(sha)
