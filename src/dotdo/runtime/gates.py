"""The input gate: `block_concurrency_while` holds new events of an object until its work is done.

Storage is synchronous and every object runs on one event loop, so the code of an event between two
awaits is already atomic; the gate adds the explicit hold (activation, `block_concurrency_while`).
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
