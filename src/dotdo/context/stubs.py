"""Cross-object stubs: `await ctx.Customer("alice").notify(x)` with a circuit breaker, retries and an LRU.

Each target has its own circuit breaker (kept with its stub). Failures that are transient —
`TransientError`, `ConnectionError`, `TimeoutError` — are retried with backoff; any other error
reaches the caller at once. Stubs are cached per object in a bounded LRU (default 1,000): an evicted
stub takes its breaker's state with it.
"""

from __future__ import annotations

import asyncio
import sys
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ..runtime.durable_object import DurableObject
from ..runtime.errors import DotdoError, UnknownClassError
from ..runtime.ids import ObjectId, id_from_name, id_from_string, namespace_of
from .circuit_breaker import CircuitBreaker, CircuitOpenError

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

    from .context import Context


class TransientError(DotdoError):
    """Raise it from a method to say "this may work if tried again": stubs retry it with backoff."""


@dataclass(frozen=True, slots=True)
class StubPolicy:
    """Breaker, retry and cache settings of an object's stubs (set `stub_policy` on a `DO` class)."""

    failure_threshold: int = 5
    reset_timeout: float = 30.0
    max_retries: int = 2
    retry_initial: float = 0.05
    retry_backoff: float = 2.0
    cache_size: int = 1000
    transient: tuple[type[BaseException], ...] = (TransientError, ConnectionError, TimeoutError)

    def __post_init__(self) -> None:
        for name in ("failure_threshold", "cache_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be an int >= 1, not {value!r}")
        if isinstance(self.max_retries, bool) or not isinstance(self.max_retries, int) or self.max_retries < 0:
            raise ValueError(f"max_retries must be an int >= 0, not {self.max_retries!r}")
        for name in ("reset_timeout", "retry_initial", "retry_backoff"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ValueError(f"{name} must be a number >= 0, not {value!r}")


class ContextStub:
    """A handle on another object: `await stub.method(*args, **kwargs)` calls it as an event of that object."""

    __slots__ = ("_stubs", "breaker", "cls", "id")

    def __init__(self, stubs: StubCache, cls: type[DurableObject], oid: ObjectId) -> None:
        self._stubs = stubs
        self.cls = cls
        self.id = oid
        policy = stubs.policy
        self.breaker = CircuitBreaker(
            f"{cls.__name__}({oid.name or oid.hex[:12]!r})",
            failure_threshold=policy.failure_threshold,
            reset_timeout=policy.reset_timeout,
            now=stubs.ctx.now,
        )

    @property
    def name(self) -> str | None:
        """The name the target was addressed by, or None."""
        return self.id.name

    def __getattr__(self, method: str) -> Any:
        if method.startswith("_"):
            raise AttributeError(method)

        async def call(*args: Any, **kwargs: Any) -> Any:
            return await self._call(method, args, kwargs)

        call.__name__ = method
        call.__qualname__ = f"{self.cls.__name__}.{method}"
        return call

    async def _call(self, method: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        policy = self._stubs.policy
        runtime = self._stubs.ctx.runtime
        attempt = 0
        while True:
            self.breaker.before_call()
            try:
                result = await runtime.call(self.cls, self.id, method, *args, **kwargs)
            except Exception as exc:
                self.breaker.on_failure()
                if not isinstance(exc, policy.transient) or attempt >= policy.max_retries:
                    raise
                delay = policy.retry_initial * policy.retry_backoff**attempt
                attempt += 1
                if delay:
                    await asyncio.sleep(delay)
                continue
            self.breaker.on_success()
            return result

    async def fetch(
        self,
        request: Request | str,
        *,
        method: str = "GET",
        headers: Mapping[str, str] | None = None,
        body: bytes | str = b"",
    ) -> Response:
        """Send an HTTP request (a Starlette `Request`, or a URL) to the target's `fetch`, through the breaker."""
        stub = self._stubs.ctx.runtime.get(self.cls, self.id)
        self.breaker.before_call()
        try:
            response = await stub.fetch(request, method=method, headers=headers, body=body)
        except Exception:
            self.breaker.on_failure()
            raise
        self.breaker.on_success()
        return response

    def __deepcopy__(self, memo: dict[int, Any]) -> ContextStub:
        return self

    def __repr__(self) -> str:
        return f"<{self.cls.__name__} stub {self.id.name or self.id.hex[:12]!r} ({self.breaker.state})>"


class StubFactory:
    """`ctx.Customer`: call it with a name (or use `.get_by_id`) to get a stub."""

    __slots__ = ("_cls", "_stubs")

    def __init__(self, stubs: StubCache, cls: type[DurableObject]) -> None:
        self._stubs = stubs
        self._cls = cls

    def __call__(self, name: str) -> ContextStub:
        if not isinstance(name, str):
            raise TypeError(f"An object name is a str, not {type(name).__name__} (use .get_by_id for ids)")
        return self._stubs.get(self._cls, id_from_name(self._cls, name))

    def get_by_id(self, oid: ObjectId | str) -> ContextStub:
        """A stub by id (an `ObjectId` or its 64-hex string)."""
        if isinstance(oid, str):
            oid = id_from_string(self._cls, oid)
        return self._stubs.get(self._cls, oid)


class StubCache:
    """`ctx.stubs`: the object's bounded LRU of stubs and their breakers."""

    def __init__(self, ctx: Context, policy: StubPolicy | None = None) -> None:
        self.ctx = ctx
        self.policy = policy or StubPolicy()
        self.evictions = 0
        self._stubs: OrderedDict[tuple[str, str], ContextStub] = OrderedDict()

    def configure(self, **changes: Any) -> StubPolicy:
        """Change settings (`failure_threshold=`, `reset_timeout=`, `cache_size=`, …); returns the new policy."""
        self.policy = replace(self.policy, **changes)
        while len(self._stubs) > self.policy.cache_size:
            self._stubs.popitem(last=False)
            self.evictions += 1
        return self.policy

    def factory(self, class_name: str) -> StubFactory:
        """The stub factory of a class: a registered one, or the Durable Object class of that name in the
        calling object's own module, registered now (the name is unambiguous there). Otherwise
        `UnknownClassError` lists the registered classes and says how to register it."""
        runtime = self.ctx.runtime
        try:
            return StubFactory(self, runtime.class_named(class_name))
        except UnknownClassError:
            sibling = getattr(sys.modules.get(type(self.ctx.object).__module__), class_name, None)
            if isinstance(sibling, type) and issubclass(sibling, DurableObject) and namespace_of(sibling) == class_name:
                return StubFactory(self, runtime.register(sibling))
            raise

    def get(self, cls: type[DurableObject], oid: ObjectId) -> ContextStub:
        """The cached stub of a target, creating it (and evicting the least recently used) if needed."""
        key = (oid.namespace, oid.hex)
        stub = self._stubs.get(key)
        if stub is not None:
            self._stubs.move_to_end(key)
            return stub
        stub = ContextStub(self, cls, oid)
        self._stubs[key] = stub
        if len(self._stubs) > self.policy.cache_size:
            self._stubs.popitem(last=False)
            self.evictions += 1
        return stub

    def __len__(self) -> int:
        return len(self._stubs)

    def __contains__(self, stub: object) -> bool:
        return isinstance(stub, ContextStub) and self._stubs.get((stub.id.namespace, stub.id.hex)) is stub


__all__ = ["CircuitOpenError", "ContextStub", "StubCache", "StubFactory", "StubPolicy", "TransientError"]
