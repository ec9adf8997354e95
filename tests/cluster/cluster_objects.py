"""Durable Object classes the cluster scenarios send to host processes (hosts import them by name)."""

import asyncio
import os
import time

from starlette.websockets import WebSocket

from dotdo import DO
from dotdo.context.stubs import StubPolicy


class Counter(DO):
    stub_policy = StubPolicy(failure_threshold=3, max_retries=0)

    async def on_start(self) -> None:
        self.storage.put("starts", (self.storage.get("starts") or 0) + 1)

    def increment(self, n: int = 1) -> int:
        total = (self.storage.get("total") or 0) + n
        self.storage.put("total", total)
        return total

    def bump(self) -> tuple[int, int]:
        """Increment; the new total and the pid of the host that ran it."""
        return self.increment(), os.getpid()

    def total(self) -> int:
        return self.storage.get("total") or 0

    def starts(self) -> int:
        return self.storage.get("starts")

    def pid(self) -> int:
        return os.getpid()

    @property
    def host_pid(self) -> int:
        """The pid of the host process, as a property (Cap'n Web reads it with a get)."""
        return os.getpid()

    async def add_to(self, other: str, n: int) -> tuple[int, int]:
        """Increment another counter through a stub of this runtime; that counter's total and pid."""
        stub = self.env.Counter.get(other)
        return await stub.increment(n), await stub.pid()

    async def add_once_file_exists(self, n: int, path: str) -> int:
        """Wait until `path` exists, then increment: a write that comes after whatever happened meanwhile.

        `path` + ".waiting" exists once the event runs."""
        with open(f"{path}.waiting", "w"):
            pass
        while not os.path.exists(path):
            await asyncio.sleep(0.01)
        return self.increment(n)

    def release_file(self) -> None:
        self.storage.release_connection()

    def set_alarm_in(self, seconds: float) -> None:
        self.storage.set_alarm(time.time() + seconds)

    async def alarm(self, info: object = None) -> None:
        self.storage.put("alarm_ran_in", os.getpid())
        self.storage.put("alarms", (self.storage.get("alarms") or 0) + 1)

    def alarms(self) -> int:
        return self.storage.get("alarms") or 0

    def alarm_ran_in(self) -> int | None:
        return self.storage.get("alarm_ran_in")

    async def ctx_add(self, other: str, numbers: list[int]) -> tuple[int, list[int]]:
        """Add the sum of `numbers` to another counter through `ctx`; its total and `numbers` afterwards."""
        total = await self.ctx.Counter(other).add_all(numbers)
        return total, numbers

    def add_all(self, numbers: list[int]) -> int:
        """Add each number (emptying the list it got, which is the callee's own copy)."""
        total = 0
        while numbers:
            total = self.increment(numbers.pop())
        return total

    def fail(self) -> None:
        raise ValueError(f"failed on {os.getpid()}")

    async def ctx_fail(self, other: str) -> str:
        """Call `fail` of another counter through `ctx`; the error's type and message."""
        try:
            await self.ctx.Counter(other).fail()
        except Exception as exc:
            return f"{type(exc).__name__}: {exc}"
        return "no error"

    async def fetch_other(self, other: str) -> tuple[int, bytes]:
        """POST to another counter's `fetch` through a stub: its status and body."""
        response = await self.env.Counter.get(other).fetch("/via-stub", method="POST")
        return response.status_code, response.body

    async def run_in_other(self, other: str, n: int) -> tuple[int, int]:
        """`run_in` on another counter: its total plus `n`, and the pid that ran it."""
        return await self.runtime.run_in(Counter, other, lambda obj: (obj.total() + n, os.getpid()))

    async def spawn_on_other(self, other: str, n: int) -> int:
        """`spawn` an increment on another counter and wait for the task: its new total."""
        return await self.runtime.spawn(Counter, other, increment_counter, other, n)

    def websocket_message(self, ws, message: str) -> None:
        ws.send(f"{os.getpid()} {message}")

    async def fetch(self, request):
        if isinstance(request, WebSocket):
            self.accept_websocket(request)
            return None
        if request.url.path == "/slow":
            await asyncio.sleep(1.0)
        total = self.increment() if request.method == "POST" else self.total()
        return {"path": request.url.path, "total": total, "pid": os.getpid()}


class EuCounter(Counter):
    """A counter whose objects run only on hosts of nodes carrying the region:eu-west resource."""

    placement = "region:eu-west"


class MarsCounter(Counter):
    """A counter no host may run: no node carries its label."""

    placement = "region:mars"


async def increment_counter(name: str, n: int) -> int:
    """Run as an event of the counter `name` (spawned): increment it by `n`."""
    from dotdo.runtime.durable_object import current_object

    counter = current_object.get()
    assert counter is not None and counter.name == name
    return counter.increment(n)
