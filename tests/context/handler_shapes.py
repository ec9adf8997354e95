"""Every form a handler or action takes in user code, each recording its own label when it runs.

`SHAPES` maps a label to a builder: given the object, it returns the callable to register (or to
pass to `ctx.do` / `ctx.try_`). Each callable takes one argument (the event, the tick or the
action's argument) and stores its label in the object's `ran` table, after an await where it is async.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from typing import Any

from dotdo.context import DO


class Onboarding(DO):
    """Records which handler shape ran, in its own storage (so the write must be committed)."""

    async def on_start(self) -> None:
        self.storage.sql.exec("CREATE TABLE IF NOT EXISTS ran (label TEXT)")

    async def onboard(self, label: str, value: Any = None) -> str:
        await asyncio.sleep(0)
        self.storage.sql.exec("INSERT INTO ran VALUES (?)", label)
        return f"onboarded by {label}"

    def onboard_now(self, label: str, value: Any = None) -> str:
        self.storage.sql.exec("INSERT INTO ran VALUES (?)", label)
        return f"onboarded by {label}"

    async def bound_async(self, value: Any = None) -> str:
        return await self.onboard("bound async method", value)

    def bound_sync(self, value: Any = None) -> str:
        return self.onboard_now("bound sync method", value)

    def ran(self) -> list[str]:
        return [row["label"] for row in self.storage.sql.exec("SELECT label FROM ran ORDER BY rowid")]


class AsyncCallable:
    """An object whose `__call__` is async."""

    def __init__(self, obj: Onboarding) -> None:
        self.obj = obj

    async def __call__(self, value: Any = None) -> str:
        return await self.obj.onboard("object with async __call__", value)


def _async_def(obj: Onboarding) -> Callable[..., Any]:
    async def handler(value: Any = None) -> str:
        return await obj.onboard("async def", value)

    return handler


def _sync_def(obj: Onboarding) -> Callable[..., Any]:
    def handler(value: Any = None) -> str:
        return obj.onboard_now("sync def", value)

    return handler


SHAPES: dict[str, Callable[[Onboarding], Callable[..., Any]]] = {
    "async def": _async_def,
    "sync def": _sync_def,
    "lambda returning a coroutine": lambda obj: lambda value=None: obj.onboard("lambda returning a coroutine", value),
    "partial of an async method": lambda obj: functools.partial(obj.onboard, "partial of an async method"),
    "object with async __call__": AsyncCallable,
    "bound async method": lambda obj: obj.bound_async,
    "bound sync method": lambda obj: obj.bound_sync,
}
