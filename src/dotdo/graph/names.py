"""Checks and generators for the identifiers the graph stores: thing ids, types, relationship types."""

from __future__ import annotations

import os
import re
import threading
import time
from typing import Any

_TYPE = re.compile(r"[A-Za-z_][A-Za-z0-9_.:-]{0,127}")
_VISIBILITIES = ("private", "public", "unlisted")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_ID_LENGTH = 256
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

_lock = threading.Lock()
_last = (0, 0)


def new_id() -> str:
    """A 26-character ULID: sorts by creation time, strictly increasing within this process."""
    global _last
    with _lock:
        millis = time.time_ns() // 1_000_000
        last_millis, last_random = _last
        if millis <= last_millis:
            millis, random = last_millis, last_random + 1
        else:
            random = int.from_bytes(os.urandom(10), "big") >> 1
        _last = (millis, random)
    value = (millis << 80) | (random & ((1 << 80) - 1))
    return "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


def check_thing_id(value: Any, what: str = "thing id") -> str:
    """A valid local thing id (non-empty text without '/', '#' or control characters) or an error."""
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, not {type(value).__name__}")
    if not value or not value.strip():
        raise ValueError(f"{what} must not be empty")
    if len(value) > MAX_ID_LENGTH:
        raise ValueError(f"{what} is longer than {MAX_ID_LENGTH} characters")
    if "/" in value or "#" in value:
        raise ValueError(
            f"{what} {value!r} contains '/' or '#', which mark references to other objects "
            "(Class/object-name#thing-id); choose an id without them"
        )
    if _CONTROL.search(value):
        raise ValueError(f"{what} {value!r} contains control characters")
    return value


def check_type(value: Any, what: str = "type") -> str:
    """A valid thing or relationship type: a letter or '_' then letters, digits, '_', '.', ':' or '-'."""
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, not {type(value).__name__}")
    if not _TYPE.fullmatch(value):
        raise ValueError(
            f"{what} {value!r} is not valid: start with a letter or '_', then letters, digits, '_', '.', ':' "
            "or '-' (at most 128 characters), e.g. 'Customer' or 'placed'"
        )
    return value


def check_name(value: Any) -> str | None:
    """A thing's display name: None or text."""
    if value is not None and not isinstance(value, str):
        raise TypeError(f"name must be a str or None, not {type(value).__name__}")
    if value is not None and "\x00" in value:
        raise ValueError("name cannot contain NUL characters (\\x00)")
    return value


def check_visibility(value: Any) -> str:
    """One of 'private' (the default), 'public', 'unlisted'."""
    if value not in _VISIBILITIES:
        raise ValueError(f"visibility must be one of {', '.join(_VISIBILITIES)}, not {value!r}")
    return value
