"""The Api of `js/streams_server.mjs` implemented with dotdo.rpc (served to `js/streams_client.mjs`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx

from dotdo import rpc

disposed: list[str] = []


class Resource(rpc.RpcTarget):
    def __init__(self, name: str):
        self._name = name

    def ping(self) -> str:
        return f"pong {self._name}"

    def _rpc_dispose(self) -> None:
        disposed.append(self._name)


async def _numbers(count: int) -> AsyncIterator[bytes]:
    for n in range(count):
        yield f"{n};".encode()


def _text(chunk: Any) -> str:
    return chunk if isinstance(chunk, str) else bytes(chunk).decode()


class Api(rpc.RpcTarget):
    def rows(self) -> list[dict[str, Any]]:
        return [{"id": 1, "xs": [1, 2]}, {"id": 10, "xs": [3]}, {"id": 100, "xs": []}]

    def add(self, a: Any, b: Any) -> Any:
        return a + b

    def download(self, count: int) -> AsyncIterator[bytes]:
        return _numbers(count)

    async def upload(self, stream: rpc.ReadableStream) -> str:
        return "".join([_text(chunk) async for chunk in stream])

    async def fill(self, sink: rpc.WritableStream, count: int) -> int:
        for n in range(count):
            await sink.write(n)
        await sink.close()
        return count

    async def abandon(self, sink: rpc.WritableStream) -> None:
        await sink.write("only one")
        await sink.abort(RuntimeError("changed my mind"))

    def blob(self, content: str) -> rpc.Blob:
        return rpc.Blob(content.encode(), "text/plain")

    def describe(self, blob: rpc.Blob) -> dict[str, Any]:
        return {"type": blob.type, "size": blob.size, "text": blob.text()}

    def response(self, body: str) -> httpx.Response:
        return httpx.Response(201, headers={"x-kind": "streamed"}, content=body.encode())

    def requestBody(self, request: httpx.Request) -> dict[str, Any]:
        return {"method": request.method, "body": request.read().decode()}

    def open(self, name: str) -> Resource:
        return Resource(name)

    def disposed(self) -> list[str]:
        return list(disposed)


app = rpc.rpc_app(Api)
