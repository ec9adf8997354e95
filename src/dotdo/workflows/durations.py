"""Durations and points in time as workflows accept them: "30 s", "5 minutes", timedelta, seconds."""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta
from functools import lru_cache

Duration = str | int | float | timedelta
"""`"30 s"`, `"5 minutes"`, `"1.5 hours"`, `"2 days 3 hours"`, a `timedelta`, or a number of seconds."""

When = datetime | int | float
"""An aware `datetime` or epoch seconds."""

_UNITS: dict[str, float] = {}
for _seconds, _names in (
    (0.001, ("ms", "msec", "millisecond", "milliseconds")),
    (1.0, ("s", "sec", "secs", "second", "seconds")),
    (60.0, ("m", "min", "mins", "minute", "minutes")),
    (3600.0, ("h", "hr", "hrs", "hour", "hours")),
    (86400.0, ("d", "day", "days")),
    (604800.0, ("w", "week", "weeks")),
):
    for _name in _names:
        _UNITS[_name] = _seconds

_PART = re.compile(r"\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-zA-Z]+)\s*,?")


def parse_duration(value: Duration, *, what: str = "duration") -> float:
    """Seconds in `value`; ValueError naming `what` and the accepted forms when it is not a duration."""
    if isinstance(value, bool):
        raise TypeError(f"{what} must be a duration such as '30 s' or '3 days', not a bool")
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
    elif isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        seconds = _parse_text(value, what)
    else:
        raise TypeError(
            f"{what} must be a str such as '30 s' or '3 days', a timedelta or seconds, not {type(value).__name__}"
        )
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"{what} must be a finite duration of at least 0 seconds, not {value!r}")
    return seconds


def _parse_text(text: str, what: str) -> float:
    seconds = _text_seconds(text)
    if seconds is None:
        stripped = text.strip()
        if not stripped:
            raise ValueError(f"{what} is empty: write a number and a unit, such as '30 s'")
        raise ValueError(
            f"{what} {text!r} is not a duration: write a number and a unit, such as '30 s', '5 minutes', "
            f"'3 days' or '1 hour 30 minutes' (units: ms, s, m, h, d, w and their long names)"
        )
    return seconds


@lru_cache(maxsize=256)
def _text_seconds(text: str) -> float | None:
    # Cached: a workflow names the same few durations on every step and every replay.
    stripped = text.strip()
    try:
        return float(stripped)
    except ValueError:
        pass
    total = 0.0
    position = 0
    while position < len(stripped):
        match = _PART.match(stripped, position)
        unit = match and _UNITS.get(match.group(2).lower())
        if match is None or unit is None:
            return None
        total += float(match.group(1)) * unit
        position = match.end()
    return None if position == 0 else total


def to_epoch(when: When, *, what: str = "time") -> float:
    """Epoch seconds of `when` (an aware datetime, or epoch seconds); a naive datetime is refused."""
    if isinstance(when, bool):
        raise TypeError(f"{what} must be a datetime or epoch seconds, not a bool")
    if isinstance(when, datetime):
        if when.tzinfo is None:
            raise ValueError(f"{what} {when!r} has no time zone: pass an aware datetime (e.g. tzinfo=UTC)")
        return when.timestamp()
    if isinstance(when, int | float) and math.isfinite(when):
        return float(when)
    raise TypeError(f"{what} must be an aware datetime or epoch seconds, not {when!r}")


def describe_seconds(seconds: float) -> str:
    """A short human form of a duration ("3 days", "90 s"), for messages and diagrams."""
    for unit, size in (("week", 604800.0), ("day", 86400.0), ("hour", 3600.0), ("minute", 60.0)):
        if seconds >= size and seconds % size == 0:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds:g} s"
