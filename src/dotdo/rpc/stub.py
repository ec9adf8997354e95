"""Proxies for the peer's objects: `RpcStub` (a reference) and `RpcPromise` (a pending result).

Attribute access and item access extend a property path, calling sends a call, `await` asks for
the result: `await api.getUser(1).orders` records two steps and is one round trip. Names that
start with `_` are never sent, so Python's own protocols (`__await__`, `_repr_html_`) stay local.
What a proxy does is decided by its hook (an import of a session, a `.map()` placeholder, a value
already received), so the proxy classes themselves hold no protocol logic.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any, Protocol

__all__ = ["RpcPromise", "RpcStub", "StubHook", "aclose", "dispose"]

Path = tuple[str | int, ...]


class StubHook(Protocol):
    """What a proxy delegates to."""

    def call(self, path: Path, args: tuple[Any, ...]) -> RpcPromise:
        """Call the function at `path` with `args`; the result is pipelineable."""
        ...

    def get(self, path: Path) -> Any:
        """An awaitable for the value at `path`."""
        ...

    def map(self, path: Path, mapper: Callable[[Any], Any]) -> RpcPromise:
        """Apply `mapper` on the peer to the value (or each element) at `path`."""
        ...

    def encode(self, path: Path, *, as_promise: bool, encoder: Any) -> Any:
        """The expression that passes this reference as an argument."""
        ...

    def dispose(self) -> None:
        """Release the reference; further use fails."""
        ...


class RpcStub:
    """A reference to an object of the peer: access properties, call methods, pass it along."""

    __slots__ = ("__weakref__", "_rpc_hook", "_rpc_path")

    def __init__(self, hook: StubHook, path: Path = ()):
        self._rpc_hook = hook
        self._rpc_path = path

    def __getattr__(self, name: str) -> RpcPromise:
        if name.startswith("_"):
            raise AttributeError(name)
        return RpcPromise(self._rpc_hook, (*self._rpc_path, name))

    def __getitem__(self, key: str | int) -> RpcPromise:
        if not isinstance(key, str | int) or isinstance(key, bool):
            raise TypeError(f"RPC property names are strings or integers, not {type(key).__name__}")
        return RpcPromise(self._rpc_hook, (*self._rpc_path, key))

    def __call__(self, *args: Any, **kwargs: Any) -> RpcPromise:
        if kwargs:
            raise TypeError(
                "Cap'n Web calls take positional arguments only; pass a dict as one argument instead of "
                f"keywords ({', '.join(kwargs)})"
            )
        return self._rpc_hook.call(self._rpc_path, args)

    def map(self, mapper: Callable[[Any], Any]) -> RpcPromise:
        """Run `mapper` on the peer over the value (each element if it is a list), one round trip.

        `mapper` is called once, here, with a placeholder; what it does to the placeholder (and to
        other stubs it captures) is recorded and replayed by the peer for every element.
        """
        return self._rpc_hook.map(self._rpc_path, mapper)

    def __repr__(self) -> str:
        path = "".join(f".{part}" if isinstance(part, str) else f"[{part}]" for part in self._rpc_path)
        return f"<{type(self).__name__} {self._rpc_hook!r}{path}>"

    def __copy__(self) -> RpcStub:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> RpcStub:
        # A stub is a reference; copies of values holding it share it.
        return self

    def __bool__(self) -> bool:
        return True

    def __iter__(self) -> Any:
        raise TypeError(f"{type(self).__name__} is not iterable; await it first")

    async def __aenter__(self) -> RpcStub:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await aclose(self)

    def __enter__(self) -> RpcStub:
        return self

    def __exit__(self, *exc: object) -> None:
        dispose(self)


class RpcPromise(RpcStub):
    """A result that is not here yet; await it, or keep calling through it (pipelining)."""

    __slots__ = ()

    def __await__(self) -> Generator[Any, None, Any]:
        return self._rpc_hook.get(self._rpc_path).__await__()


def dispose(stub: RpcStub) -> None:
    """Release `stub` now (the peer may free the object) instead of when it is garbage-collected."""
    stub._rpc_hook.dispose()


async def aclose(stub: RpcStub) -> None:
    """Close the connection of a main stub from `connect()`, or release any other stub."""
    closer = getattr(stub._rpc_hook, "aclose", None)
    if closer is not None:
        await closer()
    else:
        stub._rpc_hook.dispose()
