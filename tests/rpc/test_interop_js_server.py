"""Our Python client against the official JavaScript server (`js/interop_server.mjs`): the
check list of `js/interop_client.mjs` rewritten for `dotdo.rpc.connect`, HTTP batch and WebSocket. The same
checks run against our own Python server, so both directions of interop agree."""

from __future__ import annotations

import asyncio
import datetime as dt
import math
from collections.abc import AsyncIterator

import httpx
import pytest

from dotdo import rpc

ALICE = {
    "id": 1,
    "name": "Alice",
    "orders": [{"id": 101, "item": "apple", "qty": 3}, {"id": 102, "item": "pear", "qty": 1}],
}


@pytest.fixture(params=["js", "py"])
def server(request: pytest.FixtureRequest) -> str:
    return request.getfixturevalue("js_server" if request.param == "js" else "py_server")


class CountingHttp:
    """An httpx client that counts the HTTP requests the RPC client makes."""

    def __init__(self) -> None:
        self.requests = 0
        self.client = httpx.AsyncClient(event_hooks={"request": [self._count]})

    async def _count(self, request: httpx.Request) -> None:
        self.requests += 1


@pytest.fixture
async def http_api(server: str) -> AsyncIterator[tuple[rpc.RpcStub, CountingHttp]]:
    counter = CountingHttp()
    async with rpc.connect(server, http_client=counter.client) as api:
        yield api, counter
    await counter.client.aclose()


@pytest.fixture
async def ws_api(server: str) -> AsyncIterator[rpc.RpcStub]:
    async with rpc.connect(server.replace("http://", "ws://")) as api:
        yield api


# ---------------------------------------------------------------- HTTP batch (checks 1-15)


async def test_http_hello(http_api) -> None:
    api, http = http_api
    assert await api.hello("World") == "Hello, World!"
    assert http.requests == 1


async def test_http_add_ints_and_floats(http_api) -> None:
    api, _ = http_api
    assert await asyncio.gather(api.add(2, 3), api.add(0.5, 0.25)) == [5, 0.75]


async def test_http_two_independent_calls_share_one_batch(http_api) -> None:
    api, http = http_api
    assert await asyncio.gather(api.hello("A"), api.add(1, 2)) == ["Hello, A!", 3]
    assert http.requests == 1


async def test_http_pipelined_call_on_returned_target(http_api) -> None:
    api, http = http_api
    assert await api.makeCounter(5).increment(2) == 7
    assert http.requests == 1


async def test_http_getter_on_returned_target(http_api) -> None:
    api, http = http_api
    assert await api.makeCounter(5).value == 5
    assert http.requests == 1


async def test_http_several_pipelined_calls_on_one_promise(http_api) -> None:
    api, http = http_api
    counter = api.makeCounter(10)
    assert await asyncio.gather(counter.increment(1), counter.increment(2), counter.value) == [11, 13, 13]
    assert http.requests == 1


async def test_http_nested_object_with_arrays(http_api) -> None:
    api, _ = http_api
    assert await api.getUser(1) == ALICE


async def test_http_pipelined_property_access(http_api) -> None:
    api, http = http_api
    user = api.getUser(1)
    name, orders = await asyncio.gather(user.name, user.orders)
    assert (name, orders, orders[1]["item"]) == ("Alice", ALICE["orders"], "pear")
    assert http.requests == 1


async def test_http_promise_as_argument(http_api) -> None:
    api, http = http_api
    assert await api.hello(api.getUser(2).name) == "Hello, Bob!"
    assert http.requests == 1


async def test_http_map_over_array(http_api) -> None:
    api, http = http_api
    assert await api.getUser(1).orders.map(lambda o: o.item) == ["apple", "pear"]
    assert http.requests == 1


async def test_http_map_with_captured_stub(http_api) -> None:
    api, http = http_api
    assert await api.getUser(1).orders.map(lambda o: api.hello(o.item)) == ["Hello, apple!", "Hello, pear!"]
    assert http.requests == 1


async def test_http_map_building_objects(http_api) -> None:
    api, http = http_api
    result = await api.getUser(1).orders.map(lambda o: {"item": o.item, "total": api.add(o.qty, 10)})
    assert result == [{"item": "apple", "total": 13}, {"item": "pear", "total": 11}]
    assert http.requests == 1


ROWS = [{"id": 1, "xs": [1, 2]}, {"id": 10, "xs": [3]}, {"id": 100, "xs": []}]


async def test_http_nested_map_uses_outer_element_and_captured_stub(http_api) -> None:
    api, http = http_api
    result = await api.echo(ROWS).map(lambda row: row.xs.map(lambda x: api.add(x, row.id)))
    assert result == [[2, 3], [13], []]
    assert http.requests == 1


async def test_http_nested_map_inside_an_object(http_api) -> None:
    api, _ = http_api
    result = await api.getUser(1).map(
        lambda user: {"name": user.name, "items": user.orders.map(lambda o: api.hello(o.item))}
    )
    assert result == {"name": "Alice", "items": ["Hello, apple!", "Hello, pear!"]}


