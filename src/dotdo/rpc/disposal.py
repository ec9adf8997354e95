"""Telling local objects that the peer no longer holds them (JavaScript's `Symbol.dispose`).

An object takes part by defining `_rpc_dispose()` (every `RpcTarget` has a no-op one to override);
the session calls it when the last export entry holding the object goes away.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from typing import Any

__all__ = ["disposables_in", "dispose_local"]

_log = logging.getLogger("dotdo.rpc")
_pending: set[asyncio.Future[Any]] = set()


def _has_hook(value: Any) -> bool:
    return callable(getattr(type(value), "_rpc_dispose", None))


def disposables_in(value: Any, max_depth: int) -> list[Any]:
    """The objects with a dispose hook in `value`, looking inside lists, tuples and dicts."""
    found: list[Any] = []
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if _has_hook(item):
            found.append(item)
        elif depth < max_depth and isinstance(item, list | tuple):
            stack.extend((child, depth + 1) for child in item)
        elif depth < max_depth and isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
    return found


def dispose_local(obj: Any) -> None:
    """Run `obj._rpc_dispose()`; an error is logged (the peer has gone, nobody else could see it)."""
    try:
        result = obj._rpc_dispose()
        if inspect.isawaitable(result):
            future = asyncio.ensure_future(result)
            _pending.add(future)
            future.add_done_callback(_finished)
    except Exception:
        _log.exception("_rpc_dispose() of %s failed", type(obj).__name__)


def _finished(future: asyncio.Future[Any]) -> None:
    _pending.discard(future)
    if not future.cancelled() and future.exception() is not None:
        _log.error("_rpc_dispose() failed", exc_info=future.exception())
