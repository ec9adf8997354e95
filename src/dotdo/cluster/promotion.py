"""Promote a thing to its own object, and demote an object back into a thing of another.

`promote` copies the thing, its versions (with `preserve_history=True`), the relationships at it
and the events and finished actions that name it into a new object of the target class, named by
the thing's id. The parent keeps the id: the thing becomes a link (`{"promoted_to": "Class/name"}`,
plus a `promoted_to` relationship), and `read_thing` follows it. `demote` is the way back: the
object's thing, its relationships and (optionally) its history return to the parent, under the same
id (`preserve_id=True`) or a new one, and the object is emptied.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ..graph.errors import ThingNotFoundError
from ..graph.names import new_id
from ..graph.references import Reference
from ..graph.schema import ensure_schema
from ..graph.thing import format_time
from ..graph.things import Things
from ..runtime.ids import namespace_of
from .shard_rows import ThingRows, export_rows, insert_relationship, merge_rows, purge_rows

if TYPE_CHECKING:
    from ..runtime.durable_object import DurableObject
    from ..runtime.object_storage import ObjectStorage

NOUN = re.compile(r"[A-Z][A-Za-z0-9]{0,127}")
"""A thing type that may name an object: a capitalised noun such as `Customer` (letters and digits)."""
PROMOTED_FROM = "dotdo.lifecycle.promoted_from"
"""The key-value entry of a promoted object naming the thing it was promoted from."""
PROMOTED_TO = "promoted_to"


class PromotionError(ValueError):
    """A promote or demote that cannot be done as asked (the message says why and what to do)."""


@dataclass
class Journal:
    """Events and finished actions of an object that name one thing (its own history in the log)."""

    events: list[tuple[Any, ...]]
    actions: list[tuple[Any, ...]]


_EVENT_COLUMNS = ("id", "type", "noun", "verb", "data", "source", "timestamp")
_ACTION_COLUMNS = (
    "step_id",
    "kind",
    "action",
    "args",
    "status",
    "attempts",
    "result",
    "error",
    "policy",
    "created_at",
    "updated_at",
)
_NAMES = "EXISTS (SELECT 1 FROM json_tree({column}) WHERE atom = ?)"


def journal_of(storage: ObjectStorage, thing_id: str) -> Journal:
    """The events and finished actions of `storage` whose data or arguments mention `thing_id`."""
    events: list[tuple[Any, ...]] = []
    actions: list[tuple[Any, ...]] = []
    if storage.table_exists("events"):
        query = f"SELECT {', '.join(_EVENT_COLUMNS)} FROM events WHERE json_valid(data) AND {_NAMES}"
        events = list(storage.sql.exec(query.format(column="data"), thing_id).raw())
    if storage.table_exists("actions"):
        query = (
            f"SELECT {', '.join(_ACTION_COLUMNS)} FROM actions WHERE status IN ('completed', 'failed') "
            f"AND json_valid(args) AND {_NAMES}"
        )
        actions = list(storage.sql.exec(query.format(column="args"), thing_id).raw())
    return Journal(events, actions)


def write_journal(obj: DurableObject, journal: Journal) -> None:
    """Record another object's events (as already dispatched) and finished actions in `obj`."""
    ctx = obj.ctx  # type: ignore[attr-defined]
    if journal.events:
        ctx.events_dispatcher.log.ensure_table()
        columns = ", ".join(_EVENT_COLUMNS)
        for row in journal.events:
            obj.storage.sql.exec(
                f"INSERT INTO events ({columns}, origin, dispatched) VALUES (?, ?, ?, ?, ?, ?, ?, 'copied', 1) "
                "ON CONFLICT DO NOTHING",
                *row,
            )
    if journal.actions:
        ctx.actions.journal.ensure_table()
        columns = ", ".join(_ACTION_COLUMNS)
        marks = ", ".join("?" for _ in _ACTION_COLUMNS)
        for row in journal.actions:
            obj.storage.sql.exec(f"INSERT INTO actions ({columns}) VALUES ({marks}) ON CONFLICT DO NOTHING", *row)


def _in_edges(storage: ObjectStorage, thing_id: str) -> list[tuple[Any, ...]]:
    return list(
        storage.sql.exec(
            "SELECT id, from_id, to_id, type, data, created_at FROM relationships WHERE to_id = ? AND from_id != ?",
            thing_id,
            thing_id,
        ).raw()
    )


def _without_history(rows: ThingRows) -> ThingRows:
    current = {(row[0], row[4]) for row in rows.things}
    chunks = [c for c in rows.chunks if c[0] != "t" or (c[1], c[2]) in current]
    return replace(rows, versions=[], chunks=chunks)


def _renamed(rows: ThingRows, old: str, new: str) -> ThingRows:
    def swap(value: Any) -> Any:
        return new if value == old else value

    return ThingRows(
        things=[(swap(r[0]), *r[1:]) for r in rows.things],
        versions=[(swap(r[0]), *r[1:]) for r in rows.versions],
        chunks=[(r[0], swap(r[1]) if r[0] == "t" else r[1], *r[2:]) for r in rows.chunks],
        relationships=[(r[0], swap(r[1]), swap(r[2]), *r[3:]) for r in rows.relationships],
    )


