"""The key-value API's table, limits and encoding: what `Storage.get/put/delete/list` store and check.

Values are msgpack (JSON-compatible values, bytes, datetimes). Keys and values are checked against
Cloudflare's limits before anything is written, so a refused pair leaves the table as it was.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import msgspec

from .sql_policy import RESERVED_PREFIX

KV_TABLE = f"{RESERVED_PREFIX}kv"
CREATE_KV_TABLE = f"CREATE TABLE IF NOT EXISTS {KV_TABLE} (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID"
MAX_KEY_BYTES = 2048
"""Longest key the key-value API stores, in UTF-8 bytes (as Cloudflare's)."""
MAX_VALUE_BYTES = 128 * 1024
"""Largest value the key-value API stores, encoded (as Cloudflare's 128 KiB; a few bytes of framing allowed)."""
_VALUE_FRAMING_BYTES = 34

_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder()


def encode_value(value: Any) -> bytes:
    """Encode a storable value (JSON-compatible values, bytes, datetimes) for the KV table."""
    try:
        return _encoder.encode(value)
    except (TypeError, msgspec.EncodeError) as exc:
        raise TypeError(
            f"Cannot store a value of type {type(value).__name__}: storage values are JSON-compatible "
            f"(dict, list, str, int, float, bool, None), bytes or datetime ({exc})"
        ) from None


def decode_value(blob: bytes) -> Any:
    """Decode a value written by `encode_value`."""
    return _decoder.decode(blob)


def checked_key(key: Any) -> str:
    """`key`, once it is a string within `MAX_KEY_BYTES`."""
    if not isinstance(key, str):
        raise TypeError(f"storage keys are strings, got {type(key).__name__}: {key!r}")
    size = len(key.encode("utf-8", "surrogatepass"))
    if size > MAX_KEY_BYTES:
        raise ValueError(f"Keys cannot be larger than {MAX_KEY_BYTES} bytes; a key of {size} bytes was given")
    return key


def checked_value(key: str, value: Any) -> bytes:
    """`value` encoded, once it fits in `MAX_VALUE_BYTES`."""
    blob = encode_value(value)
    if len(blob) > MAX_VALUE_BYTES + _VALUE_FRAMING_BYTES:
        raise ValueError(
            f"Values cannot be larger than {MAX_VALUE_BYTES} bytes; the value of {key!r} encodes to {len(blob)} bytes"
        )
    return blob


def checked_keys(keys: Iterable[Any]) -> list[str]:
    """`keys` as a list, once every one is a string."""
    checked = list(keys)
    for key in checked:
        if not isinstance(key, str):
            raise TypeError(f"storage keys are strings, got {type(key).__name__}: {key!r}")
    return checked


def list_query(
    *,
    prefix: str | None,
    start: str | None,
    end: str | None,
    limit: int | None,
    reverse: bool,
    start_after: str | None,
) -> tuple[str, list[Any]]:
    """The SELECT (and its parameters) of `Storage.list`: key order, bounds, prefix, limit."""
    if start is not None and start_after is not None:
        raise ValueError("list() takes start or start_after, not both")
    clauses: list[str] = []
    params: list[Any] = []
    if start_after is not None:
        clauses.append("key > ?")
        params.append(start_after)
    if prefix:
        clauses.append("key >= ?")
        params.append(prefix)
        upper = _prefix_end(prefix)
        if upper is not None:
            clauses.append("key < ?")
            params.append(upper)
    if start is not None:
        clauses.append("key >= ?")
        params.append(start)
    if end is not None:
        clauses.append("key < ?")
        params.append(end)
    query = f"SELECT key, value FROM {KV_TABLE}"
    if clauses:
        query += " WHERE " + " AND ".join(clauses)
    query += " ORDER BY key DESC" if reverse else " ORDER BY key"
    if limit is not None:
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ValueError(f"limit must be a positive integer, not {limit!r}")
        query += " LIMIT ?"
        params.append(limit)
    return query, params


def _prefix_end(prefix: str) -> str | None:
    """The smallest string greater than every string starting with `prefix` (None: no bound)."""
    while prefix:
        last = ord(prefix[-1])
        if last < 0x10FFFF:
            return prefix[:-1] + chr(last + 1)
        prefix = prefix[:-1]
    return None
