"""Promote a thing to its own object and demote it back: history, links, relationships, errors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from dotdo.cluster.promotion import PromotionError
from dotdo.graph import ThingNotFoundError
from dotdo.runtime.runtime import Runtime
from tests.cluster.lifecycle_objects import Shop


@pytest.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[Runtime]:
    async with Runtime(tmp_path / "data", objects=[Shop]) as rt:
        yield rt


async def customer_with_history(app) -> None:
    await app.add("Customer", id="alice", customer_id="c1", tier="gold")
    await app.change("alice", tier="platinum")
    await app.add("Order", id="o1", customer_id="c1", total=10)
    await app.relate("alice", "o1", "placed")
    await app.add("Store", id="paris", customer_id="-")
    await app.relate("paris", "alice", "serves")
    await app.note("alice")


async def test_promote_and_demote_round_trip_with_history(runtime: Runtime) -> None:
    app = runtime.get(Shop, "acme")
    await customer_with_history(app)

    alice = await app.promote("alice", namespace="Shop")
    assert alice.name == "alice"
    # The new object holds the thing with its versions, its relationships and its journal.
    assert await alice.history("alice") == [1, 2]
    assert (await alice.read("alice"))["data"]["tier"] == "platinum"
    assert await runtime.run_in(Shop, "alice", lambda o: o.storage.sql.exec("SELECT count(*) FROM actions").one())
    # The parent keeps a link and a relationship; reads of the old id follow the link.
    assert (await app.read("alice"))["data"] == {"promoted_to": "Shop/alice"}
    followed = await app.read_thing("alice")
    assert followed.data["tier"] == "platinum" and followed.version == 2
    assert await app.related("alice", "promoted_to") == ["Shop/alice#alice"]
    assert await app.related("paris", "serves") == ["alice"]

    await alice.change("alice", tier="diamond")
    thing_id = await alice.demote(into=app, preserve_history=True)
    assert thing_id == "alice"
    assert (await app.read("alice"))["data"]["tier"] == "diamond"
    assert await app.history("alice") == [1, 2, 3]
    assert await app.related("alice", "placed") == ["o1"]
    assert await app.related("paris", "serves") == ["alice"]
    assert await alice.count() == 0
    types = [e["type"] for e in await app.events("promote.") + await app.events("demote.")]
    assert types == ["promote.started", "promote.completed", "demote.started", "demote.completed"]


async def test_promote_without_history_and_demote_under_a_new_id(runtime: Runtime) -> None:
    app = runtime.get(Shop, "acme")
    await customer_with_history(app)
    alice = await app.promote("alice", preserve_history=False)
    assert await alice.history("alice") == [2]
    new_id = await alice.demote(preserve_id=False, preserve_history=False)
    assert new_id != "alice"
    assert (await app.read(new_id))["data"]["tier"] == "platinum"
    assert await app.read("alice") is None
    assert await app.related("paris", "serves") == [new_id]


async def test_promotion_errors_say_what_is_wrong_and_change_nothing(runtime: Runtime) -> None:
    app = runtime.get(Shop, "acme")
    await customer_with_history(app)
    await app.add("line-item", id="li", customer_id="c1")
    await runtime.get(Shop, "taken").add("Order", id="x", customer_id="c1")
    with pytest.raises(PromotionError, match="not a valid noun"):
        await app.promote("li")
    with pytest.raises(PromotionError, match="Invalid target namespace 'Nope'"):
        await app.promote("alice", namespace="Nope")
    with pytest.raises(ThingNotFoundError):
        await app.promote("ghost")
    await app.add("Customer", id="taken", customer_id="c3")
    with pytest.raises(PromotionError, match="already holds things"):
        await app.promote("taken")
    assert (await app.read("taken"))["data"] == {"customer_id": "c3"}
    bob = runtime.get(Shop, "bob")
    await bob.add("Customer", id="bob", customer_id="c2")
    with pytest.raises(PromotionError, match="to itself"):
        await bob.promote("bob")
    await app.promote("alice")
    with pytest.raises(PromotionError, match="already promoted"):
        await app.promote("alice")
    with pytest.raises(PromotionError, match="into itself"):
        await runtime.get(Shop, "alice").demote(into="alice")
    with pytest.raises(PromotionError, match="was not promoted"):
        await runtime.get(Shop, "bystander").demote()
    assert (await app.read_thing("alice")).data["tier"] == "platinum"
    failed = await app.events("promote.failed")
    assert len(failed) == 5 and all(e["correlation_id"] for e in failed)


async def test_a_thing_of_a_sharded_object_is_promoted_by_its_shard_and_demoted_back_into_it(runtime: Runtime) -> None:
    app = runtime.get(Shop, "acme")
    for i in range(12):
        await app.add("Customer", id=f"cust{i}", customer_id=f"c{i}", tier="gold")
    await app.change("cust3", tier="platinum")
    await app.shard(key="customer_id", count=4)

    promoted = await app.promote("cust3", namespace="Shop")
    assert promoted.name == "cust3"
    assert await promoted.history("cust3") == [1, 2]
    # Reads through the sharded object follow the link its shard keeps.
    assert (await app.read("cust3"))["data"] == {"promoted_to": "Shop/cust3"}
    assert (await app.read_thing("cust3")).data["tier"] == "platinum"
    started, completed = await app.events("promote.")
    assert started["correlation_id"] == completed["correlation_id"] and completed["object"] == "Shop/cust3"
    assert completed["shard"].startswith("acme-shard-")

    await promoted.change("cust3", tier="diamond")
    assert await promoted.demote() == "cust3"  # back into the shard it came from
    assert (await app.read("cust3"))["data"]["tier"] == "diamond"
    assert sorted(await app.every_copy("Customer")) == sorted(f"cust{i}" for i in range(12))
    with pytest.raises(ThingNotFoundError):
        await app.promote("nobody")
