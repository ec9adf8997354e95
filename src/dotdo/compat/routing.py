"""A route table for the compat layers: methods and path patterns to handlers, and what a path allows.

    routes = RouteTable([("GET", "/{index}/_doc/{id}", get_document), ...])
    found = routes.resolve("GET", "/books/_doc/1")    # found.handler, found.params == {"index": "books", "id": "1"}

A `{name}` segment matches one path segment; a trailing slash is accepted. When the path matches but
not the method, `resolve` says which methods the path has, so a layer can answer its own 405.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar
from urllib.parse import unquote

H = TypeVar("H")
_PARAMETER = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True)
class Resolved(Generic[H]):
    """What a request's method and path resolve to: the handler and its path parameters, or the methods allowed."""

    handler: H | None
    params: dict[str, str] = field(default_factory=dict)
    allowed: tuple[str, ...] = ()


def compile_path(path: str) -> re.Pattern[str]:
    """The regular expression of a route path (`{name}` matches one segment; a trailing slash is optional)."""
    pattern = _PARAMETER.sub(
        lambda m: f"(?P<{m.group(1)}>[^/]+)", re.escape(path).replace(r"\{", "{").replace(r"\}", "}")
    )
    return re.compile(pattern.rstrip("/") + "/?")


class RouteTable(Generic[H]):
    """Routes in the order given; the first whose path and method match wins."""

    def __init__(self, routes: Iterable[tuple[str, str, H]]) -> None:
        self.routes = [(method, compile_path(path), handler) for method, path, handler in routes]

    def resolve(self, method: str, path: str) -> Resolved[H]:
        """The handler for `method` on `path` with its (unquoted) parameters; else the methods `path` allows."""
        allowed: list[str] = []
        for route_method, pattern, handler in self.routes:
            match = pattern.fullmatch(path)
            if match is None:
                continue
            if route_method != method:
                allowed.append(route_method)
                continue
            return Resolved(handler, {k: unquote(v) for k, v in match.groupdict().items()})
        return Resolved(None, allowed=tuple(dict.fromkeys(allowed)))
