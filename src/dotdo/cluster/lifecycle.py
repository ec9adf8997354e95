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
from ..graph.schema import ensure_schema
from ..runtime.extensions import Extensions
from .shard_mover import begin_move, run_move
from .shard_query import ShardQueryResult, query_shards
from .shard_registry import Layout
from .shard_router import ShardRouter
from .shard_rows import ids_missing_key, key_rows
from .shard_strategies import ShardingError, check_count, check_key, make_strategy

log = logging.getLogger("dotdo.cluster.lifecycle")

T = TypeVar("T")


class Lifecycle(DO):
    """A Durable Object with the lifecycle operations as methods (call them through its stub)."""

    extensions = Extensions(
        attachments={
            "things": "dotdo.cluster.sharded_things:attach_things",
            "relationships": "dotdo.cluster.sharded_things:attach_relationships",
        }
    )

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

    async def _reported(self, family: str, details: Mapping[str, Any], work: Callable[[str], Awaitable[T]]) -> T:
        """Run `work(correlation_id)` between `<family>.started` and `.completed` (or `.failed`) events."""
        correlation_id = new_id()
        self.ctx.send(f"{family}.started", {"correlation_id": correlation_id, **details})
        try:
            result = await work(correlation_id)
        except Exception as exc:
            self.ctx.send(
                f"{family}.failed",
                {"correlation_id": correlation_id, **details, "error": f"{exc.__class__.__name__}: {exc}"},
            )
            raise
        summary = result if isinstance(result, Mapping) else {}
        self.ctx.send(f"{family}.completed", {"correlation_id": correlation_id, **details, **summary})
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