async def test_ws_nested_map_three_levels(ws_api) -> None:
    grid = [[[1, 2], [3]], [[4]]]
    result = await ws_api.echo(grid).map(lambda plane: plane.map(lambda row: row.map(lambda x: ws_api.add(x, x))))
    assert result == [[[2, 4], [6]], [[8]]]


async def test_http_fail_rejects_with_error(http_api) -> None:
    api, _ = http_api
    with pytest.raises(rpc.RpcError, match="intentional failure") as raised:
        await api.fail()
    assert raised.value.name == "Error"


async def test_http_error_does_not_poison_the_batch(http_api) -> None:
    api, http = http_api
    failed, added = await asyncio.gather(api.fail(), api.add(1, 1), return_exceptions=True)
    assert isinstance(failed, rpc.RpcError)
    assert added == 2
    assert http.requests == 1


async def test_http_unknown_method_rejects(http_api) -> None:
    api, _ = http_api
    missing, hello = await asyncio.gather(api.noSuchMethod(1), api.hello("still here"), return_exceptions=True)
    assert isinstance(missing, rpc.RpcTypeError) and isinstance(missing, TypeError)
    assert hello == "Hello, still here!"


# ---------------------------------------------------------------- WebSocket (checks 16-24)


async def test_ws_hello(ws_api) -> None:
    assert await ws_api.hello("WebSocket") == "Hello, WebSocket!"


async def test_ws_pipelining(ws_api) -> None:
    assert await ws_api.makeCounter(5).increment(2) == 7


async def test_ws_stateful_counter_stub_across_round_trips(ws_api) -> None:
    counter = await ws_api.makeCounter(10)
    assert isinstance(counter, rpc.RpcStub)
    assert await counter.increment(1) == 11
    assert await counter.increment(2) == 13
    assert await counter.value == 13
    rpc.dispose(counter)
    with pytest.raises(rpc.StubDisposedError):
        await counter.increment(1)
    assert await ws_api.add(1, 1) == 2


async def test_ws_server_calls_client_callback(ws_api) -> None:
    calls = []

    def double(x: int) -> int:
        calls.append(x)
        return x * 2

    assert await ws_api.callback(double, 21) == 42
    assert calls == [21]


async def test_ws_async_callback_with_string_result(ws_api) -> None:
    async def reply(text: str) -> str:
        await asyncio.sleep(0)
        return f"got {text}"

    assert await ws_api.callback(reply, "ping") == "got ping"


async def test_ws_map_with_captured_stub(ws_api) -> None:
    api = ws_api
    assert await api.getUser(1).orders.map(lambda o: api.hello(o.item)) == ["Hello, apple!", "Hello, pear!"]


async def test_ws_property_access_local_and_pipelined(ws_api) -> None:
    user = await ws_api.getUser(2)
    assert user["orders"][0]["item"] == "plum"
    assert await ws_api.getUser(2).name == "Bob"
    assert await ws_api.makeCounter(3).value == 3


async def test_ws_fail_then_session_still_works(ws_api) -> None:
    with pytest.raises(rpc.RpcError, match="intentional failure"):
        await ws_api.fail()
    assert await ws_api.add(40, 2) == 42


async def test_ws_twenty_concurrent_calls(ws_api) -> None:
    assert await asyncio.gather(*(ws_api.add(i, 1000) for i in range(20))) == [i + 1000 for i in range(20)]


# ---------------------------------------------------------------- extended (checks 25-34)

ECHO_CASES = {
    "nested arrays": [[1, [2, 3]], "x", []],
    "object with arrays and null": {"a": [1, 2], "b": None, "c": {"d": ["e"]}, "t": True},
    "date": dt.datetime.fromtimestamp(1749342170.815, tz=dt.UTC),
    "bigint": 12345678901234567890,
    "bytes": bytes([0, 1, 2, 253, 254, 255]),
    "undefined": rpc.UNDEFINED,
    "unicode string": "h\u00e9llo \u2603 \U0001f600",
    "large safe integer and float": [2**53 - 1, -0.125, 1e300],
}


@pytest.mark.parametrize("label", list(ECHO_CASES))
async def test_http_echo_round_trip(http_api, label: str) -> None:
    api, _ = http_api
    value = ECHO_CASES[label]
    echoed = await api.echo(value)
    assert echoed == value
    assert type(echoed) is type(value) or isinstance(echoed, type(value))


async def test_http_echo_infinities_and_nan(http_api) -> None:
    api, _ = http_api
    positive, negative, nan = await api.echo([math.inf, -math.inf, math.nan])
    assert positive == math.inf and negative == -math.inf and math.isnan(nan)


async def test_http_echo_error_value_not_thrown(http_api) -> None:
    api, _ = http_api
    value = await api.echo(rpc.RpcError("as a value", name="RangeError"))
    assert isinstance(value, rpc.RpcRangeError) and isinstance(value, ValueError)
    assert value.message == "as a value"
