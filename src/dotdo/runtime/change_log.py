"""The change log of a runtime: every object's commits shipped, in order, to object storage.

`Runtime(replicate_to="s3://bucket/prefix")` (or a folder) gives each object a log in that store
(see `log_format.py` for its layout and `object_log.py` for the writer). Shipping follows the group
commit: the commits an object made while its previous upload was in flight go up together as its
next segment, and the uploads of all objects run side by side (at most `max_uploads` at once).

- `durability="replicated"`: a result is released only once its commit is in the store.
- `process` / `power`: shipping runs in the background; while the unshipped bytes of all objects
  exceed `max_lag_bytes`, new commits wait for their upload too, so the lag stays bounded.
  `stats()` reports the lag.

After every `snapshot_every` commits (or `snapshot_bytes` of log) of an object, a snapshot is built
from the store itself (the previous snapshot plus the segments after it, never the live file) and
the segments and snapshots no longer needed to restore any instant of the last `retention` seconds
are deleted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .ids import ObjectId
from .log_format import encode_snapshot, object_key, segment_name, snapshot_name
from .log_reader import LogReader
from .log_store import LogStore
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
        max_lag_bytes: int = 64 << 20,
        max_uploads: int = 64,
    ) -> None:
        if retention <= 0:
            raise ValueError("retention must be positive (seconds)")
        self.store = store if isinstance(store, LogStore) else LogStore.open(store, options)
        self.durability = durability
        self.retention = retention
        self.snapshot_every = snapshot_every
        self.snapshot_bytes = snapshot_bytes
        self.max_lag_bytes = max_lag_bytes
        self.upload_slots = asyncio.Semaphore(max_uploads)
        self.shipping: set[asyncio.Task[None]] = set()
        self.pending_bytes = 0
        self.uploads = 0
        self.uploaded_bytes = 0
        self.snapshots = 0
        self._lags: deque[float] = deque(maxlen=10_000)
        self._logs: dict[str, ObjectLog] = {}
        self._compacting: dict[str, asyncio.Task[None]] = {}

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
        return object_log

    def forget(self, object_log: ObjectLog) -> None:
        """Drop a fenced writer: the object's next activation reads its log afresh."""
        if self._logs.get(object_log.key) is object_log:
            del self._logs[object_log.key]

    def record_lag(self, seconds: float) -> None:
        """Note one commit's time from commit to upload."""
        self._lags.append(seconds)

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
            uploads=self.uploads,
            uploaded_bytes=self.uploaded_bytes,
            snapshots=self.snapshots,
        )

    def after_upload(self, object_log: ObjectLog) -> None:
        """Start a snapshot and compaction of the object once enough log has piled up since the last one."""
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
        """Wait until every captured commit is uploaded (and running compactions end)."""
        while self.shipping:
            await asyncio.wait(set(self.shipping))
        if self._compacting:
            await asyncio.wait(set(self._compacting.values()))

    async def close(self) -> None:
        """Ship what is pending, then stop."""
        await self.drain()
        for task in list(self._compacting.values()):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
