"""The one way to extend the runtime: a registry of timer kinds, HTTP mounts, ctx attachments and tables.

A class declares what it brings (`extensions = Extensions(...)` on a Durable Object class; a
subclass adds to its bases' declarations), and `Runtime(extensions=...)` or `API(extensions=...)`
add more for every class they serve. Nothing registers itself by being imported.

- **Timer kinds**: `handler(obj, timer)` runs as an event of the object when a timer of that kind
  comes due; if it raises, the runtime retries with the alarm backoff (2 s, doubling).
- **HTTP mounts**: objects an `API` app asks, in order, to serve a request before the object's
  `fetch` (`/rpc`, an object's `/repo.git`, Entity REST); see `dotdo.http.mounts.Mount`.
- **ctx attachments**: `ctx.<name>` is built on first use by `factory(ctx)`. The capabilities of
  layers above the ctx (`things`, `fs`, `git`, `bash`) are added by whoever assembles a runtime
  with them (`dotdo.Runtime`, `API()`; see `dotdo.primitives.attachments`) as defaults; a factory
  that needs a heavy module imports it when called, so importing dotdo stays cheap.
- **Tables**: DDL statements (`CREATE TABLE IF NOT EXISTS ...`) of tables every object of the class
  uses; a new object's database is written with them already in it (see `new_database`), and the
  code that creates them on first use finds them there. Only an optimisation: an older database is
  left as it is, so that code must still create them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

from .new_database import DatabaseTemplate, database_template
from .timer_table import Timer

TimerHandler = Callable[[Any, Timer], Awaitable[None]]
"""`async handler(obj, timer)`: fire a due timer of one kind in its object."""

AttachmentFactory = Callable[[Any], Any]
"""`factory(ctx)`: the capability `ctx.<name>` returns."""


class Extensions:
    """Timer kinds, HTTP mounts, ctx attachments and tables; later registrations of a name win."""

    __slots__ = ("attachments", "mounts", "tables", "timer_kinds")

    def __init__(
        self,
        *,
        timer_kinds: Mapping[str, TimerHandler] | None = None,
        mounts: Mapping[str, Any] | None = None,
        attachments: Mapping[str, AttachmentFactory] | None = None,
        tables: Iterable[str] = (),
    ) -> None:
        self.timer_kinds: dict[str, TimerHandler] = dict(timer_kinds or {})
        self.mounts: dict[str, Any] = dict(mounts or {})
        """HTTP mounts in the order an app asks them (each a `dotdo.http.mounts.Mount`)."""
        self.attachments: dict[str, AttachmentFactory] = dict(attachments or {})
        self.tables: tuple[str, ...] = tuple(dict.fromkeys(tables))
        """DDL statements of the tables a new database of the class starts with, each once, in order."""

    def timer_kind(self, kind: str, handler: TimerHandler) -> None:
        """Fire `handler(obj, timer)` when a timer of `kind` comes due."""
        self.timer_kinds[kind] = handler

    def mount(self, name: str, mount: Any) -> None:
        """Ask `mount` (a `dotdo.http.mounts.Mount`) to serve requests before the object's `fetch`."""
        self.mounts[name] = mount

    def attachment(self, name: str, factory: AttachmentFactory) -> None:
        """Build `ctx.<name>` with `factory(ctx)` on its first use."""
        self.attachments[name] = factory

    @property
    def database_template(self) -> DatabaseTemplate:
        """The template new databases of the class are written from (built once per distinct `tables`)."""
        return database_template(self.tables)

    def merged(self, other: Extensions | None) -> Extensions:
        """These extensions with `other`'s added (`other` wins where both name the same thing)."""
        if other is None:
            return self
        return Extensions(
            timer_kinds={**self.timer_kinds, **other.timer_kinds},
            mounts={**self.mounts, **other.mounts},
            attachments={**self.attachments, **other.attachments},
            tables=(*self.tables, *other.tables),
        )

    def __repr__(self) -> str:
        return (
            f"Extensions(timer_kinds={list(self.timer_kinds)}, mounts={list(self.mounts)}, "
            f"attachments={list(self.attachments)}, tables={len(self.tables)})"
        )


def declared_extensions(cls: type) -> Extensions:
    """What `cls` and its bases declare in their class bodies (`extensions = Extensions(...)`), bases first."""
    combined = Extensions()
    for klass in reversed(cls.__mro__):
        own = klass.__dict__.get("extensions")
        if isinstance(own, Extensions):
            combined = combined.merged(own)
    return combined
