"""The ASGI lifespan of an app backed by a runtime: start it at startup, close it at shutdown."""

from __future__ import annotations

from starlette.types import Receive, Send

from ..runtime.runtime import Runtime


async def serve_lifespan(runtime: Runtime, receive: Receive, send: Send) -> None:
    """Answer the lifespan protocol: start `runtime` for this app, and close it when no other app uses it."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            try:
                await runtime.acquire()
            except Exception as exc:
                await send({"type": "lifespan.startup.failed", "message": str(exc)})
                return
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await runtime.release()
            await send({"type": "lifespan.shutdown.complete"})
            return
