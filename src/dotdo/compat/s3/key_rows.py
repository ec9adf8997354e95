"""A bucket object's rows of some keys, taken out and put back whole: what a reshard moves.

A key's rows are its versions (`s3_objects`), its uploads in progress with their parts
(`s3_uploads`, `s3_parts`) and its completed uploads (`s3_completed`, kept so a retried completion
answers as the first did). `export` reads them (`ShardedBucket` marks the keys as moving); `import_rows` writes
them into another object, replacing any copy an interrupted move left there, and counts their blob
references; `release` deletes them from the object they left. Each runs in one transaction of its
object, so running a move's steps again after a crash changes nothing twice.
"""

from __future__ import annotations

import json
from typing import Any

from ...runtime.sql import SqlStorage
from .. import key_rows
from ..blob_references import BlobReferences
from .key_fence import KEY_TABLES


def held_keys(sql: SqlStorage, *, after: str, limit: int) -> list[str]:
    """Up to `limit` keys this object has rows of, after `after`, in key order."""
    return key_rows.held_keys(sql, KEY_TABLES, after=after, limit=limit)


def export(sql: SqlStorage, keys: list[str]) -> dict[str, Any]:
    """Every row of `keys`."""
    marks = json.dumps(keys)
    uploads = sql.exec("SELECT * FROM s3_uploads WHERE key IN (SELECT value FROM json_each(?))", marks).to_list()
    return {
        "keys": keys,
        "objects": sql.exec(
            "SELECT * FROM s3_objects WHERE key IN (SELECT value FROM json_each(?)) ORDER BY seq", marks
        ).to_list(),
        "uploads": uploads,
        "parts": sql.exec(
            "SELECT * FROM s3_parts WHERE upload_id IN (SELECT value FROM json_each(?))",
            json.dumps([row["upload_id"] for row in uploads]),
        ).to_list(),
        "completed": sql.exec(
            "SELECT * FROM s3_completed WHERE key IN (SELECT value FROM json_each(?))", marks
        ).to_list(),
    }


def _parts(row: dict[str, Any]) -> list[list[Any]]:
    return [] if row["parts"] == "[]" else json.loads(row["parts"])


def blob_shas(rows: dict[str, Any]) -> set[str]:
    """The blobs the exported rows reference (they must be in the namespace of the object they go to)."""
    shas = {sha for row in rows["objects"] for sha, _ in _parts(row)}
    return shas | {row["sha"] for row in rows["parts"]}


def split(rows: dict[str, Any], places: dict[str, int]) -> dict[int, dict[str, Any]]:
    """The exported rows grouped by the place (`places[key]`) each key goes to."""
    upload_place = {row["upload_id"]: places[row["key"]] for row in rows["uploads"]}
    groups: dict[int, dict[str, Any]] = {}
    for key in rows["keys"]:
        group = groups.setdefault(places[key], {"keys": [], "objects": [], "uploads": [], "parts": [], "completed": []})
        group["keys"].append(key)
    for table in ("objects", "uploads", "completed"):
        for row in rows[table]:
            groups[places[row["key"]]][table].append(row)
    for row in rows["parts"]:
        groups[upload_place[row["upload_id"]]]["parts"].append(row)
    return groups


def import_rows(sql: SqlStorage, references: BlobReferences, rows: dict[str, Any]) -> None:
    """Write the rows of `rows["keys"]` here, replacing any earlier copy of them, with their references."""
    _delete(sql, references, rows["keys"])
    seq = sql.exec("SELECT coalesce(max(seq), 0) AS n FROM s3_objects").one()["n"]
    # Ordered by their old seq: a key's versions keep their order under new numbers.
    objects = [{**row, "seq": seq + number} for number, row in enumerate(rows["objects"], start=1)]
    key_rows.insert(sql, "s3_objects", objects)
    for row in objects:
        for sha, _ in _parts(row):
            references.add(sha)
    key_rows.insert(sql, "s3_uploads", rows["uploads"])
    key_rows.insert(sql, "s3_parts", rows["parts"])
    for row in rows["parts"]:
        references.add(row["sha"])
    key_rows.insert(sql, "s3_completed", rows["completed"])


def release(sql: SqlStorage, references: BlobReferences, keys: list[str]) -> None:
    """Delete the rows of `keys` (now copied to their new place)."""
    _delete(sql, references, keys)


def _delete(sql: SqlStorage, references: BlobReferences, keys: list[str]) -> None:
    marks = json.dumps(keys)
    for row in sql.exec(
        "DELETE FROM s3_objects WHERE key IN (SELECT value FROM json_each(?)) RETURNING parts", marks
    ).to_list():
        for sha, _ in _parts(row):
            references.drop(sha)
    uploads = "SELECT upload_id FROM s3_uploads WHERE key IN (SELECT value FROM json_each(?))"
    for row in sql.exec(f"DELETE FROM s3_parts WHERE upload_id IN ({uploads}) RETURNING sha", marks).to_list():
        references.drop(row["sha"])
    sql.exec("DELETE FROM s3_uploads WHERE key IN (SELECT value FROM json_each(?))", marks)
    sql.exec("DELETE FROM s3_completed WHERE key IN (SELECT value FROM json_each(?))", marks)
