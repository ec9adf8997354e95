"""`RpcTarget`: the base class of objects that are passed by reference (as stubs) over RPC.

Only what a subclass deliberately defines is reachable from the peer: public methods (sync or
async) and properties, looked up on the class, never on the instance, never `_`-prefixed, never
inherited from `RpcTarget` or `object`. Everything else is an error the caller can read.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any

__all__ = ["RpcTarget", "rpc_member"]

_EXPOSABLE = (property, functools.cached_property, staticmethod, classmethod)


class RpcTarget:
    """Subclass this to expose an object over RPC; instances are sent as stubs, never copied.

    >>> class Counter(RpcTarget):
    ...     def __init__(self, start: int = 0):
    ...         self._n = start
    ...     def increment(self, by: int = 1) -> int:
    ...         self._n += by
    ...         return self._n
    ...     @property
    ...     def value(self) -> int:
    ...         return self._n
    """

    def __copy__(self) -> RpcTarget:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> RpcTarget:
        # Targets travel by reference: copying a value that holds one keeps the same target.
        return self

    def _rpc_dispose(self) -> Any:
        """Called when the peer no longer holds this object: override to free what it holds.

        The counterpart of JavaScript's `[Symbol.dispose]()` on an `RpcTarget`: it runs when every
        stub of one export of this object is released, or when the session ends (a WebSocket
        closes, an HTTP batch is answered). Passing the same object in several results exports it
        once per session; a shared main object given to `rpc_app(...)` is never disposed, one made
        per session by a factory is disposed when its session ends. May be `async def`. The
        leading underscore keeps this hook unreachable by the peer.
        """
        return None

    def _rpc_member(self, name: str) -> Any:
        """The attribute `name` a peer may reach; raise `TypeError` if it may not.

        Override to restrict or extend what is exposed (the leading underscore keeps this hook
        itself unreachable).
        """
        return rpc_member(self, name, stop_at=RpcTarget)


def rpc_member(target: object, name: str, *, stop_at: type = RpcTarget) -> Any:
    """Look up the public method or property `name` defined on `target`'s class below `stop_at`."""
    cls = type(target)
    if not isinstance(name, str) or not name or name.startswith("_"):
        raise TypeError(f"{name!r} is not a public method or property of {cls.__name__}")
    hidden = set(stop_at.__mro__)
    for klass in cls.__mro__:
        if klass in hidden or name not in vars(klass):
            continue
        member = vars(klass)[name]
        if isinstance(member, _EXPOSABLE) or inspect.isfunction(member):
            return getattr(target, name)
        break
    raise TypeError(f"{name!r} is not a public method or property of {cls.__name__}")
