"""CPU-bound git work (producing and unpacking packs) on a worker thread, in the repository owner's turn.

The work runs on a thread so the event loop keeps serving other objects; `exclusive` (the owning
object's `block_concurrency_while`) keeps that object's other events waiting meanwhile, so nothing
else touches its storage. The thread holds the storage's thread lock, as every user of a storage
from another thread does, and writes the loop made before are committed first: the thread's
transaction is its own, committed on that thread when the work ends.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

if TYPE_CHECKING:
    from dotdo.runtime.object_storage import ObjectStorage

T = TypeVar("T")
Exclusive = Callable[[Callable[[], Awaitable[Any]]], Awaitable[Any]]
"""Runs an async function while the repository's owner handles nothing else (`block_concurrency_while`)."""


def one_at_a_time() -> Exclusive:
    """An `Exclusive` for a repository outside an object: one piece of work at a time."""
    lock = asyncio.Lock()

    async def exclusive(fn: Callable[[], Awaitable[Any]]) -> Any:
        async with lock:
            return await fn()

    return exclusive


async def run_off_loop(storage: ObjectStorage, work: Callable[[], T], exclusive: Exclusive) -> T:
    """`work()` on a worker thread, holding `storage`'s thread lock, inside `exclusive`."""

    def run() -> T:
        with storage.thread_lock:
            return work()

    async def hold() -> T:
        storage.commit()
        return await asyncio.to_thread(run)

    return cast("T", await exclusive(hold))
