"""An app's `/rpc`: every registered Durable Object class reachable as `api.Class("name")`,
only the user's own methods callable, calls run as events of the object (turns, output gate)."""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

import dotdo
from dotdo import rpc
from tests.conftest import serving


class Cart(rpc.RpcTarget):
    """A target returned by an object: its calls still run as events of that object."""

    def __init__(self, owner: Customer):
        self._owner = owner

    def add(self, item: str, amount: int) -> int:
        return self._owner.add_order(item, amount)


class Customer(dotdo.DO):
    def _table(self) -> None:
        self.storage.sql.exec("CREATE TABLE IF NOT EXISTS orders(item TEXT, amount INTEGER)")

    def add_order(self, item: str, amount: int) -> int:
        self._table()
        self.storage.sql.exec("INSERT INTO orders VALUES (?, ?)", item, amount)
        return self.storage.sql.exec("SELECT count(*) AS n FROM orders").one()["n"]

    def orders(self) -> list[dict]:
        self._table()
        return self.storage.sql.exec("SELECT item, amount FROM orders ORDER BY rowid").to_list()

    async def total(self) -> int:
        self._table()
        return self.storage.sql.exec("SELECT coalesce(sum(amount), 0) AS t FROM orders").one()["t"]

    async def notify(self, callback) -> str:
        return await callback(len(self.orders()))

    def cart(self) -> Cart:
        return Cart(self)

    @property
    def label(self) -> str:
        return f"customer {self.name}"

    def _secret(self) -> str:
        return "never"


class Order(dotdo.DO):
    def describe(self) -> str:
        return f"order {self.name}"


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[dotdo.API]:
    application = dotdo.API(Customer, objects=[Order], data_dir=tmp_path / "data")
    yield application
    await application.runtime.close()


@pytest.fixture
async def api(app: dotdo.API) -> AsyncIterator[rpc.RpcStub]:
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app))
    async with rpc.connect("http://app.test/rpc", http_client=client) as stub:
        yield stub
    await client.aclose()


async def test_methods_of_a_named_object_are_callable(api) -> None:
    assert await api.Customer("alice").add_order("apple", 3) == 1
    assert await api.Customer("alice").add_order("pear", 2) == 2
    assert await api.Customer("alice").orders() == [{"item": "apple", "amount": 3}, {"item": "pear", "amount": 2}]
    assert await api.Customer("alice").total() == 5
    assert await api.Customer("bob").total() == 0
    assert await api.Order("o-1").describe() == "order o-1"


async def test_pipelined_calls_on_one_object_travel_in_one_request(app: dotdo.API) -> None:
    requests = []
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), event_hooks={"request": [lambda r: _count(requests, r)]}
    )
    async with rpc.connect("http://app.test/rpc", http_client=client) as api:
        alice = api.Customer("alice")
        assert await asyncio.gather(alice.add_order("a", 1), alice.add_order("b", 2), alice.total()) == [1, 2, 3]
    await client.aclose()
    assert len(requests) == 1


async def _count(requests: list, request: httpx.Request) -> None:
    requests.append(request)


async def test_properties_of_the_subclass_are_readable(api) -> None:
    assert await api.Customer("carol").label == "customer carol"


@pytest.mark.parametrize(
    "name",
    [
        "storage",
        "env",
        "ctx",
        "id",
        "name",
        "fetch",
        "alarm",
        "on_start",
        "websocket_message",
        "_secret",
        "__class__",
        "__init__",
        "block_concurrency_while",
        "accept_websocket",
        "_table",
    ],
)
async def test_base_class_members_and_private_names_are_not_callable(api, name: str) -> None:
    with pytest.raises(rpc.RpcTypeError, match="not a public method"):
        await api.Customer("alice")[name]()


async def test_unknown_class_lists_the_registered_ones(api) -> None:
    with pytest.raises(rpc.RpcError, match=r"Unknown class 'Custmer'; registered: Customer, Order"):
        await api.Custmer("alice").orders()


async def test_returned_rpc_target_becomes_a_stub_bound_to_the_object(api) -> None:
    assert await api.Customer("dave").cart().add("plum", 4) == 1
    assert await api.Customer("dave").orders() == [{"item": "plum", "amount": 4}]


async def test_an_acknowledged_write_survives_a_restart(app: dotdo.API, api, tmp_path: Path) -> None:
    assert await api.Customer("erin").add_order("fig", 7) == 1
    await app.runtime.close()
    reopened = dotdo.API(Customer, objects=[Order], data_dir=tmp_path / "data")
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=reopened))
    try:
        async with rpc.connect("http://app.test/rpc", http_client=client) as again:
            assert await again.Customer("erin").orders() == [{"item": "fig", "amount": 7}]
    finally:
        await client.aclose()
        await reopened.runtime.close()


async def test_bad_object_name_is_rejected(api) -> None:
    with pytest.raises(rpc.RpcTypeError, match="non-empty string"):
        await api.Customer("").orders()


JS_GATEWAY_CLIENT = """
import './shim.mjs';
import { newHttpBatchRpcSession, newWebSocketRpcSession } from 'capnweb';
const url = process.argv[2];
const http = newHttpBatchRpcSession(url + '/rpc');
const alice = http.Customer('alice');
const [n1, n2, total] = await Promise.all([alice.add_order('apple', 3), alice.add_order('pear', 2), alice.total()]);
const ws = newWebSocketRpcSession(url.replace('http', 'ws') + '/rpc');
const orders = await ws.Customer('alice').orders();
let denied = null;
try { await ws.Customer('alice').storage(); } catch (err) { denied = err.message; }
console.log(JSON.stringify({ n1, n2, total, orders, denied }));
ws[Symbol.dispose]();
"""


async def test_official_js_client_calls_objects_through_uvicorn(app: dotdo.API, js_peer: Path) -> None:
    script = js_peer / "gateway-client.mjs"
    script.write_text(JS_GATEWAY_CLIENT)
    async with serving(app) as address:
        process = await asyncio.create_subprocess_exec(
            shutil.which("node") or "node",
            str(script),
            f"http://{address}",
            cwd=js_peer,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, err.decode()

    report = json.loads(out.decode().strip().splitlines()[-1])
    assert report["n1"] == 1 and report["n2"] == 2 and report["total"] == 5
    assert report["orders"] == [{"item": "apple", "amount": 3}, {"item": "pear", "amount": 2}]
    assert "not a public method" in report["denied"]


async def test_python_client_over_websocket_passes_a_callback_to_an_object(app: dotdo.API) -> None:
    async with serving(app) as address, rpc.connect(f"ws://{address}/rpc") as api:
        await api.Customer("fay").add_order("kiwi", 1)
        assert await api.Customer("fay").notify(lambda count: f"{count} order(s)") == "1 order(s)"
