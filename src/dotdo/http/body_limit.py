"""Request bodies over the app's limit get 413, whether announced by Content-Length or streamed."""

from __future__ import annotations

from starlette.types import Message, Receive, Scope

from .errors import HTTPError

DEFAULT_MAX_BODY_SIZE = 10 * 1024 * 1024


def too_large(limit: int) -> HTTPError:
    """The 413 error for a body over `limit` bytes."""
    return HTTPError(413, "body_too_large", f"The request body is larger than the limit of {limit} bytes")


def check_declared_length(scope: Scope, limit: int) -> None:
    """Refuse at once a request whose Content-Length is over `limit`."""
    for key, value in scope.get("headers", ()):
        if key == b"content-length":
            try:
                length = int(value)
            except ValueError:
                raise HTTPError(400, "bad_content_length", "Content-Length is not a number") from None
            if length > limit:
                raise too_large(limit)


def limited_receive(receive: Receive, limit: int) -> Receive:
    """A `receive` that raises the 413 error once more than `limit` body bytes arrived."""
    received = 0

    async def receive_limited() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise too_large(limit)
        return message

    return receive_limited
