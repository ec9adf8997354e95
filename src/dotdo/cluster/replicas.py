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

This runs the replicas in this process, one folder per place. Placing them on cluster hosts
labelled with those places is not built yet (`ReplicaSet.place_on_cluster` says so).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..primitives.attachments import CTX_ATTACHMENTS
from ..runtime.durable_object import DurableObject
from ..runtime.errors import StorageError
from ..runtime.ids import id_from_name, namespace_of
from ..runtime.log_format import object_key, parse_bookmark
from ..runtime.log_reader import LogReader, connect_image
from ..runtime.object_log import write_database
from ..runtime.runtime import Runtime
from .location import Location, normalize_location

READ_PREFERENCES = ("primary", "secondary", "nearest")
CONSISTENCIES = ("eventual", "bounded", "strong")


class ReplicaWriteError(StorageError):
    """A write was sent to a read replica (and forwarding to the primary is off)."""


class ReplicaLagError(StorageError):
    """A replica did not reach the commit a read asked for in time."""


@dataclass(frozen=True)
class ReplicaLag:
    """How far one replica of one object is behind its log: commits, seconds, and recent samples."""

    location: Location
    applied_commit: int
    head_commit: int
    seconds: float
    p50: float
    p99: float

    @property
    def commits_behind(self) -> int:
        """Commits in the log the replica has not applied yet."""
        return max(0, self.head_commit - self.applied_commit)


class ObjectReplica:
    """A read-only copy of one object, in one place, brought forward from the object's log."""

    def __init__(self, runtime: Runtime, namespace: str, name: str, location: Location, folder: Path) -> None:
        if runtime.change_log is None:
            raise StorageError(
                "Replicas follow the change log: create the runtime with replicate_to= or durability='replicated'"
            )
        self.store = runtime.change_log.store
        self.location = location
        self.key = object_key(namespace, id_from_name(namespace, name).hex)
        self.path = folder / location_folder(location) / namespace / f"{id_from_name(namespace, name).hex}.sqlite"
        self.applied = 0
        self.head = 0
        self.seconds_behind = 0.0
        self._image = b""
        self._conn: sqlite3.Connection | None = None
        self._samples: deque[float] = deque(maxlen=10_000)
        self._lock = asyncio.Lock()

    async def catch_up(self) -> int:
        """Apply every commit the log has beyond this replica's; returns the commit now applied."""
        async with self._lock:
            reader = await LogReader(self.store, self.key).scan()
            head = (await reader.head()).commit
            head_time = await reader.head_time()
            self.head = max(self.head, head)
            if head > self.applied:
                self._image = await reader.image_at(head, start=(self._image, self.applied) if self.applied else None)
                self.applied = head
                write_database(self.path, self._image)
                if self._conn is not None:
                    self._conn.close()
                self._conn = None
                self._samples.append(max(0.0, time.time() - head_time))
            self.seconds_behind = 0.0 if self.applied >= self.head else max(0.0, time.time() - head_time)
            return self.applied

    async def wait_for(self, bookmark: str, timeout: float = 5.0) -> None:
        """Catch up until the replica holds the commit `bookmark` names (read your own writes)."""
        commit = parse_bookmark(self.key, bookmark)
        deadline = time.monotonic() + timeout
        while self.applied < commit:
            await self.catch_up()
            if self.applied >= commit:
                return
            if time.monotonic() > deadline:
                raise ReplicaLagError(
                    f"The replica in {self.location} reached commit {self.applied}, not {commit}, within {timeout} s"
                )
            await asyncio.sleep(0.01)

    @property
    def image(self) -> bytes:
        """The replica's database as of its applied commit."""
        return self._image

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """Run a read-only query on the replica; a write raises `ReplicaWriteError`."""
        if self._conn is None:
            self._conn = connect_image(self._image)
            self._conn.execute("PRAGMA query_only=ON")
        try:
            return self._conn.execute(sql, params).fetchall()
        except sqlite3.OperationalError as exc:
            if "readonly" in str(exc):
                raise ReplicaWriteError(
                    f"The replica in {self.location} is read-only: send writes to the primary"
                ) from None
            raise

    def lag(self) -> ReplicaLag:
        """The replica's lag: commits and seconds behind now, and percentiles of its catch-ups."""
        samples = sorted(self._samples)

        def quantile(q: float) -> float:
            return samples[min(len(samples) - 1, int(q * len(samples)))] if samples else 0.0

        return ReplicaLag(self.location, self.applied, self.head, self.seconds_behind, quantile(0.5), quantile(0.99))

    def close(self) -> None:
        """Close the replica's query connection."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def location_folder(location: Location) -> str:
    """The folder name of a place: its colo code, else its region."""
    return location.colo or location.region


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
        if read_preference not in READ_PREFERENCES:
            raise ValueError(f"read_preference must be one of {', '.join(READ_PREFERENCES)}, not {read_preference!r}")
        if consistency not in CONSISTENCIES:
            raise ValueError(f"consistency must be one of {', '.join(CONSISTENCIES)}, not {consistency!r}")
        if consistency == "bounded" and (max_lag is None or max_lag < 0):
            raise ValueError('consistency="bounded" needs max_lag= (seconds a replica may be behind)')
        if runtime.change_log is None:
            raise StorageError(
                "Replicas follow the change log: create the runtime with replicate_to= or durability='replicated'"
            )
        self.runtime = runtime
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
            found = self._replicas[key] = ObjectReplica(self.runtime, self.namespace, name, place, self.folder)
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
        if self.consistency == "strong" or self.read_preference == "primary":
            return None
        if self.read_preference == "nearest":
            if near is None or self.primary.contains(near) or near.contains(self.primary):
                return None
            inside = [s for s in self.secondaries if s.contains(near) or near.contains(s)]
            same_region = [s for s in self.secondaries if s.region == near.region]
            chosen = (inside or same_region or [None])[0]
        else:
            chosen = next((s for s in self.secondaries if near is not None and s.region == near.region), None)
            chosen = chosen or self.secondaries[0]
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

    def place_on_cluster(self) -> None:
        """Run the replicas on cluster hosts labelled with their places (not built yet)."""
        raise NotImplementedError(
            "Replicas on cluster hosts are not built yet: replicas run in the process of the ReplicaSet "
            "(one folder per place) and follow the object's log in the shared store"
        )

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
) -> ReplicaSet:
    """Create read replicas of `cls`'s objects in `secondaries` (see the module docstring)."""
    if not isinstance(runtime, Runtime):
        raise NotImplementedError(
            f"Read replicas on a {type(runtime).__name__} are not built yet: the cluster's hosts do not ship a change "
            "log (and fail over through the shared data folder). Replicate objects of a Runtime created with "
            "replicate_to= instead; its replicas run in this process, one folder per place"
        )
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
