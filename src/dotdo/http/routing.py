"""How a request names its object: one small class per `API()` routing mode.

Each mode answers `match(scope)` with the object's name and the path its `fetch` sees, or raises an
`HTTPError` saying why the request names no object. The dispatcher knows none of them.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from starlette.types import Scope

from .errors import HTTPError

MAX_NAME_BYTES = 256


@dataclass(frozen=True, slots=True)
class Match:
    """The object a request goes to, and the path (and prefix) its `fetch` sees."""

    name: str
    path: str
    prefix: str = ""


def check_object_name(name: str) -> str:
    """An object name from a URL, or `HTTPError(400)` for empty, `..`, too long or control characters."""
    if not name:
        raise HTTPError(400, "bad_object_name", "The object name is empty")
    if name in (".", ".."):
        raise HTTPError(400, "bad_object_name", f"{name!r} is not a valid object name")
    if len(name.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
        raise HTTPError(400, "bad_object_name", f"Object names are at most {MAX_NAME_BYTES} bytes")
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise HTTPError(400, "bad_object_name", "Object names may not contain control characters")
    return name


class RoutingMode:
    """Base of the routing modes."""

    by_path_alone = False
    """Whether `match` depends on the request's path and nothing else (so its answer can be cached)."""

    def match(self, scope: Scope) -> Match:
        """The object this request is for."""
        raise NotImplementedError


class HostnameRouting(RoutingMode):
    """`acme.example.com` and `acme.localhost:8787` go to the object "acme"; the path is unchanged."""

    def match(self, scope: Scope) -> Match:
        host = _header(scope, b"host") or ""
        hostname = _strip_port(host).rstrip(".").lower()
        name = self._subdomain(hostname)
        if name is None:
            raise HTTPError(
                404,
                "no_object",
                f"The host {hostname or '(none)'!r} has no subdomain to name an object: "
                "use NAME.localhost in development or NAME.your-domain in production",
            )
        return Match(check_object_name(name), scope["path"])

    @staticmethod
    def _subdomain(hostname: str) -> str | None:
        if not hostname or _is_ip(hostname):
            return None
        labels = hostname.split(".")
        if labels[-1] == "localhost":
            return labels[0] if len(labels) >= 2 else None
        return labels[0] if len(labels) >= 3 else None


class PathRouting(RoutingMode):
    """`ns="/:org"`: the first segment names the object; `ns="/:org/:project"`: two, joined by ":"."""

    by_path_alone = True

    def __init__(self, segments: int) -> None:
        self.segments = segments

    def match(self, scope: Scope) -> Match:
        path: str = scope["path"]
        parts = path.split("/", self.segments + 1)
        if len(parts) < self.segments + 1 or not all(parts[1 : self.segments + 1]):
            example = "/acme/..." if self.segments == 1 else "/acme/website/..."
            raise HTTPError(404, "no_object", f"The path {path!r} names no object: requests look like {example}")
        names = [check_object_name(part) for part in parts[1 : self.segments + 1]]
        rest = "/" + parts[self.segments + 1] if len(parts) > self.segments + 1 else "/"
        prefix = "/" + "/".join(parts[1 : self.segments + 1])
        return Match(":".join(names), rest, prefix)


class FixedRouting(RoutingMode):
    """`ns="main"`: every request goes to the one object of that name; the path is unchanged."""

    by_path_alone = True

    def __init__(self, name: str) -> None:
        self.name = check_object_name(name)

    def match(self, scope: Scope) -> Match:
        return Match(self.name, scope["path"])


def routing_for(ns: str | None) -> RoutingMode:
    """The routing mode an `API(ns=...)` argument asks for."""
    if ns is None:
        return HostnameRouting()
    if not isinstance(ns, str):
        raise TypeError(f"ns must be a string like '/:org', '/:org/:project' or 'main', not {type(ns).__name__}")
    if ns.startswith("/"):
        segments = [s for s in ns.split("/") if s]
        if 1 <= len(segments) <= 2 and all(s.startswith(":") and len(s) > 1 for s in segments):
            return PathRouting(len(segments))
        raise ValueError(f"Unsupported ns {ns!r}: use '/:org' or '/:org/:project' for path routing")
    return FixedRouting(ns)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


def _strip_port(host: str) -> str:
    if host.startswith("["):
        return host[: host.find("]") + 1]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _is_ip(hostname: str) -> bool:
    try:
        ipaddress.ip_address(hostname.strip("[]"))
    except ValueError:
        return False
    return True
