"""Resolving references to things in other objects, through the runtime, from inside an object."""

from __future__ import annotations

import pytest

from dotdo import DO, Runtime
from dotdo.graph import Reference, Thing, Things


class Warehouse(DO):
    async def stock(self, sku: str, count: int) -> str:
        return self.ctx.things.create(type="Product", id=sku, count=count).id

    async def discontinue(self, sku: str) -> None:
        self.ctx.things.delete(sku)


class Shop(DO):
    async def order(self, skus: list[str]) -> str:
        order = self.ctx.things.create(type="Order")
        for sku in skus:
            self.ctx.relationships.create(order, Reference("Warehouse", "main", sku), "contains")
        return order.id

    async def contents(self, order_id: str) -> list[Thing | None]:
        refs = self.ctx.things.related(order_id, "contains")
        return [await self.ctx.things.resolve(ref) for ref in refs]


@pytest.fixture
async def rt(runtime: Runtime) -> Runtime:
    runtime.register(Warehouse)
    runtime.register(Shop)
    return runtime


async def test_references_resolve_in_the_object_that_holds_the_thing(rt: Runtime) -> None:
    warehouse = rt.get(Warehouse, "main")
    await warehouse.stock("p1", 3)
    await warehouse.stock("p2", 0)
    shop = rt.get(Shop, "acme")
    order_id = await shop.order(["p1", "p2", "p9"])
    contents = await shop.contents(order_id)
    assert [(t.id, t.data["count"]) if t else None for t in contents] == [("p1", 3), ("p2", 0), None]
    await warehouse.discontinue("p1")
    assert (await shop.contents(order_id))[0] is None


async def test_a_plain_id_resolves_locally(rt: Runtime) -> None:
    async def run(obj: Shop) -> Thing | None:
        thing = obj.ctx.things.create(type="Note", id="n1")
        return await obj.ctx.things.resolve(thing.id)

    assert (await rt.run_in(Shop, "acme", run)).id == "n1"


async def test_unknown_classes_and_missing_runtimes_fail_clearly(rt: Runtime, storage) -> None:
    async def run(obj: Shop) -> Thing | None:
        return await obj.ctx.things.resolve("Nowhere/x#y")

    with pytest.raises(LookupError, match="Nowhere"):
        await rt.run_in(Shop, "acme", run)
    with pytest.raises(RuntimeError, match="no runtime"):
        await Things(storage).resolve("Warehouse/main#p1")
