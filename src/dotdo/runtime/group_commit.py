"""Group commit: one SQLite commit covers an object's writes of many turns, one flush cycle many objects.

`durability="process"` commits with `synchronous=NORMAL`: a committed write is in the OS page cache
and survives `kill -9`. `durability="power"` commits with `synchronous=OFF` and then fsyncs the WAL
files of the whole batch in worker threads, so one fsync per file covers every commit since the last
one while the event loop keeps running turns; nothing is acknowledged before its fsync completes.
When a batch spans many objects (many files), one Linux `syncfs` makes them all durable at once.
`durability="replicated"` commits as "process" does and releases waiters once the commit is in the
change log's object storage (`change_log.py`); in the other modes a storage with a change log ships
its commits in the background.
Two batches may sync at once: the commits made while one batch syncs start their own fsync without
waiting for it; a batch's waiters are released once its own fsync and every earlier batch are done.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .storage import Storage

DURABILITY_MODES = ("process", "power", "replicated")

log = logging.getLogger("dotdo.runtime")


SYNCFS_MIN_FILES = 4
SYNC_BATCHES_IN_FLIGHT = 2
"""fsync batches syncing at once: a second one halves the wait of the commits that arrive during an fsync."""


def _load_syncfs() -> Callable[[int], None] | None:
    """Linux's syncfs(2): makes every file of one filesystem durable in one call (None elsewhere)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        function = libc.syncfs
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int]

    def sync_filesystem(fd: int) -> None:
        if function(fd) != 0:
            code = ctypes.get_errno()
            raise OSError(code, os.strerror(code))

    return sync_filesystem


syncfs = _load_syncfs()


