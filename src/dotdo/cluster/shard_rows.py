"""Rows of the graph tables as they move between objects: export, merge in, purge, list keys.

Each function runs inside one event of the object whose storage it is given. A thing moves with all
its rows: its current row, its versions, its chunks, and the relationships that start at it (with
their chunks); a relationship lives where its `from` thing lives. Merging is idempotent and never
goes backwards (a copy only replaces an older version), so a move cut short by a crash can simply be
run again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import msgspec

from ..graph.chunks import document_sql
from ..graph.filters import Params, resolve_field
from ..graph.schema import ensure_schema

if TYPE_CHECKING:
    from ..runtime.object_storage import ObjectStorage

_THING_COLUMNS = ("id", "type", "name", "data", "version", "created_at", "updated_at", "deleted_at", "visibility")
_VERSION_COLUMNS = (
    "thing_id",
    "version",
    "type",
    "name",
    "data",
    "created_at",
    "updated_at",
    "deleted_at",
    "visibility",
)
_CHUNK_COLUMNS = ("kind", "owner", "version", "seq", "part")
_RELATIONSHIP_COLUMNS = ("id", "from_id", "to_id", "type", "data", "created_at")
_IDS = "(SELECT value FROM json_each(?1))"
T = TypeVar("T")


@dataclass
class ThingRows:
    """Everything stored for a set of things, ready to be merged into another object."""

    things: list[tuple[Any, ...]]
    versions: list[tuple[Any, ...]]
    chunks: list[tuple[Any, ...]]
    relationships: list[tuple[Any, ...]]

    def __len__(self) -> int:
        return len(self.things)

    def split(self, place_of: Mapping[str, T]) -> dict[T, ThingRows]:
        """These rows grouped by the place `place_of[thing id]` of the thing they belong to."""
        groups: dict[T, ThingRows] = {place: ThingRows([], [], [], []) for place in set(place_of.values())}
        for row in self.things:
            groups[place_of[row[0]]].things.append(row)
        for row in self.versions:
            groups[place_of[row[0]]].versions.append(row)
        for row in self.relationships:
            groups[place_of[row[1]]].relationships.append(row)
        if self.chunks:
            edge_owner = {row[0]: row[1] for row in self.relationships}
            for row in self.chunks:
                groups[place_of[row[1] if row[0] == "t" else edge_owner[row[1]]]].chunks.append(row)
        return {
            place: group
            for place, group in groups.items()
            if group.things or group.versions or group.chunks or group.relationships
        }


def _ids_json(ids: Sequence[str]) -> str:
    return msgspec.json.encode(list(ids)).decode()


def _select(
    storage: ObjectStorage, columns: Sequence[str], table: str, where: str, *params: Any
) -> list[tuple[Any, ...]]:
    return list(storage.sql.exec(f"SELECT {', '.join(columns)} FROM {table} WHERE {where}", *params).raw())


def export_rows(storage: ObjectStorage, ids: Sequence[str]) -> ThingRows:
    """Every row of the things `ids` (deleted ones and their history included)."""
    ensure_schema(storage)
    things = _select(storage, _THING_COLUMNS, "things", f"id IN {_IDS}", _ids_json(ids))
    return _with_dependents(storage, things, ids)


def export_span(storage: ObjectStorage, first: str, last: str, key: str) -> tuple[ThingRows, list[Any]]:
    """Every row of every thing whose id is from `first` to `last`, read as one range, and each thing's
    value of `key` (in the order of the thing rows, which is id order). For a place being emptied."""
    ensure_schema(storage)
    params = Params()
    value = resolve_field(key, params, document_sql("t")).value
    columns = ", ".join(f"t.{column}" for column in _THING_COLUMNS)
    span = f"t.id BETWEEN {params.add(first)} AND {params.add(last)}"
    found = storage.sql.exec(f"SELECT {columns}, {value} FROM things AS t WHERE {span} ORDER BY t.id", *params.values)
    rows = list(found.raw())
    things = [row[:-1] for row in rows]
    return _with_dependents(storage, things, [row[0] for row in rows]), [row[-1] for row in rows]


def _with_dependents(storage: ObjectStorage, things: list[tuple[Any, ...]], ids: Sequence[str]) -> ThingRows:
    """`things` with the versions, chunks and outgoing relationships of the things `ids`."""
    batch = _ids_json(ids)
    relationships = f"(SELECT id FROM relationships WHERE from_id IN {_IDS})"
    return ThingRows(
        things=things,
        versions=_select(storage, _VERSION_COLUMNS, "thing_versions", f"thing_id IN {_IDS}", batch),
        chunks=_select(
            storage,
            _CHUNK_COLUMNS,
            "graph_chunks",
            f"(kind = 't' AND owner IN {_IDS}) OR (kind = 'r' AND owner IN {relationships})",
            batch,
        ),
        relationships=_select(storage, _RELATIONSHIP_COLUMNS, "relationships", f"from_id IN {_IDS}", batch),
    )


def _insert(storage: ObjectStorage, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]], tail: str) -> None:
    if not rows:
        return
    run_many = getattr(storage, "run_many_internal", None)
    if run_many is not None:
        # A local SQLite storage takes the rows as one prepared statement run per row (no JSON round trip).
        marks = ", ".join("?" for _ in columns)
        run_many(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}) {tail}", rows)
        return
    values = ", ".join(f"json_extract(value, '$[{i}]')" for i in range(len(columns)))
    storage.sql.exec(
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {values} FROM json_each(?) WHERE true {tail}",
        msgspec.json.encode(rows).decode(),
    )


def merge_rows(storage: ObjectStorage, rows: ThingRows) -> None:
    """Merge exported rows in: a thing row replaces only an older version; everything else is kept once."""
    ensure_schema(storage)
    newer = ", ".join(f"{column} = excluded.{column}" for column in _THING_COLUMNS[1:])

    def run() -> None:
        _insert(storage, "thing_versions", _VERSION_COLUMNS, rows.versions, "ON CONFLICT DO NOTHING")
        _insert(storage, "graph_chunks", _CHUNK_COLUMNS, rows.chunks, "ON CONFLICT DO NOTHING")
        _insert(storage, "relationships", _RELATIONSHIP_COLUMNS, rows.relationships, "ON CONFLICT DO NOTHING")
        _insert(
            storage,
            "things",
            _THING_COLUMNS,
            rows.things,
            f"ON CONFLICT (id) DO UPDATE SET {newer} WHERE excluded.version > things.version",
        )

    storage.transaction_sync(run)


def purge_rows(storage: ObjectStorage, ids: Sequence[str], *, whole_span: bool = False) -> None:
    """Delete every row of the things `ids` and of the relationships that start at them.

    `whole_span`: `ids` are, in id order, every thing stored from the first to the last (a place
    being emptied): the things are deleted as one range of ids.
    """
    ensure_schema(storage)
    batch = _ids_json(ids)

    def run() -> None:
        sql = storage.sql
        sql.exec(
            f"DELETE FROM graph_chunks WHERE kind = 'r' AND owner IN (SELECT id FROM relationships WHERE from_id IN "
            f"{_IDS})",
            batch,
        )
        sql.exec(f"DELETE FROM graph_chunks WHERE kind = 't' AND owner IN {_IDS}", batch)
        sql.exec(f"DELETE FROM relationships WHERE from_id IN {_IDS}", batch)
        sql.exec(f"DELETE FROM thing_versions WHERE thing_id IN {_IDS}", batch)
        if whole_span:
            sql.exec("DELETE FROM things WHERE id BETWEEN ? AND ?", ids[0], ids[-1])
        else:
            sql.exec(f"DELETE FROM things WHERE id IN {_IDS}", batch)

    storage.transaction_sync(run)


def thing_ids(storage: ObjectStorage, *, after: str | None = None, limit: int) -> list[str]:
    """Ids of up to `limit` things (deleted ones included) after `after`, in id order (read from the id index alone)."""
    ensure_schema(storage)
    if after is None:
        found = storage.sql.exec("SELECT id FROM things ORDER BY id LIMIT ?", limit)
    else:
        found = storage.sql.exec("SELECT id FROM things WHERE id > ? ORDER BY id LIMIT ?", after, limit)
    return [row[0] for row in found.raw()]


def key_rows(storage: ObjectStorage, key: str, *, after: str | None = None, limit: int) -> list[tuple[str, Any]]:
    """`(id, key value)` of up to `limit` things (deleted ones included) with ids after `after`, by id."""
    ensure_schema(storage)
    params = Params()
    value = resolve_field(key, params, document_sql("t")).value
    clause = "" if after is None else f"WHERE t.id > {params.add(after)}"
    query = f"SELECT t.id, {value} FROM things AS t {clause} ORDER BY t.id LIMIT {params.add(limit)}"
    return list(storage.sql.exec(query, *params.values).raw())


def ids_missing_key(storage: ObjectStorage, key: str, *, limit: int) -> list[str]:
    """Ids of up to `limit` things that have no value for `key`."""
    ensure_schema(storage)
    params = Params()
    value = resolve_field(key, params, document_sql("t")).value
    query = f"SELECT t.id FROM things AS t WHERE {value} IS NULL ORDER BY t.id LIMIT {params.add(limit)}"
    return [row[0] for row in storage.sql.exec(query, *params.values).raw()]


def relationship_rows(
    storage: ObjectStorage, thing_id: str, type: str | None, direction: str
) -> list[tuple[str, str, str]]:
    """`(from_id, to_id, relationship id)` of the edges at `thing_id` stored here, in creation order."""
    ensure_schema(storage)
    columns = {"out": "from_id", "in": "to_id"}
    selects = []
    for side in ("out", "in"):
        if direction in (side, "both"):
            type_match = "" if type is None else " AND type = ?2"
            selects.append(
                f"SELECT from_id, to_id, id, rowid AS seq FROM relationships WHERE {columns[side]} = ?1{type_match}"
            )
    query = f"SELECT from_id, to_id, id FROM ({' UNION ALL '.join(selects)}) ORDER BY seq"
    bindings = (thing_id,) if type is None else (thing_id, type)
    return [tuple(row) for row in storage.sql.exec(query, *bindings).raw()]  # type: ignore[misc]


def insert_relationship(storage: ObjectStorage, row: tuple[Any, ...]) -> bool:
    """Store one relationship row whose endpoints the caller checked (they may live in other shards).

    False if the same (from, type, to) or id is already stored.
    """
    ensure_schema(storage)
    columns = ", ".join(_RELATIONSHIP_COLUMNS)
    written = storage.sql.exec(
        f"INSERT INTO relationships ({columns}) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", *row
    ).rows_written
    return written > 0
