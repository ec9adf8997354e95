"""SQL across tenants: every store's orders ship to Iceberg, and one query answers for all of them.

    python examples/tiers_analytics.py     # runs the demo below in a temporary data folder
    dotdo query "SELECT type, count(*) FROM things GROUP BY type" --data-dir <the folder it prints>
    dotdo query "SELECT count(*) FROM things" --fresh --data-dir <the folder>   # + rows not shipped yet

Each tenant is one `Store` object with its own SQLite. Writes land in the object's outbox in the same
transaction; `rt.ship()` (or the background loop, every `ship_interval` seconds) moves them to the
warm Iceberg tables, where DuckDB answers across every object.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
from datetime import UTC, datetime

from dotdo import DO, Runtime, TierConfig


class Store(DO):
    """One tenant's shop."""

    def place_order(self, customer: str, amount: int) -> str:
        customer_id = f"user:{customer}"
        if self.ctx.things.get(customer_id) is None:
            self.ctx.things.create("Customer", customer, id=customer_id)
        order = self.ctx.things.create("Order", amount=amount, customer=customer_id)
        self.ctx.relationships.create(from_=customer_id, to=order.id, type="placed")
        self.ctx.send("Order.placed", {"order": order.id, "customer": customer_id})
        return order.id


async def main() -> None:
    folder = tempfile.mkdtemp(prefix="dotdo-tiers-")
    rng = random.Random(1)
    config = TierConfig(ship_interval=None, archive_after=30 * 86400)
    async with Runtime(folder, objects=[Store], tiers=config) as rt:
        for tenant in ("acme", "globex", "initech"):
            for _ in range(50):
                customer = rng.choice(["alice", "bob", "carol"])
                await rt.get(Store, tenant).place_order(customer, rng.randint(5, 250))

        # Not shipped yet: fresh=True reads the outboxes too.
        fresh = await rt.query("SELECT count(*) AS orders FROM things WHERE type = 'Order'", fresh=True)
        print("orders (fresh):", fresh.rows[0][0])

        report = await rt.ship()
        print(f"shipped {report.total} rows in {report.seconds:.2f} s")
        before_big_orders = datetime.now(UTC)

        big = await rt.query(
            "SELECT left(object_id, 8) AS store, count(*) AS orders, sum(amount) AS revenue FROM things "
            "WHERE type = 'Order' AND amount > 100 GROUP BY store ORDER BY store"
        )
        print("orders over 100:", big.rows)

        await rt.get(Store, "acme").place_order("dave", 999)
        await rt.ship()
        latest = await rt.query("SELECT max(amount) FROM things WHERE type = 'Order'")
        earlier = await rt.query("SELECT max(amount) FROM things WHERE type = 'Order'", as_of=before_big_orders)
        print("largest order now:", latest.rows[0][0], "- as of before dave's order:", earlier.rows[0][0])

        erased = await rt.erase("user:alice")
        print("erased user:alice:", {"hot": erased.hot, "warm": erased.warm, "cold": erased.cold})
        status = await rt.tiers_status()
        for table in status.tables:
            print(f"  {table.name:14s} {table.files:3d} files {table.rows:6d} rows {table.bytes:9,d} bytes")
        # Left in the outbox on purpose: `dotdo query --fresh` finds it, plain `dotdo query` does not yet.
        await rt.get(Store, "initech").place_order("erin", 42)
    print(f"data folder: {folder}")
    print(f"  try: dotdo tiers status --data-dir {folder}")
    print(f"       dotdo query \"SELECT count(*) FROM things WHERE type = 'Order'\" --fresh --data-dir {folder}")


if __name__ == "__main__":
    asyncio.run(main())
