"""`ctx.things`: the things of one object — versioned JSON records with filters, paging and walks.

Synchronous: every call is a few statements on the object's own SQLite. Each change appends a
version (the previous row moves to `thing_versions`), so `history(id)` and `get(id, version=)`
read the past; `delete` is soft unless `purge=True`.
"""

from __future__ import annotations

import base64
import binascii
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import msgspec

from .archive import archived_versions
from .chunks import DEFAULT_ROW_LIMIT, delete_chunks, document_sql, read_chunks, write_chunks
from .documents import decode_document, encode_document
from .errors import DuplicateThingError, InvalidCursorError, ThingNotFoundError
from .filters import Params, after_sql, compile_order, compile_where, order_sql
from .names import check_name, check_thing_id, check_type, check_visibility, new_id
from .references import Reference, is_reference
from .schema import with_schema
from .thing import Thing, format_time, parse_time
from .traversal import MAX_DEPTH, check_direction, neighbour_rows, walk_rows

if TYPE_CHECKING:
    from ..runtime.object_storage import ObjectStorage
    from ..runtime.objects import Objects

_FIELDS = "type, name, data, version, created_at, updated_at, deleted_at, visibility"
_COLUMNS = "t.id, t.type, t.name, t.data, t.version, t.created_at, t.updated_at, t.deleted_at, t.visibility"
_VERSION_COLUMNS = f"thing_id, {_FIELDS}"
_DOC = document_sql("t")
_UNSET: Any = object()


