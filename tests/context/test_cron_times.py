import itertools
from datetime import UTC, datetime

import pytest

from dotdo.context.cron_times import fires_between, next_fire
from dotdo.schedule import ScheduleError, describe, next_runs

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)  # a Sunday


def iso(runs: list[datetime]) -> list[str]:
    return [r.isoformat() for r in runs]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("every 5 minutes", ["2026-03-01T12:05:00+00:00", "2026-03-01T12:10:00+00:00", "2026-03-01T12:15:00+00:00"]),
        ("hourly", ["2026-03-01T13:00:00+00:00", "2026-03-01T14:00:00+00:00", "2026-03-01T15:00:00+00:00"]),
        ("daily at 9am", ["2026-03-02T09:00:00+00:00", "2026-03-03T09:00:00+00:00", "2026-03-04T09:00:00+00:00"]),
        ("weekdays at 9am", ["2026-03-02T09:00:00+00:00", "2026-03-03T09:00:00+00:00", "2026-03-04T09:00:00+00:00"]),
        ("weekends at 10am", ["2026-03-07T10:00:00+00:00", "2026-03-08T10:00:00+00:00", "2026-03-14T10:00:00+00:00"]),
        ("first monday", ["2026-03-02T00:00:00+00:00", "2026-04-06T00:00:00+00:00", "2026-05-04T00:00:00+00:00"]),
        ("last friday at 5pm", ["2026-03-27T17:00:00+00:00", "2026-04-24T17:00:00+00:00", "2026-05-29T17:00:00+00:00"]),
        ("last day of month", ["2026-03-31T00:00:00+00:00", "2026-04-30T00:00:00+00:00", "2026-05-31T00:00:00+00:00"]),
        ("15th of month", ["2026-03-15T00:00:00+00:00", "2026-04-15T00:00:00+00:00", "2026-05-15T00:00:00+00:00"]),
    ],
)
def test_next_runs_from_a_fixed_instant(text: str, expected: list[str]) -> None:
    assert iso(next_runs(text, 3, start=START)) == expected


def test_next_runs_are_in_the_schedules_time_zone() -> None:
    runs = next_runs("daily at 9am Europe/Paris", 2, start=START)
    assert iso(runs) == ["2026-03-02T09:00:00+01:00", "2026-03-03T09:00:00+01:00"]
    assert runs[0].astimezone(UTC).hour == 8


def test_a_daily_schedule_keeps_its_local_time_across_spring_forward() -> None:
    runs = next_runs("daily at 9am America/New_York", 3, start=datetime(2026, 3, 7, tzinfo=UTC))
    assert [r.hour for r in runs] == [9, 9, 9]
    assert [r.utcoffset().total_seconds() / 3600 for r in runs] == [-5, -4, -4]


def test_a_daily_time_inside_the_spring_gap_fires_once_that_day() -> None:
    runs = next_runs("daily at 2:30am Europe/Paris", 4, start=datetime(2026, 3, 27, tzinfo=UTC))
    days = [r.date().isoformat() for r in runs]
    assert days == ["2026-03-27", "2026-03-28", "2026-03-29", "2026-03-30"]
    assert runs[2].isoformat() == "2026-03-29T03:30:00+02:00"  # 2:30 does not exist that night


def test_a_daily_time_inside_the_repeated_fall_hour_fires_once() -> None:
    runs = next_runs("daily at 2:30am Europe/Paris", 4, start=datetime(2026, 10, 23, tzinfo=UTC))
    days = [r.date().isoformat() for r in runs]
    assert days == ["2026-10-23", "2026-10-24", "2026-10-25", "2026-10-26"]
    gaps = [(b.timestamp() - a.timestamp()) / 3600 for a, b in itertools.pairwise(runs)]
    assert gaps == [24.0, 24.0, 25.0]  # the night of the change is 25 hours long: no second 2:30


def test_hourly_in_a_zone_fires_every_real_hour_across_fall_back() -> None:
    runs = next_runs("hourly Europe/Paris", 4, start=datetime(2026, 10, 24, 23, 30, tzinfo=UTC))
    utc_hours = [r.astimezone(UTC).hour for r in runs]
    assert utc_hours == [0, 1, 2, 3]


def test_fires_between_counts_missed_ticks() -> None:
    after = START.timestamp()
    ticks = fires_between("0 * * * *", None, after, after + 5 * 3600, limit=100)
    assert len(ticks) == 5
    assert fires_between("0 * * * *", None, after, after + 5 * 3600, limit=2) == ticks[:2]
    assert next_fire("0 * * * *", None, ticks[0]) == ticks[1]


def test_describe_uses_cron_descriptor_and_names_the_zone() -> None:
    assert describe("last friday at 5pm") == "At 05:00 PM, on the last Friday of the month"
    assert describe("every 5 minutes") == "Every 5 minutes"
    assert describe("daily at 9am Europe/Paris").endswith("(Europe/Paris)")


def test_next_runs_checks_its_arguments() -> None:
    with pytest.raises(ValueError, match="n must be"):
        next_runs("hourly", 0, start=START)
    with pytest.raises(ValueError, match="aware datetime"):
        next_runs("hourly", 1, start=datetime(2026, 1, 1))
    with pytest.raises(ScheduleError):
        next_runs("sometimes", 1, start=START)