def _fsync_path(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_wal(path: str) -> None:
    try:
        _fsync_path(path)
    except FileNotFoundError:
        pass  # closed since its commit: the close checkpointed it into the database file with FULL syncs


def _syncfs_path(path: str) -> None:
    if syncfs is None:
        raise OSError("syncfs is not available on this system")
    fd = os.open(path, os.O_RDONLY)
    try:
        syncfs(fd)
    finally:
        os.close(fd)


class GroupCommit:
    """Commits dirty storages once per event-loop cycle and releases their output gates."""

    def __init__(self, durability: str = "process") -> None:
        if durability not in DURABILITY_MODES:
            raise ValueError(f"durability must be one of {', '.join(DURABILITY_MODES)}, not {durability!r}")
        self.durability = durability
        self.first: Storage | None = None
        self.flushes = 0
        self.commits = 0
        self.fsyncs = 0
        self.fsync_seconds = 0.0
        """Time spent in fsync and syncfs calls (wall time of each batch's sync)."""
        self._dirty: list[Storage] = []
        self._scheduled = False
        self._to_sync: list[tuple[Storage, asyncio.Future[None]]] = []
        self._sync_tasks: set[asyncio.Task[None]] = set()
        self._sync_starting = False
        self._batches_syncing = 0
        self._last_batch: asyncio.Future[BaseException | None] | None = None
        self._executor: ThreadPoolExecutor | None = None

    def enqueue(self, storage: Storage) -> None:
        """Note that `storage` has uncommitted writes; a flush runs at the end of this loop cycle."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            # No loop in this thread (a script, or a library's worker thread reading through the
            # fsspec adapter): commit this storage now, and only this one.
            self.commit_one(storage)
            return
        self._dirty.append(storage)
        if not self._scheduled:
            self._scheduled = True
            loop.call_soon(self.flush)

    def flush(self) -> None:
        """Commit every dirty storage now."""
        self._scheduled = False
        batch, self._dirty = self._dirty, []
        if not batch:
            return
        self.flushes += 1
        first = self.first
        if first is not None and batch[0] is not first and first in batch:
            # The alarm index commits (and syncs) before the objects it points at.
            batch.remove(first)
            batch.insert(0, first)
        for storage in batch:
            self.commit_one(storage)

    def commit_one(self, storage: Storage) -> None:
        """Commit one storage and release (process) or queue for fsync (power) its waiters."""
        if not storage.dirty:
            return
        future = storage.output_gate.take()
        try:
            storage.commit_now()
        except Exception as exc:
            log.exception("commit of %s failed; its uncommitted writes were rolled back", storage.path.name)
            if future is not None:
                _settle(future, exc)
            if storage.on_commit_failed is not None:
                storage.on_commit_failed(storage, exc)
            return
        if storage.dirty:
            storage.output_gate.keep(future)
            return
        self.commits += 1
        shipped = storage.change_log.capture() if storage.change_log is not None else None
        loop = _running_loop()
        if loop is None or (future is not None and future.get_loop() is not loop):
            # Off the event loop's thread: make it durable here, then wake the loop's waiter.
            if self.durability == "power":
                self._fsync_now(storage)
            if future is not None:
                if shipped is None:
                    _settle(future)
                else:
                    shipped.add_done_callback(lambda done: _settle(future, done.exception()))
            return
        if self.durability != "power":
            if shipped is None:
                if future is not None:
                    _settle(future)
                return
            if future is None:
                future = loop.create_future()
            storage.output_gate.wait_for_sync(future)
            _release_after(shipped, future)
            return
        if future is None:
            future = loop.create_future()
        storage.output_gate.wait_for_sync(future)
        if shipped is not None:
            # Released once both the fsync and the upload are done.
            synced = loop.create_future()
            _release_after(asyncio.gather(synced, shipped), future)
            future = synced
        self._to_sync.append((storage, future))
        if not self._sync_starting and len(self._sync_tasks) < SYNC_BATCHES_IN_FLIGHT:
            self._sync_starting = True
            task = loop.create_task(self._sync_batches())
            self._sync_tasks.add(task)
            task.add_done_callback(self._sync_tasks.discard)

    def _fsync_now(self, storage: Storage) -> None:
        fd = storage.wal_descriptor()
        if fd is not None:
            started = time.perf_counter()
            os.fsync(fd)
            self.fsync_seconds += time.perf_counter() - started
            self.fsyncs += 1

    async def _sync_batches(self) -> None:
        """Sync batch after batch until none is waiting; up to `SYNC_BATCHES_IN_FLIGHT` of these run at once."""
        self._sync_starting = False
        loop = asyncio.get_running_loop()
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=16, thread_name_prefix="dotdo-fsync")
        while self._to_sync:
            batch, self._to_sync = self._to_sync, []
            await self._sync_batch(loop, batch)

    async def _sync_batch(
        self, loop: asyncio.AbstractEventLoop, batch: list[tuple[Storage, asyncio.Future[None]]]
    ) -> None:
        """Make one batch's commits durable, then release its waiters (or fail them)."""
        storages = {id(s): s for s, _ in batch}
        walled = [(s, fd) for s in storages.values() if (fd := s.wal_descriptor()) is not None]
        folders = {str(s.path.parent) for s in storages.values() if s.wal_folder_unsynced}
        # Linux reports a write-back error once per open file description: a batch syncing beside
        # another opens descriptors of its own, so each of them hears of an error.
        private = self._batches_syncing > 0
        self._batches_syncing += 1
        # Batches are released in the order they started: a later batch's WAL frames follow the
        # earlier ones', so it is durable only if they are, and an earlier failure fails it too.
        previous, released = self._last_batch, loop.create_future()
        self._last_batch = released
        error: BaseException | None = OSError("the fsync of this batch did not complete")
        started = time.perf_counter()
        try:
            try:
                if private:
                    await self._sync_paths(loop, [f"{s.path}-wal" for s, _ in walled], folders)
                else:
                    await self._sync(loop, [fd for _, fd in walled], folders)
                error = None
                self.fsync_seconds += time.perf_counter() - started
                self.fsyncs += 1
                for storage in storages.values():
                    storage.wal_folder_synced()
            except OSError as exc:
                log.exception("fsync failed")
                error = exc
            finally:
                self._batches_syncing -= 1
            if previous is not None:
                error = error or await previous
        finally:
            released.set_result(error)
        for _, future in batch:
            if not future.done():
                if error is None:
                    future.set_result(None)
                else:
                    future.set_exception(error)
                    future.add_done_callback(_retrieve)
        for storage in storages.values():
            storage.checkpoint_if_large()

    async def _sync(self, loop: asyncio.AbstractEventLoop, descriptors: list[int], folders: set[str]) -> None:
        if len(descriptors) + len(folders) >= SYNCFS_MIN_FILES and descriptors and syncfs is not None:
            # Many objects, many files: one syncfs flushes them all in one journal commit.
            await self._in_threads(loop, [(syncfs, descriptors[0])])
            return
        # Few files: sync them side by side, not one after another.
        await self._in_threads(loop, [(os.fsync, fd) for fd in descriptors] + [(_fsync_path, f) for f in folders])

    async def _sync_paths(self, loop: asyncio.AbstractEventLoop, wal_paths: list[str], folders: set[str]) -> None:
        """`_sync` through descriptors opened for this batch alone."""
        if len(wal_paths) + len(folders) >= SYNCFS_MIN_FILES and wal_paths and syncfs is not None:
            await self._in_threads(loop, [(_syncfs_path, os.path.dirname(wal_paths[0]))])
            return
        await self._in_threads(loop, [(_fsync_wal, p) for p in wal_paths] + [(_fsync_path, f) for f in folders])

    async def _in_threads(
        self, loop: asyncio.AbstractEventLoop, calls: list[tuple[Callable[[Any], None], Any]]
    ) -> None:
        """Run each `fn(arg)` in a worker thread, side by side; a lone call skips the gathering."""
        executor = self._executor
        if len(calls) == 1:
            fn, arg = calls[0]
            await loop.run_in_executor(executor, fn, arg)
        elif calls:
            await asyncio.gather(*(loop.run_in_executor(executor, fn, arg) for fn, arg in calls))

    async def drain(self) -> None:
        """Commit everything pending and wait for outstanding fsyncs."""
        self.flush()
        while self._sync_tasks:
            await asyncio.wait(set(self._sync_tasks))

    def close(self) -> None:
        """Stop the fsync worker threads."""
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None


def _release_after(done: asyncio.Future[Any], waiter: asyncio.Future[None]) -> None:
    """Settle `waiter` as `done` settles (with its error, if any)."""

    def settle(finished: asyncio.Future[Any]) -> None:
        _set(waiter, None if finished.cancelled() else finished.exception())

    done.add_done_callback(settle)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _settle(future: asyncio.Future[None], error: BaseException | None = None) -> None:
    """Resolve a waiter of the output gate, from its loop's thread or from any other thread."""
    owner = future.get_loop()
    if _running_loop() is owner:
        _set(future, error)
    elif not owner.is_closed():
        owner.call_soon_threadsafe(_set, future, error)


def _set(future: asyncio.Future[None], error: BaseException | None) -> None:
    if future.done():
        return
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(error)
        future.add_done_callback(_retrieve)


def _retrieve(future: asyncio.Future[None]) -> None:
    if not future.cancelled():
        future.exception()
