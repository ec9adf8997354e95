"""Values that are (partly) here: replacing promises by their results, and proxies of known values.

`resolve_deep` is what "promises are resolved before delivery" means: every future or
`RpcPromise` inside a value is awaited and replaced, stubs are kept. A proxy whose promise has
already settled acts on the received value through `ValueHook`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from .access import get_property
from .stub import Path, RpcPromise, RpcStub

__all__ = ["ValueHook", "resolve_deep", "walk_local"]


async def resolve_deep(value: Any) -> Any:
    """`value` with every future and promise inside it replaced by its result."""
    while isinstance(value, asyncio.Future | RpcPromise):
        value = await value
    if isinstance(value, list):
        return [await resolve_deep(item) for item in value] if _has_pending(value) else value
    if isinstance(value, dict):
        if not _has_pending(value):
            return value
        return {key: await resolve_deep(item) for key, item in value.items()}
    return value


def _has_pending(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, asyncio.Future | RpcPromise):
            return True
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
    return False


def walk_local(value: Any, path: Path) -> tuple[Any, Path]:
    """Follow `path` through local data; stops at a stub, returning it and the rest of the path."""
    for index, key in enumerate(path):
        if isinstance(value, RpcStub):
            return value, path[index:]
        value = get_property(value, key)
    return value, ()


class ValueHook:
    """The hook of a proxy whose value has been received (or whose call failed)."""

    __slots__ = ("error", "value")

    def __init__(self, value: Any, error: BaseException | None = None):
        self.value = value
        self.error = error

    def __repr__(self) -> str:
        return "settled value"

    def _walk(self, path: Path) -> tuple[Any, Path]:
        if self.error is not None:
            raise self.error
        return walk_local(self.value, path)

    def call(self, path: Path, args: tuple[Any, ...]) -> RpcPromise:
        """Call the function at `path`; see `StubHook.call`."""
        try:
            target, rest = self._walk(path)
            if isinstance(target, RpcStub):
                return target._rpc_hook.call((*target._rpc_path, *rest), args)
            raise TypeError(f"{path[-1] if path else 'value'!r} is not a function")
        except Exception as error:
            return RpcPromise(ValueHook(None, error))

    async def get(self, path: Path) -> Any:
        """The value at `path`; see `StubHook.get`."""
        target, rest = self._walk(path)
        if isinstance(target, RpcStub) and (rest or isinstance(target, RpcPromise)):
            return await RpcPromise(target._rpc_hook, (*target._rpc_path, *rest))
        return target

    def map(self, path: Path, mapper: Callable[[Any], Any]) -> RpcPromise:
        """Map on the peer; see `StubHook.map`."""
        try:
            target, rest = self._walk(path)
            if isinstance(target, RpcStub):
                return target._rpc_hook.map((*target._rpc_path, *rest), mapper)
            raise TypeError("This value has already been received; map over it locally")
        except Exception as error:
            return RpcPromise(ValueHook(None, error))

    def encode(self, path: Path, *, as_promise: bool, encoder: Any) -> Any:
        """The expression passing this reference; see `StubHook.encode`."""
        target, rest = self._walk(path)
        if isinstance(target, RpcStub):
            target = RpcPromise(target._rpc_hook, (*target._rpc_path, *rest)) if rest else target
        return encoder.encode(target)

    def dispose(self) -> None:
        """Nothing to release: the value is local."""
