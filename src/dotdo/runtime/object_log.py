"""One object's change log: each commit's pages captured right after it commits, shipped in order.

At activation the object's log is read from the store. If its last segment points at another
writer's stream, that stream is fenced first (its writer may be a host that was declared dead, or
is stale), so nothing can be added to the object's log behind the new owner's back. Then the local
file is brought up to the log when the log is ahead (the object was written elsewhere, or this host
has no copy: failover without a shared disk), a bookmark is restored if one was asked for, a
snapshot is uploaded when the local file holds commits the log lacks, and the next segment number
of the object's own log is claimed with a create-only put.

From then on every commit is captured from the WAL (`wal_frames.py`) and queued on the runtime's
stream (`log_stream.py`), which ships many objects' commits per upload. Shipped commits are later
filed, in batches, into the object's own segments (`file()`), so its log does not depend on the
stream for long. A segment number can be written once: if another owner wrote the number this
writer files next, the writer stops for good with `StaleOwnerError`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
import time
from collections import deque
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import StorageError
from .log_format import (
    Commit,
    encode_segment,
    encode_snapshot,
    format_bookmark,
    parse_bookmark,
    segment_name,
    snapshot_name,
)
from .log_reader import RESTORE_NAME, LogReader
from .log_store import AlreadyWrittenError, LogStore
from .log_stream import StaleOwnerError, fence_stream
from .wal_frames import WalReader

if TYPE_CHECKING:
    from .change_log import ChangeLog
    from .storage import Storage

__all__ = ["POSITION_TABLE", "ObjectLog", "StaleOwnerError", "read_database", "read_position", "write_database"]

log = logging.getLogger("dotdo.runtime")

POSITION_TABLE = "_dotdo_log_position"
"""The commit number of the database's state, written inside every commit (so a file knows where it is in the log)."""


def read_position(path: Path) -> int:
    """The commit number recorded in a database file (0 if it records none)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        row = conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (POSITION_TABLE,)).fetchone()
        if row is None:
            return 0
        found = conn.execute(f"SELECT seq FROM {POSITION_TABLE} WHERE id = 1").fetchone()
        return int(found[0]) if found else 0
    finally:
        conn.close()


def read_database(path: Path) -> bytes:
    """The whole database at `path` as one image (its WAL folded in)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        return conn.serialize()
    finally:
        conn.close()


