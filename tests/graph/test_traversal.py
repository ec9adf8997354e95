"""One-hop `related` and multi-hop `traverse`: hop types in order, cycles, directions, deletions."""

from __future__ import annotations

import pytest

from dotdo.graph import Relationships, ThingNotFoundError, Things


@pytest.fixture
def shop(things: Things, relationships: Relationships) -> Things:
    things.create(type="Customer", id="alice")
    things.create(type="Customer", id="bob")
    for order, customer in [("o1", "alice"), ("o2", "alice"), ("o3", "bob")]:
        things.create(type="Order", id=order)
        relationships.create(customer, order, "placed")
    for item, order in [("i1", "o1"), ("i2", "o1"), ("i3", "o2"), ("i4", "o3")]:
        things.create(type="LineItem", id=item)
        relationships.create(order, item, "contains")
    things.create(type="Product", id="p1")
    for item in ["i1", "i3", "i4"]:
        relationships.create(item, "p1", "of")
    return things


def ids(found) -> list[str]:
    return [t.id for t in found]


def test_related_out_in_and_both(shop: Things) -> None:
    assert ids(shop.related("alice", "placed")) == ["o1", "o2"]
    assert ids(shop.related("o1", "placed", direction="in")) == ["alice"]
    assert ids(shop.related("o1", direction="both")) == ["alice", "i1", "i2"]
    assert shop.related("alice", "contains") == []


def test_traverse_follows_the_types_in_order(shop: Things) -> None:
    assert ids(shop.traverse("alice", ["placed", "contains"])) == ["o1", "o2", "i1", "i2", "i3"]
    assert ids(shop.traverse("alice", ["placed", "contains"], type="LineItem")) == ["i1", "i2", "i3"]
    assert ids(shop.traverse("alice", ["placed", "contains", "of"], type="Product")) == ["p1"]
    assert ids(shop.traverse("p1", ["of", "contains", "placed"], direction="in", type="Customer")) == ["alice", "bob"]


def test_traverse_ends_on_cycles_without_duplicates(things: Things, relationships: Relationships) -> None:
    for name in "abcd":
        things.create(type="Person", id=name)
    for source, target in [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("a", "a")]:
        relationships.create(source, target, "knows")
    found = things.traverse("a", ["knows"], depth=50)
    assert ids(found) == ["b", "c", "d"]
    assert ids(things.traverse("a", "knows", depth=1)) == ["b"]
    assert ids(things.traverse("d", "knows", depth=10, direction="both")) == ["c", "a", "b"]


def test_a_dense_graph_walks_quickly_to_its_fixpoint(things: Things, relationships: Relationships) -> None:
    names = [f"n{i}" for i in range(30)]
    for name in names:
        things.create(type="N", id=name)
    for source in names:
        for target in names:
            relationships.create(source, target, "edge")
    assert sorted(ids(things.traverse("n0", "edge", depth=40))) == sorted(names[1:])


def test_walks_skip_deleted_things(shop: Things) -> None:
    shop.delete("o1")
    assert ids(shop.related("alice", "placed")) == ["o2"]
    assert ids(shop.traverse("alice", ["placed", "contains"])) == ["o2", "i3"]
    with pytest.raises(ThingNotFoundError):
        shop.traverse("o1", ["contains"])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"types": []}, "at least one"),
        ({"types": ["placed"], "depth": 0}, "depth"),
        ({"types": ["placed"], "depth": True}, "depth"),
        ({"types": ["placed"], "direction": "up"}, "direction"),
        ({"types": ["bad type"]}, "not valid"),
    ],
)
def test_bad_walks_get_clear_errors(shop: Things, kwargs, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        shop.traverse("alice", **kwargs)


def test_walks_from_unknown_things_raise(shop: Things) -> None:
    with pytest.raises(ThingNotFoundError):
        shop.related("nobody", "placed")
