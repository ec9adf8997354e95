"""Documents larger than a row limit, stored as ordered parts in `graph_chunks` and joined on read.

A thing's `data` column is NULL when its document lives in chunks; `document_sql` gives SQL that
yields the whole document either way, so filters and ordering see chunked documents too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..runtime.object_storage import ObjectStorage


DEFAULT_ROW_LIMIT = 1024 * 1024


def document_sql(alias: str = "t") -> str:
    """SQL for the full JSON document of the `things` row `alias` (its `data`, else its joined chunks)."""
    return (
        f"COALESCE({alias}.data, (SELECT group_concat(part, '') FROM (SELECT c.part FROM graph_chunks AS c "
        f"WHERE c.kind = 't' AND c.owner = {alias}.id AND c.version = {alias}.version ORDER BY c.seq)))"
    )


def split_text(text: str, limit: int) -> list[str]:
    """Split `text` into parts of at most `limit` UTF-8 bytes, never inside a character."""
    raw = text.encode()
    parts = []
    start = 0
    while start < len(raw):
        end = min(start + limit, len(raw))
        while end < len(raw) and (raw[end] & 0xC0) == 0x80:
            end -= 1
        parts.append(raw[start:end].decode())
        start = end
    return parts


def write_chunks(storage: ObjectStorage, kind: str, owner: str, version: int, text: str, limit: int) -> None:
    """Store `text` as the chunks of (kind, owner, version)."""
    for seq, part in enumerate(split_text(text, limit)):
        storage.sql.exec(
            "INSERT INTO graph_chunks (kind, owner, version, seq, part) VALUES (?, ?, ?, ?, ?)",
            kind,
            owner,
            version,
            seq,
            part,
        )


def read_chunks(storage: ObjectStorage, kind: str, owner: str, version: int) -> str:
    """The text stored as the chunks of (kind, owner, version)."""
    rows = storage.sql.exec(
        "SELECT part FROM graph_chunks WHERE kind = ? AND owner = ? AND version = ? ORDER BY seq",
        kind,
        owner,
        version,
    ).raw()
    return "".join(row[0] for row in rows)


def delete_chunks(storage: ObjectStorage, kind: str, owner: str, version: int | None = None) -> None:
    """Delete the chunks of one version of `owner`, or of every version."""
    if version is None:
        storage.sql.exec("DELETE FROM graph_chunks WHERE kind = ? AND owner = ?", kind, owner)
    else:
        storage.sql.exec("DELETE FROM graph_chunks WHERE kind = ? AND owner = ? AND version = ?", kind, owner, version)
