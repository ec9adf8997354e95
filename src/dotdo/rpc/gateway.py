"""The main object an app serves at `/rpc`: one accessor per registered Durable Object class.

`api.Customer("alice").orders()` over Cap'n Web becomes `await runtime.get(Customer, "alice")
.orders()`: the call goes through the runtime's stub, so it runs as an event of that object under
its input gate and output gate, exactly like a call from another object. Only what the user's own
subclass defines is reachable; the framework's bases (`storage`, `env`, `ctx`, `fetch`, `alarm`,
`on_start`, `websocket_*`, ...) and `_`-prefixed names never are.

An app may narrow the classes served (`classes=`) and vet every object a session opens
(`authorize(cls, name)`, which raises to refuse): `dotdo.API` passes its `rpc_classes=` and its
`auth=` hook here, so the RPC door is guarded like every other door to an object.
"""

from __future__ import annotations

import functools
import inspect
import operator
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any

from ..runtime.durable_object import RESERVED_NAMES
from .target import RpcTarget

if TYPE_CHECKING:
    from ..runtime.durable_object import DurableObject
    from ..runtime.runtime import Runtime

__all__ = ["Authorize", "ObjectTarget", "RuntimeMain", "runtime_main"]

MAX_OBJECT_NAME = 1024

Authorize = Callable[[type["DurableObject"], str], Awaitable[None]]
"""Vets one object a session opens: returns to allow, raises (e.g. `PermissionError`) to refuse."""


def _is_framework(klass: type) -> bool:
    return klass is object or klass.__module__ == "dotdo" or klass.__module__.startswith("dotdo.")


def exposed_member(cls: type, name: Any) -> Any:
    """The function or property `name` that the user's subclass `cls` defines, else TypeError."""
    if (
        isinstance(name, str)
        and name
        and not name.startswith("_")
        and name not in RESERVED_NAMES
        and not any(_is_framework(klass) and name in vars(klass) for klass in cls.__mro__)
    ):
        for klass in cls.__mro__:
            if name in vars(klass):
                member = vars(klass)[name]
                if inspect.isfunction(member) or isinstance(member, property | functools.cached_property):
                    return member
                break
    raise TypeError(f"{name!r} is not a public method of {cls.__name__}")


class RuntimeMain(RpcTarget):
    """`Customer("alice")` returns a stub of that object, for every class served."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        classes: Iterable[type[DurableObject]] | None = None,
        authorize: Authorize | None = None,
    ):
        self._runtime = runtime
        self._served = None if classes is None else {cls.__name__: cls for cls in classes}
        self._authorize = authorize

    def _served_class(self, name: str) -> type[DurableObject]:
        if self._served is None:
            return self._runtime.class_named(name)
        cls = self._served.get(name)
        if cls is None:
            served = ", ".join(sorted(self._served)) or "none"
            raise TypeError(f"Class {name!r} is not served over RPC; served: {served}")
        return cls

    def _rpc_member(self, name: str) -> Any:
        cls = self._served_class(name)
        runtime, authorize = self._runtime, self._authorize

        async def open_object(object_name: str) -> ObjectTarget:
            if not isinstance(object_name, str) or not object_name or len(object_name) > MAX_OBJECT_NAME:
                raise TypeError(f"{name}(name) needs a non-empty string of at most {MAX_OBJECT_NAME} characters")
            if authorize is not None:
                await authorize(cls, object_name)
            return ObjectTarget(runtime, cls, object_name)

        return open_object


class ObjectTarget(RpcTarget):
    """A stub of one Durable Object: its public methods, called as events of the object."""

    def __init__(self, runtime: Runtime, cls: type[DurableObject], name: str):
        self._runtime = runtime
        self._cls = cls
        self._name = name

    def __repr__(self) -> str:
        return f"<{self._cls.__name__} {self._name!r} over RPC>"

    def _rpc_member(self, name: str) -> Any:
        member = exposed_member(self._cls, name)
        runtime, cls, object_name = self._runtime, self._cls, self._name
        if not inspect.isfunction(member):
            # attrgetter, not a closure over the runtime: the read may run on another host of a cluster.
            return _read_property(runtime, cls, object_name, name)

        async def call(*args: Any) -> Any:
            result = await getattr(runtime.get(cls, object_name), name)(*args)
            return _bind_targets(runtime, cls, object_name, result)

        return call


async def _read_property(runtime: Runtime, cls: type[DurableObject], object_name: str, name: str) -> Any:
    value = await runtime.run_in(cls, object_name, operator.attrgetter(name))
    return _bind_targets(runtime, cls, object_name, value)


class _TurnBoundTarget(RpcTarget):
    """An `RpcTarget` returned by an object: its methods still run as events of that object."""

    def __init__(self, runtime: Runtime, cls: type[DurableObject], name: str, target: RpcTarget):
        self._runtime = runtime
        self._cls = cls
        self._name = name
        self._target = target

    def _rpc_member(self, name: str) -> Any:
        target = self._target
        member = inspect.getattr_static(target, name, None)
        if not inspect.isfunction(member):
            return self._runtime.run_in(self._cls, self._name, lambda _obj: target._rpc_member(name))
        method = target._rpc_member(name)

        async def call(*args: Any) -> Any:
            result = await self._runtime.run_in(self._cls, self._name, lambda _obj: method(*args))
            return _bind_targets(self._runtime, self._cls, self._name, result)

        return call


def _bind_targets(runtime: Runtime, cls: type[DurableObject], name: str, value: Any) -> Any:
    if isinstance(value, RpcTarget) and not isinstance(value, ObjectTarget | _TurnBoundTarget):
        return _TurnBoundTarget(runtime, cls, name, value)
    if isinstance(value, list):
        return [_bind_targets(runtime, cls, name, item) for item in value]
    if isinstance(value, dict):
        return {key: _bind_targets(runtime, cls, name, item) for key, item in value.items()}
    return value


def runtime_main(
    runtime: Runtime,
    *,
    classes: Iterable[type[DurableObject]] | None = None,
    authorize: Authorize | None = None,
) -> RuntimeMain:
    """The main object for `rpc_app()` serving `classes` (default: every class registered with
    `runtime`), each object opened vetted by `authorize`."""
    return RuntimeMain(runtime, classes=classes, authorize=authorize)
