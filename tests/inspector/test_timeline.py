"""The timeline keeps a bounded ring per object and forgets the least recently active objects first."""

import pytest

from dotdo.inspector import Timeline


def test_a_ring_keeps_the_newest_entries_of_its_object_and_formats_them_when_read():
    timeline = Timeline(per_object=3)
    for n in range(5):
        timeline.record("Shop", "acme", "request", "request %d", (n,))
    timeline.record("Shop", "globex", "request", "plain")
    assert [e.summary for e in timeline.entries("Shop", "acme")] == ["request 4", "request 3", "request 2"]
    assert [e.summary for e in timeline.entries("Shop", "globex")] == ["plain"]
    assert timeline.entries("Shop", "nobody") == []


def test_past_its_object_limit_the_least_recently_active_objects_are_forgotten():
    timeline = Timeline(per_object=5, max_objects=10)
    for n in range(10):
        timeline.record("Shop", f"o{n}", "request", "first")
    timeline.record("Shop", "o0", "request", "again")  # o0 is now the most recently active
    timeline.record("Shop", "new", "request", "first")
    assert timeline.entries("Shop", "o1") == [], "the least recently active object went first"
    assert [e.summary for e in timeline.entries("Shop", "o0")] == ["again", "first"]
    assert [e.summary for e in timeline.entries("Shop", "new")] == ["first"]
    assert all(timeline.entries("Shop", f"o{n}") for n in range(2, 10))


def test_a_timeline_keeps_something():
    with pytest.raises(ValueError, match="at least one entry"):
        Timeline(per_object=0)
