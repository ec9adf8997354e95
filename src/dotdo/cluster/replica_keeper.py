"""The read replicas a cluster host keeps: copies of objects owned elsewhere, each following its log.

A replica set on a cluster (`replicate(cluster, ...)`) sends each read for a secondary place to a
host labelled with that place; the host keeps the object's replica in its own folder, brings it
forward from the object's log in the store, and answers the read from it. The commits come from
the store alone; when they are there, the host that owns the object says so (`follow` asks it to,
`wake` is its notice), and the replica reads them at once. Without a notice (the owner moved, a
notice was lost) the replica looks at its log every `poll_interval` seconds anyway, and asks the
owner of the moment to notify it again every `FOLLOW_AGAIN` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from ..runtime.errors import StorageError
from ..runtime.log_format import Commit
from ..runtime.log_store import LogStore
from .location import normalize_location
from .replica import ObjectReplica, ReplicaLag, location_folder

REPLICA_OPERATIONS = ("read", "catch_up", "lag")


NOTICE_BYTES = 1024 * 1024
"""Page bytes of commits an upload notice carries to another host; a bigger upload's notice carries none."""
FOLLOW_AGAIN = 5.0
"""Seconds between two requests to an object's owner to be told of its uploads (it may have moved)."""

Follow = Callable[[str, str], Awaitable[None]]
"""Asks the host owning object (class, name) to tell this host when its commits reach the store."""


class ReplicaKeeper:
    """The replicas of one host, by (class, object name, place), each followed in the background."""

    def __init__(
        self, store: LogStore, folder: Path, poll_interval: float = 0.05, *, follow: Follow | None = None
    ) -> None:
        self.store = store
        self.folder = folder
        self.poll_interval = poll_interval
        self.follow = follow
        self._replicas: dict[tuple[str, str, str], ObjectReplica] = {}
        self._followers: dict[tuple[str, str, str], asyncio.Task[None]] = {}
        self._wakeups: dict[tuple[str, str, str], asyncio.Event] = {}
        self._by_log: dict[str, list[tuple[str, str, str]]] = {}

    def replica(self, namespace: str, name: str, place: str) -> ObjectReplica:
        """The replica of `name` of class `namespace` at `place` (created, and followed, on first use)."""
        location = normalize_location(place)
        key = (namespace, name, location_folder(location))
        found = self._replicas.get(key)
        if found is None:
            found = self._replicas[key] = ObjectReplica(self.store, namespace, name, location, self.folder)
            self._wakeups[key] = asyncio.Event()
            self._by_log.setdefault(found.key, []).append(key)
            self._followers[key] = asyncio.get_running_loop().create_task(self._follow(key, found))
        return found

    def wake(self, log_key: str, commit: int, commits: Sequence[Commit] = ()) -> None:
        """The owner's notice: the log `log_key` reached commit `commit` in the store; `commits`, when
        given, are the commits of that upload (a replica applies them without reading the store)."""
        for key in self._by_log.get(log_key, ()):
            replica = self._replicas[key]
            if replica.applied < commit:
                if commits:
                    replica.offer(commits)
                self._wakeups[key].set()

    async def _follow(self, key: tuple[str, str, str], replica: ObjectReplica) -> None:
        # The request that created the replica brings it up to date; the follower keeps it there.
        namespace, name, _place = key
        wakeup = self._wakeups[key]
        followed_at = -FOLLOW_AGAIN
        while True:
            if self.follow is not None and time.monotonic() - followed_at >= FOLLOW_AGAIN:
                followed_at = time.monotonic()
                with contextlib.suppress(Exception):  # the owner is moving or gone: polling covers it
                    await self.follow(namespace, name)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wakeup.wait(), self.poll_interval)
            wakeup.clear()
            with contextlib.suppress(StorageError):
                await replica.catch_up()

    async def answer(self, operation: str, namespace: str, name: str, place: str, args: tuple[Any, ...]) -> Any:
        """Run one replica request from a replica set: `read`, `catch_up` or `lag`."""
        if operation not in REPLICA_OPERATIONS:
            raise ValueError(f"unknown replica operation {operation!r}; known: {', '.join(REPLICA_OPERATIONS)}")
        replica = self.replica(namespace, name, place)
        if operation == "catch_up":
            return await replica.catch_up()
        if operation == "lag":
            return replica.lag()
        sql, params, bookmark, max_lag = args
        return await self.read(replica, sql, params, bookmark, max_lag)

    @staticmethod
    async def read(
        replica: ObjectReplica, sql: str, params: tuple[Any, ...], bookmark: str | None, max_lag: float | None
    ) -> list[tuple[Any, ...]]:
        """Rows of a read-only query on `replica`.

        A bookmark makes it catch up to that commit first; `max_lag` makes it read its log first if
        it last did so longer ago than that (so the answer misses no commit older than `max_lag`).
        """
        if bookmark is not None:
            await replica.wait_for(bookmark)
        elif replica.applied == 0 or (max_lag is not None and time.time() - replica.caught_up_at > max_lag):
            await replica.catch_up()
        return replica.query(sql, *params)

    def replicas(self) -> list[ObjectReplica]:
        """Every replica this host keeps."""
        return list(self._replicas.values())

    def lags(self) -> list[ReplicaLag]:
        """The lag of every replica this host keeps."""
        return [replica.lag() for replica in self._replicas.values()]

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
