"""`ctx.things` and `ctx.relationships` of a sharded object: the graph's calls, routed to the shards.

The names and arguments are those of `dotdo.graph.Things` and `Relationships`; the calls are
coroutines (`await ctx.things.create(...)`), because the things now live in other objects. A call
by key goes to one shard; a call by id goes to one shard when the key is the id and asks every
shard otherwise; `find`, `count` and walks ask every shard and merge. The shard key of a thing
cannot change (delete it and create it again).
"""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import msgspec

from ..graph.documents import encode_document
from ..graph.errors import DuplicateRelationshipError, InvalidCursorError, UnknownEndpointError
from ..graph.names import check_thing_id, check_type, new_id
from ..graph.references import Reference, is_reference
from ..graph.relationships import Relationships
from ..graph.thing import Relationship, Thing, format_time
from ..graph.things import Page, Things
from ..graph.traversal import MAX_DEPTH, check_direction
from .shard_merge import newest_copies, sort_things
from .shard_router import MISSING, ShardRouter, key_value
from .shard_rows import insert_relationship, relationship_rows

if TYPE_CHECKING:
    from ..context.context import Context

_LIVE = "SELECT 1 FROM things WHERE id = ? AND deleted_at IS NULL"


class ShardedThings:
    """The things of a sharded object, wherever their shard is (`ctx.things` once sharded)."""

    def __init__(self, router: ShardRouter) -> None:
        self.router = router

    async def create(
        self,
        type: str,
        name: str | None = None,
        *,
        id: str | None = None,
        visibility: str = "private",
        data: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> Thing:
        """`Things.create` in the shard the thing's key picks."""
        router = self.router
        check_type(type)
        thing_id = new_id() if id is None else check_thing_id(id)
        document = {**(data or {}), **fields}
        value = key_value(router.key, thing_id, type, name, document)
        async with router.gate.hold([thing_id]):
            existing = MISSING if id is None else await router.locate(thing_id)
            _, target = router.layouts()
            # A deleted thing keeps its history: it is recreated where that history is.
            place = router.place(target, value) if existing is MISSING else existing
            return await self.router.operate(place, "create", type, name, thing_id, visibility, document)  # type: ignore[arg-type]

    async def get(self, id: str, version: int | None = None) -> Thing | None:
        """`Things.get`: the live thing (or a version of it), None if no shard has it."""
        check_thing_id(id)
        async with self.router.gate.hold([id]):
            place = await self.router.locate(id)
            if place is MISSING:
                return None
            return await self.router.operate(place, "get", id, version)  # type: ignore[arg-type]

    async def history(self, id: str) -> list[Thing]:
        """`Things.history`: every version of `id`, oldest first."""
        check_thing_id(id)
        async with self.router.gate.hold([id]):
            place = await self.router.locate(id)
            if place is MISSING:
                return []
            return await self.router.operate(place, "history", id)  # type: ignore[arg-type]

    async def get_many(self, ids: Sequence[str]) -> list[Thing]:
        """`Things.get_many`: the live things among `ids`, in the order given."""
        wanted = list(ids)
        async with self.router.gate.reading():
            found = await self.router.run_each(
                self.router.all_locations(), lambda storage: Things(storage).get_many(wanted)
            )
        by_id = {thing.id: thing for thing in newest_copies(t for part in found for t in part)}  # type: ignore[union-attr]
        return [by_id[i] for i in wanted if i in by_id]

    async def update(self, id: str, /, *, data: Mapping[str, Any] | None = None, **fields: Any) -> Thing:
        """`Things.update` (deep merge) in the thing's shard; the shard key cannot change."""
        patch = {**(data or {}), **{k: v for k, v in fields.items() if k not in ("name", "visibility")}}
        meta = {k: v for k, v in fields.items() if k in ("name", "visibility")}
        return await self._routed_change("update", id, patch, meta)

    async def replace(self, id: str, /, *, data: Mapping[str, Any] | None = None, **fields: Any) -> Thing:
        """`Things.replace` in the thing's shard; the shard key cannot change."""
        patch = {**(data or {}), **{k: v for k, v in fields.items() if k not in ("name", "visibility")}}
        meta = {k: v for k, v in fields.items() if k in ("name", "visibility")}
        return await self._routed_change("replace", id, patch, meta)

    async def _routed_change(self, verb: str, id: str, patch: dict[str, Any], meta: dict[str, Any]) -> Thing:
        check_thing_id(id)
        router = self.router
        async with router.gate.hold([id]):
            place = await router.locate_live(id)
            # Read once, here: an unshard finishing while this change waits for its shard clears the
            # key, and the change then lands on the object itself, where no key constrains it.
            shard_key = router.registry.key

            return await self.router.operate(place, "change", verb, id, patch, meta, shard_key)  # type: ignore[arg-type]

    async def delete(self, id: str, purge: bool = False) -> bool:
        """`Things.delete` in the thing's shard; False if no shard has it."""
        check_thing_id(id)
        async with self.router.gate.hold([id]):
            place = await self.router.locate(id)
            if place is MISSING:
                return False
            return await self.router.operate(place, "delete", id, purge)  # type: ignore[arg-type]

    async def find(
        self,
        type: str | None = None,
        where: Mapping[str, Any] | None = None,
        order_by: str | Sequence[str] | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        *,
        include_deleted: bool = False,
    ) -> list[Thing]:
        """`Things.find` over every shard: merged, ordered and limited globally."""
        if cursor is not None:
            raise NotImplementedError("find takes no cursor on a sharded object; page with find_page")
        async with self.router.gate.reading():
            parts = await self.router.run_each(
                self.router.all_locations(),
                lambda storage: Things(storage).find(type, where, order_by, limit, include_deleted=include_deleted),
            )
        merged = sort_things(newest_copies(t for part in parts for t in part), order_by)  # type: ignore[union-attr]
        return merged if limit is None else merged[:limit]

    async def find_page(
        self,
        type: str | None = None,
        where: Mapping[str, Any] | None = None,
        order_by: str | Sequence[str] | None = None,
        limit: int = 50,
        cursor: str | None = None,
        *,
        include_deleted: bool = False,
    ) -> Page:
        """`Things.find_page` over every shard; the cursor counts the things already returned.

        Each shard returns the first `offset + limit + 1` matches in the global order, so a page
        costs what the pages before it cost; pages stay exact while no thing is added or removed.
        """
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ValueError("find_page needs a positive limit (the page size)")
        offset = _offset(cursor)
        things = await self.find(type, where, order_by, offset + limit + 1, include_deleted=include_deleted)
        page = things[offset : offset + limit]
        more = len(things) > offset + limit
        return Page(page, _encode_offset(offset + limit) if more else None)

    async def count(
        self, type: str | None = None, where: Mapping[str, Any] | None = None, *, include_deleted: bool = False
    ) -> int:
        """`Things.count` summed over every shard."""
        async with self.router.gate.reading():
            counts = await self.router.run_each(
                self.router.all_locations(),
                lambda storage: Things(storage).count(type, where, include_deleted=include_deleted),
            )
        return sum(counts)  # type: ignore[arg-type]

    async def related(self, id: str, type: str | None = None, direction: str = "out") -> list[Thing | Reference]:
        """`Things.related` across shards: the edges at `id` wherever they are stored."""
        check_direction(direction)
        if await self.get(id) is None:
            raise UnknownEndpointError(f"No thing {id!r} in any shard (missing or deleted)")
        return await self._neighbours([id], type, direction)

    async def _neighbours(self, ids: list[str], type: str | None, direction: str) -> list[Thing | Reference]:
        async with self.router.gate.reading():
            edges: list[tuple[str, str, str]] = []
            for thing_id in ids:
                parts = await self.router.run_each(
                    self.router.all_locations(),
                    lambda storage, thing_id=thing_id: relationship_rows(storage, thing_id, type, direction),
                )
                for part in parts:
                    edges.extend(part)  # type: ignore[arg-type]
        order: list[str] = []
        for from_id, to_id, _ in edges:
            node = to_id if from_id in ids else from_id
            if direction == "both" and to_id in ids and from_id not in ids:
                node = from_id
            if node not in order and node not in ids:
                order.append(node)
        local = [node for node in order if not is_reference(node)]
        found = {thing.id: thing for thing in await self.get_many(local)}
        result: list[Thing | Reference] = []
        for node in order:
            if node in found:
                result.append(found[node])
            elif is_reference(node):
                result.append(Reference.parse(node))
        return result

    async def traverse(
        self,
        id: str,
        types: str | Sequence[str],
        depth: int | None = None,
        *,
        direction: str = "out",
        type: str | None = None,
    ) -> list[Thing | Reference]:
        """`Things.traverse` across shards, one hop at a time: nearest first, each thing once."""
        type_list = [types] if isinstance(types, str) else list(types)
        if not type_list:
            raise ValueError("traverse needs at least one relationship type, e.g. ['placed', 'contains']")
        hops = len(type_list) if depth is None else depth
        if isinstance(hops, bool) or not isinstance(hops, int) or not 1 <= hops <= MAX_DEPTH:
            raise ValueError(f"depth must be an integer from 1 to {MAX_DEPTH}, not {depth!r}")
        check_direction(direction)
        if await self.get(id) is None:
            raise UnknownEndpointError(f"No thing {id!r} in any shard (missing or deleted)")
        seen = {id}
        frontier = [id]
        reached: list[Thing | Reference] = []
        for hop in range(hops):
            step: list[str] = []
            for node in frontier:
                for found in await self._neighbours([node], type_list[hop % len(type_list)], direction):
                    key = str(found) if isinstance(found, Reference) else found.id
                    if key not in seen:
                        seen.add(key)
                        reached.append(found)
                        if isinstance(found, Thing):
                            step.append(found.id)
            frontier = step
        if type is None:
            return reached
        return [e for e in reached if isinstance(e, Thing) and e.type == type]


class ShardedRelationships:
    """The relationships of a sharded object (`ctx.relationships` once sharded): stored with their `from` thing."""

    def __init__(self, router: ShardRouter) -> None:
        self.router = router

    async def _endpoint(self, value: Any, role: str) -> tuple[str, Any]:
        if isinstance(value, Thing):
            value = value.id
        if isinstance(value, Reference) or (isinstance(value, str) and is_reference(value)):
            return str(value if isinstance(value, Reference) else Reference.parse(value)), None
        check_thing_id(value, role)
        place = await self.router.locate(value)
        live = place is not MISSING and await self.router.run(place, lambda s: bool(s.sql.exec(_LIVE, value).rows_read))  # type: ignore[arg-type]
        if not live:
            raise UnknownEndpointError(f"{role} {value!r}: no such thing in any shard (missing or deleted)")
        return value, place

    async def create(
        self,
        from_: Any,
        to: Any,
        type: str,
        *,
        id: str | None = None,
        data: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> Relationship:
        """`Relationships.create`: kept in the shard of `from_` (which must be a thing of this object)."""
        check_type(type, "relationship type")
        document = {**(data or {}), **fields}
        rel_id = new_id() if id is None else check_thing_id(id, "relationship id")
        now = time.time()
        source_id = from_.id if isinstance(from_, Thing) else from_
        async with self.router.gate.hold([source_id] if isinstance(source_id, str) else []):
            source, place = await self._endpoint(from_, "from_")
            if place is None and self.router.registry.sharded:
                raise UnknownEndpointError("from_ must be a thing of this sharded object, not a reference")
            target, _ = await self._endpoint(to, "to")
            row = (rel_id, source, target, type, encode_document(document), format_time(now))
            if not await self.router.run(place, lambda storage: insert_relationship(storage, row)):
                raise DuplicateRelationshipError(
                    f"A {type!r} relationship from {source!r} to {target!r} (or the id {rel_id!r}) already exists"
                )
        return Relationship(rel_id, source, target, type, document, None)

    async def list(self, from_: Any = None, to: Any = None, type: str | None = None) -> list[Relationship]:
        """`Relationships.list` over every shard."""
        async with self.router.gate.reading():
            parts = await self.router.run_each(
                self.router.all_locations(), lambda storage: Relationships(storage).list(from_=from_, to=to, type=type)
            )
        seen: dict[str, Relationship] = {}
        for part in parts:
            for relationship in part:  # type: ignore[union-attr]
                seen.setdefault(relationship.id, relationship)
        return list(seen.values())

    async def delete(self, id: str) -> bool:
        """`Relationships.delete` in whichever shard stores it."""
        check_thing_id(id, "relationship id")
        async with self.router.gate.reading():
            deleted = await self.router.run_each(
                self.router.all_locations(), lambda storage: Relationships(storage).delete(id)
            )
        return any(deleted)


def _encode_offset(offset: int) -> str:
    return base64.urlsafe_b64encode(msgspec.json.encode({"offset": offset})).decode().rstrip("=")


def _offset(cursor: str | None) -> int:
    if cursor is None:
        return 0
    try:
        decoded = msgspec.json.decode(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, TypeError, msgspec.DecodeError):
        decoded = None
    if not isinstance(decoded, dict) or not isinstance(decoded.get("offset"), int) or decoded["offset"] < 0:
        raise InvalidCursorError("cursor is not one that find_page returned; start again without a cursor")
    return decoded["offset"]


def _router(ctx: Context) -> ShardRouter | None:
    router = getattr(ctx.object, "shard_router", None)
    return router if isinstance(router, ShardRouter) and router.registry.sharded else None


def attach_things(ctx: Context) -> Things | ShardedThings:
    """`ctx.things`: the object's own store, or the routed one once the object is sharded."""
    router = _router(ctx)
    return Things(ctx.storage, runtime=ctx.runtime) if router is None else ShardedThings(router)


def attach_relationships(ctx: Context) -> Relationships | ShardedRelationships:
    """`ctx.relationships`: the object's own store, or the routed one once the object is sharded."""
    router = _router(ctx)
    return Relationships(ctx.storage) if router is None else ShardedRelationships(router)
