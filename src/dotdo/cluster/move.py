"""`move_to(colo=)`: re-placing an object on a host of a given colo.

On the embedded runtime (one process, `dotdo dev`) there is one host and it has no colo, so a move
has nowhere to go: `move_to` raises `PlacementUnavailableError` naming the `dotdo[cluster]` extra,
before anything changes, rather than pretend. Inside a cluster the move needs the object's
database shipped to the new owner and a directory pin flipped behind a short write pause; that is
not built yet and raises `NotImplementedError` saying so.
"""

from __future__ import annotations

from typing import Any


class PlacementUnavailableError(RuntimeError):
    """The runtime hosting the object cannot place it by colo (the embedded runtime has one host)."""


def check_colo(colo: Any) -> str:
    """A colo name (a non-empty text such as "nrt" or "Frankfurt"), or `ValueError`."""
    if not isinstance(colo, str) or not colo.strip():
        raise ValueError(f"colo must name a location such as 'nrt' or 'Frankfurt', not {colo!r}")
    return colo


def require_placement(runtime: Any, colo: str) -> None:
    """Raise unless `runtime` can place objects by colo (see the module docstring)."""
    check_colo(colo)
    if getattr(runtime, "forward", None) is None:
        raise PlacementUnavailableError(
            f"Cannot move to colo {colo!r}: this object runs on the embedded runtime, a single host with no "
            "colo. Placing objects by colo needs a cluster: pip install 'dotdo[cluster]' and run under "
            "`dotdo serve` (or dotdo.cluster.Cluster) with hosts labelled by colo"
        )
    raise NotImplementedError(
        f"move_to(colo={colo!r}) inside a cluster is not built yet: it needs colo labels on hosts and the "
        "object's database shipped to the new owner before the directory pin flips"
    )
