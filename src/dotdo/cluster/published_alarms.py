"""A copy of a host's alarm index kept in the change log's store, for when its folder is gone with it.

A host that ships its commits shares no folder with the others: when it dies, the survivors that
take over its objects rebuild them from the store, but the host's alarm index (which of its
objects have timers) was in its own folder. So each such host keeps a copy of that index in the
store under `alarms/<cluster>/<host>` (the objects' namespaces, ids and names), written again
shortly after the index changes; a survivor reads it when the host's folder cannot be read and
activates the objects it now owns, so their alarms fire without waiting for a call. An alarm set
in the last moments before the death (less than `interval` seconds) may be missing from the copy;
its object's alarm then waits for the object's next activation.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging

from ..runtime.alarm_scheduler import AlarmScheduler
from ..runtime.log_store import LogStore, LogStoreError

log = logging.getLogger("dotdo.cluster")

PUBLISH_INTERVAL = 0.5
"""Seconds between a change of the index and its copy in the store (at most)."""


def published_name(cluster: str, host_id: str) -> str:
    """Where in the store the copy of host `host_id`'s alarm index is kept."""
    return f"alarms/{cluster}/{host_id}"


class AlarmPublisher:
    """Keeps the store's copy of one host's alarm index up to date while the host runs."""

    def __init__(
        self, scheduler: AlarmScheduler, store: LogStore, name: str, *, interval: float = PUBLISH_INTERVAL
    ) -> None:
        self.scheduler = scheduler
        self.store = store
        self.name = name
        self.interval = interval
        self._published = -1
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Begin copying (a first copy at once)."""
        self._task = asyncio.get_running_loop().create_task(self._run(), name=f"dotdo-publish-{self.name}")

    async def publish(self) -> None:
        """Write the copy now if the index changed since the last one."""
        changes = self.scheduler.changes
        if changes == self._published:
            return
        rows = [list(row) for row in self.scheduler.entries()]
        await self.store.put(self.name, json.dumps(rows, separators=(",", ":")).encode())
        self._published = changes

    async def close(self) -> None:
        """Stop copying, after a last copy (the index as the host leaves it)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        try:
            await self.publish()
        except LogStoreError:
            log.warning("the last copy of the alarm index %s could not be written", self.name, exc_info=True)

    async def _run(self) -> None:
        while True:
            try:
                await self.publish()
            except LogStoreError:
                # The store is down for now: the next round tries again (the index is still changed).
                log.warning("the alarm index copy %s could not be written; retrying", self.name, exc_info=True)
            await asyncio.sleep(self.interval)


async def read_published_alarms(store: LogStore, name: str) -> list[tuple[str, str, str | None]]:
    """The (namespace, id, name) rows of a host's alarm index copy; none if there is no readable copy."""
    data = await store.get(name)
    if data is None:
        return []
    try:
        rows = json.loads(data)
        return [(str(ns), str(hex_id), None if named is None else str(named)) for ns, hex_id, named in rows]
    except (ValueError, TypeError):
        log.warning("the alarm index copy %s is not readable; its alarms wait for their objects' next calls", name)
        return []
