"""`Lifecycle`: a `DO` whose data can be sharded, rebalanced, unsharded, promoted, demoted, forked and moved.

```python
class Shop(Lifecycle): ...

app = runtime.get(Shop, "acme")          # the object's stub: every operation is a method call
await app.shard(key="customer_id", count=16, strategy="hash")
await app.rebalance(count=24)
result = await app.query_shards(type="Order", where={"total": {"gt": 100}}, aggregate="count")
```

Each operation runs as an event of the object and reports through `ctx.send`
(`shard.started`/`completed`/`failed`, `promote.*`, `demote.*`, `fork.*`, `move.*`), every event of
one operation carrying the same `correlation_id`. Once sharded, the object's own code reaches its
things as before through `self.ctx.things` / `self.ctx.relationships`, now awaited.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from functools import cached_property
from typing import Any, ClassVar, TypeVar

from ..context import DO
from ..graph.names import new_id
from ..graph.references import Reference
from ..graph.schema import ensure_schema
from ..graph.thing import Thing
from ..graph.things import Things
from ..runtime.extensions import Extensions
from ..runtime.ids import namespace_of
from ..runtime.stub import Stub
from .fork import ForkError, copy_database, link_blobs, paused_schedules, unpause
from .move import colo_label, require_placement
from .promotion import PROMOTED_FROM, PromotionError, check_target, demote, link_of, promote
from .shard_mover import begin_move, run_move
from .shard_query import ShardQueryResult, query_shards
from .shard_registry import Layout
from .shard_router import ShardRouter, run_shard_operation
from .shard_rows import ids_missing_key, key_rows
from .shard_strategies import ShardingError, check_count, check_key, make_strategy
from .sharded_things import ShardedThings, attach_relationships, attach_things

log = logging.getLogger("dotdo.cluster.lifecycle")

T = TypeVar("T")


class Lifecycle(DO):
    """A Durable Object with the lifecycle operations as methods (call them through its stub)."""

    extensions = Extensions(attachments={"things": attach_things, "relationships": attach_relationships})

    move_batch_size: ClassVar[int] = 2000
    """Things moved per batch by shard/rebalance/unshard: reads and writes wait at most one batch."""

    def on_move_progress(self, moved: int) -> None:
        """Called after each batch of a move with the number of things moved so far (override to show progress)."""

    @cached_property
    def shard_router(self) -> ShardRouter:
        """Where this object's things live once sharded."""
        return ShardRouter(self)

    async def _on_activate(self) -> None:
        await super()._on_activate()
        if self.shard_router.registry.move is not None:
            # A move a crash cut short is finished in the background; routing is exact meanwhile.
            self.ctx.spawn(self.finish_move)

    def _refresh_stores(self) -> None:
        for name in ("things", "relationships"):
            vars(self.ctx).pop(name, None)

    async def _reported(
        self,
        family: str,
        details: Mapping[str, Any],
        work: Callable[[str], Awaitable[T]],
        *,
        send: Callable[[str, dict[str, Any]], Awaitable[Any]] | None = None,
    ) -> T:
        """Run `work(correlation_id)` between `<family>.started` and `.completed` (or `.failed`) events,
        sent through this object's `ctx.send` unless `send` (another object's) is given."""

        async def own_send(event_type: str, data: dict[str, Any]) -> None:
            self.ctx.send(event_type, data)

        deliver = send or own_send
        correlation_id = new_id()
        await deliver(f"{family}.started", {"correlation_id": correlation_id, **details})
        try:
            result = await work(correlation_id)
        except Exception as exc:
            error = f"{exc.__class__.__name__}: {exc}"
            await deliver(f"{family}.failed", {"correlation_id": correlation_id, **details, "error": error})
            raise
        summary = result if isinstance(result, Mapping) else {}
        await deliver(f"{family}.completed", {"correlation_id": correlation_id, **details, **summary})
        return result

    # -- sharding -------------------------------------------------------------------------------

    async def shard(
        self, key: str, count: int, strategy: Any = "hash", *, bounds: Sequence[Any] | None = None
    ) -> dict[str, Any]:
        """Move this object's things (and their relationships) into `count` shards named `<name>-shard-<i>`.

        `strategy`: "hash" (consistent), "range" (with `bounds`), "round_robin", or a module-level
        function `fn(value, count) -> index`. Online: reads and writes go on while things move.
        """
        key = check_key(key)
        count = check_count(count)
        layout = Layout(count, make_strategy(strategy, count, bounds))
        router = self.shard_router
        name = router.object_name
        if router.registry.sharded:
            raise ShardingError(
                f"{name} is already sharded (key {router.registry.key!r}); use rebalance(count=...) to change "
                "the count, or unshard() first"
            )
        storage = self.storage
        ensure_schema(storage)
        if not key_rows(storage, key, limit=1):
            raise ShardingError(f"{name} has no things to shard; create some first (an empty object needs no shards)")
        missing = ids_missing_key(storage, key, limit=6)
        if missing:
            ids = ", ".join(repr(thing_id) for thing_id in missing[:5])
            raise ShardingError(
                f"Things without {key!r}, the shard key, cannot be placed: {ids}{' …' if len(missing) > 5 else ''}; "
                "give them that field or shard by another key"
            )

        async def work(correlation_id: str) -> dict[str, Any]:
            move = begin_move(router, correlation_id, "shard", layout, key)
            self._refresh_stores()
            return await self._run_move(move)

        return await self._reported("shard", {"kind": "shard", "key": key, "count": count}, work)

    async def rebalance(
        self, count: int, *, strategy: Any = None, bounds: Sequence[Any] | None = None
    ) -> dict[str, Any]:
        """Change the number of shards (online); consistent hashing moves only the things that must move."""
        count = check_count(count)
        router = self.shard_router
        current = router.registry.layout
        if current is None or router.registry.move is not None:
            raise ShardingError(
                f"{router.object_name} is not sharded (or a move is under way); shard(key=..., count=...) first"
            )
        chosen = current.strategy if strategy is None else None
        if chosen is not None and chosen.name == "range" and bounds is None:
            raise ShardingError(f"Rebalancing range shards needs bounds=[...]: {count - 1} ascending split points")
        if chosen is not None and chosen.name == "range":
            chosen = None
            strategy = "range"
        layout = Layout(count, chosen or make_strategy(strategy, count, bounds))

        async def work(correlation_id: str) -> dict[str, Any]:
            move = begin_move(router, correlation_id, "rebalance", layout, None)
            return await self._run_move(move)

        return await self._reported("shard", {"kind": "rebalance", "count": count}, work)

    async def unshard(self) -> dict[str, Any]:
        """Bring every thing back into this object (online) and drop the shard layout."""
        router = self.shard_router
        if router.registry.layout is None or router.registry.move is not None:
            raise ShardingError(f"{router.object_name} is not sharded (or a move is under way); nothing to unshard")

        async def work(correlation_id: str) -> dict[str, Any]:
            move = begin_move(router, correlation_id, "unshard", None, None)
            return await self._run_move(move)

        return await self._reported("shard", {"kind": "unshard"}, work)

    async def _run_move(self, move: Any) -> dict[str, Any]:
        router = self.shard_router
        async with router.mover_lock:
            report = await self._move(move)
        self._refresh_stores()
        return report.to_dict()

    async def _move(self, move: Any) -> Any:
        return await run_move(self.shard_router, move, batch_size=self.move_batch_size, on_batch=self.on_move_progress)

    async def finish_move(self) -> dict[str, Any] | None:
        """Finish a move a crash interrupted (also started by itself on activation); None if none is pending."""
        router = self.shard_router
        async with router.mover_lock:
            move = router.registry.move
            if move is None:
                return None
            report = await self._move(move)
        self._refresh_stores()
        self.ctx.send("shard.completed", {"correlation_id": move.id, "kind": move.kind, "resumed": True})
        return report.to_dict()

    def shard_things(self, operation: str, args: Sequence[Any]) -> Any:
        """What a shard answers for the object it belongs to: one routed graph call on its own things
        (`create`, `get`, `history`, `change`, `delete`, `version`; see `shard_router.SHARD_OPERATIONS`)."""
        return run_shard_operation(self, operation, args)

    def shard_info(self) -> dict[str, Any]:
        """The registry: key, strategy, count, shard names, and the move under way (if any)."""
        router = self.shard_router
        registry = router.registry
        layout = registry.layout
        return {
            "sharded": registry.sharded,
            "key": registry.key,
            "count": None if layout is None else layout.count,
            "strategy": None if layout is None else layout.strategy.to_record(),
            "shards": [] if layout is None else router.locations(layout),
            "move": None if registry.move is None else registry.move.to_record(),
        }

    async def query_shards(
        self,
        *,
        type: str | None = None,
        where: Mapping[str, Any] | None = None,
        aggregate: str = "concat",
        field: str | None = None,
        order_by: str | Sequence[str] | None = None,
        limit: int | None = None,
        continue_on_error: bool = False,
    ) -> ShardQueryResult:
        """Ask every shard and combine: aggregate "concat", "merge", "count", "sum" or "avg" (see `shard_query`)."""
        router = self.shard_router
        if not router.registry.sharded:
            raise ShardingError(f"{router.object_name} is not sharded; query its things with ctx.things.find")
        return await query_shards(
            router,
            type=type,
            where=where,
            aggregate=aggregate,
            field=field,
            order_by=order_by,
            limit=limit,
            continue_on_error=continue_on_error,
        )

    # -- promote and demote ---------------------------------------------------------------------

    async def promote(
        self,
        thing_id: str,
        *,
        namespace: type | str | None = None,
        colo: str | None = None,
        preserve_history: bool = True,
    ) -> Stub:
        """Make thing `thing_id` an object of class `namespace` (default: this class) named by its id.

        Its versions (with `preserve_history`), relationships, events and finished actions go with it;
        this object keeps a link (`promoted_to`) that `read_thing` follows. Returns the new object's stub.
        """
        relocator = None if colo is None else require_placement(self.runtime, colo)
        if self.shard_router.registry.sharded:
            return await self._promote_from_shard(thing_id, namespace, colo, preserve_history)
        cls = type(self)

        async def work(correlation_id: str) -> dict[str, Any]:
            nonlocal cls
            cls = check_target(self.runtime, cls if namespace is None else namespace)
            if relocator is not None and colo is not None:
                # Placed before it exists: the new object is created on a host of that colo.
                await relocator.relocate(self.runtime.id_from_name(cls, thing_id), (colo_label(colo),))
            target = await promote(self, thing_id, cls, preserve_history=preserve_history)
            return {"object": f"{target.class_name}/{target.object_name}"}

        await self._reported("promote", {"thing_id": thing_id}, work)
        return self.runtime.get(cls, thing_id)

    async def _promote_from_shard(
        self, thing_id: str, namespace: type | str | None, colo: str | None, preserve_history: bool
    ) -> Stub:
        """Promote a thing of a sharded object: the shard holding it promotes it, and keeps the link
        that reads through this object follow (a demotion folds it back into that shard)."""
        router = self.shard_router
        target = namespace_of(namespace) if isinstance(namespace, type) else namespace

        async def work(correlation_id: str) -> dict[str, Any]:
            # Held for the whole promotion: a rebalance cannot move the thing away meanwhile.
            async with router.gate.hold([thing_id]):
                shard = await router.locate_live(thing_id)
                assert shard is not None, "a sharded object keeps no things of its own"
                promoted = await self.runtime.call(
                    type(self), shard, "promote", thing_id, namespace=target, colo=colo,
                    preserve_history=preserve_history,
                )  # fmt: skip
            return {"object": f"{promoted.id.namespace}/{promoted.id.name}", "shard": shard}

        result = await self._reported("promote", {"thing_id": thing_id}, work)
        class_name, _, name = result["object"].partition("/")
        return self.runtime.get(class_name, name)

    async def demote(
        self, *, into: Stub | str | None = None, preserve_history: bool = True, preserve_id: bool = True
    ) -> str:
        """Fold this promoted object back into a thing of `into` (a stub, an object name of this class,
        or by default the object it was promoted from); returns the thing's id there. This object is emptied."""
        into_cls, into_name = self._demotion_target(into)

        async def work(correlation_id: str) -> dict[str, Any]:
            thing_id = await demote(
                self, into_cls, into_name, preserve_history=preserve_history, preserve_id=preserve_id
            )
            return {"thing_id": thing_id, "into": f"{namespace_of(into_cls)}/{into_name}"}

        async def send_to_parent(event_type: str, data: dict[str, Any]) -> None:
            await self.runtime.run_in(into_cls, into_name, lambda parent: parent.ctx.send(event_type, data))

        # The events go to the parent's log: this object's storage is emptied by the demotion.
        result = await self._reported("demote", {"object": self.ctx.source}, work, send=send_to_parent)
        return result["thing_id"]

    def _demotion_target(self, into: Stub | str | None) -> tuple[type, str]:
        if isinstance(into, Stub):
            if into.id.name is None:
                raise PromotionError("demote into= an object addressed by name")
            return self.runtime.class_named(into.id.namespace), into.id.name
        if isinstance(into, str):
            return type(self), into
        if into is None:
            origin = self.storage.get(PROMOTED_FROM)
            if origin is None:
                raise PromotionError(
                    f"{self.ctx.source} was not promoted from a thing; pass into= the object that should hold it"
                )
            reference = Reference.parse(origin)
            return self.runtime.class_named(reference.class_name), reference.object_name
        raise PromotionError(f"into= takes a stub or an object name, not {into.__class__.__name__}")

    async def read_thing(self, thing_id: str) -> Thing | None:
        """The thing `thing_id`, following the link if it was promoted to its own object."""
        things = self.ctx.things
        found = await things.get(thing_id) if isinstance(things, ShardedThings) else things.get(thing_id)
        link = None if found is None else link_of(found.data)
        if link is None:
            return found
        namespace, name = link
        return await self.runtime.run_in(namespace, name, lambda obj: Things(obj.storage).get(thing_id))

    # -- fork and move --------------------------------------------------------------------------

    async def fork(self, new_name: str) -> Stub:
        """Copy this object's whole state to a new object `new_name` of this class, at one commit point.

        The copy's schedules are paused until `enable_schedules()` is called on it. Returns its stub.
        """
        if not isinstance(new_name, str) or not new_name or new_name == self.id.name:
            raise ForkError(f"fork needs a new object name different from this one, not {new_name!r}")
        folder = self.runtime.data_folder
        cls = type(self)
        target_id = self.runtime.id_from_name(cls, new_name)
        source = folder.object_path(self.id.namespace, self.id.hex)
        target = folder.object_path(target_id.namespace, target_id.hex)

        async def work(correlation_id: str) -> dict[str, Any]:
            # In a cluster the copy may belong to another host: its file (in the shared data folder,
            # made at its first activation) is what tells it exists, and copy_database refuses it.
            if self.runtime.live_storage(cls, target_id) is not None:
                raise ForkError(f"{new_name} is already running; fork to a new name")
            copy_database(self.storage, target)
            blobs = link_blobs(source.with_suffix(".blobs"), target.with_suffix(".blobs"))
            return {"fork": new_name, "blobs": blobs}

        await self._reported("fork", {"source": self.ctx.source}, work)
        return self.runtime.get(cls, new_name)

    def paused_schedules(self) -> list[str]:
        """The schedules a fork paused (enable them with `enable_schedules`)."""
        return paused_schedules(self.storage)

    async def enable_schedules(self) -> list[str]:
        """Resume the schedules paused when this object was forked; returns their ids."""
        ids = unpause(self.storage)
        for sid in ids:
            await self.ctx.schedules.fire(sid)
        return ids

    async def move_to(self, colo: str) -> None:
        """Re-place this object on a host of `colo` (a cluster host labelled `colo:<colo>`; see `dotdo.cluster.move`).

        Returns once calls are routed to the new host; this object's old host lets it go when this
        call ends, and the new one opens it at its next call (calls meanwhile wait for that).
        """

        async def work(correlation_id: str) -> dict[str, Any]:
            relocator = require_placement(self.runtime, colo)
            await relocator.relocate(self.id, (colo_label(colo),))
            return {}

        await self._reported("move", {"colo": colo}, work)
