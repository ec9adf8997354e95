"""Durable Object classes the cluster scenarios send to host processes (hosts import them by name)."""

import asyncio
import os
import time

from dotdo import DO


class Counter(DO):
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

    async def fetch(self, request):
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
