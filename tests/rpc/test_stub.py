"""Proxies record paths and calls through their hook and never send `_` names."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from dotdo.rpc import RpcPromise, RpcStub


class RecordingHook:
    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def call(self, path, args):
        self.calls.append(("call", path, args))
        return RpcPromise(self, ())

    async def get(self, path):
        self.calls.append(("get", path))
        return "value"

    def map(self, path, mapper):
        self.calls.append(("map", path))
        return RpcPromise(self, ())

    def encode(self, path, *, as_promise, encoder):
        return ["import", 0]

    def dispose(self) -> None:
        self.calls.append(("dispose",))


async def test_paths_calls_and_awaits_go_to_the_hook() -> None:
    hook = RecordingHook()
    stub = RpcStub(hook)
    stub.users[3].rename("x")
    assert await stub.users.count == "value"
    stub.items.map(lambda item: item)
    assert hook.calls == [("call", ("users", 3, "rename"), ("x",)), ("get", ("users", "count")), ("map", ("items",))]


def test_misuse_is_refused_locally() -> None:
    stub = RpcStub(RecordingHook())
    with pytest.raises(AttributeError):
        stub._private  # noqa: B018
    with pytest.raises(TypeError, match="strings or integers"):
        stub[1.5]
    with pytest.raises(TypeError, match="positional"):
        stub.call(x=1)
    with pytest.raises(TypeError, match="await it first"):
        iter(stub)


def test_stubs_are_references_when_copied() -> None:
    stub = RpcStub(RecordingHook())
    assert copy.deepcopy([stub])[0] is stub


def test_repr_shows_the_path() -> None:
    assert repr(RpcStub(RecordingHook(), ("a", 0))).endswith(".a[0]>")


def test_with_block_disposes() -> None:
    hook = RecordingHook()
    with RpcStub(hook):
        pass
    assert hook.calls == [("dispose",)]