@dataclass(frozen=True, slots=True)
class Page:
    """One page of `find_page`: its `items` and the `cursor` of the next page (None on the last)."""

    items: list[Thing]
    cursor: str | None

    def __iter__(self) -> Iterator[Thing]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def deep_merge(base: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """`base` with `patch` applied: nested dicts merge key by key, any other value replaces."""
    merged = dict(base)
    for key, value in patch.items():
        current = merged.get(key)
        if isinstance(value, Mapping) and isinstance(current, Mapping):
            merged[key] = deep_merge(current, value)
        else:
            merged[key] = value
    return merged


def _document(data: Mapping[str, Any] | None, fields: Mapping[str, Any]) -> dict[str, Any]:
    if data is not None and not isinstance(data, Mapping):
        raise TypeError(f"data must be a dict of fields, not {type(data).__name__}")
    return {**(data or {}), **fields}


def _check_limit(limit: Any) -> int | None:
    if limit is None:
        return None
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise ValueError(f"limit must be a non-negative integer or None, not {limit!r}")
    return limit


class Things:
    """The things store of one object (`ctx.things`)."""

    def __init__(
        self,
        storage: ObjectStorage,
        *,
        runtime: Objects | None = None,
        clock: Callable[[], float] = time.time,
        row_limit: int = DEFAULT_ROW_LIMIT,
    ) -> None:
        if row_limit < 16:
            raise ValueError("row_limit must be at least 16 bytes")
        self.storage = storage
        self.runtime = runtime
        self.row_limit = row_limit
        self._clock = clock

    # -- reading --------------------------------------------------------------------------------

    def _thing(self, row: Sequence[Any]) -> Thing:
        thing_id, type_, name, data, version, created, updated, deleted, visibility = row[:9]
        if data is None:
            data = read_chunks(self.storage, "t", thing_id, version)
        return Thing(
            thing_id,
            type_,
            name,
            decode_document(data),
            version,
            parse_time(created),  # type: ignore[arg-type]
            parse_time(updated),  # type: ignore[arg-type]
            parse_time(deleted),
            visibility,
        )

    def _row(self, thing_id: str) -> tuple[Any, ...] | None:
        rows = list(self.storage.sql.exec(f"SELECT {_COLUMNS} FROM things AS t WHERE t.id = ?", thing_id).raw())
        return rows[0] if rows else None

    def _live(self, thing_id: str) -> Thing:
        check_thing_id(thing_id)
        row = self._row(thing_id)
        if row is None or row[7] is not None:
            raise ThingNotFoundError(f"No thing {thing_id!r} in this object (missing or deleted); create it first")
        return self._thing(row)

    def get(self, id: str, version: int | None = None) -> Thing | None:
        """The live thing `id` (None if missing or deleted), or its `version` (None if no such version)."""
        if not isinstance(id, str):
            raise TypeError(f"thing id must be a str, not {type(id).__name__}")
        if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
            raise TypeError(f"version must be an int, not {type(version).__name__}")

        def run() -> Thing | None:
            row = self._row(id)
            if row is None:
                return None
            if version is None or version == row[4]:
                return None if version is None and row[7] is not None else self._thing(row)
            old = list(
                self.storage.sql.exec(
                    f"SELECT {_VERSION_COLUMNS} FROM thing_versions WHERE thing_id = ? AND version = ?",
                    id,
                    version,
                ).raw()
            )
            if old:
                return self._thing(old[0])
            archived = [row for row in archived_versions(self.storage, id) if row[4] == version]
            return self._thing(archived[0]) if archived else None

        return with_schema(self.storage, run)

    def history(self, id: str) -> list[Thing]:
        """Every version of `id`, oldest first (the deletion included); [] for an unknown id."""
        check_thing_id(id)

        def run() -> list[Thing]:
            rows = self.storage.sql.exec(
                f"SELECT {_VERSION_COLUMNS} FROM thing_versions WHERE thing_id = ?1 UNION ALL "
                f"SELECT {_COLUMNS} FROM things AS t WHERE t.id = ?1 ORDER BY 5",
                id,
            ).raw()
            things = [self._thing(row) for row in rows]
            archived = archived_versions(self.storage, id)
            if archived:
                things = sorted([*map(self._thing, archived), *things], key=lambda thing: thing.version)
            return things

        return with_schema(self.storage, run)

    def get_many(self, ids: Sequence[str]) -> list[Thing]:
        """The live things among `ids`, in the order given (missing and deleted ones left out)."""

        def run() -> list[Thing]:
            rows = self.storage.sql.exec(
                f"SELECT {_COLUMNS} FROM things AS t WHERE t.id IN (SELECT value FROM json_each(?)) "
                "AND t.deleted_at IS NULL",
                msgspec.json.encode(list(ids)).decode(),
            ).raw()
            found = {row[0]: self._thing(row) for row in rows}
            return [found[i] for i in ids if i in found]

        return with_schema(self.storage, run)

    # -- writing --------------------------------------------------------------------------------

    def _store_document(self, thing_id: str, version: int, text: str) -> str | None:
        """The value of the `data` column: the text, or None after writing it as chunks."""
        if len(text) * 4 <= self.row_limit or len(text.encode()) <= self.row_limit:
            return text
        write_chunks(self.storage, "t", thing_id, version, text, self.row_limit)
        return None

    def create(
        self,
        type: str,
        name: str | None = None,
        *,
        id: str | None = None,
        visibility: str = "private",
        data: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> Thing:
        """Create a thing of `type` with `name` and JSON fields (`data=` and/or keyword arguments).

        `id` names it (default: a time-ordered ULID). A live thing with that id raises
        `DuplicateThingError`; the id of a soft-deleted thing is reused and its history continues.
        """
        check_type(type)
        check_name(name)
        check_visibility(visibility)
        document = _document(data, fields)
        text = encode_document(document)
        thing_id = new_id() if id is None else check_thing_id(id)
        now = format_time(self._clock())

        def insert(version: int) -> Thing:
            stored = self._store_document(thing_id, version, text)
            self.storage.sql.exec(
                f"INSERT INTO things (id, {_FIELDS}) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?)",
                thing_id,
                type,
                name,
                stored,
                version,
                now,
                now,
                visibility,
            )
            stamp = parse_time(now)
            # The stored form, not the caller's dict: sorted keys, no shared nested objects.
            stored_data = decode_document(text)
            return Thing(thing_id, type, name, stored_data, version, stamp, stamp, None, visibility)  # type: ignore[arg-type]

        def reuse() -> Thing:
            row = self._row(thing_id)
            if row is None:
                return insert(1)
            if row[7] is None:
                raise DuplicateThingError(
                    f"A thing with id {thing_id!r} already exists; update() it, or create with another id"
                )
            self._archive(thing_id)
            self.storage.sql.exec("DELETE FROM things WHERE id = ?", thing_id)
            return insert(row[4] + 1)

        def run() -> Thing:
            if len(text) * 4 > self.row_limit:
                return self.storage.transaction_sync(reuse)
            try:
                return insert(1)
            except sqlite3.IntegrityError:
                return self.storage.transaction_sync(reuse)

        return with_schema(self.storage, run)

    def _archive(self, thing_id: str) -> None:
        self.storage.sql.exec(
            f"INSERT INTO thing_versions ({_VERSION_COLUMNS}) SELECT id, {_FIELDS} FROM things WHERE id = ?",
            thing_id,
        )

    def _new_version(
        self,
        current: Thing,
        *,
        name: str | None,
        visibility: str,
        document: dict[str, Any],
        deleted: bool = False,
    ) -> Thing:
        text = encode_document(document)
        now = format_time(self._clock())
        version = current.version + 1
        self._archive(current.id)
        stored = self._store_document(current.id, version, text)
        self.storage.sql.exec(
            "UPDATE things SET name = ?, data = ?, version = ?, updated_at = ?, deleted_at = ?, "
            "visibility = ? WHERE id = ?",
            name,
            stored,
            version,
            now,
            now if deleted else None,
            visibility,
            current.id,
        )
        stamp = parse_time(now)
        return Thing(
            current.id,
            current.type,
            name,
            decode_document(text),
            version,
            current.created_at,
            stamp,  # type: ignore[arg-type]
            stamp if deleted else None,
            visibility,
        )

    def _change(self, thing_id: str, name: Any, visibility: Any, make: Callable[[Thing], dict[str, Any]]) -> Thing:
        if name is not _UNSET:
            check_name(name)
        if visibility is not _UNSET:
            check_visibility(visibility)

        def run() -> Thing:
            current = self._live(thing_id)
            return self._new_version(
                current,
                name=current.name if name is _UNSET else name,
                visibility=current.visibility if visibility is _UNSET else visibility,
                document=make(current),
            )

        return with_schema(self.storage, lambda: self.storage.transaction_sync(run))

    def update(
        self,
        id: str,
        /,
        *,
        name: Any = _UNSET,
        visibility: Any = _UNSET,
        data: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> Thing:
        """Deep-merge fields into thing `id` (nested dicts merge; other values replace): a new version."""
        patch = _document(data, fields)
        return self._change(id, name, visibility, lambda current: deep_merge(current.data, patch))

    def replace(
        self,
        id: str,
        /,
        *,
        name: Any = _UNSET,
        visibility: Any = _UNSET,
        data: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> Thing:
        """Replace all JSON fields of thing `id` (name and visibility kept unless given): a new version."""
        document = _document(data, fields)
        return self._change(id, name, visibility, lambda current: document)

    def delete(self, id: str, purge: bool = False) -> bool:
        """Soft-delete thing `id` (a final version; history kept), or with `purge=True` erase it, its
        history and its relationships. True if there was something to delete."""
        check_thing_id(id)

        def run() -> bool:
            row = self._row(id)
            if purge:
                return self._purge(id, existed=row is not None)
            if row is None or row[7] is not None:
                return False
            current = self._thing(row)
            self._new_version(
                current, name=current.name, visibility=current.visibility, document=current.data, deleted=True
            )
            return True

        return with_schema(self.storage, lambda: self.storage.transaction_sync(run))

    def _purge(self, thing_id: str, *, existed: bool) -> bool:
        sql = self.storage.sql
        sql.exec(
            "DELETE FROM graph_chunks WHERE kind = 'r' AND owner IN "
            "(SELECT id FROM relationships WHERE from_id = ?1 OR to_id = ?1)",
            thing_id,
        )
        edges = sql.exec("DELETE FROM relationships WHERE from_id = ?1 OR to_id = ?1", thing_id).rows_written
        delete_chunks(self.storage, "t", thing_id)
        versions = sql.exec("DELETE FROM thing_versions WHERE thing_id = ?", thing_id).rows_written
        sql.exec("DELETE FROM things WHERE id = ?", thing_id)
        return existed or bool(edges or versions)

    # -- queries --------------------------------------------------------------------------------

    def _select(
        self,
        *,
        type: str | None,
        where: Mapping[str, Any] | None,
        order_by: str | Sequence[str] | None,
        limit: int | None,
        cursor: str | None,
        include_deleted: bool,
    ) -> tuple[list[Thing], str | None]:
        params = Params()
        clauses = [] if include_deleted else ["t.deleted_at IS NULL"]
        if type is not None:
            clauses.append(f"t.type = {params.add(check_type(type))}")
        clauses.append(compile_where(where, params, _DOC))
        keys = compile_order(order_by, params, _DOC)
        names = [key.name for key in keys]
        if cursor is not None:
            values, last_id = _decode_cursor(cursor, names)
            clauses.append(after_sql(keys, values, last_id, params))
        key_columns = "".join(f", {key.value} AS _k{i}" for i, key in enumerate(keys))
        query = f"SELECT {_COLUMNS}{key_columns} FROM things AS t WHERE {' AND '.join(clauses)} {order_sql(keys)}"
        if limit is not None:
            query += f" LIMIT {params.add(limit + 1)}"
        rows = list(self.storage.sql.exec(query, *params.values).raw())
        more = limit is not None and len(rows) > limit
        if more:
            rows = rows[:limit]
        items = [self._thing(row) for row in rows]
        next_cursor = _encode_cursor(names, list(rows[-1][9:]), rows[-1][0]) if more and rows else None
        return items, next_cursor

    def find(
        self,
        type: str | None = None,
        where: Mapping[str, Any] | None = None,
        order_by: str | Sequence[str] | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        *,
        include_deleted: bool = False,
    ) -> list[Thing]:
        """Live things of `type` matching `where`, ordered by `order_by` (then id), at most `limit`.

        `where={"age": {"gte": 18}, "address.city": "Paris"}`; operators: eq, ne, lt, lte, gt, gte,
        in, contains, prefix. `cursor` continues after a `find_page` page.
        """
        limit = _check_limit(limit)
        return with_schema(
            self.storage,
            lambda: self._select(
                type=type,
                where=where,
                order_by=order_by,
                limit=limit,
                cursor=cursor,
                include_deleted=include_deleted,
            )[0],
        )

    def find_page(
        self,
        type: str | None = None,
        where: Mapping[str, Any] | None = None,
        order_by: str | Sequence[str] | None = None,
        limit: int = 50,
        cursor: str | None = None,
        *,
        include_deleted: bool = False,
    ) -> Page:
        """Like `find`, one page at a time: pass `page.cursor` back to get the next page."""
        checked = _check_limit(limit)
        if not checked:
            raise ValueError("find_page needs a positive limit (the page size)")
        items, next_cursor = with_schema(
            self.storage,
            lambda: self._select(
                type=type,
                where=where,
                order_by=order_by,
                limit=checked,
                cursor=cursor,
                include_deleted=include_deleted,
            ),
        )
        return Page(items, next_cursor)

    def count(
        self,
        type: str | None = None,
        where: Mapping[str, Any] | None = None,
        *,
        include_deleted: bool = False,
    ) -> int:
        """How many live things of `type` match `where`."""
        params = Params()
        clauses = [] if include_deleted else ["t.deleted_at IS NULL"]
        if type is not None:
            clauses.append(f"t.type = {params.add(check_type(type))}")
        clauses.append(compile_where(where, params, _DOC))
        query = f"SELECT count(*) FROM things AS t WHERE {' AND '.join(clauses)}"
        return with_schema(self.storage, lambda: next(self.storage.sql.exec(query, *params.values).raw())[0])

    # -- the graph ------------------------------------------------------------------------------

    def _endpoints(self, rows: Sequence[Sequence[Any]]) -> list[Thing | Reference]:
        result: list[Thing | Reference] = []
        for row in rows:
            if row[1] is not None:
                result.append(self._thing(row[1:]))
            elif is_reference(row[0]):
                result.append(Reference.parse(row[0]))
        return result

    def related(self, id: str, type: str | None = None, direction: str = "out") -> list[Thing | Reference]:
        """Things one relationship of `type` away (any type if None), in creation order of the edges.

        `direction`: "out" (id -> x), "in" (x -> id) or "both". Things in other objects come back as
        `Reference`s; `await things.resolve(ref)` fetches them.
        """
        check_direction(direction)

        def run() -> list[Thing | Reference]:
            self._live(id)
            return self._endpoints(neighbour_rows(self.storage, id, type, direction, _COLUMNS))

        return with_schema(self.storage, run)

    def traverse(
        self,
        id: str,
        types: str | Sequence[str],
        depth: int | None = None,
        *,
        direction: str = "out",
        type: str | None = None,
    ) -> list[Thing | Reference]:
        """Everything reachable from `id` in 1..`depth` hops, nearest first, each once (cycles end).

        Hop n follows `types[(n - 1) % len(types)]`; `depth` defaults to `len(types)`. `type=`
        keeps only things of that thing type (e.g. the line items at the end of
        `["placed", "contains"]`).
        """
        type_list = [types] if isinstance(types, str) else list(types)
        if not type_list:
            raise ValueError("traverse needs at least one relationship type, e.g. ['placed', 'contains']")
        hops = len(type_list) if depth is None else depth
        if isinstance(hops, bool) or not isinstance(hops, int) or not 1 <= hops <= MAX_DEPTH:
            raise ValueError(f"depth must be an integer from 1 to {MAX_DEPTH}, not {depth!r}")
        check_direction(direction)

        def run() -> list[Thing | Reference]:
            self._live(id)
            endpoints = self._endpoints(walk_rows(self.storage, id, type_list, hops, direction, _COLUMNS))
            if type is None:
                return endpoints
            return [e for e in endpoints if isinstance(e, Thing) and e.type == type]

        return with_schema(self.storage, run)

    async def resolve(self, ref: Reference | str) -> Thing | None:
        """The thing a reference names, read through the runtime from the object that holds it.

        A plain id resolves locally. None if the thing is missing or deleted there.
        """
        if not is_reference(ref):
            return self.get(ref)  # type: ignore[arg-type]
        reference = ref if isinstance(ref, Reference) else Reference.parse(ref)
        if self.runtime is None:
            raise RuntimeError(
                f"Cannot resolve {reference}: this store has no runtime; use ctx.things inside an object"
            )
        thing_id = reference.thing_id
        return await self.runtime.run_in(
            reference.class_name, reference.object_name, lambda obj: Things(obj.storage).get(thing_id)
        )


def _encode_cursor(names: list[str], values: list[Any], last_id: str) -> str:
    raw = msgspec.json.encode({"k": names, "v": values, "id": last_id})
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str, names: list[str]) -> tuple[list[Any], str]:
    if not isinstance(cursor, str):
        raise InvalidCursorError(f"cursor must be the text of a page's cursor, not {type(cursor).__name__}")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        decoded = msgspec.json.decode(raw)
    except (binascii.Error, ValueError, msgspec.DecodeError):
        raise InvalidCursorError("cursor is not one that find_page returned; start again without a cursor") from None
    if (
        not isinstance(decoded, dict)
        or decoded.get("k") != names
        or not isinstance(decoded.get("id"), str)
        or not isinstance(decoded.get("v"), list)
        or len(decoded["v"]) != len(names)
        or not all(v is None or isinstance(v, int | float | str) for v in decoded["v"])
    ):
        raise InvalidCursorError(
            "cursor does not belong to this query (a different order_by?); pass the same order_by, or start again"
        )
    return decoded["v"], decoded["id"]
