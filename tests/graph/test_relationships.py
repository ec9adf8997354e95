"""The relationships store: typed edges, their constraints and endpoints in other objects."""

from __future__ import annotations

import pytest

from dotdo.graph import (
    DuplicateRelationshipError,
    InvalidReferenceError,
    Reference,
    Relationships,
    Things,
    UnknownEndpointError,
)
from dotdo.runtime.storage import Storage


def test_create_positional_or_keywords(things: Things, relationships: Relationships) -> None:
    alice = things.create(type="Customer", id="alice")
    order = things.create(type="Order", id="o1")
    placed = relationships.create("alice", "o1", "placed", channel="web")
    assert (placed.from_id, placed.to_id, placed.type, placed.data) == ("alice", "o1", "placed", {"channel": "web"})
    owns = relationships.create(from_=alice, to=order, type="owns")
    assert relationships.get(owns.id) == owns
    assert [r.type for r in relationships.list(from_="alice")] == ["placed", "owns"]
    assert [r.type for r in relationships.list(to=order, type="owns")] == ["owns"]


def test_the_same_edge_twice_is_a_duplicate(things: Things, relationships: Relationships) -> None:
    things.create(type="Customer", id="a")
    things.create(type="Order", id="b")
    first = relationships.create("a", "b", "placed")
    with pytest.raises(DuplicateRelationshipError, match="already exists") as caught:
        relationships.create(from_="a", to="b", type="placed")
    assert isinstance(caught.value, ValueError)
    assert first.id in str(caught.value)
    relationships.create("b", "a", "placed")
    relationships.create("a", "b", "owns")
    assert len(relationships.list()) == 3


def test_a_duplicate_relationship_id_is_refused(things: Things, relationships: Relationships) -> None:
    things.create(type="T", id="a")
    relationships.create("a", "a", "self", id="r1")
    with pytest.raises(DuplicateRelationshipError, match="id 'r1'"):
        relationships.create("a", "a", "other", id="r1")


def test_unknown_or_deleted_local_endpoints_are_refused(things: Things, relationships: Relationships) -> None:
    things.create(type="Customer", id="a")
    with pytest.raises(UnknownEndpointError, match="create it first"):
        relationships.create("a", "ghost", "placed")
    things.create(type="Order", id="gone")
    things.delete("gone")
    with pytest.raises(UnknownEndpointError):
        relationships.create("gone", "a", "placed")
    assert relationships.list() == []


def test_endpoints_in_other_objects_are_references(things: Things, relationships: Relationships) -> None:
    things.create(type="Order", id="o1")
    edge = relationships.create("Customer/alice#c1", "o1", "placed")
    assert edge.from_id == "Customer/alice#c1"
    ref = Reference("Customer", "acme/eu #1", "c9")
    assert str(ref) == "Customer/acme%2Feu%20%231#c9"
    assert Reference.parse(str(ref)) == ref
    relationships.create("o1", ref, "billed_to")
    assert relationships.list(to=ref)[0].to_id == str(ref)
    assert things.related("o1", "billed_to") == [ref]
    assert things.related("o1", "placed", direction="in") == [Reference("Customer", "alice", "c1")]


@pytest.mark.parametrize("bad", ["Customer/alice", "/alice#c1", "Customer/#c1", "Cust omer/a#c1", "C/a#", "1C/a#x"])
def test_malformed_references_are_refused(things: Things, relationships: Relationships, bad: str) -> None:
    things.create(type="Order", id="o1")
    with pytest.raises(InvalidReferenceError, match=r"Class/object-name#thing-id|class name|non-empty|empty"):
        relationships.create(bad, "o1", "placed")


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"type": "has space"}, ValueError),
        ({"type": "x'); DROP TABLE relationships; --"}, ValueError),
        ({"type": 5}, TypeError),
        ({"to": 5}, TypeError),
        ({"to": ""}, ValueError),
    ],
)
def test_bad_arguments_get_clear_errors(things: Things, relationships: Relationships, kwargs, error) -> None:
    things.create(type="T", id="a")
    with pytest.raises(error):
        relationships.create(**{"from_": "a", "to": "a", "type": "self", **kwargs})
    assert relationships.list() == []
    assert things.get("a") is not None


def test_delete(things: Things, relationships: Relationships) -> None:
    things.create(type="T", id="a")
    edge = relationships.create("a", "a", "self")
    assert relationships.delete(edge.id) is True
    assert relationships.delete(edge.id) is False
    assert relationships.get(edge.id) is None


def test_large_relationship_data_is_chunked(storage: Storage, things: Things) -> None:
    small_rows = Relationships(storage, row_limit=100)
    things.create(type="T", id="a")
    note = "ß" * 5000
    edge = small_rows.create("a", "a", "self", note=note)
    assert small_rows.get(edge.id).data == {"note": note}
    assert storage.sql.exec("SELECT data FROM relationships").one()["data"] is None
    small_rows.delete(edge.id)
    assert storage.sql.exec("SELECT count(*) AS n FROM graph_chunks").one()["n"] == 0


def test_wrong_types_for_data_and_list_filters(things: Things, relationships: Relationships) -> None:
    things.create(type="T", id="a")
    with pytest.raises(TypeError, match="data must be a dict of fields, not str"):
        relationships.create("a", "a", "self", data="oops")
    with pytest.raises(TypeError, match="from_id: expected a thing id, Thing or Reference, not int"):
        relationships.list(from_=5)
    with pytest.raises(ValueError, match="limit"):
        relationships.list(limit=-1)
