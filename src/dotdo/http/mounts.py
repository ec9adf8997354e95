"""HTTP mounts: what an `API` app asks, in order, to serve a request before the object's `fetch`.

A mount answers the requests it owns and returns True, or returns False (having sent nothing) to
pass the request on. The app's mounts come from one registry, `Extensions.mounts`: the built-in
ones below, then those the served class declares, then `API(extensions=...)`. The dispatcher knows
none of them by name.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from ..runtime.extensions import Extensions
from .git_mount import GitMount
from .rpc_mount import RpcMount

if TYPE_CHECKING:
    from starlette.types import Receive, Scope, Send

    from .app import API


class Mount(Protocol):
    """Serves some requests of an `API` app before they reach an object.

    A mount whose paths all start with one prefix says so with a `prefix` attribute (`"/rpc"`): the
    app then asks it only about paths that start with it, which spares every other request a call.
    """

    async def __call__(self, api: API, scope: Scope, receive: Receive, send: Send) -> bool:
        """Serve the request and return True, or return False (having sent nothing) to pass it on."""
        ...


@runtime_checkable
class LocatingMount(Protocol):
    """A mount that also says which object each of its paths is about (for a cluster host's routing)."""

    def claims(self, path: str) -> bool:
        """Whether this mount serves `path`."""
        ...

    def object_for(self, scope: Scope) -> tuple[str, str] | None:
        """The (class, hex id) of the object a request it claims is about; None when any process may answer."""
        ...


def locating(mounts: Iterable[object]) -> tuple[LocatingMount, ...]:
    """The mounts among `mounts` that locate their own paths, in order."""
    return tuple(mount for mount in mounts if isinstance(mount, LocatingMount))


def dispatch_plan(mounts: Iterable[Mount]) -> tuple[tuple[str, Mount], ...]:
    """Each mount with the prefix every path it serves starts with (`""`: any path may be its)."""
    return tuple((getattr(mount, "prefix", ""), mount) for mount in mounts)


BUILTIN_MOUNTS = Extensions(mounts={"rpc": RpcMount(), "repo.git": GitMount()})
"""`/rpc` (Cap'n Web) and each object's `/repo.git`, asked before the mounts a class declares."""
