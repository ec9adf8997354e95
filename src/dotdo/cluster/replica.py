"""One read replica: a read-only copy of one object in one place, brought forward from the object's log.

The copy is rebuilt from the log (its snapshots and segments in object storage) and moved forward
by applying the commits the log has beyond it; queries run on it read-only. `replicas.py` groups
replicas into a replica set in one process; `replica_keeper.py` keeps them on cluster hosts.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..runtime.errors import StorageError
from ..runtime.ids import id_from_name
from ..runtime.log_format import Commit, object_key, parse_bookmark
from ..runtime.log_reader import LogReader
from ..runtime.log_store import LogStore
from ..runtime.object_log import write_database
from ..runtime.wal_frames import CommittedPages, apply_pages_to_file
from .location import Location

READ_PREFERENCES = ("primary", "secondary", "nearest")
CONSISTENCIES = ("eventual", "bounded", "strong")
ROLLBACK_MARKER = b"\x01\x01"
"""Bytes 18-19 of a database header in rollback-journal mode (WAL mode has 2, 2)."""
MAX_OFFERED_BYTES = 8 * 1024 * 1024
"""Page bytes of handed-over commits a replica holds before its next catch-up; past it, it drops them
and reads the store instead."""


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

    def __init__(self, store: LogStore, namespace: str, name: str, location: Location, folder: Path) -> None:
        self.store = store
        self.location = location
        self.key = object_key(namespace, id_from_name(namespace, name).hex)
        self.path = folder / location_folder(location) / namespace / f"{id_from_name(namespace, name).hex}.sqlite"
        self.applied = 0
        self.head = 0
        self.seconds_behind = 0.0
        self.caught_up_at = 0.0
        """When the replica's last catch-up started reading its log (epoch seconds; 0: never)."""
        self._reader = LogReader(store, self.key)
        """Kept between catch-ups: the headers of sealed segments are read once."""
        self._journal_marker = b""
        """Bytes 18-19 of the database as the log has it (WAL mode): the file says rollback instead, so
        that a read-only connection needs no -wal or -shm file beside it."""
        self._conn: sqlite3.Connection | None = None
        self._samples: deque[float] = deque(maxlen=10_000)
        self._lock = asyncio.Lock()
        self._offered: list[Commit] = []
        self._offered_bytes = 0

    def offer(self, commits: Sequence[Commit]) -> None:
        """Commits the object's owner just uploaded, handed over with its notice: the next catch-up
        applies them without reading the store, if they follow on from what the replica has."""
        size = sum(len(commit.pages.pages) * commit.pages.page_size for commit in commits)
        if self._offered_bytes + size > MAX_OFFERED_BYTES:
            self._offered.clear()
            self._offered_bytes = 0
            return
        self._offered.extend(commits)
        self._offered_bytes += size

    async def catch_up(self) -> int:
        """Apply every commit the log has beyond this replica's; returns the commit now applied.

        The first catch-up writes the whole database; later ones write only the pages the new
        commits changed, into the replica's file, once every commit is read (queries never see a
        file half brought forward).
        """
        async with self._lock:
            if self._apply_offered():
                return self.applied
            started = time.time()
            reader = await self._reader.scan()
            head = (await reader.head()).commit
            head_time = await reader.head_time()
            self.head = max(self.head, head)
            if head > self.applied:
                if self.applied == 0 or not self.path.exists():
                    image = bytearray(await reader.image_at(head))
                    self._journal_marker = bytes(image[18:20])
                    image[18:20] = ROLLBACK_MARKER
                    self.close()
                    write_database(self.path, bytes(image))
                else:
                    commits: list[CommittedPages] = []
                    await reader.replay(commits.append, self.applied, head)
                    self._write(commits)
                self.applied = head
                self._samples.append(max(0.0, time.time() - head_time))
            self.caught_up_at = started
            self.seconds_behind = 0.0 if self.applied >= self.head else max(0.0, time.time() - head_time)
            self._drop_offered()
            return self.applied

    def _apply_offered(self) -> bool:
        """Apply the handed-over commits that follow on from the replica's; False (and nothing applied)
        if there are none, or a gap lies before them, or the replica has no file yet."""
        self._drop_offered()
        offered = self._offered
        if not offered or offered[0].number != self.applied + 1 or self.applied == 0 or not self.path.exists():
            return False
        run = [offered[0]]
        for commit in offered[1:]:
            if commit.number != run[-1].number + 1:
                break
            run.append(commit)
        self._write([commit.pages for commit in run])
        self.applied = run[-1].number
        self.head = max(self.head, self.applied)
        self._samples.append(max(0.0, time.time() - run[-1].time))
        self.seconds_behind = 0.0
        self._drop_offered()
        return True

    def _drop_offered(self) -> None:
        """Forget the handed-over commits the replica already has."""
        kept = [commit for commit in self._offered if commit.number > self.applied]
        if len(kept) != len(self._offered):
            self._offered = kept
            self._offered_bytes = sum(len(commit.pages.pages) * commit.pages.page_size for commit in kept)

    def _write(self, commits: list[CommittedPages]) -> None:
        """Write the pages of `commits`, in order, into the replica's file (its query connection closed)."""
        self.close()
        fd = os.open(self.path, os.O_RDWR)
        try:
            for pages in commits:
                apply_pages_to_file(fd, pages)
            self._mark_rollback(fd)
        finally:
            os.close(fd)

    @staticmethod
    def _mark_rollback(fd: int) -> None:
        if os.fstat(fd).st_size >= 20:
            os.pwrite(fd, ROLLBACK_MARKER, 18)

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
        """The replica's database as of its applied commit, as the log has it (empty before the first catch-up)."""
        if self.applied == 0:
            return b""
        image = bytearray(self.path.read_bytes())
        if len(image) >= 20:
            image[18:20] = self._journal_marker
        return bytes(image)

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """Run a read-only query on the replica; a write raises `ReplicaWriteError`."""
        if self._conn is None:
            if self.applied == 0:
                self._conn = sqlite3.connect(":memory:")
            else:
                self._conn = sqlite3.connect(f"{self.path.as_uri()}?mode=ro", uri=True)
            self._conn.execute("PRAGMA query_only=ON")
        try:
            return self._conn.execute(sql, params).fetchall()
        except sqlite3.OperationalError as exc:
            if "readonly" in str(exc):
                raise ReplicaWriteError(
                    f"The replica in {self.location} is read-only: send writes to the primary"
                ) from None
            raise

    def lag_samples(self) -> list[float]:
        """The lag at each recent catch-up that applied commits: seconds since its newest commit was made."""
        return list(self._samples)

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


