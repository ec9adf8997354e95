"""Routing the things of a sharded object to its shards, exactly, while moves run.

A `ShardRouter` belongs to one sharded object and every routed call goes through it: it knows the
registry (key, layout, move in progress), computes where a thing lives, and runs the graph's own
store inside the shard that holds it, so the shards may live anywhere the door reaches: a call
about one thing as a named operation with plain arguments (`SHARD_OPERATIONS`, answered by the
shard's `shard_things` method), a fan-out read as a function (`Objects.run_in`). During a move a
thing is in its old place or its new one: writes hold the thing's id and look in both, fan-out
reads take the `MoveGate` so they never overlap a batch.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from ..graph.errors import ThingNotFoundError
from ..graph.schema import ensure_schema
from ..graph.thing import Thing
from ..graph.things import Things, deep_merge
from .move_gate import MoveGate
from .shard_registry import Layout, Registry, load_registry, save_registry, shard_name
from .shard_strategies import ShardingError

if TYPE_CHECKING:
    from ..runtime.durable_object import DurableObject

T = TypeVar("T")

Location = str | None
"""A shard's object name, or None for the sharded object itself (before `shard`, after `unshard`)."""

_ROW_VERSION = "SELECT version FROM things WHERE id = ?"


def key_value(key: str, thing_id: str, type: str, name: str | None, data: dict[str, Any]) -> Any:
    """The shard key's value for a thing; `ShardingError` if the thing has none."""
    if key == "id":
        return thing_id
    if key == "type":
        return type
    if key == "name":
        value: Any = name
    else:
        value = data
        for part in (key[5:] if key.startswith("data.") else key).split("."):
            value = value.get(part) if isinstance(value, dict) else None
    if value is None:
        raise ShardingError(
            f"This {type} has no {key!r}, the shard key: every thing of a sharded object needs one "
            f"(things without it are refused rather than placed where no lookup by {key!r} would find them)"
        )
    return int(value) if isinstance(value, bool) else value


def _create(things: Things, type: str, name: str | None, id: str, visibility: str, data: dict[str, Any]) -> Thing:
    return things.create(type, name, id=id, visibility=visibility, data=data)


def _change(
    things: Things, verb: str, id: str, patch: dict[str, Any], meta: dict[str, Any], shard_key: str | None
) -> Thing:
    current = things.get(id)
    if current is not None and shard_key is not None:
        name = meta.get("name", current.name)
        merged = deep_merge(current.data, patch) if verb == "update" else patch
        before = key_value(shard_key, id, current.type, current.name, current.data)
        after = key_value(shard_key, id, current.type, name, merged)
        if before != after:
            raise ShardingError(
                f"{shard_key!r} is the shard key and cannot change ({before!r} -> {after!r}); "
                "delete the thing and create it again"
            )
    return getattr(things, verb)(id, data=patch, **meta)


def _version(things: Things, id: str) -> int | None:
    ensure_schema(things.storage)
    rows = list(things.storage.sql.exec(_ROW_VERSION, id).raw())
    return rows[0][0] if rows else None


SHARD_OPERATIONS: dict[str, Callable[..., Any]] = {
    "create": _create,
    "get": lambda things, id, version: things.get(id, version),
    "history": lambda things, id: things.history(id),
    "change": _change,
    "delete": lambda things, id, purge: things.delete(id, purge=purge),
    "version": _version,
}
"""The calls routed to one shard, by name: they cross to a shard on another host as a method call
with plain arguments (`Lifecycle.shard_things`), never as a function pickled by value."""


def run_shard_operation(obj: DurableObject, operation: str, args: Sequence[Any]) -> Any:
    """Run one routed graph call (`SHARD_OPERATIONS`) on the things `obj` itself stores."""
    run = SHARD_OPERATIONS.get(operation)
    if run is None:
        raise ValueError(f"Unknown shard operation {operation!r}; one of {', '.join(SHARD_OPERATIONS)}")
    return run(Things(obj.storage, runtime=obj.runtime), *args)


