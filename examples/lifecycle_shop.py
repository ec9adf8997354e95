"""A shop that outgrows one object: shard its orders, rebalance, query every shard, promote a
customer to its own object and fold it back, fork the shop for staging.

    python examples/lifecycle_shop.py      # runs in a temporary data folder

Every operation is a method of the object, called through its stub (`app = rt.get(Shop, "acme")`);
inside the object, `self.ctx.things` keeps working after sharding (its calls are then awaited).
"""

from __future__ import annotations

import asyncio
import inspect
import tempfile
from typing import Any

from dotdo import Runtime
from dotdo.cluster.lifecycle import Lifecycle


async def settled(value: Any) -> Any:
    """The value of a store call, sharded (awaitable) or not."""
    return await value if inspect.isawaitable(value) else value


class Shop(Lifecycle):
    """Customers and their orders, as things."""

    async def order(self, order_id: str, customer_id: str, total: float) -> None:
        await settled(self.ctx.things.create("Order", id=order_id, customer_id=customer_id, total=total))

    async def total_of(self, order_id: str) -> float:
        return (await settled(self.ctx.things.get(order_id))).data["total"]


async def main(folder: str) -> None:
    async with Runtime(folder, objects=[Shop]) as rt:
        app = rt.get(Shop, "acme")
        for i in range(1000):
            await app.order(f"order-{i:04}", customer_id=f"customer-{i % 40}", total=i % 250)

        report = await app.shard(key="customer_id", count=16, strategy="hash")
        print(f"sharded: moved {report['moved']} orders into 16 shards")
        await app.order("order-late", customer_id="customer-7", total=120)  # routed to its shard
        print("read back through the shards:", await app.total_of("order-late"))

        report = await app.rebalance(count=24)
        print(f"rebalanced to 24 shards: moved {report['moved']} of {report['examined']} orders")
        big = await app.query_shards(type="Order", where={"total": {"gt": 200}}, aggregate="count")
        top = await app.query_shards(type="Order", aggregate="merge", order_by="-total", limit=3)
        print(f"orders over 200: {big.value} (partial: {big.partial}); top 3: {[t.id for t in top.rows]}")
        await app.unshard()

        await app.order("alice", customer_id="alice", total=0)
        alice = await app.promote("alice", namespace="Shop")
        print("promoted:", alice, "- the parent follows the link:", (await app.read_thing("alice")).type)
        print("demoted back as thing", await alice.demote(into=app))

        staging = await app.fork("acme-staging")
        print("forked: staging has order-0001 =", await staging.total_of("order-0001"))


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as data:
        asyncio.run(main(data))
