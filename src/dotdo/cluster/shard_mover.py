"""Moving things between layouts while reads and writes go on: `shard`, `rebalance`, `unshard`.

The move is recorded in the registry before the first thing moves. Then each place of the old layout
is read in id order, page by page; the things whose new place differs move in batches: the batch
holds its ids (writes to them wait), keeps fan-out reads out, copies every row to the new place,
then deletes them from the old. A place the new layout does not keep (the object itself when
sharding, every shard when unsharding) gains no things during the move, so its batches are spans
of ids: listed from the id index, read with their keys and deleted as one range each. Copying
merges by version and deleting is idempotent, so a move cut short by a crash is finished by
running it again: the registry still names it, and a sharded object resumes it when it next
activates. Things created during the move go straight to the new layout.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .shard_registry import Layout, Move
from .shard_router import Location, ShardRouter
from .shard_rows import ThingRows, export_rows, export_span, key_rows, merge_rows, purge_rows, thing_ids
from .shard_strategies import ShardingError

PAGE = 50_000
"""Things listed per page of a place being emptied."""
_MEMO_LIMIT = 200_000


@dataclass
class MoveReport:
    """What a finished move did."""

    correlation_id: str
    kind: str
    moved: int
    examined: int

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "correlation_id": self.correlation_id,
            "kind": self.kind,
            "moved": self.moved,
            "examined": self.examined,
        }


class _Dealer:
    """Where a move sends a thing of a given place: by key, or dealt out in turn (round robin)."""

    def __init__(self, router: ShardRouter, move: Move) -> None:
        self.router = router
        self.target = move.target
        self.source_names = router.locations(move.source)
        self.turn = 0
        self._routes: dict[Any, Location] = {}

    def destination(self, place: Location, value: Any) -> Location:
        target = self.target
        if target is None:
            return None
        if target.strategy.routes_by_key:
            # Many things share a key (a customer's orders): hash each key once, within a bounded memo.
            key = (type(value), value)
            if key in self._routes:
                return self._routes[key]
            if len(self._routes) >= _MEMO_LIMIT:
                self._routes.clear()
            found = self._routes[key] = self.router.place(target, value)
            return found
        kept = self.router.locations(target)
        if place in kept:
            return place
        destination = kept[self.turn % len(kept)]
        self.turn += 1
        return destination

    def destinations(self, place: Location, ids: list[str], values: list[Any]) -> dict[str, Location]:
        """`destination` of each thing `ids[i]` with key `values[i]`, by id (a whole batch at once)."""
        target = self.target
        if target is None or not target.strategy.routes_by_key:
            return {thing_id: self.destination(place, value) for thing_id, value in zip(ids, values, strict=True)}
        routes = self._routes
        if len(routes) >= _MEMO_LIMIT:
            routes.clear()
        # Keys are told apart by type too (1, 1.0 and True are one dict key otherwise).
        keys = list(zip(map(type, values), values, strict=True))
        for key in set(keys).difference(routes):
            routes[key] = self.router.place(target, key[1])
        return dict(zip(ids, map(routes.__getitem__, keys), strict=True))


async def run_move(
    router: ShardRouter, move: Move, *, batch_size: int = 2000, on_batch: Callable[[int], None] | None = None
) -> MoveReport:
    """Carry out (or finish) `move`; the registry then names its target layout alone.

    `batch_size` bounds the pause: a fan-out read, or a write to a thing being moved, waits at most
    for one batch. `on_batch(moved)` is told the running total after each batch.
    """
    key = router.key
    dealer = _Dealer(router, move)
    moved = examined = 0
    kept = router.locations(move.target)
    for place in dealer.source_names:
        if place not in kept:
            # Emptied, and gaining no new things meanwhile (they go to the new layout): each batch is
            # every thing of its id span, read (with its key) and deleted as one range.
            after: str | None = None
            while page := await router.run(
                place, lambda storage, after=after: thing_ids(storage, after=after, limit=PAGE)
            ):
                after = page[-1]
                examined += len(page)
                for start in range(0, len(page), batch_size):
                    moved += await _empty_batch(router, place, page[start : start + batch_size], key, dealer)
                    if on_batch is not None:
                        on_batch(moved)
            continue
        after = None
        while True:
            listed = await router.run(
                place, lambda storage, after=after: key_rows(storage, key, after=after, limit=PAGE)
            )
            if not listed:
                break
            after = listed[-1][0]
            examined += len(listed)
            leaving: dict[str, Location] = {}
            for thing_id, value in listed:
                destination = dealer.destination(place, _checked(thing_id, value, key))
                if destination != place:
                    leaving[thing_id] = destination
            # Batches follow id order, so each one empties neighbouring rows (pages) of the place.
            ids = list(leaving)
            for start in range(0, len(ids), batch_size):
                batch = ids[start : start + batch_size]
                await _move_batch(router, place, {thing_id: leaving[thing_id] for thing_id in batch})
                moved += len(batch)
                if on_batch is not None:
                    on_batch(moved)
    registry = router.registry
    registry.layout = move.target
    registry.move = None
    if move.target is None:
        registry.key = None
    router.save()
    return MoveReport(move.id, move.kind, moved, examined)


def _checked(thing_id: str, value: Any, key: str) -> Any:
    if value is None:
        raise ShardingError(f"Thing {thing_id!r} has no {key!r}, the shard key; give it one, then run the move again")
    return value


async def _move_batch(router: ShardRouter, source: Location, destinations: dict[str, Location]) -> None:
    """Move the things `destinations` names from `source`: copy each group to its place, then delete."""
    ids = list(destinations)
    async with router.gate.hold(ids), router.gate.moving():
        rows = await router.run(source, lambda storage: export_rows(storage, ids))
        await _copy_then_purge(router, source, rows, destinations, whole_span=False)


async def _empty_batch(router: ShardRouter, source: Location, ids: list[str], key: str, dealer: _Dealer) -> int:
    """Move every thing of `source` from `ids[0]` to `ids[-1]` (all of them listed in `ids`); how many moved."""
    async with router.gate.hold(ids), router.gate.moving():
        rows, values = await router.run(source, lambda storage: export_span(storage, ids[0], ids[-1], key))
        ids = [row[0] for row in rows.things]
        if None in values:
            missing = ids[values.index(None)]
            _checked(missing, None, key)
        destinations = dealer.destinations(source, ids, values)
        await _copy_then_purge(router, source, rows, destinations, whole_span=True)
    return len(destinations)


async def _copy_then_purge(
    router: ShardRouter, source: Location, rows: ThingRows, destinations: dict[str, Location], *, whole_span: bool
) -> None:
    """Merge each group of `rows` into its place, then delete the things from `source` (held by the caller)."""
    groups = rows.split(destinations)
    await asyncio.gather(
        *(
            router.run(destination, lambda storage, part=part: merge_rows(storage, part))
            for destination, part in groups.items()
        )
    )
    ids = list(destinations)
    if ids:
        await router.run(source, lambda storage: purge_rows(storage, ids, whole_span=whole_span))


def begin_move(router: ShardRouter, correlation_id: str, kind: str, target: Layout | None, key: str | None) -> Move:
    """Record a move from the current layout to `target` (before anything moves)."""
    registry = router.registry
    if registry.move is not None:
        raise ShardingError(
            f"A {registry.move.kind} is already under way (correlation id {registry.move.id}); "
            "wait for it (finish_move()) before starting another"
        )
    move = Move(correlation_id, kind, registry.layout, target)
    registry.move = move
    if key is not None:
        registry.key = key
    router.save()
    return move
