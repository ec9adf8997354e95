"""Who may open the inspector: its token, the app's `auth` hook, else only this machine.

- With a token (`--token`, `Inspector(token=...)`), every inspector route needs it, as
  `Authorization: Bearer TOKEN` or as the password of HTTP Basic (so a browser can log in).
- With the app's `auth=` hook, the hook is asked with `name=None` (the app's own doors).
- With neither, only clients on the loopback interface are answered: a server reachable from
  elsewhere never shows its data to anyone by default.
- Writes (replay, cancel, fire, SQL writes) need `write=True` (`--inspector-write`) and a request
  from the inspector's own pages or a client that is not a browser (no cross-site form posts).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress
from typing import TYPE_CHECKING

from starlette.requests import HTTPConnection

from ..http.errors import HTTPError

if TYPE_CHECKING:
    from ..http.app import API

REALM = 'Basic realm="dotdo inspector"'


def presented_token(connection: HTTPConnection) -> str | None:
    """The token a request carries: a bearer token or the password of HTTP Basic."""
    header = connection.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer":
        return value.strip()
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return decoded.partition(":")[2]
    return None


def is_loopback(connection: HTTPConnection) -> bool:
    """Whether the client connected from this machine (127.0.0.0/8 or ::1)."""
    client = connection.client
    if client is None:
        return False
    try:
        return ipaddress.ip_address(client.host).is_loopback
    except ValueError:
        return False


async def check_access(connection: HTTPConnection, api: API, token: str | None, public: bool) -> None:
    """Raise `HTTPError` (401 or 403) unless `connection` may read the inspector."""
    if token is not None:
        given = presented_token(connection)
        if given is None or not hmac.compare_digest(given.encode(), token.encode()):
            raise HTTPError(
                401,
                "unauthorized",
                "The inspector needs its token: 'Authorization: Bearer TOKEN' or HTTP Basic with TOKEN as password",
                {"WWW-Authenticate": REALM},
            )
    if api.auth is not None:
        if not await api.verdict(connection, None, None):
            raise HTTPError(
                401, "unauthorized", "The app's auth hook refused this request", {"WWW-Authenticate": REALM}
            )
        return
    if token is None and not public and not is_loopback(connection):
        raise HTTPError(
            403,
            "forbidden",
            "The inspector answers only on this machine unless it has a token: "
            "start the server with --token (or Inspector(token=...)) and log in with it",
        )


def check_write(connection: HTTPConnection, writable: bool) -> None:
    """Raise `HTTPError(403)` unless writes are on and the request does not come from another site."""
    if not writable:
        raise HTTPError(
            403, "read_only", "The inspector is read-only: start the server with --inspector-write to change objects"
        )
    site = connection.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        raise HTTPError(403, "cross_site", "The inspector refuses changes asked for by another site")
    origin = connection.headers.get("origin")
    host = connection.headers.get("host")
    if origin is not None and host is not None and origin.split("://", 1)[-1] != host:
        raise HTTPError(403, "cross_site", "The inspector refuses changes asked for by another site")
