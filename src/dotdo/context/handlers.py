"""Event handlers: the `ctx.on.Noun.verb(handler)` registry, wildcard matching, and `@on` for methods.

Dispatch order is priority (highest first), then exact before wildcard (fewer `*` first), then
registration order. A handler registered under several keys that match one event runs once, at its
earliest position.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .events import Event, split_type

F = TypeVar("F", bound=Callable[..., Any])
EventFilter = Callable[[Event], bool]

ON_ATTRIBUTE = "__dotdo_on__"
"""Where `@on` leaves its registrations on a function (read when an instance activates)."""


@dataclass(frozen=True, slots=True)
class HandlerOptions:
    """How a handler runs: `priority` (higher first), `filter`, `name` (for dead letters), `max_retries`."""

    priority: int = 0
    filter: EventFilter | None = None
    name: str | None = None
    max_retries: int = 3

    def __post_init__(self) -> None:
        if isinstance(self.priority, bool) or not isinstance(self.priority, int):
            raise TypeError(f"priority must be an int, not {type(self.priority).__name__}")
        if isinstance(self.max_retries, bool) or not isinstance(self.max_retries, int) or self.max_retries < 0:
            raise ValueError(f"max_retries must be an int >= 0, not {self.max_retries!r}")
        if self.filter is not None and not callable(self.filter):
            raise TypeError("filter must be a callable taking the event and returning a bool")


@dataclass(slots=True)
class Handler:
    """One registration of a handler under a (noun, verb) pattern."""

    noun: str
    verb: str
    fn: Callable[[Event], Any]
    options: HandlerOptions
    order: int
    name: str = field(default="")

    @property
    def wildcards(self) -> int:
        """How many of noun and verb are `*` (0 = exact)."""
        return (self.noun == "*") + (self.verb == "*")


def callable_name(fn: Callable[..., Any]) -> str:
    """A name for a handler that is the same in every activation (dead letters find it again by name).

    The method name for bound methods, `partial(<name>)` for partials, `module:<Class instance>` for
    callable objects, else the module-qualified name.
    """
    if isinstance(fn, functools.partial):
        return f"partial({callable_name(fn.func)})"
    if getattr(fn, "__self__", None) is not None and hasattr(fn, "__func__"):
        return fn.__name__
    qualname = getattr(fn, "__qualname__", None) or f"<{type(fn).__qualname__} instance>"
    return f"{getattr(fn, '__module__', '?')}:{qualname}"


class HandlerRegistry:
    """The handlers of one object instance, indexed by (noun, verb) pattern."""

    def __init__(self) -> None:
        self._by_key: dict[tuple[str, str], list[Handler]] = {}
        self._order = itertools.count()

    def add(self, pattern: str, fn: Callable[[Event], Any], options: HandlerOptions) -> Callable[[], None]:
        """Register `fn` for events matching `pattern`; returns a callable that unregisters it."""
        if not callable(fn):
            raise TypeError(f"An event handler must be callable, not {type(fn).__name__}")
        noun, verb = split_type(pattern, wildcard=True)
        handler = Handler(noun, verb, fn, options, next(self._order), options.name or callable_name(fn))
        self._by_key.setdefault((noun, verb), []).append(handler)

        def unsubscribe() -> None:
            handlers = self._by_key.get((noun, verb), [])
            if handler in handlers:
                handlers.remove(handler)

        return unsubscribe

    def matching(self, noun: str, verb: str) -> list[Handler]:
        """Handlers for an event of type noun.verb, in dispatch order, each callable once."""
        found: list[Handler] = []
        for key in ((noun, verb), (noun, "*"), ("*", verb), ("*", "*")):
            found.extend(self._by_key.get(key, ()))
        found.sort(key=lambda h: (-h.options.priority, h.wildcards, h.order))
        seen: set[Any] = set()
        unique: list[Handler] = []
        for handler in found:
            if handler.fn in seen:
                continue
            seen.add(handler.fn)
            unique.append(handler)
        return unique

    def named(self, name: str) -> Handler | None:
        """The handler registered under `name` (for replaying a dead letter), or None."""
        for handlers in self._by_key.values():
            for handler in handlers:
                if handler.name == name:
                    return handler
        return None

    def __len__(self) -> int:
        return sum(len(h) for h in self._by_key.values())


class Registrar:
    """`ctx.on.Customer.signup`: call it with a handler (and options) to register it."""

    __slots__ = ("_pattern", "_registry")

    def __init__(self, registry: HandlerRegistry, pattern: str) -> None:
        self._registry = registry
        self._pattern = pattern

    def __call__(
        self,
        handler: Callable[[Event], Any],
        *,
        priority: int = 0,
        filter: EventFilter | None = None,
        name: str | None = None,
        max_retries: int = 3,
    ) -> Callable[[], None]:
        """Register `handler`; returns the callable that unregisters it."""
        options = HandlerOptions(priority=priority, filter=filter, name=name, max_retries=max_retries)
        return self._registry.add(self._pattern, handler, options)

    def __repr__(self) -> str:
        return f"<ctx.on {self._pattern}>"


class NounSelector:
    """`ctx.on.Customer` (or `ctx.on["*"]`): pick the verb next."""

    __slots__ = ("_noun", "_registry")

    def __init__(self, registry: HandlerRegistry, noun: str) -> None:
        self._registry = registry
        self._noun = noun

    def __getattr__(self, verb: str) -> Registrar:
        if verb.startswith("__"):
            raise AttributeError(verb)
        return Registrar(self._registry, f"{self._noun}.{verb}")

    def __getitem__(self, verb: str) -> Registrar:
        return Registrar(self._registry, f"{self._noun}.{verb}")


class OnSelector:
    """`ctx.on`: `ctx.on.Customer.signup(h)`, `ctx.on["*"].created(h)`, or `ctx.on("Customer.signup", h)`."""

    __slots__ = ("_registry",)

    def __init__(self, registry: HandlerRegistry) -> None:
        self._registry = registry

    def __getattr__(self, noun: str) -> NounSelector:
        if noun.startswith("__"):
            raise AttributeError(noun)
        return NounSelector(self._registry, noun)

    def __getitem__(self, noun: str) -> NounSelector:
        return NounSelector(self._registry, noun)

    def __call__(self, pattern: str, handler: Callable[[Event], Any], **options: Any) -> Callable[[], None]:
        """Register `handler` for `pattern` ("Customer.signup", "*.created")."""
        return Registrar(self._registry, pattern)(handler, **options)


def on(
    pattern: str,
    *,
    priority: int = 0,
    filter: EventFilter | None = None,
    name: str | None = None,
    max_retries: int = 3,
) -> Callable[[F], F]:
    """Decorate a method of a `DO` to handle events matching `pattern` in every instance.

    ```python
    class Shop(DO):
        @on("Customer.signup")
        async def welcome(self, event): ...
    ```
    """
    split_type(pattern, wildcard=True)
    options = HandlerOptions(priority=priority, filter=filter, name=name, max_retries=max_retries)

    def mark(fn: F) -> F:
        if not callable(fn):
            raise TypeError("@on decorates a method (a function taking self and the event)")
        registrations: list[tuple[str, HandlerOptions]] = list(getattr(fn, ON_ATTRIBUTE, ()))
        registrations.append((pattern, options))
        setattr(fn, ON_ATTRIBUTE, registrations)
        return fn

    return mark


_class_handlers: dict[type, list[tuple[str, str, HandlerOptions]]] = {}


def class_handlers(cls: type) -> list[tuple[str, str, HandlerOptions]]:
    """`(method name, pattern, options)` for each `@on` method of `cls` (cached per class)."""
    found = _class_handlers.get(cls)
    if found is None:
        found = []
        seen: set[str] = set()
        for klass in cls.__mro__:
            for attr, value in vars(klass).items():
                if attr in seen:
                    continue
                seen.add(attr)
                for pattern, options in getattr(value, ON_ATTRIBUTE, ()):
                    found.append((attr, pattern, options))
        _class_handlers[cls] = found
    return found
