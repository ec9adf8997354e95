"""Durations and times as workflows accept them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dotdo.workflows.durations import describe_seconds, parse_duration, to_epoch


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30 s", 30), ("5 minutes", 300), ("3 days", 259200), ("1 hour 30 minutes", 5400), ("250ms", 0.25), ("12", 12)],
)
def test_text_durations(text, seconds):
    assert parse_duration(text) == seconds


def test_timedelta_and_numbers():
    assert parse_duration(timedelta(hours=2)) == 7200
    assert parse_duration(1.5) == 1.5


@pytest.mark.parametrize("bad", ["soon", "3 fortnights", "", "-5 s", float("inf")])
def test_bad_durations_are_clear_errors(bad):
    with pytest.raises(ValueError, match="duration"):
        parse_duration(bad, what="the duration")


def test_times():
    assert to_epoch(datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)) == 1_700_000_000
    with pytest.raises(ValueError, match="time zone"):
        to_epoch(datetime(2023, 11, 14))
    assert describe_seconds(172800) == "2 days" and describe_seconds(90) == "90 s"
