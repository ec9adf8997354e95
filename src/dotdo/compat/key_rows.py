"""What every layer's key rows share: which keys an object holds, and rows packed, unpacked and inserted.

A layer's rows of some keys (S3's versions and uploads, Cloud Storage's generations and resumable
sessions) are taken out of one object and put back whole into another by a reshard. The layer says
which tables hold rows of a key; this module finds the keys held and carries the rows.
"""

from __future__ import annotations

from typing import Any

import msgspec

from ..runtime.sql import SqlStorage


def held_keys(sql: SqlStorage, tables: dict[str, str], *, after: str, limit: int) -> list[str]:
    """Up to `limit` keys this object has rows of, after `after`, in key order (`tables`: table -> key column)."""
    found: set[str] = set()
    bound: str | None = None
    for table, column in tables.items():
        keys = [
            row["k"]
            for row in sql.exec(
                f"SELECT DISTINCT {column} AS k FROM {table} WHERE {column} > ? ORDER BY {column} LIMIT ?", after, limit
            ).to_list()
        ]
        found.update(keys)
        if len(keys) == limit and (bound is None or keys[-1] < bound):
            bound = keys[-1]  # past this key a table with more rows was not read: stop there
    ordered = sorted(key for key in found if bound is None or key <= bound)
    return ordered[:limit]


def holds(sql: SqlStorage, tables: dict[str, str], key: str) -> bool:
    """Whether this object has any row of `key` in `tables` (table -> key column)."""
    checks = " OR ".join(f"EXISTS (SELECT 1 FROM {table} WHERE {column} = ?)" for table, column in tables.items())
    return bool(sql.exec(f"SELECT 1 WHERE {checks}", *([key] * len(tables))).to_list())


def pack(rows: dict[str, Any]) -> bytes:
    """Exported rows as one value (MessagePack keeps inline bodies' bytes as bytes)."""
    return msgspec.msgpack.encode(rows)


def unpack(packed: bytes) -> dict[str, Any]:
    """Rows `pack` made."""
    return msgspec.msgpack.decode(packed)


_ROWS_PER_INSERT = 64


def insert(sql: SqlStorage, table: str, rows: list[dict[str, Any]]) -> None:
    """Insert `rows` (dicts with the same columns) into `table`, many to a statement."""
    if not rows:
        return
    columns = list(rows[0])
    one = f"({', '.join('?' * len(columns))})"
    for start in range(0, len(rows), _ROWS_PER_INSERT):
        chunk = rows[start : start + _ROWS_PER_INSERT]
        values = [row[column] for row in chunk for column in columns]
        sql.exec(f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([one] * len(chunk))}", *values)
