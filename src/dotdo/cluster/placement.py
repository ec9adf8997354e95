"""Which host owns an object: rendezvous hashing of (class, id) over the live hosts, pins first.

Every host, front end and client computes the same owner from the same view, so a request is sent
straight to its owner; when a host leaves, only its own objects move (each to its next-best host).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


def rendezvous_owner(namespace: str, hex_id: str, hosts: Iterable[str]) -> str:
    """The host with the highest score for this object; `LookupError` if there is no host."""
    best: str | None = None
    best_score = -1
    key = f"{namespace}\0{hex_id}".encode()
    for host in hosts:
        score = int.from_bytes(hashlib.blake2b(host.encode() + b"\0" + key, digest_size=8).digest(), "big")
        if score > best_score or (score == best_score and best is not None and host < best):
            best, best_score = host, score
    if best is None:
        raise LookupError("The cluster has no live host")
    return best


@dataclass(frozen=True)
class HostInfo:
    """A live host: its id, the address of its wire server and its process id."""

    host_id: str
    wire: tuple[str, int]
    pid: int


@dataclass(frozen=True)
class PlacementView:
    """One version of the directory: the live hosts and the pinned objects."""

    version: int = 0
    hosts: Mapping[str, HostInfo] = field(default_factory=dict)
    pins: Mapping[tuple[str, str], str] = field(default_factory=dict)

    def owner(self, namespace: str, hex_id: str) -> str:
        """The id of the host that owns this object in this view."""
        pinned = self.pins.get((namespace, hex_id))
        if pinned is not None and pinned in self.hosts:
            return pinned
        return rendezvous_owner(namespace, hex_id, self.hosts)
