"""A Python object served over Cap'n Web, for the official JavaScript client (`client.mjs`).

pip install dotdo uvicorn
python server.py            # serves http://127.0.0.1:8787/rpc (HTTP batch and WebSocket)
npm install && node client.mjs
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import uvicorn

from dotdo.rpc import RpcTarget, rpc_app


class TodoList(RpcTarget):
    """A stateful object handed out by reference: the client gets a stub."""

    def __init__(self, title: str):
        self.title = title
        self._items: list[dict] = []

    def add(self, text: str) -> int:
        self._items.append({"text": text, "done": False})
        return len(self._items)

    def complete(self, index: int) -> dict:
        self._items[index]["done"] = True
        return self._items[index]

    @property
    def items(self) -> list[dict]:
        return list(self._items)

    async def export(self) -> AsyncIterator[str]:
        # An async generator reaches the client as a ReadableStream, one chunk per line.
        for item in self._items:
            yield f"[{'x' if item['done'] else ' '}] {item['text']}\n"


class Api(RpcTarget):
    """The main object: what `newHttpBatchRpcSession(url)` / `newWebSocketRpcSession(url)` return."""

    def hello(self, name: str) -> str:
        return f"Hello, {name}!"

    def todo_list(self, title: str) -> TodoList:
        return TodoList(title)

    async def each(self, items: list, callback) -> list:
        # `callback` is a function of the client (WebSocket only): calling it is a call back.
        return [await callback(item) for item in items]


if __name__ == "__main__":
    uvicorn.run(rpc_app(Api), host="127.0.0.1", port=int(os.environ.get("PORT", "8787")))
