"""What crosses between hosts for one event: HTTP requests and responses as plain parts, functions by value,
stubs as references.

A request travels as (url, method, headers, body) and is built again on the owner; a response comes
back as (status, raw headers, body). Functions (`run_in`, `spawn`) travel pickled by value with Ray's
cloudpickle, so lambdas and closures work; what they capture is copied.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..runtime.ids import ObjectId
from ..runtime.stub import Stub

RequestParts = tuple[str, str, dict[str, str], bytes]
ResponseParts = tuple[int, list[tuple[bytes, bytes]], bytes]


async def request_parts(request: Request) -> RequestParts:
    """A Starlette Request as (url, method, headers, body); the owner sets its own content-length."""
    url = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    headers = {k: v for k, v in request.headers.items() if k != "content-length"}
    return url, request.method, headers, await request.body()


def response_parts(response: Response) -> ResponseParts:
    """A Starlette Response as (status, raw headers, body) to send across; streaming bodies are refused."""
    body = getattr(response, "body", None)
    if not isinstance(body, bytes):
        raise NotImplementedError(
            "A streaming Response cannot cross hosts yet: return a Response with a body from fetch"
        )
    return response.status_code, list(response.raw_headers), body


def response_from_parts(parts: ResponseParts) -> Response:
    """The Response that `response_parts` took apart."""
    status, raw_headers, content = parts
    response = Response(content, status_code=status)
    response.raw_headers = raw_headers
    return response


def pickled_function(value: Any) -> bytes:
    """`value` (a function, or a tuple holding one and its arguments) pickled by value for another host.

    `TypeError` naming what could not be pickled (an open file, a lock, a live connection, ...).
    """
    from ray.cloudpickle.cloudpickle import dumps

    try:
        return dumps(value)
    except Exception as exc:
        raise TypeError(
            f"This function cannot be sent to the object's host ({exc}); what it captures must be picklable: "
            "capture plain values, not live resources"
        ) from None


@dataclass(frozen=True)
class StubReference:
    """A stub answered by a method (`fork`, `promote`) as it crosses processes: the receiver makes its own stub."""

    namespace: str
    hex: str
    name: str | None


def portable_answer(value: Any) -> Any:
    """A method's answer ready to cross: a stub becomes a `StubReference` (a stub holds its process's runtime)."""
    if isinstance(value, Stub):
        return StubReference(value.id.namespace, value.id.hex, value.id.name)
    return value


def local_answer(value: Any, objects: Any) -> Any:
    """An answer that crossed, with a `StubReference` made a stub of `objects` (a runtime or a cluster) again."""
    if isinstance(value, StubReference):
        return objects.get(value.namespace, ObjectId(value.namespace, value.hex, value.name))
    return value
