"""`ctx.relationships`: typed edges between things, local or in other objects (references)."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from .chunks import DEFAULT_ROW_LIMIT, delete_chunks, read_chunks, write_chunks
from .documents import decode_document, encode_document
from .errors import DuplicateRelationshipError, UnknownEndpointError
from .names import check_thing_id, check_type, new_id
from .references import Reference, is_reference
from .schema import with_schema
from .thing import Relationship, Thing, format_time, parse_time

if TYPE_CHECKING:
    from ..runtime.object_storage import ObjectStorage

Endpoint = str | Thing | Reference
_COLUMNS = "id, from_id, to_id, type, data, created_at"


class Relationships:
    """The relationships store of one object (`ctx.relationships`)."""

    def __init__(
        self, storage: ObjectStorage, *, clock: Callable[[], float] = time.time, row_limit: int = DEFAULT_ROW_LIMIT
    ) -> None:
        self.storage = storage
        self.row_limit = row_limit
        self._clock = clock

    def _endpoint(self, value: Any, role: str) -> str:
        if isinstance(value, Thing):
            value = value.id
        if isinstance(value, Reference):
            return str(value)
        if not isinstance(value, str):
            raise TypeError(f"{role} must be a thing id, a Thing or a Reference, not {type(value).__name__}")
        if is_reference(value):
            return str(Reference.parse(value))
        check_thing_id(value, role)
        live = self.storage.sql.exec("SELECT 1 FROM things WHERE id = ? AND deleted_at IS NULL", value).rows_read
        if not live:
            raise UnknownEndpointError(
                f"{role} {value!r}: no such thing in this object (missing or deleted); create it first, "
                "or name a thing in another object as 'Class/object-name#thing-id'"
            )
        return value

    def _relationship(self, row: tuple[Any, ...]) -> Relationship:
        rel_id, from_id, to_id, type_, data, created = row
        if data is None:
            data = read_chunks(self.storage, "r", rel_id, 0)
        return Relationship(rel_id, from_id, to_id, type_, decode_document(data), parse_time(created))

    def create(
        self,
        from_: Endpoint,
        to: Endpoint,
        type: str,
        *,
        id: str | None = None,
        data: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> Relationship:
        """Relate `from_` to `to` with `type` (e.g. "placed"), with optional JSON fields.

        Local endpoints must be live things; `Class/object-name#thing-id` (or a `Reference`) points
        into another object. The same (from_, to, type) twice raises `DuplicateRelationshipError`.
        """
        check_type(type, "relationship type")
        if data is not None and not isinstance(data, Mapping):
            raise TypeError(f"data must be a dict of fields, not {data.__class__.__name__}")
        document = {**(data or {}), **fields}
        text = encode_document(document)
        rel_id = new_id() if id is None else check_thing_id(id, "relationship id")
        now = format_time(self._clock())

        def run() -> Relationship:
            source = self._endpoint(from_, "from_")
            target = self._endpoint(to, "to")
            chunked = len(text) * 4 > self.row_limit and len(text.encode()) > self.row_limit
            try:
                self.storage.sql.exec(
                    f"INSERT INTO relationships ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
                    rel_id,
                    source,
                    target,
                    type,
                    None if chunked else text,
                    now,
                )
            except sqlite3.IntegrityError:
                existing = self.storage.sql.exec(
                    "SELECT id FROM relationships WHERE from_id = ? AND to_id = ? AND type = ?",
                    source,
                    target,
                    type,
                ).to_list()
                if existing:
                    raise DuplicateRelationshipError(
                        f"A {type!r} relationship from {source!r} to {target!r} already exists "
                        f"(id {existing[0]['id']!r}); update its data or delete it first"
                    ) from None
                raise DuplicateRelationshipError(
                    f"A relationship with id {rel_id!r} already exists; choose another id"
                ) from None
            if chunked:
                write_chunks(self.storage, "r", rel_id, 0, text, self.row_limit)
            return Relationship(rel_id, source, target, type, document, parse_time(now))

        return with_schema(self.storage, lambda: self.storage.transaction_sync(run))

    def get(self, id: str) -> Relationship | None:
        """The relationship `id`, or None."""
        check_thing_id(id, "relationship id")

        def run() -> Relationship | None:
            rows = list(self.storage.sql.exec(f"SELECT {_COLUMNS} FROM relationships WHERE id = ?", id).raw())
            return self._relationship(rows[0]) if rows else None

        return with_schema(self.storage, run)

    def delete(self, id: str) -> bool:
        """Delete relationship `id`; True if it existed."""
        check_thing_id(id, "relationship id")

        def run() -> bool:
            delete_chunks(self.storage, "r", id)
            return self.storage.sql.exec("DELETE FROM relationships WHERE id = ?", id).rows_written > 0

        return with_schema(self.storage, lambda: self.storage.transaction_sync(run))

    def list(
        self,
        from_: Endpoint | None = None,
        to: Endpoint | None = None,
        type: str | None = None,
        *,
        limit: int | None = None,
    ) -> list[Relationship]:
        """Relationships matching every given endpoint and type, oldest first."""
        clauses, bindings = [], []
        for column, value in (("from_id", from_), ("to_id", to)):
            if value is None:
                continue
            if isinstance(value, Thing):
                value = value.id
            if isinstance(value, Reference):
                value = str(value)
            if not isinstance(value, str):
                raise TypeError(f"{column}: expected a thing id, Thing or Reference, not {value.__class__.__name__}")
            clauses.append(f"{column} = ?")
            bindings.append(str(Reference.parse(value)) if is_reference(value) else value)
        if type is not None:
            clauses.append("type = ?")
            bindings.append(check_type(type, "relationship type"))
        query = f"SELECT {_COLUMNS} FROM relationships"
        if clauses:
            query += " WHERE " + " AND ".join(clauses)
        query += " ORDER BY rowid"
        if limit is not None:
            if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
                raise ValueError(f"limit must be a non-negative integer or None, not {limit!r}")
            query += " LIMIT ?"
            bindings.append(limit)
        return with_schema(
            self.storage,
            lambda: [self._relationship(row) for row in self.storage.sql.exec(query, *bindings).raw()],
        )