def write_database(path: Path, image: bytes) -> None:
    """Replace the database at `path` with `image` (atomically; its old WAL is dropped)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(path.name + ".restoring")
    with open(scratch, "wb") as file:
        file.write(image)
        file.flush()
        os.fsync(file.fileno())
    for leftover in (Path(f"{path}-wal"), Path(f"{path}-shm")):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()
    os.replace(scratch, path)


class ObjectLog:
    """Captures one object's commits, ships them through the runtime's stream and files them into its log."""

    def __init__(self, change_log: ChangeLog, key: str, epoch: int | None = None) -> None:
        self.change_log = change_log
        self.store: LogStore = change_log.store
        self.key = key
        self.segment = 0
        """The last segment number of the object's own log that this writer wrote (or found)."""
        self.commit = 0
        """The last commit number captured."""
        self.uploaded = 0
        """The last commit number in the store (in a stream or filed)."""
        self.epoch = epoch or 0
        self.fenced: StaleOwnerError | None = None
        self.restore_requested: str | None = None
        self.rebuilt = False
        """Whether the last activation replaced the local file with the log's state (a copy made elsewhere)."""
        self.commits_since_snapshot = 0
        self.bytes_since_snapshot = 0
        self.unfiled_bytes = 0
        self.recent_commit_times: deque[tuple[int, float]] = deque(maxlen=1024)
        """(commit number, time) of the latest commits made here: how stale a replica is, measured at read time."""
        self._reserved_epoch = epoch
        self._wal = WalReader()
        self._unfiled: list[tuple[Commit, int]] = []
        """Shipped commits not yet filed into the object's own segments, with their group segment numbers."""
        self._filing: asyncio.Task[None] | None = None
        self._in_flight: list[asyncio.Future[None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._storage: Storage | None = None

    @property
    def blob_home(self) -> tuple[Any, str]:
        """The obstore store and key prefix of the object's large content (fsx and gitx blobs): `blobs/<log key>`.

        Blobs are named by their content, so they need no order: they are uploaded before the
        commit that refers to them, and a host rebuilding the object from the log reads them there.
        They sit outside the log's own folder, which readers list at every catch-up.
        """
        return self.store.store, "/".join(part for part in (self.store.prefix, "blobs", self.key) if part)

    # -- activation ---------------------------------------------------------------------------

    async def open(self, path: Path) -> None:
        """Bring the local file and the log into line (see the module docstring), then claim the log."""
        self._loop = asyncio.get_running_loop()
        reader = await LogReader(self.store, self.key).scan(tail=False)
        last = await reader.last_header()
        if last is not None and last.stream and last.stream != self.change_log.stream.writer:
            await fence_stream(self.store, last.stream)
        await reader.read_tail()
        head = await reader.head()
        self.segment, self.commit, self.uploaded = head.segment, head.commit, head.commit
        self.epoch = max(self._reserved_epoch or 0, head.epoch + 1)
        bookmark = await reader.pending_bookmark()
        await self._align(reader, path, bookmark)
        await self._claim(reader.tail)
        if bookmark is not None:
            await self.store.delete([f"{self.key}/{RESTORE_NAME}"])

    async def _align(self, reader: LogReader, path: Path, bookmark: str | None) -> None:
        exists = path.exists()
        local = read_position(path) if exists else 0
        self.rebuilt = bookmark is not None or self.commit > local or (not exists and self.commit > 0)
        if bookmark is not None:
            image = await reader.image_at(parse_bookmark(self.key, bookmark))
            write_database(path, image)
            await self._upload_base(self.commit + 1, image)
        elif self.rebuilt:
            write_database(path, await reader.image_at(self.commit))
        elif exists and (local > self.commit or not (reader.segments or reader.snapshots)):
            # Numbered past the log's end (at least 1): commit 0 means "nothing", which rebuilds nothing.
            await self._upload_base(max(local, self.commit + 1), read_database(path))

    async def _upload_base(self, commit: int, image: bytes) -> None:
        """Make the local state the log's commit `commit`: a snapshot, so the log can rebuild it."""
        snapshot = encode_snapshot(self.key, commit, time.time(), image)
        await self.store.put(f"{self.key}/{snapshot_name(commit)}", snapshot)
        self.commit = self.uploaded = commit
        self.change_log.snapshots += 1

    async def _claim(self, tail: list[Commit]) -> None:
        """Write the next segment of the object's own log: the commits read from an old stream, or none."""
        number = self.segment + 1
        filed = [c for c in tail if c.number <= self.commit]
        first = filed[0].number if filed else self.commit + 1
        stream = (self.change_log.stream.writer, self.change_log.stream.next_number)
        claim = encode_segment(self.key, number, self.epoch, first, filed, time.time(), stream)
        try:
            await self.store.put(f"{self.key}/{segment_name(number)}", claim, create=True)
        except AlreadyWrittenError:
            raise StaleOwnerError(
                f"Cannot activate {self.key}: another host wrote segment {number} of its log while this one was "
                "taking over; the object is owned elsewhere"
            ) from None
        self.segment = number

    @property
    def storage(self) -> Storage | None:
        """The storage of the activation whose commits this writer captures (None before the first)."""
        return self._storage

    def bind(self, storage: Storage) -> None:
        """Capture the commits of this activation's storage."""
        self._loop = asyncio.get_running_loop()
        self._storage = storage
        self._wal.forget()
        storage.change_log = self
        storage.commit_checks.append(self.record_position)

    async def apply_restore(self, path: Path) -> None:
        """Restore the bookmark asked for by `on_next_session_restore_bookmark` in this process."""
        bookmark, self.restore_requested = self.restore_requested, None
        if bookmark is None:
            return
        await self.settled()
        reader = await LogReader(self.store, self.key).scan()
        image = await reader.image_at(parse_bookmark(self.key, bookmark))
        write_database(path, image)
        await self._upload_base(self.commit + 1, image)
        await self.store.delete([f"{self.key}/{RESTORE_NAME}"])

    # -- capture ------------------------------------------------------------------------------

    def record_position(self, conn: sqlite3.Connection) -> None:
        """A commit check: store the number the commit will have, inside the commit itself."""
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {POSITION_TABLE} (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL)"
        )
        conn.execute(f"INSERT OR REPLACE INTO {POSITION_TABLE} (id, seq) VALUES (1, ?)", (self.commit + 1,))

    def capture(self) -> asyncio.Future[None] | None:
        """Queue the commit just made; its upload's future when the output gate must wait for it, else None.

        Replicated durability always waits; the others wait only while the unshipped commits of the
        runtime exceed the change log's `max_lag_bytes` (so the lag stays bounded).
        """
        storage = self._storage
        loop = self._loop
        if storage is None or loop is None:
            return None
        fd = storage.wal_descriptor()
        pages = self._wal.read_committed(fd) if fd is not None else None
        if pages is None:
            return None
        self.commit += 1
        self.recent_commit_times.append((self.commit, time.time()))
        future: asyncio.Future[None] = loop.create_future()
        fenced = self.fenced or self.change_log.stream.fenced
        if fenced is not None:
            future.set_exception(fenced)
            future.add_done_callback(_retrieve)
            return future
        commit = Commit(self.commit, time.time(), pages)
        size = len(pages.pages) * pages.page_size
        self.change_log.pending_bytes += size
        future.add_done_callback(lambda _: self.change_log.shipped_bytes(size, commit.time))
        if _running_loop() is loop:
            self.change_log.stream.enqueue(self, commit, future)
        else:
            loop.call_soon_threadsafe(self.change_log.stream.enqueue, self, commit, future)
        self._in_flight.append(future)
        if len(self._in_flight) > 64:
            self._in_flight = [f for f in self._in_flight if not f.done()]
        if self.change_log.durability == "replicated" or self.change_log.pending_bytes > self.change_log.max_lag_bytes:
            return future
        future.add_done_callback(_retrieve)
        return None

    def shipped(self, commits: list[Commit], number: int) -> None:
        """The stream uploaded these commits in its group segment `number`."""
        self.uploaded = commits[-1].number
        size = 0
        for commit in commits:
            self._unfiled.append((commit, number))
            size += len(commit.pages.pages) * commit.pages.page_size
        self.unfiled_bytes += size
        self.commits_since_snapshot += len(commits)
        self.bytes_since_snapshot += size
        self.change_log.after_upload(self, commits)

    @property
    def unfiled_commits(self) -> int:
        """How many shipped commits are not yet filed into the object's own segments."""
        return len(self._unfiled)

    @property
    def oldest_unfiled_time(self) -> float | None:
        """When the oldest shipped commit not yet filed was made (None if none)."""
        return self._unfiled[0][0].time if self._unfiled else None

    @property
    def first_unfiled_stream_segment(self) -> int | None:
        """The oldest group segment still holding a commit of this object not yet filed (None if none)."""
        return self._unfiled[0][1] if self._unfiled else None

    def file_soon(self) -> None:
        """Start filing the shipped commits into the object's own log, unless a filing is running."""
        if self._filing is None and self._unfiled and self.fenced is None and self._loop is not None:
            self._filing = self._loop.create_task(self.file(), name=f"dotdo-file-{self.key}")
            self.change_log.filing.add(self._filing)
            self._filing.add_done_callback(self.change_log.filing.discard)

    async def file_now(self) -> None:
        """File every shipped commit now (after the filing under way, if any)."""
        if self._filing is not None:
            await asyncio.shield(self._filing)
        if self._unfiled and self.fenced is None:
            self._filing = asyncio.get_running_loop().create_task(self.file(), name=f"dotdo-file-{self.key}")
            await self._filing

    async def hand_over(self) -> bool:
        """End this writer's part of the log, once every commit is filed: a segment pointing at no stream.

        The next owner then finds nothing of the object in this runtime's stream and has no stream
        to fence, so this runtime's other objects go on shipping. False (nothing written) while
        commits are unfiled, once fenced, or if another owner already wrote the next segment.
        """
        if self._unfiled or self.fenced is not None:
            return False
        number = self.segment + 1
        closing = encode_segment(self.key, number, self.epoch, self.commit + 1, [], time.time())
        try:
            await self.store.put(f"{self.key}/{segment_name(number)}", closing, create=True)
        except AlreadyWrittenError:
            return False
        self.segment = number
        return True

    async def file(self) -> None:
        """Write the shipped commits not yet filed as the next segment of the object's own log."""
        try:
            batch = list(self._unfiled)
            if not batch or self.fenced is not None:
                return
            commits = [commit for commit, _ in batch]
            number = self.segment + 1
            # The object's commits after these are in this group segment or later ones.
            stream = (self.change_log.stream.writer, batch[-1][1])
            data = encode_segment(self.key, number, self.epoch, commits[0].number, commits, commits[0].time, stream)
            try:
                async with self.change_log.filing_slots:
                    await self.store.put(f"{self.key}/{segment_name(number)}", data, create=True)
            except AlreadyWrittenError:
                self.fenced = StaleOwnerError(
                    f"Filing segment {number} of {self.key} refused: another owner wrote it (epoch {self.epoch} is "
                    "stale); the object must be reactivated from its log"
                )
                self.change_log.forget(self)
                return
            except Exception as exc:  # a network or server error: the commits stay in the stream, filed later
                log.warning("filing segment %s of %s failed (%s); it is tried again later", number, self.key, exc)
                return
            self.segment = number
            del self._unfiled[: len(batch)]
            self.unfiled_bytes = sum(len(c.pages.pages) * c.pages.page_size for c, _ in self._unfiled)
        finally:
            self._filing = None

    async def settled(self) -> None:
        """Wait until every commit captured so far is in the store (`StaleOwnerError` if refused)."""
        pending, self._in_flight = self._in_flight, []
        for future in pending:
            await asyncio.shield(future)
        if self.fenced is not None:
            raise self.fenced

    def staleness(self, applied: int) -> float:
        """Seconds since the first commit after `applied` was made here (0 if there is none)."""
        if applied >= self.commit:
            return 0.0
        for number, when in self.recent_commit_times:
            if number > applied:
                return max(0.0, time.time() - when)
        return float("inf")  # older than the commits remembered here

    # -- bookmarks ----------------------------------------------------------------------------

    def current_bookmark(self) -> str:
        """The bookmark of the latest commit."""
        return format_bookmark(self.key, self.commit)

    async def bookmark_for_time(self, when: datetime | float) -> str:
        """The bookmark of the last commit made at or before `when` (aware datetime or epoch seconds)."""
        moment = _epoch_seconds(when)
        await self.settled()
        reader = await LogReader(self.store, self.key).scan()
        return format_bookmark(self.key, await reader.commit_at_time(moment))

    async def restore_at_next_activation(self, bookmark: str) -> str:
        """Ask for `bookmark` to be restored when the object next activates; returns the bookmark that undoes it."""
        commit = parse_bookmark(self.key, bookmark)
        if commit > self.commit:
            raise StorageError(
                f"Bookmark {bookmark!r} is ahead of the object's latest commit ({self.current_bookmark()})"
            )
        await self.settled()
        undo = self.current_bookmark()
        await self.store.put(f"{self.key}/{RESTORE_NAME}", bookmark.encode())
        self.restore_requested = bookmark
        return undo


def _epoch_seconds(when: datetime | float) -> float:
    if isinstance(when, datetime):
        if when.tzinfo is None:
            raise ValueError("Give an aware datetime (e.g. datetime.now(UTC)) or epoch seconds")
        return when.timestamp()
    if isinstance(when, bool) or not isinstance(when, int | float):
        raise TypeError(f"A time is an aware datetime or epoch seconds, not {type(when).__name__}")
    return float(when)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _retrieve(future: asyncio.Future[None]) -> None:
    if not future.cancelled():
        future.exception()
