"""The synchronous face of the client: `with connect_sync(url) as api: api.hello("x").result()`.

An event loop runs in a background thread; proxies record calls there and `.result()` sends
what was recorded (one HTTP request for a pipelined chain) and blocks for the value. Stubs in
results come back as blocking proxies too.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Callable
from typing import Any

import httpx

from .client import Connection, MainHook, open_connection
from .stub import RpcStub, aclose
from .wire import Limits

__all__ = ["BlockingStub", "connect_sync"]


class _LoopThread:
    """An event loop in a daemon thread for one connection, and a way to run things on it."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="dotdo-rpc-client", daemon=True)
        self._thread.start()

    def run(self, fn: Callable[[], Any]) -> Any:
        """`fn()` on the loop thread (inline if already there)."""
        if threading.current_thread() is self._thread:
            return fn()
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()

        def call() -> None:
            try:
                future.set_result(fn())
            except BaseException as error:
                future.set_exception(error)

        self.loop.call_soon_threadsafe(call)
        return future.result()

    def wait(self, coroutine: Any, timeout: float | None) -> Any:
        """Run `coroutine` on the loop and block for its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)
        self.loop.close()


async def _awaited(promise: Any) -> Any:
    return await promise


def _unwrap(value: Any) -> Any:
    if isinstance(value, BlockingStub):
        return value._rpc_stub
    if isinstance(value, list | tuple):
        return [_unwrap(item) for item in value]
    if isinstance(value, dict):
        return {key: _unwrap(item) for key, item in value.items()}
    return value


def _wrap(runner: _LoopThread, value: Any) -> Any:
    if isinstance(value, RpcStub):
        return BlockingStub(runner, value)
    if isinstance(value, list):
        return [_wrap(runner, item) for item in value]
    if isinstance(value, dict):
        return {key: _wrap(runner, item) for key, item in value.items()}
    return value


class BlockingStub:
    """A proxy like `RpcStub` for synchronous code: calls record, `.result()` blocks for the value."""

    __slots__ = ("_rpc_stub", "_runner")

    def __init__(self, runner: _LoopThread, stub: RpcStub):
        self._runner = runner
        self._rpc_stub = stub

    def __getattr__(self, name: str) -> BlockingStub:
        if name.startswith("_"):
            raise AttributeError(name)
        return BlockingStub(self._runner, getattr(self._rpc_stub, name))

    def __getitem__(self, key: str | int) -> BlockingStub:
        return BlockingStub(self._runner, self._rpc_stub[key])

    def __call__(self, *args: Any) -> BlockingStub:
        unwrapped = _unwrap(list(args))
        return BlockingStub(self._runner, self._runner.run(lambda: self._rpc_stub(*unwrapped)))

    def map(self, mapper: Callable[[Any], Any]) -> BlockingStub:
        """Like `RpcStub.map`; the mapper sees asynchronous placeholders."""
        return BlockingStub(self._runner, self._runner.run(lambda: self._rpc_stub.map(lambda x: _unwrap(mapper(x)))))

    def result(self, timeout: float | None = None) -> Any:
        """Send what was recorded and block until this value arrives (or raise its error)."""
        stub = self._rpc_stub
        flush = getattr(self._runner.connection, "flush", None)

        async def resolve() -> Any:
            value = asyncio.ensure_future(_awaited(stub))
            await asyncio.sleep(0)  # the task has asked for its value; now send the batch
            if flush is not None:
                flush()
            return await value

        return _wrap(self._runner, self._runner.wait(resolve(), timeout))

    def __repr__(self) -> str:
        return f"<blocking {self._rpc_stub!r}>"

    def __enter__(self) -> BlockingStub:
        return self

    def __exit__(self, *exc: object) -> None:
        self._runner.wait(aclose(self._rpc_stub), timeout=30)
        if isinstance(self._rpc_stub._rpc_hook, MainHook):
            self._runner.stop()


def connect_sync(
    url: str,
    *,
    headers: dict[str, str] | None = None,
    limits: Limits | None = None,
    http_client: httpx.AsyncClient | None = None,
) -> BlockingStub:
    """`connect()` for synchronous code; use as `with connect_sync(url) as api:`."""
    connection = open_connection(url, headers=headers, limits=limits, http_client=http_client, auto_flush=False)
    return BlockingStub(_LoopThread(connection), RpcStub(MainHook(connection)))
