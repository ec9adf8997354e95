"""The synchronous client: `.result()` sends what was recorded (pipelined) and blocks."""

from __future__ import annotations

import pytest

from dotdo import rpc


@pytest.mark.parametrize("scheme", ["http", "ws"])
def test_blocking_calls_pipelining_and_map(py_server: str, scheme: str) -> None:
    with rpc.connect_sync(py_server.replace("http", scheme, 1)) as api:
        assert api.hello("sync").result() == "Hello, sync!"
        assert api.makeCounter(5).increment(2).result() == 7
        assert api.hello(api.getUser(2).name).result() == "Hello, Bob!"
        assert api.getUser(1).orders.map(lambda o: api.hello(o.item)).result() == ["Hello, apple!", "Hello, pear!"]
        with pytest.raises(rpc.RpcError, match="intentional failure"):
            api.fail().result()


def test_blocking_websocket_keeps_stubs_and_takes_callbacks(py_server: str) -> None:
    with rpc.connect_sync(py_server.replace("http", "ws", 1)) as api:
        counter = api.makeCounter(1).result()
        assert isinstance(counter, rpc.BlockingStub)
        assert counter.increment(3).result() == 4
        assert counter.value.result() == 4
        assert api.callback(lambda x: x + 1, 41).result() == 42
