"""Entity: fields from annotations, validation, one record per object, the name index, history."""

from __future__ import annotations

import asyncio

import pytest
from pydantic import Field, ValidationError

from dotdo import Runtime
from dotdo.entities.entity import INDEX_OBJECT, Entity, EntityExistsError, EntityNotFoundError, NameIndex


class Customer(Entity):
    """A customer of the shop."""

    name: str
    email: str
    age: int = Field(default=0, ge=0)
    tags: list[str] = []


class Person(Entity):
    collection = "people"
    nickname: str | None = None


class Vip(Customer):
    level: int = 1


@pytest.fixture
async def rt(runtime: Runtime) -> Runtime:
    for cls in (Customer, Person, Vip):
        runtime.register(cls)
    return runtime


def test_fields_come_from_annotations_with_defaults() -> None:
    model = Customer.model()
    assert list(model.model_fields) == ["name", "email", "age", "tags"]
    assert model.model_fields["age"].default == 0
    assert list(Vip.model().model_fields) == ["name", "email", "age", "tags", "level"]
    assert Customer.collection_name() == "customers"
    assert Person.collection_name() == "people"


def test_a_field_default_does_not_shadow_the_object_attributes() -> None:
    class Shop(Entity):
        name: str = "unnamed"

    assert "name" not in Shop.__dict__
    assert isinstance(Shop.name, property)
    assert Shop.model().model_fields["name"].default == "unnamed"


def test_an_id_field_is_refused() -> None:
    with pytest.raises(TypeError, match="identity"):

        class Bad(Entity):
            id: str


async def test_create_get_update_replace_delete(rt: Runtime) -> None:
    alice = rt.get(Customer, "alice")
    created = await alice.create(name="Alice", email="alice@example.com", age=30)
    assert created == {"id": "alice", "name": "Alice", "email": "alice@example.com", "age": 30, "tags": []}
    assert await alice.get() == created
    updated = await alice.update(age=31, tags=["vip"])
    assert updated["age"] == 31 and updated["email"] == "alice@example.com"
    replaced = await alice.replace(name="Alice B", email="b@example.com")
    assert replaced == {"id": "alice", "name": "Alice B", "email": "b@example.com", "age": 0, "tags": []}
    assert await alice.version() == 3
    assert [v["data"]["age"] for v in await alice.history()] == [30, 31, 0]
    assert await alice.delete() is True
    assert await alice.get() is None
    assert await alice.delete() is False


async def test_validation_rejects_bad_and_unknown_fields_and_changes_nothing(rt: Runtime) -> None:
    bob = rt.get(Customer, "bob")
    with pytest.raises(ValidationError) as caught:
        await bob.create(name="Bob", email="b@x", age=-1, colour="red")
    problems = {(e["loc"][0], e["type"]) for e in caught.value.errors()}
    assert problems == {("age", "greater_than_equal"), ("colour", "extra_forbidden")}
    assert await bob.get() is None
    await bob.create(name="Bob", email="b@x")
    with pytest.raises(ValidationError):
        await bob.update(age="old")
    assert (await bob.get())["age"] == 0
    assert await bob.version() == 1


async def test_duplicates_and_missing_entities(rt: Runtime) -> None:
    carol = rt.get(Customer, "carol")
    await carol.create(name="Carol", email="c@x")
    with pytest.raises(EntityExistsError, match="already exists"):
        await carol.create(name="Carol", email="c@x")
    with pytest.raises(EntityNotFoundError, match="create it first"):
        await rt.get(Customer, "dave").update(age=3)


async def test_the_index_lists_and_filters_every_entity(rt: Runtime) -> None:
    for name, age in [("a", 30), ("b", 20), ("c", 40)]:
        await rt.get(Customer, name).create(name=name.upper(), email=f"{name}@x", age=age)
    await rt.get(Customer, "b").update(age=50)
    await rt.get(Customer, "c").delete()
    items, cursor = await Customer.list_page(rt, order_by=["-age"])
    assert [(i["id"], i["age"]) for i in items] == [("b", 50), ("a", 30)]
    assert cursor is None
    items, _ = await Customer.list_page(rt, where={"age": {"lt": 40}})
    assert [i["id"] for i in items] == ["a"]
    first, cursor = await Customer.list_page(rt, limit=1)
    second, last = await Customer.list_page(rt, limit=1, cursor=cursor)
    assert [first[0]["id"], second[0]["id"], last] == ["a", "b", None]
    with pytest.raises(ValueError, match="no field 'colour'"):
        await Customer.list_page(rt, where={"colour": "red"})


async def test_a_deleted_entity_can_be_created_again(rt: Runtime) -> None:
    eve = rt.get(Customer, "eve")
    await eve.create(name="Eve", email="e@x")
    await eve.delete()
    again = await eve.create(name="Eve 2", email="e2@x")
    assert again["name"] == "Eve 2"
    assert await eve.version() == 3
    items, _ = await Customer.list_page(rt)
    assert [i["name"] for i in items] == ["Eve 2"]


async def test_reserved_and_bad_ids_are_refused(rt: Runtime) -> None:
    with pytest.raises(ValueError, match="reserved"):
        await rt.get(Customer, INDEX_OBJECT).create(name="x", email="y")
    with pytest.raises(ValueError, match="'/' or '#'"):
        await rt.get(Customer, "a/b").create(name="x", email="y")


async def test_entities_are_separate_objects_with_their_own_storage(rt: Runtime) -> None:
    await rt.get(Customer, "x").create(name="X", email="x@x")
    await rt.get(Customer, "y").create(name="Y", email="y@x")
    count_x = await rt.run_in(Customer, "x", lambda obj: obj.storage.sql.exec("SELECT count(*) n FROM things").one())
    assert count_x["n"] == 1


async def test_changes_emit_created_updated_deleted_events(rt: Runtime) -> None:
    frank = rt.get(Customer, "frank")
    await frank.create(name="Frank", email="f@x")
    await frank.update(age=7)
    await frank.delete()

    def log(obj: Customer) -> list[tuple[str, dict]]:
        return [(event.type, event.data) for event in reversed(obj.ctx.event_log())]

    events = await rt.run_in(Customer, "frank", log)
    assert [t for t, _ in events] == ["Customer.created", "Customer.updated", "Customer.deleted"]
    assert events[0][1]["email"] == "f@x"
    assert events[1][1]["age"] == 7
    assert events[2][1] == {"id": "frank"}


async def test_an_index_entry_left_without_its_entity_does_not_block_the_id(rt: Runtime) -> None:
    async def leave_stale_entry(index: Customer) -> None:
        await NameIndex(index).add("ghost", {"name": "Old", "email": "old@x", "age": 0, "tags": []})

    await rt.run_in(Customer, INDEX_OBJECT, leave_stale_entry)
    created = await rt.get(Customer, "ghost").create(name="New", email="new@x")
    assert created["name"] == "New"
    items, _ = await Customer.list_page(rt)
    assert [(i["id"], i["name"]) for i in items] == [("ghost", "New")]


async def test_concurrent_creates_of_one_id_admit_exactly_one(rt: Runtime) -> None:
    stub = rt.get(Customer, "race")
    results = await asyncio.gather(*(stub.create(name=f"N{i}", email="r@x") for i in range(5)), return_exceptions=True)
    winners = [r for r in results if isinstance(r, dict)]
    losers = [r for r in results if isinstance(r, EntityExistsError)]
    assert len(winners) == 1 and len(losers) == 4
    assert (await stub.get())["name"] == winners[0]["name"]
    assert await stub.version() == 1
