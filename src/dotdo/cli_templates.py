"""The files `dotdo init NAME` writes."""

APP = '''"""{name}: a Durable Object app. Run it with `dotdo dev`."""

from starlette.requests import Request
from starlette.responses import JSONResponse

from dotdo import API, DO


class Counter(DO):
    """One counter per name, kept in the object's own SQLite database."""

    async def on_start(self) -> None:
        self.storage.sql.exec("CREATE TABLE IF NOT EXISTS counter (k TEXT PRIMARY KEY, v INTEGER NOT NULL)")

    async def increment(self, by: int = 1) -> int:
        return self.storage.sql.exec(
            "INSERT INTO counter (k, v) VALUES ('n', ?) "
            "ON CONFLICT(k) DO UPDATE SET v = v + excluded.v RETURNING v",
            by,
        ).one()["v"]

    async def fetch(self, request: Request) -> JSONResponse:
        if request.method == "POST":
            return JSONResponse({{"name": self.name, "value": await self.increment()}})
        row = self.storage.sql.exec("SELECT v FROM counter WHERE k = 'n'").to_list()
        return JSONResponse({{"name": self.name, "value": row[0]["v"] if row else 0}})


app = API(Counter, ns="/:name")
'''

TEST = '''"""Tests of {name}: run with `pytest` (installed by `pip install "dotdo[test]"`)."""

import asyncio

import httpx

from app import Counter
from dotdo import API, Runtime


def test_counter_counts(tmp_path):
    async def scenario():
        async with Runtime(data_dir=tmp_path) as rt:
            counter = rt.get(Counter, "acme")
            assert await counter.increment() == 1
            assert await counter.increment(2) == 3

    asyncio.run(scenario())


def test_http(tmp_path):
    async def scenario():
        fresh = API(Counter, ns="/:name", data_dir=tmp_path)
        transport = httpx.ASGITransport(app=fresh)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            assert (await client.post("/acme")).json() == {{"name": "acme", "value": 1}}
            assert (await client.get("/acme")).json() == {{"name": "acme", "value": 1}}
        await fresh.runtime.close()

    asyncio.run(scenario())
'''

README = """# {name}

A [dotdo](https://pypi.org/project/dotdo/) app: one `Counter` Durable Object per name.

    dotdo dev                              # serves app:app on http://127.0.0.1:8787
    curl -X POST localhost:8787/acme       # {{"name":"acme","value":1}}
    curl localhost:8787/acme               # {{"name":"acme","value":1}}

The tests run with pytest, which comes with the `test` extra:

    pip install "dotdo[test]"
    pytest
"""
