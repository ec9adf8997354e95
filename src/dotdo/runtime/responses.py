"""What `fetch` may return: a Starlette Response, or a str (text) or dict/list (JSON) for brevity."""

from __future__ import annotations

import logging
from typing import Any

from starlette.responses import JSONResponse, PlainTextResponse, Response

log = logging.getLogger("dotdo.runtime")


def as_response(result: Any, cls: type) -> Response:
    """`result` as a Response; anything else becomes a 500 JSON error naming the class."""
    if isinstance(result, Response):
        return result
    if isinstance(result, str):
        return PlainTextResponse(result)
    if isinstance(result, dict | list):
        return JSONResponse(result)
    log.error("%s.fetch returned %s instead of a Response", cls.__name__, type(result).__name__)
    return JSONResponse(
        {
            "error": "bad_fetch_result",
            "message": (
                f"{cls.__name__}.fetch returned {type(result).__name__}; return a Response, "
                "a dict or list (sent as JSON) or a str (sent as text)"
            ),
        },
        status_code=500,
    )
