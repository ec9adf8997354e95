"""Restoring an object to an instant from its change log alone: in place, or into a new object.

In place, the restore is recorded in the log and carried out when the object next activates, on
whichever host that is (as Cloudflare's `onNextSessionRestoreBookmark`); the instant is rebuilt
here first, so a damaged log is reported now rather than at activation. Into a new object (a fork from
the log), the rebuilt database becomes the first snapshot of the new object's log, and the
source's large content (its blobs) is copied beside it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from .ids import id_from_name
from .log_format import BookmarkError, encode_snapshot, format_bookmark, object_key, snapshot_name
from .log_reader import RESTORE_NAME, LogReader
from .log_store import AlreadyWrittenError, LogStore


@dataclass(frozen=True)
class RestoreResult:
    """What a restore did: which commit of the source it took, and where it put it."""

    namespace: str
    source: str
    target: str
    commit: int
    bookmark: str
    size: int

    @property
    def in_place(self) -> bool:
        """Whether the object itself is restored (at its next activation), not a new one."""
        return self.source == self.target


async def restore(
    store: LogStore,
    namespace: str,
    name: str,
    at: float,
    *,
    to_name: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RestoreResult:
    """Restore object `name` of class `namespace` to its state at `at` (epoch seconds), in place or as `to_name`."""
    source = object_key(namespace, id_from_name(namespace, name).hex)
    reader = await LogReader(store, source).scan()
    if not reader.segments and not reader.snapshots:
        raise BookmarkError(f"{namespace} {name!r} has no change log in {store.url}: check the class, name and --log")
    commit = await reader.commit_at_time(at)
    image = await reader.image_at(commit, progress)
    bookmark = format_bookmark(source, commit)
    if to_name is None:
        await store.put(f"{source}/{RESTORE_NAME}", bookmark.encode())
        return RestoreResult(namespace, name, name, commit, bookmark, len(image))
    target = object_key(namespace, id_from_name(namespace, to_name).hex)
    existing = await LogReader(store, target).scan()
    if existing.segments or existing.snapshots:
        raise BookmarkError(f"{namespace} {to_name!r} already has a change log: restore into a new name")
    snapshot = encode_snapshot(target, 1, time.time(), image)
    try:
        await store.put(f"{target}/{snapshot_name(1)}", snapshot, create=True)
    except AlreadyWrittenError:
        raise BookmarkError(f"{namespace} {to_name!r} was created meanwhile: restore into a new name") from None
    await copy_blobs(store, source, target)
    return RestoreResult(namespace, name, to_name, commit, bookmark, len(image))


async def copy_blobs(store: LogStore, source: str, target: str) -> int:
    """Copy the large content of the object whose log is at `source` to the one at `target`; how many blobs.

    Blobs are named by their content, so every blob any retained instant of the source refers to
    is among them (those its file system swept away are not: a restore before a sweep misses them).
    """
    names = await store.list(f"blobs/{source}")
    for name, _size in names:
        data = await store.get(f"blobs/{source}/{name}")
        if data is not None:
            await store.put(f"blobs/{target}/{name}", data)
    return len(names)
