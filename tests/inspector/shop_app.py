"""The sample app the inspector's tests look into: orders, a KV entry, an alarm, a failing payment, an event."""

import time

from starlette.requests import Request
from starlette.responses import JSONResponse

from dotdo import API, DO, RetryPolicy, every, on

ONE_ATTEMPT = RetryPolicy(max_attempts=1, jitter=False)


class Shop(DO):
    """POST /NAME/order?item=X, /NAME/pay (fails until /NAME/fix), /NAME/alarm, /NAME/catalog, /NAME/ship; GET /NAME."""

    async def on_start(self) -> None:
        self.storage.sql.exec("CREATE TABLE IF NOT EXISTS orders (id INTEGER PRIMARY KEY, item TEXT NOT NULL)")

    async def charge(self, amount: int) -> int:
        if not self.storage.get("card_ok"):
            raise RuntimeError("card declined")
        self.storage.put("charged", amount)
        return amount

    async def fetch(self, request: Request) -> JSONResponse:
        action = request.url.path.strip("/")
        if action == "order":
            item = request.query_params["item"]
            self.storage.sql.exec("INSERT INTO orders (item) VALUES (?)", item)
            self.storage.put("last_item", item)
        elif action == "pay":
            try:
                await self.ctx.do("charge", 5, retry=ONE_ATTEMPT)
            except Exception as exc:
                return JSONResponse({"error": str(exc)}, status_code=402)
        elif action == "fix":
            self.storage.put("card_ok", True)
        elif action == "catalog":
            await self.catalog()
        elif action == "ship":
            self.ctx.send("Order.shipped", {"to": "coyote"})
        elif action == "alarm":
            self.storage.set_alarm(time.time() + 3600)
        count = self.storage.sql.exec("SELECT count(*) AS n FROM orders").one()["n"]
        return JSONResponse({"name": self.name, "orders": count})

    async def catalog(self) -> None:
        """A file in fsx, committed with gitx, and two things related in the graph."""
        await self.ctx.fs.write("/catalog.md", "# Catalog\n<b>anvils</b> & rockets\n")
        await self.ctx.git.init()
        await self.ctx.git.add("catalog.md")
        await self.ctx.git.commit("add the catalog", author="Shop <shop@example.com>")
        anvil = self.ctx.things.create(type="Product", name="anvil")
        coyote = self.ctx.things.create(type="Customer", name="coyote")
        self.ctx.relationships.create(from_=coyote.id, to=anvil.id, type="bought")

    @every.hour
    async def restock(self) -> None:
        self.storage.put("restocked", True)

    @on("Order.shipped")
    async def note_shipment(self, event) -> None:
        self.storage.put("shipped_to", event.data["to"])

    async def alarm(self, info) -> None:
        self.storage.put("alarm_fired", True)


app = API(Shop, ns="/:name")
