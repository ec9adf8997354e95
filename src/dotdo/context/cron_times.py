"""Next fire times of a cron in a time zone, safe across daylight-saving transitions.

croniter walks wall-clock (naive) local times; each is then placed on the zone's timeline. A local
time that does not exist (spring forward) fires at the same instant the clock jumps past it, and one
that exists twice (fall back) fires at its first occurrence only, so a daily schedule neither skips a
day nor fires twice.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta, tzinfo
from datetime import timezone as timezone_offset
from functools import lru_cache
from zoneinfo import ZoneInfo

from cron_descriptor import get_description
from croniter import croniter

from .schedule_grammar import ScheduleError, compile_schedule

_MAX_STEPS = 10_000


@lru_cache(maxsize=4096)
def _walker(cron: str) -> croniter:
    # Parsing a cron is most of croniter's cost; one parsed walker per cron is reused (single-threaded use).
    return croniter(cron, datetime(2000, 1, 1))


def zone(timezone: str | None) -> tzinfo:
    """The tzinfo of an IANA zone name (None means UTC)."""
    return UTC if timezone is None else ZoneInfo(timezone)


def next_fire(cron: str, timezone: str | None, after: float) -> float:
    """The first fire time of `cron` (in `timezone`) strictly after epoch second `after`."""
    tz = zone(timezone)
    if cron.split()[1] == "*":
        # Sub-hourly patterns repeat every hour: walk at the zone's current offset, so the hour that a
        # fall-back repeats still fires (a whole-hour offset change leaves the minutes unchanged).
        tz = timezone_offset(datetime.fromtimestamp(after, tz).utcoffset() or timedelta(0))
    local = datetime.fromtimestamp(after, tz).replace(tzinfo=None, microsecond=0)
    walk = copy.copy(_walker(cron))  # the parsed fields are shared, the position is this call's own
    walk.set_current(local, force=True)
    for _ in range(_MAX_STEPS):
        candidate = walk.get_next(datetime)
        instant = candidate.replace(tzinfo=tz, fold=0).timestamp()
        if instant > after:
            return instant
    raise ScheduleError(f"Cron {cron!r} has no fire time after {datetime.fromtimestamp(after, UTC).isoformat()}")


def fires_between(cron: str, timezone: str | None, after: float, until: float, limit: int) -> list[float]:
    """Fire times in (`after`, `until`], at most `limit` of them, earliest first."""
    times: list[float] = []
    current = after
    while len(times) < limit:
        current = next_fire(cron, timezone, current)
        if current > until:
            break
        times.append(current)
    return times


def _start_epoch(start: datetime | float | None) -> float:
    if start is None:
        return datetime.now(UTC).timestamp()
    if isinstance(start, datetime):
        if start.tzinfo is None:
            raise ValueError("start must be an aware datetime (e.g. datetime(2026, 1, 1, tzinfo=UTC)) or epoch seconds")
        return start.timestamp()
    return float(start)


def next_runs(text: str, n: int = 5, *, start: datetime | float | None = None) -> list[datetime]:
    """The next `n` fire times of a schedule text after `start` (default now), in its time zone."""
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 10_000:
        raise ValueError(f"n must be an integer from 1 to 10000, not {n!r}")
    compiled = compile_schedule(text)
    tz = zone(compiled.timezone)
    current = _start_epoch(start)
    runs: list[datetime] = []
    for _ in range(n):
        current = next_fire(compiled.cron, compiled.timezone, current)
        runs.append(datetime.fromtimestamp(current, tz))
    return runs


def describe(text: str) -> str:
    """A human description of a schedule text (cron-descriptor), naming its time zone if any."""
    compiled = compile_schedule(text)
    description = get_description(compiled.cron)
    return description if compiled.timezone is None else f"{description} ({compiled.timezone})"
