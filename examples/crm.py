"""A small CRM: customers (Entity, with REST), orders and line items (a graph), and traversals.

    python examples/crm.py                 # runs the demo below in a temporary data folder
    cd examples && dotdo dev crm:app      # serves /customers, /customers/{id}, /openapi.json, /docs

Each customer profile is an `Entity` (its own object, validated fields, REST). The sales graph of a
tenant lives in one `Sales` object: customers, orders, line items and products are things; "placed",
"contains" and "of" are relationships; a customer's node points at its profile with a reference.
"""

from __future__ import annotations

import asyncio
import tempfile

import httpx
from pydantic import Field

from dotdo import API, DO, Runtime
from dotdo.entities.entity import RECORD_ID, Entity
from dotdo.entities.entity_rest import EntityApp
from dotdo.graph import Reference, Thing


class Customer(Entity):
    """A customer's profile."""

    name: str
    email: str
    plan: str = "free"
    credit: int = Field(default=0, ge=0)


class Sales(DO):
    """The sales graph of one tenant."""

    async def add_customer(self, customer_id: str, name: str) -> str:
        profile = Reference("Customer", customer_id, RECORD_ID)
        thing = self.ctx.things.create(type="Customer", id=customer_id, name=name)
        self.ctx.relationships.create(thing, profile, "profile")
        return thing.id

    async def add_product(self, sku: str, price: float) -> str:
        return self.ctx.things.create(type="Product", id=sku, name=sku, price=price).id

    def place_order(self, customer_id: str, lines: dict[str, int]) -> dict:
        """An order with one line item per product; the total is computed from the product prices.

        One transaction: an unknown product or customer refuses the whole order, leaving no
        orphan order or line item behind."""
        things, relationships = self.ctx.things, self.ctx.relationships

        def place() -> dict:
            order = things.create(type="Order", status="placed")
            total = 0.0
            for sku, quantity in lines.items():
                product = things.get(sku)
                if product is None:
                    raise ValueError(f"Unknown product {sku!r}; add it first")
                item = things.create(type="LineItem", quantity=quantity, price=product["price"])
                relationships.create(order, item, "contains")
                relationships.create(item, product, "of")
                total += quantity * product["price"]
            relationships.create(customer_id, order, "placed")
            return things.update(order.id, total=round(total, 2)).to_dict()

        return self.storage.transaction_sync(place)

    def count(self, kind: str) -> int:
        return self.ctx.things.count(kind)

    def products_bought_by(self, customer_id: str) -> list[str]:
        found = self.ctx.things.traverse(customer_id, ["placed", "contains", "of"], type="Product")
        return [thing.id for thing in found]

    def buyers_of(self, sku: str) -> list[str]:
        found = self.ctx.things.traverse(sku, ["of", "contains", "placed"], direction="in", type="Customer")
        return [thing.name for thing in found if isinstance(thing, Thing)]

    def big_orders(self, minimum: float) -> list[dict]:
        orders = self.ctx.things.find("Order", where={"total": {"gte": minimum}}, order_by="-total")
        return [{"id": o.id, "total": o["total"]} for o in orders]

    async def profile_of(self, customer_id: str) -> dict | None:
        """Follow the reference to the customer's profile, which lives in its own object."""
        [profile] = self.ctx.things.related(customer_id, "profile")
        thing = await self.ctx.things.resolve(profile)
        return None if thing is None else thing.data


app = API(Customer, objects=[Sales])


async def demo() -> None:
    async with Runtime(data_dir=tempfile.mkdtemp(prefix="crm-"), objects=[Customer, Sales]) as rt:
        rest = httpx.AsyncClient(transport=httpx.ASGITransport(app=EntityApp(Customer, rt)), base_url="http://crm")
        async with rest:
            for customer_id, name in [("alice", "Alice"), ("bob", "Bob")]:
                created = await rest.post(
                    "/customers", json={"id": customer_id, "name": name, "email": f"{customer_id}@x"}
                )
                print("POST /customers ->", created.status_code, created.json())
            refused = await rest.post("/customers", json={"id": "carol", "name": "Carol", "credit": -5})
            print("POST with bad fields ->", refused.status_code, [e["loc"] for e in refused.json()["detail"]])
            await rest.patch("/customers/alice", json={"plan": "pro"})

        sales = rt.get(Sales, "acme")
        for customer_id, name in [("alice", "Alice"), ("bob", "Bob")]:
            await sales.add_customer(customer_id, name)
        for sku, price in [("kettle", 30.0), ("teapot", 25.5), ("mug", 8.0)]:
            await sales.add_product(sku, price)
        print("order:", await sales.place_order("alice", {"kettle": 1, "mug": 4}))
        print("order:", await sales.place_order("bob", {"teapot": 2, "mug": 1}))
        try:
            await sales.place_order("bob", {"mug": 1, "spoon": 2})
        except ValueError as error:
            print("refused:", error, "- orders kept:", await sales.count("Order"))  # still 2: nothing half-made
        print("alice bought:", await sales.products_bought_by("alice"))
        print("mugs were bought by:", await sales.buyers_of("mug"))
        print("orders of 50 or more:", await sales.big_orders(50))
        print("alice's profile:", await sales.profile_of("alice"))


if __name__ == "__main__":
    asyncio.run(demo())