class ShardRouter:
    """Where the things of one sharded object live, and the calls that reach them."""

    def __init__(self, obj: DurableObject) -> None:
        self.object = obj
        self.gate = MoveGate()
        self.mover_lock = asyncio.Lock()
        self._registry: Registry | None = None
        self._names: list[Location] = []

    # -- the registry ---------------------------------------------------------------------------

    @property
    def registry(self) -> Registry:
        """The registry, read from the object's storage once."""
        if self._registry is None:
            self._registry = load_registry(self.object.storage)
        return self._registry

    def save(self) -> None:
        """Write the registry back (committed with the running event)."""
        save_registry(self.object.storage, self.registry)

    @property
    def key(self) -> str:
        """The shard key."""
        key = self.registry.key
        if key is None:
            raise ShardingError("This object is not sharded; call shard(key=..., count=...) first")
        return key

    def layouts(self) -> tuple[Layout | None, Layout | None]:
        """(where things are, where they go): the same layout twice unless a move runs."""
        registry = self.registry
        if registry.move is not None:
            return registry.move.source, registry.move.target
        return registry.layout, registry.layout

    @property
    def object_name(self) -> str:
        """The sharded object's name (shards are named after it)."""
        name = self.object.id.name
        if name is None:
            raise ShardingError("Only objects addressed by name can be sharded (their shards are named after them)")
        return name

    def locations(self, layout: Layout | None) -> list[Location]:
        """Every place a layout keeps things."""
        if layout is None:
            return [None]
        names = self._names
        if len(names) < layout.count:
            names.extend(shard_name(self.object_name, index) for index in range(len(names), layout.count))
        return names[: layout.count]

    def all_locations(self) -> list[Location]:
        """Every place a thing may be now (both layouts during a move)."""
        source, target = self.layouts()
        found = self.locations(source)
        found += [location for location in self.locations(target) if location not in found]
        return found

    def place(self, layout: Layout | None, value: Any) -> Location:
        """Where `layout` puts a thing with key `value` (round robin: the next shard in turn)."""
        if layout is None:
            return None
        if layout.strategy.routes_by_key:
            return self.locations(layout)[layout.strategy.shard_for(value, layout.count)]
        registry = self.registry
        index = registry.turn % layout.count
        registry.turn += 1
        self.save()
        return shard_name(self.object_name, index)

    def lookup(self, layout: Layout | None, value: Any) -> list[Location]:
        """Where `layout` may hold a thing with key `value`: one place, or every shard for round robin."""
        if layout is None or layout.strategy.routes_by_key:
            return [self.place(layout, value)]
        return self.locations(layout)

    # -- running in a location -----------------------------------------------------------------

    async def run(self, location: Location, fn: Callable[[Any], T]) -> T:
        """Run `fn(storage)` in one event of the location's object (the object itself: right here)."""
        if location is None:
            return fn(self.object.storage)
        return await self.object.runtime.run_in(type(self.object), location, lambda shard: fn(shard.storage))

    async def run_each(
        self, locations: Sequence[Location], fn: Callable[[Any], T], *, return_exceptions: bool = False
    ) -> list[T | BaseException]:
        """Run `fn(storage)` in every location at once; results in the order of `locations`."""
        return await asyncio.gather(
            *(self.run(location, fn) for location in locations), return_exceptions=return_exceptions
        )

    async def operate(self, location: Location, operation: str, *args: Any) -> Any:
        """Run a `SHARD_OPERATIONS` call on the things of `location` (None: this object's own, right here),
        as a method call of the shard: arguments and answer cross hosts as plain values."""
        if location is None:
            return run_shard_operation(self.object, operation, args)
        return await self.object.runtime.call(type(self.object), location, "shard_things", operation, args)

    # -- finding a thing ------------------------------------------------------------------------

    def candidates(self, thing_id: str) -> list[Location]:
        """The places to look for `thing_id`: exact when the key is the id, else everywhere."""
        if self.registry.key == "id":
            source, target = self.layouts()
            found = self.lookup(target, thing_id)
            found += [location for location in self.lookup(source, thing_id) if location not in found]
            return found
        return self.all_locations()

    async def locate(self, thing_id: str) -> Location | str:
        """Where the row of `thing_id` is (deleted or not); the newest copy if a crash left two.

        Returns the sentinel `MISSING` when no place has it. Call it holding the id.
        """

        places = self.candidates(thing_id)
        versions = await asyncio.gather(*(self.operate(place, "version", thing_id) for place in places))
        best: Location | str = MISSING
        best_version = -1
        for place, found in zip(places, versions, strict=True):
            if isinstance(found, int) and found > best_version:
                best, best_version = place, found
        return best

    async def locate_live(self, thing_id: str) -> Location:
        """Where the live thing `thing_id` is, or `ThingNotFoundError`."""
        place = await self.locate(thing_id)
        if place is MISSING:
            raise ThingNotFoundError(f"No thing {thing_id!r} in any shard (missing or deleted); create it first")
        return place  # type: ignore[return-value]


MISSING = "\x00missing"
"""What `locate` returns for a thing no shard holds (not a valid object name)."""
