"""`move_to(colo=)`: re-placing an object on a host of a given colo.

A colo is a host label `colo:<name>`: a Ray node started with the custom resource `colo:nrt`
(`ray start --resources '{"colo:nrt": 1}'`) or the node label `colo=nrt` labels its hosts so.
Inside a cluster each host offers its runtime a `Relocator` (`serve_relocations`): moving an object
records a placement hint for it in the cluster's directory, the object's old host evicts it as soon
as it is idle (committing every write it acknowledged) and its new owner opens the same file in the
shared data folder at its next call. Calls that arrive meanwhile are forwarded to the new owner,
which waits for the old one to let go of the file: that wait is the move's pause.

On the embedded runtime (one process, `dotdo dev`) there is one host and it has no colo, so a move
has nowhere to go: `move_to` raises `PlacementUnavailableError` naming the `dotdo[cluster]` extra,
before anything changes, rather than pretend.
"""

from __future__ import annotations

from typing import Any, Protocol
from weakref import WeakKeyDictionary

from ..runtime.ids import ObjectId

COLO_PREFIX = "colo:"
"""Host labels naming a colo start with this: `colo:nrt`."""


class PlacementUnavailableError(RuntimeError):
    """The runtime hosting the object cannot place it by colo (the embedded runtime has one host)."""


class Relocator(Protocol):
    """What a cluster host offers the objects it runs: keep one object on the hosts carrying some labels."""

    async def relocate(self, oid: ObjectId, required: tuple[str, ...]) -> None:
        """Place `oid` on a host carrying every label of `required` (`PlacementError` if none does);
        returns once this host routes the object's calls there."""
        ...


_relocators: WeakKeyDictionary[Any, Relocator] = WeakKeyDictionary()


def serve_relocations(runtime: Any, relocator: Relocator) -> None:
    """Make `relocator` the one that moves the objects of `runtime` (a cluster host calls this at start)."""
    _relocators[runtime] = relocator


def check_colo(colo: Any) -> str:
    """A colo name (a non-empty text such as "nrt" or "Frankfurt"), or `ValueError`."""
    if not isinstance(colo, str) or not colo.strip() or colo != colo.strip():
        raise ValueError(f"colo must name a location such as 'nrt' or 'Frankfurt', not {colo!r}")
    return colo


def colo_label(colo: str) -> str:
    """The host label of a colo: `colo:<name>`."""
    return COLO_PREFIX + check_colo(colo)


def require_placement(runtime: Any, colo: str) -> Relocator:
    """The relocator of `runtime`; raises unless it can place objects by colo (see the module docstring)."""
    check_colo(colo)
    relocator = _relocators.get(runtime)
    if relocator is None:
        raise PlacementUnavailableError(
            f"Cannot move to colo {colo!r}: this object runs on the embedded runtime, a single host with no "
            "colo. Placing objects by colo needs a cluster: pip install 'dotdo[cluster]' and run under "
            "`dotdo serve` (or dotdo.cluster.Cluster) with hosts labelled by colo "
            f"(a Ray node with the resource {colo_label(colo)!r})"
        )
    return relocator
