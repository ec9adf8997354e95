"""The ASGI lifespan of an app backed by a runtime: start it at startup, close it at shutdown."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.types import Receive, Send

from ..runtime.runtime import Runtime


async def serve_lifespan(
    runtime: Runtime,
    receive: Receive,
    send: Send,
    started: Callable[[], Awaitable[None]] | None = None,
    stopping: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """Answer the lifespan protocol: start `runtime` for this app, and close it when no other app uses it.

    `started` runs once the runtime is up (a failure fails the startup), `stopping` before it is released.
    """
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            try:
                await runtime.acquire()
                if started is not None:
                    await started()
            except Exception as exc:
                await send({"type": "lifespan.startup.failed", "message": str(exc)})
                return
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            if stopping is not None:
                await stopping()
            await runtime.release()
            await send({"type": "lifespan.shutdown.complete"})
            return
