"""HTTP mounts: what an `API` app asks, in order, to serve a request before the object's `fetch`.

A mount answers the requests it owns and returns True, or returns False (having sent nothing) to
pass the request on. The app's mounts come from one registry, `Extensions.mounts`: the built-in
ones below, then those the served class declares, then `API(extensions=...)`. The dispatcher knows
none of them by name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from ..runtime.extensions import Extensions
from .git_mount import GitMount
from .rpc_mount import RpcMount

if TYPE_CHECKING:
    from starlette.types import Receive, Scope, Send

    from .app import API


class Mount(Protocol):
    """Serves some requests of an `API` app before they reach an object."""

    async def __call__(self, api: API, scope: Scope, receive: Receive, send: Send) -> bool:
        """Serve the request and return True, or return False (having sent nothing) to pass it on."""
        ...


BUILTIN_MOUNTS = Extensions(mounts={"rpc": RpcMount(), "repo.git": GitMount()})
"""`/rpc` (Cap'n Web) and each object's `/repo.git`, asked before the mounts a class declares."""
