"""References to things in other objects: `Class/object-name#thing-id`."""

from __future__ import annotations

import pytest

from dotdo.graph import InvalidReferenceError, Reference
from dotdo.graph.references import is_reference


def test_format_and_parse_round_trip() -> None:
    ref = Reference.parse("Customer/alice#c1")
    assert (ref.class_name, ref.object_name, ref.thing_id) == ("Customer", "alice", "c1")
    assert str(ref) == "Customer/alice#c1"
    odd = Reference("Customer", "a/b#c d%", "x")
    assert Reference.parse(str(odd)) == odd


@pytest.mark.parametrize("text", ["Customer/alice", "alice#c1", "/a#b", "Customer/#b", "C-1/a#b", "C/a#", 5])
def test_malformed_references(text) -> None:
    with pytest.raises(InvalidReferenceError):
        Reference.parse(text)


def test_local_ids_are_not_references() -> None:
    assert not is_reference("01HZX")
    assert is_reference("Customer/alice#c1")
    assert is_reference(Reference("Customer", "alice", "c1"))
