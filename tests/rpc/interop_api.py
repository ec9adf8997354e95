"""The interop `Api` (the same as `js/interop_server.mjs` serves) implemented with dotdo.rpc."""

from __future__ import annotations

import copy
import inspect
from typing import Any

from dotdo.rpc import RpcTarget

USERS: dict[int, dict[str, Any]] = {
    1: {
        "id": 1,
        "name": "Alice",
        "orders": [{"id": 101, "item": "apple", "qty": 3}, {"id": 102, "item": "pear", "qty": 1}],
    },
    2: {"id": 2, "name": "Bob", "orders": [{"id": 201, "item": "plum", "qty": 5}]},
}


class Counter(RpcTarget):
    """A stateful target returned by reference."""

    def __init__(self, start: int):
        self._n = start

    def increment(self, by: int = 1) -> int:
        self._n += by
        return self._n

    @property
    def value(self) -> int:
        return self._n


class Api(RpcTarget):
    """The main object every interop server exposes."""

    def hello(self, name: str) -> str:
        return f"Hello, {name}!"

    def add(self, a: float, b: float) -> float:
        return a + b

    def makeCounter(self, start: int = 0) -> Counter:
        return Counter(start)

    def getUser(self, user_id: int) -> dict[str, Any]:
        if user_id not in USERS:
            raise Exception(f"no such user: {user_id}")
        return copy.deepcopy(USERS[user_id])

    async def callback(self, fn: Any, arg: Any) -> Any:
        # `fn` is a client stub, or one of our own functions passed back to us (then it is local).
        result = fn(arg)
        return await result if inspect.isawaitable(result) else result

    def fail(self) -> None:
        raise Exception("intentional failure")

    def echo(self, value: Any) -> Any:
        return value
