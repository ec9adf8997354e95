"""`connect()` as a user sees it: one request per tick of calls, clear errors for promises and
stubs used after their HTTP batch, and for misuse."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from interop_api import Api
from starlette.responses import PlainTextResponse

from dotdo import rpc


@pytest.fixture
def requests() -> list[httpx.Request]:
    return []


@pytest.fixture
async def api(requests: list[httpx.Request]):
    async def count(request: httpx.Request) -> None:
        requests.append(request)

    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=rpc.rpc_app(Api)), event_hooks={"request": [count]})
    async with rpc.connect("http://test/rpc", http_client=client) as stub:
        yield stub
    await client.aclose()


async def test_calls_in_one_tick_are_one_request(api, requests) -> None:
    results = await asyncio.gather(api.hello("a"), api.makeCounter(1).increment(1), api.getUser(2).name, api.add(1, 2))
    assert results == ["Hello, a!", 2, "Bob", 3]
    assert len(requests) == 1


async def test_sequential_awaits_are_one_request_each(api, requests) -> None:
    assert await api.hello("a") == "Hello, a!"
    assert await api.hello("b") == "Hello, b!"
    assert len(requests) == 2


async def test_promise_awaited_after_its_batch_was_sent_fails_clearly(api) -> None:
    late = api.hello("late")
    assert await api.hello("now") == "Hello, now!"
    with pytest.raises(rpc.BatchClosedError, match="already sent"):
        await late


async def test_http_stub_lives_for_one_batch(api) -> None:
    counter = await api.makeCounter(1)
    with pytest.raises(rpc.BatchClosedError, match="ws://"):
        await counter.increment()


async def test_values_received_can_be_walked_locally(api) -> None:
    user = api.getUser(1)
    assert (await user)["name"] == "Alice"
    assert await user.name == "Alice"
    assert await user.orders[1].item == "pear"


async def test_map_records_the_lambda_once(api) -> None:
    calls = []

    def mapper(order):
        calls.append(order)
        return {"what": order.item, "greeting": api.hello(order.item)}

    result = await api.getUser(1).orders.map(mapper)
    assert result == [{"what": "apple", "greeting": "Hello, apple!"}, {"what": "pear", "greeting": "Hello, pear!"}]
    assert len(calls) == 1


async def test_server_error_status_fails_the_calls() -> None:
    app = PlainTextResponse("down for maintenance", status_code=503)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app))
    async with rpc.connect("http://test/rpc", http_client=client) as api:
        with pytest.raises(rpc.SessionAbortedError, match="HTTP 503"):
            await api.hello("x")
    await client.aclose()


async def test_main_stub_cannot_be_disposed_only_closed(api) -> None:
    with pytest.raises(TypeError, match="async with"):
        rpc.dispose(api)


async def test_closed_http_connection_refuses_new_calls() -> None:
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=rpc.rpc_app(Api)))
    api = rpc.connect("http://test/rpc", http_client=client)
    await rpc.aclose(api)
    with pytest.raises(rpc.SessionAbortedError, match="closed"):
        api.hello("x")
    await client.aclose()


def test_unsupported_scheme_is_refused() -> None:
    with pytest.raises(ValueError, match="http"):
        rpc.connect("ftp://example.com/rpc")


async def test_private_names_are_not_sent(api) -> None:
    with pytest.raises(AttributeError):
        api._secret  # noqa: B018
    with pytest.raises(TypeError, match="not iterable"):
        list(api)
