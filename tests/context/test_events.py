import pytest

from dotdo.context.events import Event, EventLog, decode_json, encode_json, split_type
from dotdo.runtime.storage import Storage


def test_split_type() -> None:
    assert split_type("Customer.signup") == ("Customer", "signup")
    assert split_type("*.created", wildcard=True) == ("*", "created")
    with pytest.raises(ValueError, match="expected Noun"):
        split_type("*.created")
    with pytest.raises(ValueError, match="too long"):
        split_type("A." + "b" * 300)
    with pytest.raises(TypeError, match="not int"):
        split_type(5)  # type: ignore[arg-type]


def test_event_fields_and_round_trip() -> None:
    event = Event("e1", "Order.shipped", {"id": 3}, "Shop/main", 1_700_000_000.0, 9)
    assert (event.noun, event.verb, event.time.year) == ("Order", "shipped", 2023)
    assert Event.from_dict(event.to_dict()) == event


def test_json_codec_refuses_what_json_cannot_hold() -> None:
    assert decode_json(encode_json({"a": [1, 2.5, None, True]})) == {"a": [1, 2.5, None, True]}
    with pytest.raises(TypeError, match="JSON-compatible"):
        encode_json(object())


def test_the_events_table_records_in_sequence_and_dedups_received(tmp_path) -> None:
    log = EventLog(Storage(tmp_path / "o.sqlite"))
    assert log.list() == [] and log.undispatched() == []
    first = log.record("Customer.signup", {"n": 1}, source="Shop/a", now=10.0)
    second = log.record("Customer.signup", {"n": 2}, source="Shop/a", now=11.0)
    assert (first.sequence, second.sequence) == (1, 2)
    assert [e.id for e in log.undispatched()] == [first.id, second.id]
    log.mark_dispatched(first)
    assert [e.id for e in log.undispatched()] == [second.id]
    remote = Event("r1", "Order.created", {}, "Other/x", 5.0, 1)
    assert log.record_received(remote) is True
    assert log.record_received(remote) is False
    assert log.contains("r1") and not log.contains("nope")
    assert [e.type for e in log.list(event_type="Order.created")] == ["Order.created"]
    with pytest.raises(ValueError, match="too large"):
        log.record("Customer.signup", "x" * 1_000_001, source="Shop/a", now=12.0)
