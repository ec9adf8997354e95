"""Where a thing's archived versions live once they leave the object's SQLite (`thing_versions`).

A layer above the graph (the cold tier) moves old versions out and registers a `VersionArchive`
for the object's storage; `Things.get(id, version=)` and `Things.history(id)` then read them back
from it, so archiving is invisible to callers.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ..runtime.object_storage import ObjectStorage


class VersionArchive(Protocol):
    """Archived versions of the things of one object."""

    def versions(self, thing_id: str) -> list[tuple[Any, ...]]:
        """Rows `(thing_id, type, name, data, version, created_at, updated_at, deleted_at, visibility)`
        of every archived version of `thing_id` (data as JSON text, times as stored text)."""
        ...


_archives: weakref.WeakKeyDictionary[ObjectStorage, VersionArchive] = weakref.WeakKeyDictionary()


def set_version_archive(storage: ObjectStorage, archive: VersionArchive | None) -> None:
    """Make `archive` the source of `storage`'s archived versions (None removes it)."""
    if archive is None:
        _archives.pop(storage, None)
    else:
        _archives[storage] = archive


def archived_versions(storage: ObjectStorage, thing_id: str) -> list[tuple[Any, ...]]:
    """The archived version rows of `thing_id` in `storage` ([] when nothing is archived)."""
    archive = _archives.get(storage)
    return [] if archive is None else archive.versions(thing_id)
