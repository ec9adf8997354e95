"""The change log of a runtime: every object's commits shipped, in order, to object storage.

`Runtime(replicate_to="s3://bucket/prefix")` (or a folder) gives each object a log in that store
(see `log_format.py` for its layout, `object_log.py` for an object's side and `log_stream.py` for
the runtime's stream). Shipping follows the group commit: the commits every object made while the
previous upload was in flight go up together as the next group segment of the runtime's stream.

- `durability="replicated"`: a result is released only once its commit is in the store.
- `process` / `power`: shipping runs in the background; while the unshipped bytes exceed
  `max_lag_bytes`, new commits wait for their upload too, so the lag stays bounded. `stats()`
  reports the lag.

Shipped commits are filed into each object's own segments once it has `file_every` of them (or
`file_bytes`), once the oldest has waited `file_interval` seconds, and when the runtime closes; group segments whose
commits are all filed are deleted. After every `snapshot_every` commits (or `snapshot_bytes`) of an
object, a snapshot is built from the store itself (the previous snapshot plus the log after it,
never the live file), and the object's files that no instant of the last `retention` seconds
needs are deleted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .ids import ObjectId
from .log_format import Commit, encode_snapshot, object_key, segment_name, snapshot_name
from .log_reader import LogReader
from .log_store import LogStore
from .log_stream import LogStream, StaleOwnerError
from .object_log import ObjectLog

if TYPE_CHECKING:
    from .storage import Storage

DEFAULT_RETENTION = 30 * 24 * 3600.0
"""Point-in-time restore reaches this far back by default (30 days, as Cloudflare's)."""

log = logging.getLogger("dotdo.runtime")


@dataclass(frozen=True)
class ReplicationStats:
    """How far shipping is behind and how much it did: lags are commit-to-upload seconds of recent commits."""

    lag_p50: float
    lag_p99: float
    lag_max: float
    pending_bytes: int
    uploads: int
    uploaded_bytes: int
    snapshots: int


class ChangeLog:
    """Ships the commits of every object of a runtime to one `LogStore`."""

    def __init__(
        self,
        store: LogStore | str | os.PathLike[str],
        *,
        durability: str = "process",
        options: Mapping[str, str] | None = None,
        retention: float = DEFAULT_RETENTION,
        snapshot_every: int = 1000,
        snapshot_bytes: int = 64 << 20,
        file_every: int = 256,
        file_bytes: int = 4 << 20,
        file_interval: float = 30.0,
        max_lag_bytes: int = 64 << 20,
    ) -> None:
        if retention <= 0:
            raise ValueError("retention must be positive (seconds)")
        self.options = dict(options or {})
        """The store's options (S3 endpoint, credentials), for another runtime opening the same store."""
        self.store = store if isinstance(store, LogStore) else LogStore.open(store, options)
        self.durability = durability
        self.retention = retention
        self.snapshot_every = snapshot_every
        self.snapshot_bytes = snapshot_bytes
        self.file_every = file_every
        self.file_bytes = file_bytes
        self.file_interval = file_interval
        self.max_lag_bytes = max_lag_bytes
        self.stream = LogStream(self.store, self._stream_fenced)
        self.filing: set[asyncio.Task[None]] = set()
        self.filing_slots = asyncio.Semaphore(4)
        """Filings uploading at once: filing must leave the store to the stream, which acknowledgements wait for."""
        self.pending_bytes = 0
        self.snapshots = 0
        self._lags: deque[float] = deque(maxlen=10_000)
        self._logs: dict[str, ObjectLog] = {}
        self._compacting: dict[str, asyncio.Task[None]] = {}
        self._filer: asyncio.Task[None] | None = None
        self._deleted_below = 1
        self.upload_listeners: list[Callable[[str, int, Sequence[Commit]], None]] = []
        """Told (object key, last commit in the store, the commits that upload carried, in order) after
        each upload of an object's commits: how a cluster host tells the hosts following an object's
        log that it moved on, and hands them the commits so they need not read them back."""

    async def attach(self, oid: ObjectId, storage: Storage, *, epoch: int | None = None) -> ObjectLog:
        """At activation: align the object's file with its log (rebuilding it if needed) and capture its commits."""
        key = object_key(oid.namespace, oid.hex)
        object_log = self._logs.get(key)
        if object_log is None:
            object_log = ObjectLog(self, key, epoch)
            await object_log.open(storage.path)
            self._logs[key] = object_log
        elif object_log.restore_requested is not None:
            await object_log.apply_restore(storage.path)
        object_log.bind(storage)
        if self._filer is None and self.file_interval > 0:
            self._filer = asyncio.get_running_loop().create_task(self._file_periodically(), name="dotdo-log-filer")
        return object_log

    def writer_of(self, key: str) -> ObjectLog | None:
        """The writer of the object whose log is at `key`, if this runtime has it."""
        return self._logs.get(key)

    def forget(self, object_log: ObjectLog) -> None:
        """Drop a fenced writer: the object's next activation reads its log afresh."""
        if self._logs.get(object_log.key) is object_log:
            del self._logs[object_log.key]

    async def release(self, oid: ObjectId) -> None:
        """The object now belongs to another runtime: ship and file what it committed here, hand its log over
        (so the next owner need not fence this runtime's stream), then forget its writer.

        Its next activation here reads its log afresh (another owner may have written it meanwhile).
        A writer whose filing failed is kept: the group segments holding its commits must stay.
        """
        object_log = self._logs.get(object_key(oid.namespace, oid.hex))
        if object_log is None:
            return
        released = object_log.storage
        with contextlib.suppress(StaleOwnerError):
            await object_log.settled()
        await object_log.file_now()
        if object_log.storage is not released:
            return  # activated here again meanwhile: the writer is in use
        if object_log.fenced is not None or await object_log.hand_over():
            self.forget(object_log)

    def _stream_fenced(self, stream: LogStream, exc: StaleOwnerError) -> None:
        """A new owner fenced this runtime's stream: every object here is stale; later activations start afresh."""
        for object_log in self._logs.values():
            object_log.fenced = exc
        self._logs.clear()
        self.stream = LogStream(self.store, self._stream_fenced)
        self._deleted_below = 1

    def shipped_bytes(self, size: int, committed_at: float) -> None:
        """A commit of `size` bytes made at `committed_at` left the queue (uploaded or refused)."""
        self.pending_bytes -= size
        self._lags.append(time.time() - committed_at)

    def stats(self) -> ReplicationStats:
        """The lag of recent commits and the totals so far."""
        lags = sorted(self._lags)

        def quantile(q: float) -> float:
            return lags[min(len(lags) - 1, int(q * len(lags)))] if lags else 0.0

        return ReplicationStats(
            lag_p50=quantile(0.5),
            lag_p99=quantile(0.99),
            lag_max=lags[-1] if lags else 0.0,
            pending_bytes=self.pending_bytes,
            uploads=self.stream.uploads,
            uploaded_bytes=self.stream.uploaded_bytes,
            snapshots=self.snapshots,
        )

    def after_upload(self, object_log: ObjectLog, commits: Sequence[Commit]) -> None:
        """Tell the upload listeners of `commits`, just uploaded, then file the object's shipped commits,
        and snapshot it, once enough has piled up."""
        for listener in self.upload_listeners:
            listener(object_log.key, object_log.uploaded, commits)
        if object_log.unfiled_commits >= self.file_every or object_log.unfiled_bytes >= self.file_bytes:
            object_log.file_soon()
        if object_log.commits_since_snapshot < self.snapshot_every and (
            object_log.bytes_since_snapshot < self.snapshot_bytes
        ):
            return
        if object_log.key in self._compacting:
            return
        object_log.commits_since_snapshot = object_log.bytes_since_snapshot = 0
        task = asyncio.get_running_loop().create_task(self.compact(object_log.key, object_log.uploaded))
        self._compacting[object_log.key] = task
        task.add_done_callback(lambda _: self._compacting.pop(object_log.key, None))

    async def _file_periodically(self) -> None:
        """File each object's commits once the oldest has waited `file_interval`: spread out, not all at once."""
        while True:
            await asyncio.sleep(self.file_interval / 8)
            cutoff = time.time() - self.file_interval
            for object_log in list(self._logs.values()):
                oldest = object_log.oldest_unfiled_time
                if oldest is not None and oldest < cutoff:
                    object_log.file_soon()
            await self._delete_filed_stream_segments()

    async def file_all(self, *, attempts: int = 3) -> None:
        """File every object's shipped commits now, then delete the group segments no longer needed.

        A filing that fails (the store is unreachable) is tried again, `attempts` rounds in all; what
        is still unfiled stays in the stream, where readers find it.
        """
        for _ in range(attempts):
            for object_log in list(self._logs.values()):
                object_log.file_soon()
            while self.filing:
                await asyncio.wait(set(self.filing))
            if not any(object_log.unfiled_commits for object_log in self._logs.values()):
                break
        await self._delete_filed_stream_segments()

    async def _delete_filed_stream_segments(self) -> None:
        stream = self.stream
        lowest = stream.next_number
        for object_log in self._logs.values():
            first = object_log.first_unfiled_stream_segment
            if first is not None:
                lowest = min(lowest, first)
        if lowest > self._deleted_below:
            self._deleted_below = await stream.delete_below(lowest, self._deleted_below)

    async def compact(self, key: str, commit: int) -> None:
        """Snapshot the object at `commit` from the store, then delete what retention no longer needs."""
        try:
            reader = await LogReader(self.store, key).scan()
            if commit not in reader.snapshots:
                image = await reader.image_at(commit)
                await self.store.put(f"{key}/{snapshot_name(commit)}", encode_snapshot(key, commit, time.time(), image))
                self.snapshots += 1
                reader.snapshots.append(commit)
                reader.snapshots.sort()
            await self.prune(reader, time.time() - self.retention)
        except Exception:
            log.exception("compaction of %s failed; it is tried again after the next snapshot interval", key)

    async def prune(self, reader: LogReader, cutoff: float) -> int:
        """Delete snapshots and segments needed by no instant after `cutoff`; returns how many files went."""
        oldest_kept = await reader.commit_at_time(cutoff)
        bases = [s for s in reader.snapshots if s <= oldest_kept]
        if not bases:
            return 0
        base = bases[-1]
        doomed = [f"{reader.key}/{snapshot_name(s)}" for s in reader.snapshots if s < base]
        for number in reader.segments[:-1]:
            if (await reader.header(number)).last > base:
                break
            doomed.append(f"{reader.key}/{segment_name(number)}")
        await self.store.delete(doomed)
        return len(doomed)

    async def drain(self) -> None:
        """Wait until every captured commit is uploaded (and running filings and compactions end)."""
        await self.stream.settled()
        while self.filing:
            await asyncio.wait(set(self.filing))
        if self._compacting:
            await asyncio.wait(set(self._compacting.values()))

    async def close(self) -> None:
        """Ship what is pending, file it into each object's log, then stop."""
        await self.stream.settled()
        if self._filer is not None:
            self._filer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._filer
        await self.file_all()
        await self.drain()
