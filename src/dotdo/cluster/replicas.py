"""Read replicas: read-only copies of objects in other places, fed by each object's change log in order.

    replicas = await replicate(rt, Ledger, primary="us-east", secondaries=["eu-west", "Tokyo"],
                               read_preference="nearest", consistency="bounded", max_lag=0.5)
    rows = await replicas.read("acme", "SELECT * FROM entries", near="London")
    await replicas.read("acme", "SELECT ...", bookmark=bookmark)     # read your own writes anywhere

Each secondary follows the log in the store the primary ships to (`Runtime(replicate_to=...)`):
nothing but the store connects them. Reads go by `read_preference` ("primary", "secondary",
"nearest" to the reader's location) within `consistency` ("strong": the primary only; "bounded": a
replica at most `max_lag` seconds behind, else the primary; "eventual": any replica). A bookmark
(from `storage.get_current_bookmark()` after a write) makes a replica catch up to it first, as D1's
sessions API does. Writes go to the primary (forwarded) or are refused when forwarding is off.
`promote()` makes the most up-to-date replica the primary after the primary's host is lost: a
runtime on the replica's folder activates the object, which fences the old writer (a new epoch).

A `ReplicaSet` runs the replicas in this process, one folder per place; `replicate()` given a
`Cluster` runs each on a host labelled with its place instead (`cluster_replicas.py`).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..primitives.attachments import CTX_ATTACHMENTS
from ..runtime.durable_object import DurableObject
from ..runtime.errors import StorageError
from ..runtime.ids import id_from_name, namespace_of
from ..runtime.object_log import write_database
from ..runtime.runtime import Runtime
from .cluster import Cluster
from .cluster_replicas import ClusterReplicaSet
from .location import Location, normalize_location
from .replica import (
    CONSISTENCIES,
    READ_PREFERENCES,
    ObjectReplica,
    ReplicaLag,
    ReplicaLagError,
    ReplicaWriteError,
    check_read_options,
    location_folder,
    preferred_place,
)

__all__ = [
    "CONSISTENCIES",
    "READ_PREFERENCES",
    "ClusterReplicaSet",
    "ObjectReplica",
    "ReplicaLag",
    "ReplicaLagError",
    "ReplicaSet",
    "ReplicaWriteError",
    "replicate",
]


class ReplicaSet:
    """The primary and the read replicas of a class's objects, and where each read goes."""

    def __init__(
        self,
        runtime: Runtime,
        cls: type[DurableObject],
        *,
        primary: str | Location,
        secondaries: Sequence[str | Location],
        read_preference: str = "primary",
        consistency: str = "eventual",
        max_lag: float | None = None,
        forward_writes: bool = True,
        folder: str | os.PathLike[str] | None = None,
        poll_interval: float = 0.05,
    ) -> None:
        check_read_options(read_preference, consistency, max_lag)
        if runtime.change_log is None:
            raise StorageError(
                "Replicas follow the change log: create the runtime with replicate_to= or durability='replicated'"
            )
        self.runtime = runtime
        self.store = runtime.change_log.store
        """The object store the primary ships to and the replicas read."""
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
        self.folder = Path(folder) if folder is not None else runtime.data_folder.root / "replicas"
        self.poll_interval = poll_interval
        self._replicas: dict[tuple[str, str], ObjectReplica] = {}
        self._followers: dict[tuple[str, str], asyncio.Task[None]] = {}

    def replica(self, name: str, location: str | Location) -> ObjectReplica:
        """The replica of object `name` at `location` or the secondary containing it (created on first use)."""
        asked = normalize_location(location)
        place = next((s for s in self.secondaries if s == asked or s.contains(asked) or asked.contains(s)), None)
        if place is None:
            raise ValueError(
                f"{asked} is not a secondary of this replica set ({', '.join(map(str, self.secondaries))})"
            )
        key = (name, location_folder(place))
        found = self._replicas.get(key)
        if found is None:
            found = self._replicas[key] = ObjectReplica(self.store, self.namespace, name, place, self.folder)
        return found

    async def follow(self, name: str) -> None:
        """Keep every replica of `name` catching up in the background (every `poll_interval` seconds)."""
        for place in self.secondaries:
            key = (name, location_folder(place))
            if key not in self._followers:
                replica = self.replica(name, place)
                self._followers[key] = asyncio.get_running_loop().create_task(self._follow(replica))

    async def _follow(self, replica: ObjectReplica) -> None:
        while True:
            with contextlib.suppress(StorageError):
                await replica.catch_up()
            await asyncio.sleep(self.poll_interval)

    def _choose(self, name: str, near: Location | None) -> Location | None:
        """The secondary a read goes to by preference, or None for the primary."""
        chosen = preferred_place(self.primary, self.secondaries, self.read_preference, self.consistency, near)
        if (
            chosen is not None
            and self.consistency == "bounded"
            and self.staleness(name, chosen) > (self.max_lag or 0.0)
        ):
            return None
        return chosen

    def staleness(self, name: str, location: str | Location) -> float:
        """Seconds the replica of `name` at `location` is behind the primary now (0 when it has every commit).

        Measured against the primary's latest commits when the primary runs in this process, else
        from the replica's last catch-up.
        """
        replica = self.replica(name, location)
        change_log = self.runtime.change_log
        writer = change_log.writer_of(replica.key) if change_log is not None else None
        if writer is None:
            return replica.lag().seconds
        return writer.staleness(replica.applied)

    async def read(
        self, name: str, sql: str, *params: Any, near: str | Location | None = None, bookmark: str | None = None
    ) -> list[tuple[Any, ...]]:
        """Rows of a read-only query on object `name`, from the place its preference and consistency pick."""
        place = self._choose(name, normalize_location(near) if near is not None else None)
        if place is None:
            return await self.runtime.run_in(
                self.cls, name, lambda obj: [tuple(row.values()) for row in obj.storage.sql.exec(sql, *params)]
            )
        replica = self.replica(name, place)
        if bookmark is not None:
            await replica.wait_for(bookmark)
        elif replica.applied == 0:
            await replica.catch_up()
        return replica.query(sql, *params)

    async def call(self, name: str, method: str, *args: Any, at: str | Location | None = None) -> Any:
        """Call a method of the object on the primary; sent to a secondary, it is forwarded or refused."""
        if at is not None and normalize_location(at) in self.secondaries and not self.forward_writes:
            raise ReplicaWriteError(
                f"{normalize_location(at)} holds a read replica of {self.namespace} {name!r}: send writes to the "
                f"primary ({self.primary}), or create the replica set with forward_writes=True"
            )
        return await self.runtime.call(self.cls, name, method, *args)

    def lag(self, name: str) -> list[ReplicaLag]:
        """The lag of each replica of object `name`."""
        return [self.replica(name, place).lag() for place in self.secondaries]

    async def promote(self, name: str, *, replicate_to: str | os.PathLike[str] | None = None) -> Runtime:
        """The primary is lost: start a runtime on the most up-to-date replica's folder and make it the primary.

        It activates the object there, which fences the old primary's uploads (a new epoch); the
        other replicas keep following the log, now written by the new primary. Returns the new
        primary's runtime (started; close it when done) and makes this set send writes to it.
        """
        for place in self.secondaries:
            with contextlib.suppress(StorageError):
                await self.replica(name, place).catch_up()
        best = max(self.secondaries, key=lambda place: self.replica(name, place).applied)
        change_log = self.runtime.change_log
        assert change_log is not None
        runtime = Runtime(
            self.folder / location_folder(best) / "primary",
            objects=[self.cls],
            durability=self.runtime.durability,
            replicate_to=replicate_to or change_log.store.url,
            replicate_options=change_log.options,
        )
        runtime.add_defaults(CTX_ATTACHMENTS)
        # Start from the replica's copy: activation then finds it level with the log and rebuilds nothing.
        replica = self.replica(name, best)
        oid = id_from_name(self.namespace, name)
        write_database(runtime.data_folder.object_path(self.namespace, oid.hex), replica.image)
        await runtime.start()
        await runtime.run_in(self.cls, name, lambda obj: None)
        self.runtime = runtime
        self.secondaries = [place for place in self.secondaries if place != best] or self.secondaries
        self.primary = best
        return runtime

    async def close(self) -> None:
        """Stop following and close every replica."""
        for task in self._followers.values():
            task.cancel()
        for task in self._followers.values():
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._followers.clear()
        for replica in self._replicas.values():
            replica.close()


