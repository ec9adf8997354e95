"""Two sessions wired to each other in memory, for tests of the session without a transport."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from dotdo import rpc
from dotdo.rpc.session import Session


class Pair:
    """A client session and a server session delivering to each other on the event loop."""

    def __init__(self, main: Any, *, owns_main: bool = False):
        loop = asyncio.get_running_loop()
        self.wire: list[tuple[str, list]] = []
        self.client = Session(None, send=lambda text: self._deliver(loop, ">", text))
        self.server = Session(main, send=lambda text: self._deliver(loop, "<", text), owns_main=owns_main)
        self.api = rpc.RpcStub(self.client.main_hook())

    def _deliver(self, loop: asyncio.AbstractEventLoop, direction: str, text: str) -> None:
        self.wire.append((direction, json.loads(text)))
        target = self.server if direction == ">" else self.client
        loop.call_soon(target.receive, text)

    def sent(self, kind: str) -> list[list]:
        return [message for direction, message in self.wire if direction == ">" and message[0] == kind]


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)
