"""Read replicas on a cluster: the primary on hosts of one place, read-only copies on hosts of others.

    async with Cluster(hosts=None, objects=[Ledger], durability="replicated", replicate_to="s3://b/p") as rt:
        replicas = await replicate(rt, Ledger, primary="us-east", secondaries=["eu-west"],
                                   read_preference="nearest")
        bookmark = await replicas.call("acme", "add", 5)                 # on a us-east host
        await replicas.read("acme", "SELECT sum(amount) FROM entries", near="London", bookmark=bookmark)

Hosts carry their places as labels (`region:eu-west`, `colo:lhr`: Ray custom resources or node
labels). Each object's primary is kept on the hosts of `primary` (an object placement hint); the
replica of an object in a secondary place lives on one host of that place (the same one for every
read, by rendezvous hashing), which follows the object's log in the store (see `replica_keeper.py`).
Reads go by preference and consistency as in `replicas.py`; "bounded" reads are answered by the
replica after it has read its log within the last `max_lag` seconds. `promote()` moves an object's
primary to its most up-to-date secondary place after the primary's hosts are lost: the new owner
rebuilds the object from the log, fencing the old one.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from typing import Any

from ..runtime.durable_object import DurableObject
from ..runtime.errors import StorageError
from ..runtime.ids import id_from_name, namespace_of
from .cluster import Cluster
from .location import Location, normalize_location
from .placement import PlacementError, rendezvous_owner
from .replica import ReplicaLag, ReplicaWriteError, check_read_options, preferred_place
from .wire import HostUnavailableError


class ClusterReplicaSet:
    """The primary place and the secondary places of a class's objects on a cluster, and where each read goes."""

    def __init__(
        self,
        cluster: Cluster,
        cls: type[DurableObject],
        *,
        primary: str | Location,
        secondaries: Sequence[str | Location],
        read_preference: str = "primary",
        consistency: str = "eventual",
        max_lag: float | None = None,
        forward_writes: bool = True,
    ) -> None:
        check_read_options(read_preference, consistency, max_lag)
        if cluster.replicate_to is None:
            raise StorageError(
                "Replicas follow the change log: start the cluster with replicate_to= (and durability='replicated' "
                "to lose no acknowledged write)"
            )
        self.cluster = cluster
        self.cls = cls
        self.namespace = namespace_of(cls)
        self.primary = normalize_location(primary)
        self.secondaries = [normalize_location(s) for s in secondaries]
        if not self.secondaries:
            raise ValueError("secondaries= names at least one place for a read replica")
        self.read_preference = read_preference
        self.consistency = consistency
        self.max_lag = max_lag
        self.forward_writes = forward_writes
        self._placed: set[str] = set()

    def hosts_at(self, place: Location) -> list[str]:
        """The live hosts labelled with `place`; `PlacementError` naming the hosts if there is none."""
        required = set(place.placement)
        found = sorted(h for h, info in self.cluster.view.hosts.items() if info.labels.issuperset(required))
        if not found:
            raise PlacementError(
                f"No live host carries {', '.join(sorted(required))} for the replicas in {place} "
                f"(live hosts: {self.cluster.view.describe_hosts()}); start a Ray node with that label"
            )
        return found

    def replica_host(self, name: str, place: str | Location) -> str:
        """The host keeping the replica of object `name` in `place` (a secondary, or a place inside one)."""
        location = self._secondary(place)
        oid = id_from_name(self.namespace, name)
        return rendezvous_owner(oid.namespace, oid.hex, self.hosts_at(location))

    def _secondary(self, place: str | Location) -> Location:
        asked = normalize_location(place)
        found = next((s for s in self.secondaries if s == asked or s.contains(asked) or asked.contains(s)), None)
        if found is None:
            raise ValueError(
                f"{asked} is not a secondary of this replica set ({', '.join(map(str, self.secondaries))})"
            )
        return found

    async def _ask(self, name: str, place: Location, operation: str, *args: Any) -> Any:
        host = self.replica_host(name, place)
        payload = (operation, self.namespace, name, place.colo or place.region, *args)
        return await self.cluster.request_host(host, "replica", payload)

    async def _place_primary(self, name: str) -> None:
        if name not in self._placed:
            await self.cluster.place(self.cls, name, self.primary)
            await self.cluster.hosts_follow_view()
            self._placed.add(name)

    async def call(self, name: str, method: str, *args: Any, at: str | Location | None = None) -> Any:
        """Call a method of the object on its primary; sent to a secondary, it is forwarded or refused."""
        if at is not None and not self.forward_writes:
            asked = normalize_location(at)
            if any(s == asked or s.contains(asked) for s in self.secondaries):
                raise ReplicaWriteError(
                    f"{asked} holds a read replica of {self.namespace} {name!r}: send writes to the primary "
                    f"({self.primary}), or create the replica set with forward_writes=True"
                )
        await self._place_primary(name)
        return await self.cluster.call(self.cls, name, method, *args)

    async def read(
        self, name: str, sql: str, *params: Any, near: str | Location | None = None, bookmark: str | None = None
    ) -> list[tuple[Any, ...]]:
        """Rows of a read-only query on object `name`, from the place its preference and consistency pick."""
        near_place = normalize_location(near) if near is not None else None
        place = preferred_place(self.primary, self.secondaries, self.read_preference, self.consistency, near_place)
        if place is None:
            await self._place_primary(name)
            return await self.cluster.run_in(self.cls, name, _rows_of(sql, params))
        max_lag = self.max_lag if self.consistency == "bounded" else None
        return await self._ask(name, place, "read", sql, params, bookmark, max_lag)

    async def catch_up(self, name: str) -> dict[Location, int]:
        """Bring every replica of `name` up to its log now; the commit each one holds, by place."""
        applied = await asyncio.gather(*(self._ask(name, place, "catch_up") for place in self.secondaries))
        return dict(zip(self.secondaries, applied, strict=True))

    async def lag(self, name: str) -> list[ReplicaLag]:
        """The lag of each replica of object `name` (commits and seconds behind, p50/p99 of its catch-ups)."""
        return list(await asyncio.gather(*(self._ask(name, place, "lag") for place in self.secondaries)))

    async def promote(self, name: str) -> Location:
        """The primary's hosts are lost: make the most up-to-date secondary place the object's primary.

        Every replica that answers catches up first; the object is then placed on the hosts of the
        best one's place, where its next call rebuilds it from the log (every acknowledged write of
        a replicated cluster is there) and fences the lost owner. That place leaves the secondaries;
        returns it.
        """
        applied: dict[Location, int] = {}
        for place in self.secondaries:
            with contextlib.suppress(HostUnavailableError, PlacementError, StorageError):
                applied[place] = await self._ask(name, place, "catch_up")
        if not applied:
            raise HostUnavailableError(f"No replica of {self.namespace} {name!r} answered: none can be promoted")
        best = max(applied, key=lambda place: applied[place])
        await self.cluster.place(self.cls, name, best)
        await self.cluster.hosts_follow_view()
        self._placed.add(name)
        self.secondaries = [place for place in self.secondaries if place != best] or self.secondaries
        self.primary = best
        return best


def _rows_of(sql: str, params: tuple[Any, ...]) -> Any:
    """A function reading rows of `sql` in an object, to run on its host."""

    def rows(obj: DurableObject) -> list[tuple[Any, ...]]:
        return [tuple(row.values()) for row in obj.storage.sql.exec(sql, *params)]

    return rows