def check_read_options(read_preference: str, consistency: str, max_lag: float | None) -> None:
    """Refuse an unknown read preference or consistency, or bounded consistency without `max_lag`."""
    if read_preference not in READ_PREFERENCES:
        raise ValueError(f"read_preference must be one of {', '.join(READ_PREFERENCES)}, not {read_preference!r}")
    if consistency not in CONSISTENCIES:
        raise ValueError(f"consistency must be one of {', '.join(CONSISTENCIES)}, not {consistency!r}")
    if consistency == "bounded" and (max_lag is None or max_lag < 0):
        raise ValueError('consistency="bounded" needs max_lag= (seconds a replica may be behind)')


def preferred_place(
    primary: Location, secondaries: list[Location], read_preference: str, consistency: str, near: Location | None
) -> Location | None:
    """The secondary a read goes to by preference (before any lag check), or None for the primary.

    "nearest": the secondary containing (or inside) the reader's place, else one in its region, else
    the primary; "secondary": one in the reader's region, else the first; "strong" reads and
    "primary" preference always go to the primary.
    """
    if consistency == "strong" or read_preference == "primary":
        return None
    if read_preference == "nearest":
        if near is None or primary.contains(near) or near.contains(primary):
            return None
        inside = [s for s in secondaries if s.contains(near) or near.contains(s)]
        same_region = [s for s in secondaries if s.region == near.region]
        return (inside or same_region or [None])[0]
    chosen = next((s for s in secondaries if near is not None and s.region == near.region), None)
    return chosen or secondaries[0]
