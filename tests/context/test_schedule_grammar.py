from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dotdo.context.schedule_grammar import ScheduleError, compile_schedule, parse_time
from dotdo.schedule import next_runs, to_cron

GRAMMAR = [
    ("every minute", "* * * * *"),
    ("every 5 minutes", "*/5 * * * *"),
    ("5 minutes", "*/5 * * * *"),
    ("every 59 minutes", "*/59 * * * *"),
    ("every hour", "0 * * * *"),
    ("hourly", "0 * * * *"),
    ("every 2 hours", "0 */2 * * *"),
    ("daily at 9am", "0 9 * * *"),
    ("every day at 6am", "0 6 * * *"),
    ("everyday at noon", "0 12 * * *"),
    ("weekdays at 9am", "0 9 * * 1-5"),
    ("every weekday at 8:30am", "30 8 * * 1-5"),
    ("weekends at 10am", "0 10 * * 0,6"),
    ("monday at 9am", "0 9 * * 1"),
    ("Monday at 9AM", "0 9 * * 1"),
    ("sunday", "0 0 * * 0"),
    ("weekly on friday at 5pm", "0 17 * * 5"),
    ("every week on monday", "0 0 * * 1"),
    ("first day of month", "0 0 1 * *"),
    ("1st of month at 6am", "0 6 1 * *"),
    ("15th of month", "0 0 15 * *"),
    ("last day of month", "0 0 L * *"),
    ("first monday", "0 0 * * 1#1"),
    ("first monday of the month at 9am", "0 9 * * 1#1"),
    ("third wednesday at 14:30", "30 14 * * 3#3"),
    ("last friday at 5pm", "0 17 * * L5"),
    ("daily at midnight", "0 0 * * *"),
    ("daily at 12am", "0 0 * * *"),
    ("daily at 12pm", "0 12 * * *"),
    ("daily at 9:30pm", "30 21 * * *"),
    ("*/15 9-17 * * 1-5", "*/15 9-17 * * 1-5"),
    ("0 0 * * 1#1", "0 0 * * 1#1"),
]


@pytest.mark.parametrize(("text", "cron"), GRAMMAR)
def test_each_phrase_compiles_to_its_cron(text: str, cron: str) -> None:
    assert to_cron(text) == cron


def test_the_leading_every_is_optional() -> None:
    assert to_cron("every first monday") == to_cron("first monday")
    assert to_cron("every weekdays at 9am") == to_cron("weekdays at 9am")


def test_a_trailing_iana_zone_is_the_timezone() -> None:
    compiled = compile_schedule("daily at 9am Europe/Paris")
    assert (compiled.cron, compiled.timezone) == ("0 9 * * *", "Europe/Paris")
    assert compile_schedule("weekdays at 9am America/New_York").timezone == "America/New_York"
    assert compile_schedule("daily at 9am UTC").timezone is None
    assert compile_schedule("0 9 * * * Asia/Tokyo") == compile_schedule("daily at 9am Asia/Tokyo")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("daily at 13pm", "Invalid hour for 12-hour format: 13"),
        ("daily at 0am", "Invalid hour for 12-hour format: 0"),
        ("daily at 9:60am", "Invalid minute: 60"),
        ("daily at 25:00", "Invalid hour: 25"),
        ("every 0 minutes", "Invalid minute interval: 0"),
        ("every 60 minutes", "Invalid minute interval: 60"),
        ("every 24 hours", "Invalid hour interval: 24"),
        ("run whenever", "Unrecognized schedule: run whenever"),
        ("", "Unrecognized schedule"),
        ("every 5 minutes at 9am", "'at' does not apply"),
        ("daily at", "Missing time after 'at'"),
        ("daily at 9am Mars/Olympus", "Unknown time zone: 'Mars/Olympus'"),
        ("32nd of month", "Invalid day of month: 32nd"),
        ("sixth monday", "Unrecognized schedule"),
        ("61 * * * *", "Invalid cron expression"),
        ("daily at 9", "Invalid time"),
    ],
)
def test_bad_text_raises_schedule_error_saying_what_was_expected(text: str, message: str) -> None:
    with pytest.raises(ScheduleError) as info:
        to_cron(text)
    assert message in str(info.value)
    assert "expected" in str(info.value) or "add am/pm" in str(info.value)


def test_schedule_error_is_a_value_error() -> None:
    assert issubclass(ScheduleError, ValueError)


def test_hostile_input_is_refused_cleanly() -> None:
    with pytest.raises(ScheduleError, match="too long"):
        to_cron("every " * 100)
    with pytest.raises(ScheduleError, match="not int"):
        to_cron(5)  # type: ignore[arg-type]
    with pytest.raises(ScheduleError):
        to_cron("daily at 9am; DROP TABLE schedules")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9am", (9, 0)),
        ("9:30pm", (21, 30)),
        ("12am", (0, 0)),
        ("12pm", (12, 0)),
        ("noon", (12, 0)),
        ("midnight", (0, 0)),
        ("14:30", (14, 30)),
        ("0:05", (0, 5)),
        ("11:59PM", (23, 59)),
    ],
)
def test_times_of_day(text: str, expected: tuple[int, int]) -> None:
    assert parse_time(text) == expected


@settings(max_examples=60, deadline=None)
@given(hour=st.integers(0, 23), minute=st.integers(0, 59), day=st.sampled_from(["daily", "monday", "weekdays"]))
def test_any_time_of_day_compiles_and_fires_at_that_time(hour: int, minute: int, day: str) -> None:
    twelve = f"{hour % 12 or 12}:{minute:02d}{'am' if hour < 12 else 'pm'}"
    twenty_four = f"{hour}:{minute:02d}"
    assert to_cron(f"{day} at {twelve}") == to_cron(f"{day} at {twenty_four}")
    [run] = next_runs(f"{day} at {twelve} Europe/Paris", 1, start=datetime(2026, 6, 1, tzinfo=UTC))
    assert (run.hour, run.minute) == (hour, minute)
