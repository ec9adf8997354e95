"""The objects of a data folder: their classes, ids, names, sizes and last activity, found on disk.

The runtime lays out `objects/<class>/<id[:2]>/<id>.sqlite`; the catalog walks it, so it lists
every object that ever stored anything, live or not, with or without a server running.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..runtime.data_folder import DataFolder
from ..runtime.ids import id_from_name
from .object_reader import MissingObjectError, ObjectBusyError, ObjectReader

OBJECT_SUFFIX = ".sqlite"
SIDE_FILES = ("-wal", "-shm")


@dataclass(frozen=True, slots=True)
class ObjectSummary:
    """One object as the catalog sees it."""

    namespace: str
    id: str
    name: str | None
    size: int
    last_activity: datetime
    live: bool

    @property
    def label(self) -> str:
        """Its name, or a short id when it was never reached by name."""
        return self.name if self.name is not None else f"{self.id[:12]}…"


class Catalog:
    """Lists and finds the objects stored under one data folder."""

    def __init__(self, folder: DataFolder, live_name: Callable[[str, str], str | bool | None] | None = None) -> None:
        self.folder = folder
        self._live_name = live_name or (lambda namespace, hex_id: False)
        """`live_name(namespace, id)`: False if the object is not live, else its name (None if reached by id)."""

    @property
    def objects_root(self) -> Path:
        """Where the object databases are."""
        return self.folder.root / "objects"

    def classes(self) -> list[str]:
        """Every class (namespace) with at least one stored object, sorted."""
        if not self.objects_root.is_dir():
            return []
        return sorted(p.name for p in self.objects_root.iterdir() if p.is_dir())

    def _files(self, namespace: str | None) -> Iterator[tuple[str, Path]]:
        for cls in [namespace] if namespace is not None else self.classes():
            base = self.objects_root / cls
            if base.is_dir():
                for path in sorted(base.glob(f"??/*{OBJECT_SUFFIX}")):
                    yield cls, path

    def summary(self, namespace: str, path: Path) -> ObjectSummary:
        """What the catalog shows of the object whose database is `path`."""
        hex_id = path.name[: -len(OBJECT_SUFFIX)]
        files = [path, *(path.with_name(path.name + side) for side in SIDE_FILES)]
        stats = [f.stat() for f in files if f.exists()]
        live = self._live_name(namespace, hex_id)
        name = self.recorded_name(path) if live is False else (live if isinstance(live, str) else None)
        return ObjectSummary(
            namespace=namespace,
            id=hex_id,
            name=name,
            size=sum(s.st_size for s in stats),
            last_activity=datetime.fromtimestamp(max(s.st_mtime for s in stats), UTC),
            live=live is not False,
        )

    @staticmethod
    def recorded_name(path: Path) -> str | None:
        """The name kept in an object's database, if it can be read now (a live object's cannot)."""
        try:
            with ObjectReader(path, timeout=0) as reader:
                return reader.name()
        except (MissingObjectError, ObjectBusyError, sqlite3.Error):
            return None

    def objects(
        self, namespace: str | None = None, *, search: str = "", offset: int = 0, limit: int = 50
    ) -> tuple[list[ObjectSummary], int]:
        """One page of objects (of one class, or all), those whose name or id contains `search`; and the total."""
        needle = search.lower()
        found = [
            summary
            for cls, path in self._files(namespace)
            if (summary := self.summary(cls, path))
            and (not needle or needle in (summary.name or "").lower() or needle in summary.id)
        ]
        found.sort(key=lambda s: (s.namespace, s.name is None, s.name or "", s.id))
        return found[offset : offset + limit], len(found)

    def path_of(self, namespace: str, hex_id: str) -> Path:
        """The database of one object; `MissingObjectError` if it has none."""
        if namespace not in self.classes():
            known = ", ".join(self.classes()) or "none yet"
            raise MissingObjectError(f"No class {namespace!r} in {self.folder.root}; classes with objects: {known}")
        if len(hex_id) != 64 or any(c not in "0123456789abcdef" for c in hex_id):
            raise MissingObjectError(f"{hex_id!r} is not an object id (64 hex characters)")
        path = self.folder.object_path(namespace, hex_id)
        if not path.exists():
            raise MissingObjectError(f"No {namespace} object with id {hex_id} in {self.folder.root}")
        return path

    def id_of(self, namespace: str, name: str) -> str:
        """The id of the object called `name` (ids are derived from names)."""
        return id_from_name(namespace, name).hex

    def find(self, namespace: str, name_or_id: str) -> tuple[str, Path]:
        """The id and database of an object given by name (or by its 64-hex id)."""
        hex_id = self.id_of(namespace, name_or_id)
        if namespace in self.classes() and self.folder.object_path(namespace, hex_id).exists():
            return hex_id, self.folder.object_path(namespace, hex_id)
        if len(name_or_id) == 64 and all(c in "0123456789abcdef" for c in name_or_id):
            return name_or_id, self.path_of(namespace, name_or_id)
        self.path_of(namespace, hex_id)
        return hex_id, self.folder.object_path(namespace, hex_id)
