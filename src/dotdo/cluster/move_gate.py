"""Keeping reads and writes exact while things move between shards.

Two kinds of exclusion, both in the memory of the sharded object (every routed call goes through
it): a thing being written or moved is held by its id, so a write never lands on a copy a move is
about to delete; and a fan-out read (find, count, `query_shards`) never overlaps a batch of a move,
so it sees each thing in exactly one place. A batch waits for the reads in flight, and new reads
wait for the batch: the pause a reader sees is one batch.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterable


class MoveGate:
    """Per-id holds for writes and moves; readers-writer exclusion between fan-out reads and move batches."""

    def __init__(self) -> None:
        self._held: dict[str, asyncio.Event] = {}
        self._readers = 0
        self._moving = False
        self._movers_waiting = 0
        self._changed = asyncio.Condition()

    @contextlib.asynccontextmanager
    async def hold(self, ids: Iterable[str]) -> AsyncIterator[None]:
        """Hold the things `ids` (a write, or a batch of a move) until the block ends."""
        wanted = sorted(set(ids))
        released = asyncio.Event()
        held = self._held
        taken: list[str] = []
        try:
            if held.keys().isdisjoint(wanted):
                # None is held (the usual case): take them all at once.
                held.update(dict.fromkeys(wanted, released))
                taken = wanted
            else:
                for thing_id in wanted:
                    while (busy := held.get(thing_id)) is not None:
                        await busy.wait()
                    held[thing_id] = released
                    taken.append(thing_id)
            yield
        finally:
            for thing_id in taken:
                del held[thing_id]
            released.set()

    @contextlib.asynccontextmanager
    async def reading(self) -> AsyncIterator[None]:
        """A fan-out read: waits while a batch moves, and holds off the next batch until it ends."""
        async with self._changed:
            # A waiting batch goes first, so a stream of reads cannot stall a move.
            await self._changed.wait_for(lambda: not self._moving and not self._movers_waiting)
            self._readers += 1
        try:
            yield
        finally:
            async with self._changed:
                self._readers -= 1
                self._changed.notify_all()

    @contextlib.asynccontextmanager
    async def moving(self) -> AsyncIterator[None]:
        """One batch of a move: waits for the fan-out reads in flight, and keeps new ones out until it ends."""
        async with self._changed:
            self._movers_waiting += 1
            try:
                await self._changed.wait_for(lambda: not self._moving and self._readers == 0)
            finally:
                self._movers_waiting -= 1
            self._moving = True
        try:
            yield
        finally:
            async with self._changed:
                self._moving = False
                self._changed.notify_all()
