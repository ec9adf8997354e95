"""What a thing's data may hold: exactly what JSON round-trips, with errors naming the bad value."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

import pytest

from dotdo.graph import Things
from dotdo.graph.documents import encode_document


class Plan(enum.StrEnum):
    PRO = "pro"


def test_round_trip_of_json_values(things: Things) -> None:
    data = {
        "n": 2**63 - 1,
        "neg": -(2**63),
        "f": 0.1,
        "s": "ünïcødé ✓ \U0001f600",
        "nested": {"list": [1, "a", None, True, {"deep": []}]},
        "plan": Plan.PRO,
        "t": (1, 2),
    }
    thing = things.create(type="Doc", data=data)
    stored = things.get(thing.id).data
    assert stored == {**data, "plan": "pro", "t": [1, 2]}


def test_keys_are_sorted_so_equal_documents_have_equal_text() -> None:
    assert encode_document({"b": 1, "a": {"d": 1, "c": 2}}) == '{"a":{"c":2,"d":1},"b":1}'


def _deep(levels: int) -> list:
    value: list = []
    for _ in range(levels):
        value = [value]
    return value


BAD = [
    ({"x": float("nan")}, ValueError, r"data\.x"),
    ({"x": float("inf")}, ValueError, "not a JSON number"),
    ({"x": 2**64}, ValueError, "64 bits"),
    ({"x": {1: "a"}}, TypeError, "keys must be strings"),
    ({"x": "a\x00b"}, ValueError, "NUL"),
    ({"x": datetime.now(UTC)}, TypeError, "isoformat"),
    ({"x": {1, 2}}, TypeError, "set"),
    ({"x": b"bytes"}, TypeError, "bytes"),
    ({"x": _deep(70)}, ValueError, "nested"),
]


@pytest.mark.parametrize("data, error, message", BAD)
def test_values_that_do_not_round_trip_are_refused(things: Things, data, error, message) -> None:
    with pytest.raises(error, match=message):
        things.create(type="Doc", data=data)
    assert things.count() == 0


def test_large_values_are_stored_whole(things: Things) -> None:
    big = "x" * (3 * 1024 * 1024)
    thing = things.create(type="Blob", body=big)
    assert things.get(thing.id).data["body"] == big
    updated = things.update(thing.id, body=big + "y")
    assert things.get(thing.id).data["body"].endswith("xy")
    assert things.get(thing.id, version=1).data["body"] == big
    assert things.count("Blob", where={"body": {"prefix": "xxx"}}) == 1
    assert updated.version == 2
