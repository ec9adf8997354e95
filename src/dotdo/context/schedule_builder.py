"""`every`: the fluent and text forms of a schedule (`every.monday.at("9am")`, `every("5 minutes")`).

A `ScheduleSpec` knows its `cron`, `timezone` and missed-tick policy. Unbound (`dotdo.every`) it
decorates methods of a `DO` class, which every instance then runs; bound (`ctx.every`) calling it
with a handler persists the schedule for that object at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Protocol

from .schedule_grammar import ScheduleError, compile_schedule, parse_time

if TYPE_CHECKING:
    from .schedules import ScheduleInfo

EVERY_ATTRIBUTE = "__dotdo_every__"
"""Where `@every…` leaves its schedules on a method (read when an instance activates)."""

MISSED_POLICIES = ("once", "all", "skip")
DEFAULT_GRACE = 60.0

_DAY_FIELDS = {
    "day": "*",
    "weekday": "1-5",
    "weekend": "0,6",
    "sunday": "0",
    "monday": "1",
    "tuesday": "2",
    "wednesday": "3",
    "thursday": "4",
    "friday": "5",
    "saturday": "6",
}
_INTERVALS = {"minute": "* * * * *", "hour": "0 * * * *"}


class ScheduleRegistrar(Protocol):
    """What a bound `every` hands a spec and its handler to (the object's schedules)."""

    def register(self, spec: ScheduleSpec, handler: Callable[..., Any], *, name: str | None = None) -> ScheduleInfo:
        """Persist the schedule with its handler and return what was stored."""
        ...


def _check_missed(missed: str, grace: float) -> None:
    if missed not in MISSED_POLICIES:
        raise ValueError(f"missed must be one of {', '.join(MISSED_POLICIES)}, not {missed!r}")
    if isinstance(grace, bool) or not isinstance(grace, int | float) or grace < 0:
        raise ValueError(f"grace must be a number of seconds >= 0, not {grace!r}")


@dataclass(frozen=True)
class ScheduleSpec:
    """A schedule: `cron` (Sunday = 0), `timezone` (None = UTC), `missed` policy and `grace` seconds.

    A tick that fires more than `grace` seconds late counts as missed: `missed="once"` runs the
    missed ticks once, `"all"` runs each, `"skip"` runs none of them.
    """

    cron: str
    timezone: str | None = None
    missed: str = "once"
    grace: float = DEFAULT_GRACE
    day_field: str | None = None
    registrar: ScheduleRegistrar | None = None

    def at(
        self, time: str, *, timezone: str | None = None, missed: str | None = None, grace: float | None = None
    ) -> ScheduleSpec:
        """The same days at a time of day: "9am", "9:30pm", "12am", "noon", "midnight", "14:30"."""
        if self.day_field is None:
            raise ScheduleError(f"'.at' applies to days (every.day, every.monday, …), not to {self.cron!r}")
        hour, minute = parse_time(time)
        spec = replace(self, cron=f"{minute} {hour} * * {self.day_field}", day_field=None)
        return spec.in_timezone(timezone or self.timezone).with_policy(
            missed=missed or self.missed, grace=self.grace if grace is None else grace
        )

    def in_timezone(self, timezone: str | None) -> ScheduleSpec:
        """The same schedule in an IANA time zone (None = UTC)."""
        if timezone is None:
            return replace(self, timezone=None)
        return replace(self, timezone=compile_schedule(f"{self.cron} {timezone}").timezone)

    def with_policy(self, *, missed: str = "once", grace: float = DEFAULT_GRACE) -> ScheduleSpec:
        """The same schedule with another missed-tick policy."""
        _check_missed(missed, grace)
        return replace(self, missed=missed, grace=float(grace))

    def __getattr__(self, name: str) -> ScheduleSpec:
        # `.at9am`, `.at6pm`, `.atnoon`, `.atmidnight`: preset times as attributes.
        if name.startswith("at") and len(name) > 2 and not name.startswith("__"):
            return self.at(name[2:])
        raise AttributeError(f"A schedule has no attribute {name!r} (use .at('9am') or .at9am)")

    def __call__(
        self,
        handler: Callable[..., Any] | None = None,
        *,
        missed: str | None = None,
        grace: float | None = None,
        name: str | None = None,
    ) -> Any:
        """Unbound: mark a method (returns it). Bound to a ctx: persist the schedule (returns its info).

        Without a handler (`@every.hour(missed="all")`) it returns the spec with that policy. `name`
        identifies a bound registration (default: the handler's qualified name), so registering the
        same name again at the next activation finds the same schedule.
        """
        if missed is not None or grace is not None:
            spec = self.with_policy(missed=missed or self.missed, grace=self.grace if grace is None else grace)
            return spec if handler is None else spec(handler, name=name)
        if handler is None:
            return self
        if not callable(handler):
            raise TypeError(f"A schedule handler must be callable, not {type(handler).__name__}")
        if self.registrar is not None:
            return self.registrar.register(self, handler, name=name)
        specs: list[ScheduleSpec] = list(getattr(handler, EVERY_ATTRIBUTE, ()))
        specs.append(self)
        setattr(handler, EVERY_ATTRIBUTE, specs)
        return handler

    def __repr__(self) -> str:
        zone = f" {self.timezone}" if self.timezone else ""
        return f"<every {self.cron!r}{zone} missed={self.missed}>"


class Every:
    """`every.minute`, `every.hour`, `every.day`, `every.weekday`, `every.weekend`, `every.monday` … and
    `every("first monday at 9am", handler=None, missed="once")`."""

    def __init__(self, registrar: ScheduleRegistrar | None = None) -> None:
        self._registrar = registrar

    def __getattr__(self, name: str) -> ScheduleSpec:
        key = name.lower()
        if key in _INTERVALS:
            return ScheduleSpec(_INTERVALS[key], registrar=self._registrar)
        if key in _DAY_FIELDS:
            day = _DAY_FIELDS[key]
            return ScheduleSpec(f"0 0 * * {day}", day_field=day, registrar=self._registrar)
        raise AttributeError(
            f"every has no {name!r}: use minute, hour, day, weekday, weekend, monday … sunday, or every('text')"
        )

    def __call__(
        self,
        text: str,
        handler: Callable[..., Any] | None = None,
        *,
        missed: str = "once",
        grace: float = DEFAULT_GRACE,
        timezone: str | None = None,
        name: str | None = None,
    ) -> Any:
        """A schedule from text ("every 5 minutes", "first monday", "daily at 9am Europe/Paris")."""
        compiled = compile_schedule(text)
        _check_missed(missed, grace)
        spec = ScheduleSpec(compiled.cron, compiled.timezone, missed, float(grace), registrar=self._registrar)
        if timezone is not None:
            spec = spec.in_timezone(timezone)
        return spec if handler is None else spec(handler, name=name)


every = Every()
"""Decorate methods of a `DO` with a schedule: `@every.monday.at("9am")`, `@every("5 minutes")`."""


_class_schedules: dict[type, list[tuple[str, ScheduleSpec]]] = {}


def class_schedules(cls: type) -> list[tuple[str, ScheduleSpec]]:
    """`(method name, spec)` for each `@every` method of `cls` (found once per class, at its first activation)."""
    found = _class_schedules.get(cls)
    if found is None:
        found = _class_schedules[cls] = _find_schedules(cls)
    return found


def _find_schedules(cls: type) -> list[tuple[str, ScheduleSpec]]:
    found: list[tuple[str, ScheduleSpec]] = []
    seen: set[str] = set()
    for klass in cls.__mro__:
        for attr, value in vars(klass).items():
            if attr in seen:
                continue
            seen.add(attr)
            for spec in getattr(value, EVERY_ATTRIBUTE, ()):
                found.append((attr, spec))
    return found
