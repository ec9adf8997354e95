"""Putting the answers of many shards together: one copy of each thing, a global order, a limit."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from ..graph.errors import InvalidFilterError
from ..graph.thing import Thing

_COLUMNS = ("id", "type", "name", "version", "created_at", "updated_at", "deleted_at", "visibility")
_TYPE_RANK = {type(None): 0, int: 1, float: 1, str: 2}


def newest_copies(things: Iterable[Thing]) -> list[Thing]:
    """Each thing once (its highest version, should a crashed move have left two copies), first-seen order."""
    best: dict[str, Thing] = {}
    for thing in things:
        known = best.get(thing.id)
        if known is None or thing.version > known.version:
            best[thing.id] = thing
    return list(best.values())


def _field(thing: Thing, name: str) -> Any:
    if name in _COLUMNS:
        value = getattr(thing, name)
        return value.isoformat() if isinstance(value, datetime) else value
    value: Any = thing.data
    for part in (name[5:] if name.startswith("data.") else name).split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _sortable(value: Any) -> tuple[int, Any]:
    # SQLite's order across types: NULL, numbers, text, then anything else (as JSON text).
    if isinstance(value, bool):
        value = int(value)
    rank = _TYPE_RANK.get(type(value))
    return (3, repr(value)) if rank is None else (rank, value)


class _Descending:
    __slots__ = ("key",)

    def __init__(self, key: tuple[int, Any]) -> None:
        self.key = key

    def __lt__(self, other: _Descending) -> bool:
        return other.key < self.key

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Descending) and other.key == self.key


def sort_things(things: list[Thing], order_by: str | Sequence[str] | None) -> list[Thing]:
    """Things in the order `find(order_by=...)` gives in one object (ties by id)."""
    if order_by is None:
        return sorted(things, key=lambda thing: thing.id)
    terms = [order_by] if isinstance(order_by, str) else list(order_by)
    for term in terms:
        if not isinstance(term, str) or term in ("", "-"):
            raise InvalidFilterError(f"order_by terms are field names like 'age' or '-age', not {term!r}")

    def key(thing: Thing) -> tuple[Any, ...]:
        parts: list[Any] = []
        for term in terms:
            value = _sortable(_field(thing, term.lstrip("-")))
            parts.append(_Descending(value) if term.startswith("-") else value)
        parts.append(thing.id)
        return tuple(parts)

    return sorted(things, key=key)
