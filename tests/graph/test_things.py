"""The things store: create, read, versioned updates, soft and hard deletes, paging."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dotdo.graph import DuplicateThingError, InvalidCursorError, ThingNotFoundError, Things
from dotdo.runtime.storage import Storage


def test_create_returns_a_thing_with_identity_and_bookkeeping(things: Things) -> None:
    alice = things.create(type="Customer", name="Alice", email="alice@example.com", tags=["vip"])
    assert alice.type == "Customer"
    assert alice.name == "Alice"
    assert alice.data == {"email": "alice@example.com", "tags": ["vip"]}
    assert alice.version == 1
    assert alice.created_at == alice.updated_at
    assert alice.created_at.tzinfo is UTC
    assert alice.deleted_at is None
    assert alice["email"] == "alice@example.com"
    assert things.get(alice.id) == alice


def test_generated_ids_sort_in_creation_order(things: Things) -> None:
    created = [things.create(type="Note", text=str(i)).id for i in range(50)]
    assert created == sorted(created)
    assert len(set(created)) == 50
    assert [t.id for t in things.find("Note")] == created


def test_explicit_id_and_data_argument(things: Things) -> None:
    thing = things.create(type="Customer", id="alice", data={"type": "gold", "name": "field"}, age=3)
    assert thing.id == "alice"
    assert things.get("alice").data == {"type": "gold", "name": "field", "age": 3}


def test_a_live_id_cannot_be_created_twice(things: Things) -> None:
    things.create(type="Customer", id="alice", n=1)
    with pytest.raises(DuplicateThingError, match="already exists"):
        things.create(type="Customer", id="alice", n=2)
    assert things.get("alice").data == {"n": 1}


def test_get_of_missing_or_deleted_is_none(things: Things) -> None:
    assert things.get("nope") is None
    thing = things.create(type="Customer")
    assert things.delete(thing.id) is True
    assert things.get(thing.id) is None
    assert things.delete(thing.id) is False


def test_update_deep_merges_and_appends_a_version(things: Things) -> None:
    thing = things.create(type="Customer", name="A", address={"city": "Paris", "zip": "75001"}, tags=["a"])
    updated = things.update(thing.id, address={"city": "Lyon"}, tags=["b"], vip=True)
    assert updated.version == 2
    assert updated.data == {"address": {"city": "Lyon", "zip": "75001"}, "tags": ["b"], "vip": True}
    assert updated.name == "A"
    assert updated.created_at == thing.created_at
    assert things.get(thing.id) == updated


def test_update_can_rename_and_change_visibility(things: Things) -> None:
    thing = things.create(type="Customer", name="A")
    updated = things.update(thing.id, name="B", visibility="public")
    assert (updated.name, updated.visibility) == ("B", "public")
    with pytest.raises(ValueError, match="visibility"):
        things.update(thing.id, visibility="everyone")


def test_replace_drops_fields_not_given(things: Things) -> None:
    thing = things.create(type="Customer", name="A", a=1, b=2)
    replaced = things.replace(thing.id, c=3)
    assert replaced.data == {"c": 3}
    assert replaced.name == "A"
    assert replaced.version == 2


def test_history_and_old_versions(things: Things) -> None:
    thing = things.create(type="Customer", plan="free")
    things.update(thing.id, plan="pro")
    things.update(thing.id, plan="team")
    things.delete(thing.id)
    history = things.history(thing.id)
    assert [v.version for v in history] == [1, 2, 3, 4]
    assert [v.data["plan"] for v in history] == ["free", "pro", "team", "team"]
    assert [v.deleted for v in history] == [False, False, False, True]
    assert things.get(thing.id, version=2).data == {"plan": "pro"}
    assert things.get(thing.id, version=9) is None
    assert things.history("unknown") == []


def test_update_of_missing_or_deleted_raises(things: Things) -> None:
    with pytest.raises(ThingNotFoundError, match="create it first"):
        things.update("nope", a=1)
    thing = things.create(type="Customer")
    things.delete(thing.id)
    with pytest.raises(ThingNotFoundError):
        things.replace(thing.id, a=1)


def test_a_soft_deleted_id_can_be_created_again_and_keeps_history(things: Things) -> None:
    things.create(type="Customer", id="alice", v=1)
    things.delete("alice")
    again = things.create(type="Customer", id="alice", v=2)
    assert again.version == 3
    assert [v.data["v"] for v in things.history("alice")] == [1, 1, 2]


def test_purge_erases_the_thing_its_history_and_relationships(things: Things, relationships) -> None:
    a = things.create(type="Customer", id="a")
    b = things.create(type="Order", id="b")
    relationships.create(a, b, "placed")
    things.update("a", x=1)
    assert things.delete("a", purge=True) is True
    assert things.get("a") is None
    assert things.history("a") == []
    assert relationships.list() == []
    assert things.get(b.id) == b
    assert things.delete("a", purge=True) is False


def test_find_filters_orders_and_limits(things: Things) -> None:
    for i, city in enumerate(["Paris", "Lyon", "Paris", "Nice"]):
        things.create(type="Customer", name=f"c{i}", age=20 + i, address={"city": city})
    things.create(type="Order", total=5)
    paris = things.find("Customer", where={"address.city": "Paris"})
    assert [t.name for t in paris] == ["c0", "c2"]
    oldest = things.find("Customer", order_by="-age", limit=2)
    assert [t.name for t in oldest] == ["c3", "c2"]
    assert things.count("Customer") == 4
    assert things.count(where={"age": {"gte": 22}}) == 2
    assert things.count() == 5
    assert things.find("Customer", limit=0) == []


def test_find_skips_deleted_unless_asked(things: Things) -> None:
    a = things.create(type="Customer", name="a")
    things.create(type="Customer", name="b")
    things.delete(a.id)
    assert [t.name for t in things.find("Customer")] == ["b"]
    assert [t.name for t in things.find("Customer", include_deleted=True)] == ["a", "b"]


def test_find_page_walks_every_item_once(things: Things) -> None:
    ages = [5, 3, None, 3, 9, None, 1, 5]
    for i, age in enumerate(ages):
        things.create(type="P", name=str(i), **({} if age is None else {"age": age}))
    for order in ("age", "-age", ["-age", "name"], None):
        seen, cursor = [], None
        while True:
            page = things.find_page("P", order_by=order, limit=3, cursor=cursor)
            seen.extend(t.name for t in page)
            cursor = page.cursor
            if cursor is None:
                break
        assert [t.name for t in things.find("P", order_by=order)] == seen
        assert sorted(seen) == sorted(str(i) for i in range(len(ages)))


def test_descending_order_puts_missing_values_last(things: Things) -> None:
    for name, age in [("a", 2), ("b", None), ("c", 7)]:
        things.create(type="P", name=name, age=age)
    assert [t.name for t in things.find("P", order_by="-age")] == ["c", "a", "b"]
    assert [t.name for t in things.find("P", order_by="age")] == ["b", "a", "c"]


def test_cursor_from_another_query_or_garbage_is_refused(things: Things) -> None:
    for i in range(3):
        things.create(type="P", n=i)
    page = things.find_page("P", order_by="n", limit=1)
    with pytest.raises(InvalidCursorError, match="same order_by"):
        things.find_page("P", order_by="-n", limit=1, cursor=page.cursor)
    with pytest.raises(InvalidCursorError, match="start again"):
        things.find("P", cursor="not a cursor!")
    with pytest.raises(ValueError, match="positive limit"):
        things.find_page("P", limit=0)


def test_time_columns_filter_with_datetimes(things: Things) -> None:
    clock = iter([1_700_000_000.0, 1_700_000_100.0, 1_700_000_200.0])
    timed = Things(things.storage, clock=lambda: next(clock))
    for name in "abc":
        timed.create(type="T", name=name)
    middle = datetime.fromtimestamp(1_700_000_100.0, UTC)
    assert [t.name for t in timed.find("T", where={"created_at": {"gte": middle}})] == ["b", "c"]
    with pytest.raises(ValueError, match="aware datetime"):
        timed.find("T", where={"created_at": {"gte": datetime(2024, 1, 1)}})


def test_writes_survive_reopening_the_database(storage: Storage) -> None:
    things = Things(storage)
    thing = things.create(type="Customer", name="Alice", n=1)
    things.update(thing.id, n=2)
    storage.close()
    reopened = Storage(storage.path)
    try:
        again = Things(reopened)
        assert again.get(thing.id).data == {"n": 2}
        assert [v.data["n"] for v in again.history(thing.id)] == [1, 2]
    finally:
        reopened.close()


def test_a_failed_update_changes_nothing(things: Things) -> None:
    thing = things.create(type="Customer", n=1)
    with pytest.raises(TypeError):
        things.update(thing.id, when=datetime.now(UTC))
    assert things.get(thing.id).version == 1
    assert len(things.history(thing.id)) == 1


def test_tables_come_back_after_delete_all(storage: Storage, things: Things) -> None:
    things.create(type="Customer", id="a")
    storage.delete_all()
    assert things.get("a") is None
    things.create(type="Customer", id="a")
    assert things.get("a").id == "a"


def test_returned_data_is_a_copy_in_stored_form(things: Things) -> None:
    nested = {"city": "Paris"}
    thing = things.create(type="Customer", b=1, a=nested)
    nested["city"] = "changed"
    assert list(thing.data) == ["a", "b"]
    assert thing.data == {"a": {"city": "Paris"}, "b": 1} == things.get(thing.id).data


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda t: t.create(type=5), TypeError, "type must be a str"),
        (lambda t: t.create(type="Bad Type"), ValueError, "not valid"),
        (lambda t: t.create(type="T", name=7), TypeError, "name must be a str"),
        (lambda t: t.create(type="T", id=7), TypeError, "thing id must be a str"),
        (lambda t: t.create(type="T", id="a/b"), ValueError, "references"),
        (lambda t: t.create(type="T", data=[1, 2]), TypeError, "data must be a dict"),
        (lambda t: t.create(type="T", visibility="world"), ValueError, "visibility"),
        (lambda t: t.get(5), TypeError, "thing id must be a str"),
        (lambda t: t.get("x", version="1"), TypeError, "version must be an int"),
        (lambda t: t.find(limit="3"), ValueError, "limit"),
        (lambda t: t.find(limit=-1), ValueError, "limit"),
        (lambda t: t.find(type=["T"]), TypeError, "type must be a str"),
        (lambda t: t.find(cursor=5), ValueError, "cursor"),
        (lambda t: t.update(5, a=1), TypeError, "thing id must be a str"),
    ],
)
def test_wrong_types_get_clear_errors_and_write_nothing(things: Things, call, error, message: str) -> None:
    with pytest.raises(error, match=message):
        call(things)
    assert things.count(include_deleted=True) == 0


def test_get_many_returns_the_live_things_in_the_order_asked(things: Things) -> None:
    for name in ("a", "b", "c", "d"):
        things.create(type="Letter", id=name, upper=name.upper())
    things.delete("c")
    found = things.get_many(["d", "missing", "a", "c", "b"])
    assert [(t.id, t["upper"]) for t in found] == [("d", "D"), ("a", "A"), ("b", "B")]
    assert things.get_many([]) == []
