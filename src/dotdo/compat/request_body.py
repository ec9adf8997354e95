"""Reading an HTTP request's body from ASGI, bounded: what every compat layer does before it parses one."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from starlette.types import Receive


async def read_body(receive: Receive, limit: int, too_large: Callable[[], Exception]) -> bytes:
    """The whole body, or `too_large()` raised as soon as more than `limit` bytes have come (the rest unread)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise too_large()
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)
