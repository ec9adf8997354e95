"""The schedule grammar: readable English (or raw cron) -> a 5-field cron string and a time zone.

The grammar is a table of words: each word has a part of speech (a unit, a weekday, an ordinal, …),
and each accepted sentence shape is one row of `_SHAPES`. Cron weekdays count Sunday as 0; croniter's
extensions `d#n` (nth weekday of the month) and `L` (last) express "first monday" and "last friday".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter


class ScheduleError(ValueError):
    """A schedule text that the grammar does not accept; the message says what was expected."""


WEEKDAYS = {
    "sunday": 0,
    "monday": 1,
    "tuesday": 2,
    "wednesday": 3,
    "thursday": 4,
    "friday": 5,
    "saturday": 6,
}
WEEKDAYS.update({name[:3]: number for name, number in list(WEEKDAYS.items())})

DAY_SETS = {"weekday": "1-5", "weekdays": "1-5", "weekend": "0,6", "weekends": "0,6"}

UNITS = {
    "minute": "minute",
    "minutes": "minute",
    "min": "minute",
    "mins": "minute",
    "hour": "hour",
    "hours": "hour",
    "hourly": "hour",
    "day": "day",
    "days": "day",
    "daily": "day",
    "everyday": "day",
    "week": "week",
    "weekly": "week",
}

ORDINAL_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "last": "L"}

FILLER = frozenset({"every", "each", "on", "of", "the", "a", "month", "monthly"})
"""Words that carry no meaning of their own once the others are read ("month" is implied by ordinals)."""

NAMED_TIMES = {"noon": (12, 0), "midday": (12, 0), "midnight": (0, 0)}

EXPECTED = (
    "expected e.g. 'every 5 minutes', 'hourly', 'daily at 9am', 'weekdays at 9:30am', 'monday at 9am', "
    "'first monday', 'last friday at 5pm', '15th of month', 'last day of month', an optional trailing "
    "time zone ('Europe/Paris'), or 5-field cron"
)


@dataclass(frozen=True, slots=True)
class Word:
    """One word of a schedule text with its part of speech."""

    kind: str
    value: object
    text: str


@dataclass(frozen=True, slots=True)
class CompiledSchedule:
    """What a schedule text compiles to: `cron` (Sunday = 0) and `timezone` (None means UTC)."""

    cron: str
    timezone: str | None


def parse_time(text: str) -> tuple[int, int]:
    """`"9am"`, `"9:30pm"`, `"12am"`, `"noon"`, `"midnight"`, `"14:30"` -> (hour, minute)."""
    spoken = text.strip().lower().replace(" ", "").replace(".", "")
    if spoken in NAMED_TIMES:
        return NAMED_TIMES[spoken]
    suffix = spoken[-2:] if spoken.endswith(("am", "pm")) else ""
    clock = spoken[: len(spoken) - len(suffix)]
    hour_text, _, minute_text = clock.partition(":")
    if not hour_text.isdigit() or (minute_text and not minute_text.isdigit()) or len(minute_text) not in (0, 2):
        raise ScheduleError(f"Invalid time: {text!r} (expected e.g. '9am', '9:30pm', '14:30', 'noon', 'midnight')")
    hour, minute = int(hour_text), int(minute_text or 0)
    if minute > 59:
        raise ScheduleError(f"Invalid minute: {minute} in {text!r} (expected 00 to 59)")
    if suffix:
        if not 1 <= hour <= 12:
            raise ScheduleError(f"Invalid hour for 12-hour format: {hour} in {text!r} (expected 1 to 12 before am/pm)")
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    elif not minute_text:
        raise ScheduleError(f"Invalid time: {text!r} (add am/pm, or write 24-hour time as '14:30')")
    elif hour > 23:
        raise ScheduleError(f"Invalid hour: {hour} in {text!r} (expected 0 to 23 in 24-hour time)")
    return hour, minute


def _ordinal(token: str) -> int | None:
    for suffix in ("st", "nd", "rd", "th"):
        if token.endswith(suffix) and token[: -len(suffix)].isdigit():
            return int(token[: -len(suffix)])
    return None


def _word(token: str) -> Word | None:
    """The part of speech of one lower-cased token (None for filler)."""
    if token in FILLER:
        return None
    if token in UNITS:
        return Word("unit", UNITS[token], token)
    if token in WEEKDAYS:
        return Word("weekday", WEEKDAYS[token], token)
    if token in DAY_SETS:
        return Word("dayset", DAY_SETS[token], token)
    if token in ORDINAL_WORDS:
        return Word("ordinal", ORDINAL_WORDS[token], token)
    if token.isdigit():
        return Word("number", int(token), token)
    number = _ordinal(token)
    if number is not None:
        return Word("ordinal", number, token)
    return Word("unknown", token, token)


# -- the sentence shapes: each takes the words and the (hour, minute) of an "at" clause -------------

Time = tuple[int, int] | None


def _at(time: Time) -> str:
    hour, minute = time or (0, 0)
    return f"{minute} {hour}"


def _no_time(time: Time, what: str) -> None:
    if time is not None:
        raise ScheduleError(
            f"'at' does not apply to {what}: it already fires more than once a day (expected e.g. 'daily at 9am')"
        )


def _unit(words: list[Word], time: Time) -> str:
    unit = words[0].value
    if unit == "minute":
        _no_time(time, "every minute")
        return "* * * * *"
    if unit == "hour":
        _no_time(time, "every hour")
        return "0 * * * *"
    if unit == "week":
        return f"{_at(time)} * * 0"
    return f"{_at(time)} * * *"


def _interval(words: list[Word], time: Time) -> str:
    count, unit = words[0].value, words[1].value
    assert isinstance(count, int)
    if unit == "minute":
        _no_time(time, f"every {count} minutes")
        if not 1 <= count <= 59:
            raise ScheduleError(f"Invalid minute interval: {count} (expected 1 to 59)")
        return "* * * * *" if count == 1 else f"*/{count} * * * *"
    if unit == "hour":
        _no_time(time, f"every {count} hours")
        if not 1 <= count <= 23:
            raise ScheduleError(f"Invalid hour interval: {count} (expected 1 to 23)")
        return "0 * * * *" if count == 1 else f"0 */{count} * * *"
    if unit == "day" and count == 1:
        return f"{_at(time)} * * *"
    raise ScheduleError(f"Invalid interval: every {count} {words[1].text} (expected minutes 1 to 59 or hours 1 to 23)")


def _days(words: list[Word], time: Time) -> str:
    return f"{_at(time)} * * {words[-1].value}"


def _day_of_month(words: list[Word], time: Time) -> str:
    day = words[0].value
    if day != "L" and not (isinstance(day, int) and 1 <= day <= 31):
        raise ScheduleError(f"Invalid day of month: {words[0].text} (expected 1st to 31st or 'last')")
    return f"{_at(time)} {day} * *"


def _nth_weekday(words: list[Word], time: Time) -> str:
    nth, weekday = words[0].value, words[1].value
    if nth == "L":
        return f"{_at(time)} * * L{weekday}"
    if not (isinstance(nth, int) and 1 <= nth <= 5):
        raise ScheduleError(f"Invalid weekday ordinal: {words[0].text} (expected first to fifth or last)")
    return f"{_at(time)} * * {weekday}#{nth}"


def _ordinal_day(words: list[Word], time: Time) -> str:
    if words[1].value != "day":
        raise ScheduleError(
            f"Unrecognized schedule: {words[0].text} {words[1].text} (expected e.g. 'first day of month')"
        )
    return _day_of_month(words, time)


def _weekly_on(words: list[Word], time: Time) -> str:
    if words[0].value != "week":
        raise ScheduleError(f"Unrecognized schedule: {words[0].text} {words[1].text} (expected 'weekly on friday')")
    return f"{_at(time)} * * {words[1].value}"


_SHAPES: dict[tuple[str, ...], Callable[[list[Word], Time], str]] = {
    ("unit",): _unit,  # minute, hourly, daily, weekly
    ("number", "unit"): _interval,  # 5 minutes, 2 hours
    ("dayset",): _days,  # weekdays, weekends
    ("weekday",): _days,  # monday
    ("unit", "weekday"): _weekly_on,  # weekly on friday
    ("unit", "dayset"): _weekly_on,
    ("ordinal", "unit"): _ordinal_day,  # first day (of month)
    ("ordinal",): _day_of_month,  # 15th (of month)
    ("ordinal", "weekday"): _nth_weekday,  # first monday, last friday
}


def _timezone(token: str) -> str | None:
    if token.upper() in ("UTC", "GMT"):
        return None
    if "/" not in token or _looks_like_cron_field(token):
        return None
    try:
        ZoneInfo(token)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(f"Unknown time zone: {token!r} (expected an IANA name such as 'Europe/Paris')") from None
    return None if token.upper() == "UTC" else token


def compile_schedule(text: str) -> CompiledSchedule:
    """Compile a schedule text to cron and time zone, or raise `ScheduleError` saying what was expected."""
    if not isinstance(text, str):
        raise ScheduleError(f"A schedule is a text such as 'daily at 9am', not {type(text).__name__}")
    return _compile(text)


@lru_cache(maxsize=4096)
def _compile(text: str) -> CompiledSchedule:
    if len(text) > 200:
        raise ScheduleError(f"Schedule text is too long ({len(text)} characters; at most 200)")
    tokens = text.split()
    if not tokens:
        raise ScheduleError(f"Unrecognized schedule: {text!r} is empty ({EXPECTED})")
    timezone = _timezone(tokens[-1])
    if timezone is not None or tokens[-1].upper() in ("UTC", "GMT"):
        tokens = tokens[:-1]
    if len(tokens) == 5 and all(_looks_like_cron_field(t) for t in tokens):
        cron = " ".join(tokens)
        if not croniter.is_valid(cron):
            raise ScheduleError(f"Invalid cron expression: {cron!r} (expected 5 fields: minute hour day month weekday)")
        return CompiledSchedule(cron, timezone)
    lowered = [t.lower() for t in tokens]
    time: Time = None
    if "at" in lowered:
        where = lowered.index("at")
        clause = "".join(lowered[where + 1 :])
        if not clause:
            raise ScheduleError(f"Missing time after 'at' in {text!r} (expected e.g. 'at 9am')")
        time = parse_time(clause)
        lowered = lowered[:where]
    words = [w for w in (_word(t) for t in lowered) if w is not None]
    if not words and time is not None and lowered and lowered[-1] in ("every", "each"):
        words = [Word("unit", "day", "day")]
    unknown = [w.text for w in words if w.kind == "unknown"]
    shape = _SHAPES.get(tuple(w.kind for w in words))
    if unknown or shape is None:
        raise ScheduleError(f"Unrecognized schedule: {text} ({EXPECTED})")
    return CompiledSchedule(shape(words, time), timezone)


def _looks_like_cron_field(token: str) -> bool:
    return bool(token) and all(c.isdigit() or c in "*/,-#LW?" for c in token.upper())


def to_cron(text: str) -> str:
    """The 5-field cron string for a schedule text (Sunday = 0); see `compile_schedule` for the zone."""
    return compile_schedule(text).cron
