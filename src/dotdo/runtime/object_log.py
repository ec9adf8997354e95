"""One object's change log writer: each commit's pages captured right after it commits, shipped in order.

At activation the writer reads the end of the object's log in the store, brings the local file up
to it when the log is ahead (the object was written elsewhere, or this host has no copy: failover
without a shared disk), restores a bookmark if one was asked for, uploads a snapshot when the local
file holds commits the log lacks, and then claims the next segment number with a create-only put.
From then on every commit of the object is captured from its WAL (see `wal_frames.py`) and queued;
one upload at a time per object carries every commit queued meanwhile as the next segment.

A segment number can be written once: if another owner already wrote the number this writer is
about to write, the store refuses the put, and the writer stops for good with `StaleOwnerError`
(its unshipped commits are not acknowledged in replicated mode).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

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
from .wal_frames import WalReader

if TYPE_CHECKING:
    from .change_log import ChangeLog
    from .storage import Storage

POSITION_TABLE = "_dotdo_log_position"
"""The commit number of the database's state, written inside every commit (so a file knows where it is in the log)."""

_RETRY_FIRST = 0.05
_RETRY_MAX = 5.0
_ENCODE_IN_THREAD_BYTES = 1 << 20

log = logging.getLogger("dotdo.runtime")


class StaleOwnerError(StorageError):
    """This host's upload was refused: another owner (a newer epoch) has written the object's log since."""


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
    """Captures one object's commits and ships them, in order, as segments of its log."""

    def __init__(self, change_log: ChangeLog, key: str, epoch: int | None = None) -> None:
        self.change_log = change_log
        self.store: LogStore = change_log.store
        self.key = key
        self.segment = 0
        """The last segment number this writer wrote (or found)."""
        self.commit = 0
        """The last commit number captured."""
        self.uploaded = 0
        """The last commit number in the store."""
        self.epoch = epoch or 0
        self.fenced: StaleOwnerError | None = None
        self.restore_requested: str | None = None
        self.commits_since_snapshot = 0
        self.bytes_since_snapshot = 0
        self._reserved_epoch = epoch
        self._wal = WalReader()
        self._queue: list[tuple[Commit, asyncio.Future[None]]] = []
        self._queued_bytes = 0
        self._shipping: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._storage: Storage | None = None

    # -- activation ---------------------------------------------------------------------------

    async def open(self, path: Path) -> None:
        """Bring the local file and the log into line (see the module docstring), then claim the log."""
        self._loop = asyncio.get_running_loop()
        reader = await LogReader(self.store, self.key).scan()
        head = await reader.head()
        self.segment, self.commit, self.uploaded = head.segment, head.commit, head.commit
        self.epoch = max(self._reserved_epoch or 0, head.epoch + 1)
        bookmark = await reader.pending_bookmark()
        await self._align(reader, path, bookmark)
        await self._claim()
        if bookmark is not None:
            await self.store.delete([f"{self.key}/{RESTORE_NAME}"])

    async def _align(self, reader: LogReader, path: Path, bookmark: str | None) -> None:
        exists = path.exists()
        local = read_position(path) if exists else 0
        if bookmark is not None:
            image = await reader.image_at(parse_bookmark(self.key, bookmark))
            write_database(path, image)
            await self._upload_base(self.commit + 1, image)
        elif self.commit > local or (not exists and self.commit > 0):
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

    async def _claim(self) -> None:
        number = self.segment + 1
        claim = encode_segment(self.key, number, self.epoch, self.commit + 1, [], time.time())
        try:
            await self.store.put(f"{self.key}/{segment_name(number)}", claim, create=True)
        except AlreadyWrittenError:
            raise StaleOwnerError(
                f"Cannot activate {self.key}: another host wrote segment {number} of its log while this one was "
                "taking over; the object is owned elsewhere"
            ) from None
        self.segment = number

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

        Replicated durability always waits; the others wait only while the object's unshipped
        commits exceed the change log's `max_lag_bytes` (so the lag stays bounded).
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
        future: asyncio.Future[None] = loop.create_future()
        if self.fenced is not None:
            future.set_exception(self.fenced)
            future.add_done_callback(_retrieve)
            return future
        size = len(pages.pages) * pages.page_size
        self._queue.append((Commit(self.commit, time.time(), pages), future))
        self._queued_bytes += size
        self.change_log.pending_bytes += size
        if self._shipping is None:
            if _running_loop() is loop:
                self._start_shipping()
            else:
                loop.call_soon_threadsafe(self._start_shipping)
        if self.change_log.durability == "replicated" or self.change_log.pending_bytes > self.change_log.max_lag_bytes:
            return future
        future.add_done_callback(_retrieve)
        return None

    def _start_shipping(self) -> None:
        if self._shipping is None and self._queue:
            assert self._loop is not None
            self._shipping = self._loop.create_task(self._ship(), name=f"dotdo-ship-{self.key}")
            self.change_log.shipping.add(self._shipping)
            self._shipping.add_done_callback(self.change_log.shipping.discard)

    async def _ship(self) -> None:
        try:
            while self._queue and self.fenced is None:
                batch, self._queue = self._queue, []
                size, self._queued_bytes = self._queued_bytes, 0
                try:
                    await self._upload(batch)
                except StaleOwnerError as exc:
                    self.fenced = exc
                    self.change_log.forget(self)
                    for _, future in [*batch, *self._queue]:
                        _fail(future, exc)
                    self._queue.clear()
                    log.error("%s", exc)
                    return
                finally:
                    self.change_log.pending_bytes -= size
                now = time.time()
                for commit, future in batch:
                    self.change_log.record_lag(now - commit.time)
                    if not future.done():
                        future.set_result(None)
                self.commits_since_snapshot += len(batch)
                self.bytes_since_snapshot += size
                self.change_log.after_upload(self)
        finally:
            self._shipping = None

    async def _upload(self, batch: list[tuple[Commit, asyncio.Future[None]]]) -> None:
        commits = [commit for commit, _ in batch]
        number = self.segment + 1
        size = sum(len(c.pages.pages) * c.pages.page_size for c in commits)
        encode: Callable[[], bytes] = lambda: encode_segment(  # noqa: E731
            self.key, number, self.epoch, commits[0].number, commits, commits[0].time
        )
        data = await asyncio.to_thread(encode) if size > _ENCODE_IN_THREAD_BYTES else encode()
        name = f"{self.key}/{segment_name(number)}"
        delay = _RETRY_FIRST
        while True:
            try:
                async with self.change_log.upload_slots:
                    await self.store.put(name, data, create=True)
                break
            except AlreadyWrittenError:
                raise StaleOwnerError(
                    f"Upload of {name} refused: that segment was written by another owner (epoch {self.epoch} is "
                    f"stale); commits {commits[0].number}-{commits[-1].number} of this host are not in the log and "
                    "the object must be reactivated from it"
                ) from None
            except Exception as exc:  # a network or server error: retry, the commits stay queued
                log.warning("upload of %s failed (%s); retrying in %.2f s", name, exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, _RETRY_MAX)
        self.segment = number
        self.uploaded = commits[-1].number
        self.change_log.uploads += 1
        self.change_log.uploaded_bytes += len(data)

    async def settled(self) -> None:
        """Wait until every commit captured so far is in the store (`StaleOwnerError` if fenced)."""
        while self._shipping is not None:
            await asyncio.shield(self._shipping)
        if self.fenced is not None:
            raise self.fenced

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


def _fail(future: asyncio.Future[None], exc: BaseException) -> None:
    if not future.done():
        future.set_exception(exc)
        future.add_done_callback(_retrieve)


def _retrieve(future: asyncio.Future[None]) -> None:
    if not future.cancelled():
        future.exception()
