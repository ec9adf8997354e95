"""The inspector, its JSON API and its metrics, on a small shop app.

Serve it with the inspector on (the default of `dotdo dev`) and open http://127.0.0.1:8787/_dotdo/:

    dotdo dev inspector_tour:app --inspector-write
    curl -X POST "localhost:8787/acme/order?item=anvil"
    dotdo objects --url http://127.0.0.1:8787
    dotdo sql Shop acme "SELECT * FROM orders" --url http://127.0.0.1:8787
    dotdo tail --url http://127.0.0.1:8787          # follow requests as they happen

or run this file to see the same in-process, with no server:

    python examples/inspector_tour.py
"""

from __future__ import annotations

import asyncio
import tempfile

import httpx
from prometheus_client.parser import text_string_to_metric_families
from starlette.requests import Request
from starlette.responses import JSONResponse

from dotdo import API, DO
from dotdo.inspector import Inspector


class Shop(DO):
    """POST /<shop>/order?item=X records an order in the shop's own table."""

    async def on_start(self) -> None:
        self.storage.sql.exec("CREATE TABLE IF NOT EXISTS orders (id INTEGER PRIMARY KEY, item TEXT NOT NULL)")

    async def fetch(self, request: Request) -> JSONResponse:
        if request.method == "POST":
            self.storage.sql.exec("INSERT INTO orders (item) VALUES (?)", request.query_params["item"])
        count = self.storage.sql.exec("SELECT count(*) AS n FROM orders").one()["n"]
        return JSONResponse({"shop": self.name, "orders": count})


app = API(Shop, ns="/:name")


async def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        api = API(Shop, ns="/:name", data_dir=folder)
        served = Inspector(token="s3cret").attach(api)  # what `dotdo dev --token s3cret` serves
        transport = httpx.ASGITransport(app=served, client=("127.0.0.1", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://shop.test") as http:
            for shop, item in [("acme", "anvil"), ("acme", "rocket"), ("globex", "gear")]:
                await http.post(f"/{shop}/order", params={"item": item})
            print("without the token:", (await http.get("/_dotdo/")).status_code)
            http.headers["Authorization"] = "Bearer s3cret"
            listed = (await http.get("/_dotdo/api/objects")).json()
            print("objects:", [(o["class"], o["name"], o["live"]) for o in listed["objects"]])
            acme = next(o for o in listed["objects"] if o["name"] == "acme")
            base = f"/_dotdo/api/objects/Shop/{acme['id']}"
            query = await http.post(f"{base}/sql", json={"sql": "SELECT item FROM orders ORDER BY id"})
            print("acme's orders:", [row[0] for row in query.json()["rows"]])
            refused = await http.post(f"{base}/sql", json={"sql": "DELETE FROM orders"})
            print("a write in the read-only console:", refused.status_code, refused.json()["message"][:40])
            timeline = (await http.get(f"{base}/timeline")).json()["entries"]
            print("acme's timeline:", [f"{e['kind']}: {e['summary'].split(' in ')[0]}" for e in timeline])
            metrics = (await http.get("/_dotdo/metrics")).text
            counted = {
                sample.labels["status"]: sample.value
                for family in text_string_to_metric_families(metrics)
                for sample in family.samples
                if sample.name == "dotdo_requests_total"
            }
            print("requests by status:", counted)
        await api.runtime.close()


if __name__ == "__main__":
    asyncio.run(main())
