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

TEST = '''"""Tests of {name}: run with `pytest` (installed by `pip install "dotdo[test]"`).

The fixtures come from dotdo's pytest plugin: `dotdo_runtime` (a runtime on a temporary folder),
`dotdo_client` (an httpx client over the app your `dotdo_app` fixture returns, no sockets) and
`manual_clock` (time that moves only when the test says).
"""

import pytest

from app import Counter
from dotdo import API

pytestmark = pytest.mark.asyncio


@pytest.fixture
def dotdo_app(dotdo_runtime):
    return API(Counter, ns="/:name", runtime=dotdo_runtime)


async def test_counter_counts(dotdo_runtime):
    counter = dotdo_runtime.get(Counter, "acme")
    assert await counter.increment() == 1
    assert await counter.increment(2) == 3


async def test_http(dotdo_client):
    assert (await dotdo_client.post("/acme")).json() == {{"name": "acme", "value": 1}}
    assert (await dotdo_client.get("/acme")).json() == {{"name": "acme", "value": 1}}
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