async def replicate(
    runtime: Runtime | Cluster,
    cls: type[DurableObject],
    *,
    primary: str | Location,
    secondaries: Sequence[str | Location],
    read_preference: str = "primary",
    consistency: str = "eventual",
    max_lag: float | None = None,
    forward_writes: bool = True,
    folder: str | os.PathLike[str] | None = None,
) -> ReplicaSet | ClusterReplicaSet:
    """Create read replicas of `cls`'s objects in `secondaries` (see the module docstring).

    Given a `Cluster` (started with `replicate_to=`), the primary stays on hosts of `primary` and
    each replica lives on a host of its place (`cluster_replicas.py`); `folder` is then not used.
    """
    if isinstance(runtime, Cluster):
        return ClusterReplicaSet(
            runtime,
            cls,
            primary=primary,
            secondaries=secondaries,
            read_preference=read_preference,
            consistency=consistency,
            max_lag=max_lag,
            forward_writes=forward_writes,
        )
    if not isinstance(runtime, Runtime):
        raise TypeError(f"replicate() takes a Runtime or a Cluster, not {type(runtime).__name__}")
    return ReplicaSet(
        runtime,
        cls,
        primary=primary,
        secondaries=secondaries,
        read_preference=read_preference,
        consistency=consistency,
        max_lag=max_lag,
        forward_writes=forward_writes,
        folder=folder,
    )
