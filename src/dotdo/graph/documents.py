"""The JSON documents of things and relationships: checked on the way in, canonical on disk.

Keys are sorted so that equal documents have equal text (which lets `eq` compare whole objects in
SQL). Only what JSON and SQLite's JSON functions round-trip exactly is accepted: no NaN or
infinities, integers within 64 bits, string keys, no NUL characters (SQLite's JSON functions stop at
them).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1
_MAX_DEPTH = 64

_encoder = msgspec.json.Encoder(order="sorted")
_decoder = msgspec.json.Decoder()


def check_value(value: Any, where: str = "data", depth: int = 0) -> None:
    """Raise `TypeError`/`ValueError` naming `where` if `value` cannot be stored exactly as JSON."""
    if value is None or value is True or value is False:
        return
    kind = type(value)
    if kind is str:
        if "\x00" in value:
            raise ValueError(f"{where}: strings cannot contain NUL characters (\\x00)")
        return
    if kind is int:
        if not _INT64_MIN <= value <= _INT64_MAX:
            raise ValueError(f"{where}: integer {value} does not fit in 64 bits; store it as a string")
        return
    if kind is float:
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"{where}: {value} is not a JSON number; store None or a string instead")
        return
    if depth >= _MAX_DEPTH:
        raise ValueError(f"{where}: nested more than {_MAX_DEPTH} levels deep")
    if isinstance(value, Mapping):
        for key, item in value.items():
            if type(key) is not str:
                raise TypeError(f"{where}: object keys must be strings, got {type(key).__name__} {key!r}")
            if "\x00" in key:
                raise ValueError(f"{where}: keys cannot contain NUL characters (\\x00)")
            check_value(item, f"{where}.{key}", depth + 1)
        return
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            check_value(item, f"{where}[{index}]", depth + 1)
        return
    # Subclasses (enums, str/int subclasses) are checked by the value they encode as.
    if isinstance(value, str):
        return check_value(str.__str__(value), where, depth)
    if isinstance(value, int):
        return check_value(int(value), where, depth)
    if isinstance(value, float):
        return check_value(float(value), where, depth)
    raise TypeError(
        f"{where}: cannot store a value of type {kind.__name__}; use JSON values "
        "(dict, list, str, int, float, bool, None) — e.g. datetime.isoformat() for dates"
    )


def encode_document(data: Mapping[str, Any]) -> str:
    """Check `data` and return its canonical JSON text (sorted keys, no spaces)."""
    check_value(data)
    return _encoder.encode(data).decode()


def encode_json(value: Any) -> str:
    """Canonical JSON text of an already checked value (filter operands, cursors)."""
    return _encoder.encode(value).decode()


def decode_document(text: str | bytes) -> Any:
    """Parse JSON text written by `encode_document`."""
    return _decoder.decode(text)
