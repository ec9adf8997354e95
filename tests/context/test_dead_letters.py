import pytest

from dotdo.context.dead_letters import MAX_ERROR_LENGTH, DeadLetterBox, describe_error
from dotdo.runtime.storage import Storage


def test_dead_letters_are_listed_marked_and_counted(tmp_path) -> None:
    box = DeadLetterBox(Storage(tmp_path / "o.sqlite"))
    assert box.list() == [] and box.get(1) is None
    first = box.add("handler", "h", payload={"a": 1}, error="E: x", attempts=3, now=5.0, event_type="A.b")
    second = box.add("action", "step", payload={"step_id": "s"}, error="E: y", attempts=1, now=6.0, event_type=None)
    assert [d.id for d in box.list()] == [first, second]
    box.note_failed_replay(first, "E: again")
    box.mark_replayed(second, 7.0)
    letter = box.get(first)
    assert (letter.attempts, letter.error, letter.payload) == (4, "E: again", {"a": 1})
    assert [d.id for d in box.list()] == [first]
    assert [d.id for d in box.list(include_replayed=True)] == [first, second]
    with pytest.raises(ValueError, match="Unknown dead-letter kind"):
        box.add("other", "x", payload=None, error="", attempts=1, now=1.0, event_type=None)


def test_errors_are_bounded() -> None:
    text = describe_error(ValueError("x" * 10_000))
    assert text.startswith("ValueError: ") and len(text) == MAX_ERROR_LENGTH