def check_target(runtime: Any, namespace: Any) -> type:
    """The class named by `namespace` (a class or a registered class name), able to demote later."""
    try:
        cls = runtime.class_named(namespace) if isinstance(namespace, str) else namespace
    except Exception as exc:
        raise PromotionError(f"Invalid target namespace {namespace!r}: {exc}") from None
    if not isinstance(cls, type) or not callable(getattr(cls, "demote", None)):
        raise PromotionError(
            f"Invalid target namespace {namespace!r}: a promoted thing becomes an object of a Lifecycle class "
            "(subclass dotdo.cluster.lifecycle.Lifecycle), so it can be demoted again"
        )
    return cls


async def promote(obj: DurableObject, thing_id: str, cls: type, *, preserve_history: bool) -> Reference:
    """Make thing `thing_id` of `obj` the object `cls(thing_id)`; returns the reference to it."""
    storage = obj.storage
    ensure_schema(storage)
    thing = Things(storage).get(thing_id)
    if thing is None:
        raise ThingNotFoundError(f"No thing {thing_id!r} to promote (missing or deleted)")
    if PROMOTED_TO in thing.data:
        raise PromotionError(f"Thing {thing_id!r} was already promoted, to {thing.data[PROMOTED_TO]}")
    if not NOUN.fullmatch(thing.type):
        raise PromotionError(
            f"Thing type {thing.type!r} is not a valid noun for an object: use a capitalised name of letters and "
            "digits such as 'Customer'"
        )
    if cls is type(obj) and thing_id == obj.id.name:
        raise PromotionError(f"Cannot promote {thing_id!r} to itself: it would become the object that holds it")
    target = Reference(namespace_of(cls), thing_id, thing_id)
    rows = export_rows(storage, [thing_id])
    rows = rows if preserve_history else _without_history(rows)
    rows.relationships = rows.relationships + _in_edges(storage, thing_id)
    journal = journal_of(storage, thing_id) if preserve_history else Journal([], [])
    parent = str(Reference(namespace_of(type(obj)), obj.id.name or obj.id.hex, thing_id))

    def install(new: DurableObject) -> None:
        ensure_schema(new.storage)
        if new.storage.sql.exec("SELECT 1 FROM things LIMIT 1").rows_read:
            raise PromotionError(
                f"Invalid target: {target.class_name}/{thing_id} already holds things; promote into a new object"
            )
        merge_rows(new.storage, rows)
        write_journal(new, journal)
        new.storage.put(PROMOTED_FROM, parent)

    await obj.runtime.run_in(cls, thing_id, install)
    link = f"{target.class_name}/{thing_id}"
    purge_rows(storage, [thing_id])
    Things(storage).create(thing.type, thing.name, id=thing_id, data={PROMOTED_TO: link})
    edge = (new_id(), thing_id, str(target), PROMOTED_TO, "{}", format_time(obj.runtime.clock.now()))
    insert_relationship(storage, edge)
    return target


async def demote(
    obj: DurableObject, into_cls: type, into_name: str, *, preserve_history: bool, preserve_id: bool
) -> str:
    """Fold the promoted object `obj` back into the object `into_cls(into_name)`; returns the thing's id there."""
    thing_id = obj.id.name or ""
    storage = obj.storage
    ensure_schema(storage)
    thing = Things(storage).get(thing_id) if thing_id else None
    if thing is None:
        raise PromotionError(
            f"{namespace_of(type(obj))}/{thing_id} holds no thing named after it; only a promoted object (or one "
            "whose thing has its id) can be demoted"
        )
    if into_cls is type(obj) and into_name == thing_id:
        raise PromotionError("Cannot demote an object into itself; pass into= the object that should hold the thing")
    if not callable(getattr(into_cls, "demote", None)):
        raise PromotionError(f"Invalid target {into_cls.__name__}: demote into an object of a Lifecycle class")
    rows = export_rows(storage, [thing_id])
    rows = rows if preserve_history else _without_history(rows)
    journal = journal_of(storage, thing_id) if preserve_history else Journal([], [])
    new_thing_id = thing_id if preserve_id else new_id()
    if not preserve_id:
        rows = _renamed(rows, thing_id, new_thing_id)

    def fold(parent: DurableObject) -> None:
        ensure_schema(parent.storage)
        held = Things(parent.storage).get(thing_id)
        if held is not None and PROMOTED_TO not in held.data:
            raise PromotionError(f"{into_name} already has a live thing {thing_id!r}; it cannot take this one back")
        purge_rows(parent.storage, [thing_id])
        if not preserve_id:
            parent.storage.sql.exec("UPDATE relationships SET to_id = ? WHERE to_id = ?", new_thing_id, thing_id)
        merge_rows(parent.storage, rows)
        write_journal(parent, journal)

    await obj.runtime.run_in(into_cls, into_name, fold)
    storage.delete_all()
    return new_thing_id


def link_of(data: dict[str, Any]) -> tuple[str, str] | None:
    """(class, object name) of a promoted thing's link, or None for a thing that was not promoted."""
    link = data.get(PROMOTED_TO)
    if not isinstance(link, str) or "/" not in link:
        return None
    namespace, _, name = link.partition("/")
    return namespace, name
