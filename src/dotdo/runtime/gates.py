"""An object's two gates: the input gate holds new events, the output gate holds results until durable.

Input gate: storage is synchronous and every object runs on one event loop, so the code of an event
between two awaits is already atomic; the gate adds the explicit hold (activation,
`block_concurrency_while`).

Output gate: what follows a write (a response, a message) waits for the commit that holds the write,
and in power durability for its fsync. The group commit (`group_commit.py`) takes the waiter of the
writes it commits and settles it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


class InputGate:
    """Holds the delivery of new events while closed."""

    __slots__ = ("_holds", "_opened")

    def __init__(self) -> None:
        self._holds = 0
        self._opened: asyncio.Future[None] | None = None

    @property
    def closed(self) -> bool:
        """Whether new events are being held."""
        return self._holds > 0

    async def wait_open(self) -> None:
        """Return once the gate is open."""
        while self._holds:
            opened = self._opened
            assert opened is not None
            await asyncio.shield(opened)

    def close(self) -> None:
        """Hold new events until `open()` is called as often as `close()` was."""
        if self._holds == 0:
            self._opened = asyncio.get_running_loop().create_future()
        self._holds += 1

    def open(self) -> None:
        """Undo one `close()`."""
        self._holds -= 1
        if self._holds == 0 and self._opened is not None:
            opened, self._opened = self._opened, None
            if not opened.done():
                opened.set_result(None)

    async def hold_while(self, fn: Callable[[], Awaitable[T]]) -> T:
        """Run `fn()` with the gate closed."""
        self.close()
        try:
            return await fn()
        finally:
            self.open()


class OutputGate:
    """The waiters of one storage's writes: those not yet committed, and those committed but not yet fsynced."""

    __slots__ = ("_pending", "_syncing")

    def __init__(self) -> None:
        self._pending: asyncio.Future[None] | None = None
        self._syncing: asyncio.Future[None] | None = None

    def waiter(self, dirty: bool, broken: BaseException | None) -> asyncio.Future[None] | None:
        """A future that settles once every write so far is durable, or None if all are.

        `dirty`: some write is not committed yet; `broken`: the storage failed and lost its
        uncommitted writes (the future fails with it).
        """
        if dirty:
            pending = self._pending
            if pending is None:
                pending = self._pending = asyncio.get_running_loop().create_future()
            return pending
        syncing = self._syncing
        if syncing is not None and not syncing.done():
            return syncing
        if broken is not None:
            failed = asyncio.get_running_loop().create_future()
            failed.set_exception(broken)
            failed.add_done_callback(consume_exception)
            return failed
        return None

    @property
    def syncing(self) -> bool:
        """Whether committed writes still wait for their fsync."""
        syncing = self._syncing
        return syncing is not None and not syncing.done()

    def take(self) -> asyncio.Future[None] | None:
        """The waiter of the writes about to be committed (cleared: later writes get a new one)."""
        future, self._pending = self._pending, None
        return future

    def keep(self, future: asyncio.Future[None] | None) -> None:
        """Give back a waiter whose writes are still not committed (a `transaction_sync` block is open)."""
        self._pending = future

    def wait_for_sync(self, future: asyncio.Future[None]) -> None:
        """The writes are committed and `future` settles once they are fsynced."""
        self._syncing = future

    def fail(self, error: BaseException) -> None:
        """The uncommitted writes are lost: their waiter fails with `error`."""
        pending, self._pending = self._pending, None
        if pending is not None and not pending.done():
            pending.set_exception(error)
            pending.add_done_callback(consume_exception)


def consume_exception(future: asyncio.Future[None]) -> None:
    """Mark a failed waiter's exception as retrieved (nobody may be waiting on it)."""
    if not future.cancelled():
        future.exception()
