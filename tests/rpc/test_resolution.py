"""Promises inside values are awaited before delivery; settled values act like proxies."""

from __future__ import annotations

import asyncio

import pytest

from dotdo.rpc.resolution import ValueHook, resolve_deep, walk_local
from dotdo.rpc.stub import RpcPromise


async def test_resolve_deep_replaces_nested_futures() -> None:
    loop = asyncio.get_running_loop()
    future = loop.create_future()
    future.set_result({"inner": [1, 2]})
    value = {"a": [future, 3], "b": "x"}
    assert await resolve_deep(value) == {"a": [{"inner": [1, 2]}, 3], "b": "x"}


async def test_resolve_deep_returns_plain_values_unchanged() -> None:
    value = {"a": [1, 2]}
    assert await resolve_deep(value) is value


async def test_settled_value_hook_walks_locally() -> None:
    proxy = RpcPromise(ValueHook({"orders": [{"item": "fig"}]}))
    assert await proxy.orders[0].item == "fig"
    assert walk_local({"a": [5]}, ("a", 0)) == (5, ())


async def test_failed_value_hook_raises_its_error() -> None:
    proxy = RpcPromise(ValueHook(None, KeyError("gone")))
    with pytest.raises(KeyError):
        await proxy.anything
    with pytest.raises(KeyError):
        await proxy.call()


async def test_calling_received_data_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="not a function"):
        await RpcPromise(ValueHook({"name": "x"})).name()
