"""Which host owns an object: rendezvous hashing of (class, id) over the live hosts, pins first.

Every host, front end and client computes the same owner from the same view, so a request is sent
straight to its owner; when a host leaves, only its own objects move (each to its next-best host).

A placement hint narrows the candidates: `"region:eu-west"` (or several, all required) keeps an
object on the hosts whose labels include it; a `Location` (`normalize_location("London")`) stands
for its label (`colo:lhr`, or `region:eu-west` for a whole region). A host's labels are its Ray node's custom resources
(`ray start --resources '{"region:eu-west": 1}'`) and node labels (`key:value`). Hints are given on
a class (`placement = "region:eu-west"`) or per object (`Cluster.place`), and live in the view so
every router applies the same ones.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ..runtime.errors import DotdoError
from .location import Location

Placement = str | Sequence[str] | Location | None
"""A placement hint: one label such as "region:eu-west", several (all required), a `Location`, or None (anywhere)."""


class PlacementError(DotdoError, LookupError):
    """No live host matches an object's placement hint (or the hint itself is malformed)."""


def requirement(placement: Placement) -> tuple[str, ...]:
    """The labels a placement hint requires, sorted; `()` for no hint. Refuses what is not a label."""
    if placement is None:
        return ()
    given = (placement,) if isinstance(placement, str | Location) else tuple(placement)
    labels: list[str] = []
    for label in given:
        if isinstance(label, Location):
            labels.extend(label.placement)
            continue
        if not isinstance(label, str) or not label.strip() or label != label.strip():
            raise PlacementError(
                f"A placement hint is a label such as 'region:eu-west' (a Ray node label key:value or custom "
                f"resource name), a Location, or a list of them; not {label!r}"
            )
        labels.append(label)
    return tuple(sorted(set(labels)))


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
    """A live host: its id, the address of its wire server, its process id, its labels and where it answers
    health checks (None: it is not checked)."""

    host_id: str
    wire: tuple[str, int]
    pid: int
    labels: frozenset[str] = frozenset()
    liveness: tuple[str, int] | None = None

    def matches(self, required: Iterable[str]) -> bool:
        """Whether this host carries every label of `required`."""
        return self.labels.issuperset(required)


@dataclass(frozen=True)
class PlacementView:
    """One version of the directory: the live hosts, the pinned objects and the placement hints
    (per class namespace, and per object)."""

    version: int = 0
    hosts: Mapping[str, HostInfo] = field(default_factory=dict)
    pins: Mapping[tuple[str, str], str] = field(default_factory=dict)
    class_placements: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    object_placements: Mapping[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)

    def required(self, namespace: str, hex_id: str) -> tuple[str, ...]:
        """The labels the object's host must carry: its own hint, else its class's, else none."""
        own = self.object_placements.get((namespace, hex_id))
        return own if own is not None else self.class_placements.get(namespace, ())

    def owner(self, namespace: str, hex_id: str) -> str:
        """The id of the host that owns this object in this view (`PlacementError` if none may)."""
        pinned = self.pins.get((namespace, hex_id))
        if pinned is not None and pinned in self.hosts:
            return pinned
        required = self.required(namespace, hex_id)
        if not required:
            return rendezvous_owner(namespace, hex_id, self.hosts)
        candidates = [host_id for host_id, info in self.hosts.items() if info.matches(required)]
        if not candidates:
            raise PlacementError(self._no_match(namespace, hex_id, required))
        return rendezvous_owner(namespace, hex_id, candidates)

    def describe_hosts(self) -> str:
        """The live hosts and their labels, for error messages."""
        described = sorted(f"{h}: {', '.join(sorted(info.labels)) or 'no labels'}" for h, info in self.hosts.items())
        return "; ".join(described) or "none"

    def _no_match(self, namespace: str, hex_id: str, required: tuple[str, ...]) -> str:
        return (
            f"No live host matches the placement {', '.join(required)} of {namespace} {hex_id[:12]} "
            f"(live hosts: {self.describe_hosts()}). Start a Ray node with that custom resource "
            f"(ray start --resources '{{\"{required[0]}\": 1}}') or label, or change the hint"
        )
