"""The cold tier: old thing versions moved out of an object's SQLite into Parquet files in the warehouse.

An archive round writes the versions to a new file first, then, in one transaction, records the file
and removes the versions from `thing_versions`; a crash in between leaves an unrecorded file and the
versions still hot, never a loss. `ColdArchive` is the graph's `VersionArchive`: `things.get(id,
version=)` and `history(id)` read archived versions back from the files.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..graph.things import Things
from ..runtime.storage import Storage
from .object_store import WarehouseStore

if TYPE_CHECKING:
    import pyarrow as pa

COLD_FILES_TABLE = "tiers_cold_files"
ARCHIVE_COLUMNS = (
    "thing_id",
    "type",
    "name",
    "data",
    "version",
    "created_at",
    "updated_at",
    "deleted_at",
    "visibility",
)


def cold_folder(warehouse_uri: str, namespace: str, object_id: str) -> str:
    """Where an object's archive files live in the warehouse (a URI)."""
    return f"{warehouse_uri.rstrip('/')}/cold/{namespace}/{object_id}"


def archive_location(recorded: str) -> str:
    """The URI of a recorded archive file: URIs are recorded as they are; earlier releases
    recorded plain paths, absolute for a local warehouse and `bucket/key` for S3."""
    if "://" in recorded or recorded.startswith("/"):
        return recorded
    return f"s3://{recorded}"


def versions_to_archive(storage: Storage, cutoff: str, limit: int) -> list[tuple[Any, ...]]:
    """Up to `limit` rows of `thing_versions` last updated before `cutoff` (stored time text)."""
    if not storage.table_exists("thing_versions"):
        return []
    rows = list(
        storage.sql.exec(
            f"SELECT {', '.join(ARCHIVE_COLUMNS)} FROM thing_versions WHERE updated_at < ? "
            "ORDER BY thing_id, version LIMIT ?",
            cutoff,
            limit,
        ).raw()
    )
    things = Things(storage)
    result = []
    for row in rows:
        if row[3] is None:  # a large document kept in chunk rows: read it whole through the graph
            thing = things.get(row[0], version=row[4])
            import msgspec

            row = (*row[:3], msgspec.json.encode(thing.data).decode() if thing else "{}", *row[4:])
        result.append(tuple(row))
    return result


def archive_table(rows: list[tuple[Any, ...]]) -> pa.Table:
    """Archived version rows as Arrow (every column as stored)."""
    import pyarrow as pa

    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in ARCHIVE_COLUMNS]
    types = [pa.int64() if name == "version" else pa.string() for name in ARCHIVE_COLUMNS]
    return pa.table(
        {
            name: pa.array(list(values), type_)
            for name, values, type_ in zip(ARCHIVE_COLUMNS, columns, types, strict=True)
        }
    )


def _parquet(table: pa.Table) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue().to_pybytes()


def _whole(files: WarehouseStore, path: str) -> pa.Buffer:
    """A recorded archive file, read whole: Parquet decoding then never calls back into Python."""
    import pyarrow as pa

    return pa.py_buffer(files.read(archive_location(path)))


def write_archive(files: WarehouseStore, folder: str, rows: list[tuple[Any, ...]]) -> str:
    """Write rows to a new Parquet file under `folder` (a URI); its location."""
    location = f"{folder}/{uuid.uuid4().hex}.parquet"
    files.write(location, _parquet(archive_table(rows)), create=True)
    return location


def record_archive(storage: Storage, path: str, rows: list[tuple[Any, ...]]) -> int:
    """Record the file and drop its versions from hot SQLite, all or nothing; how many were dropped."""

    def run() -> int:
        storage.sql.exec(f"CREATE TABLE IF NOT EXISTS {COLD_FILES_TABLE} (path TEXT PRIMARY KEY)")
        storage.sql.exec(f"INSERT OR IGNORE INTO {COLD_FILES_TABLE} (path) VALUES (?)", path)
        dropped = 0
        for row in rows:
            dropped += storage.sql.exec(
                "DELETE FROM thing_versions WHERE thing_id = ? AND version = ?", row[0], row[4]
            ).rows_written
        return dropped

    return storage.transaction_sync(run)


def archive_files(storage: Storage) -> list[str]:
    """The archive files recorded for this object."""
    if not storage.table_exists(COLD_FILES_TABLE):
        return []
    return [row[0] for row in storage.sql.exec(f"SELECT path FROM {COLD_FILES_TABLE} ORDER BY path").raw()]


class ColdArchive:
    """Reads an object's archived versions back (the graph's `VersionArchive`)."""

    def __init__(self, storage: Storage, files: Callable[[], WarehouseStore]) -> None:
        self.storage = storage
        self._files = files

    def versions(self, thing_id: str) -> list[tuple[Any, ...]]:
        """Every archived version row of `thing_id`, oldest first."""
        paths = archive_files(self.storage)
        if not paths:  # the common case: no pyarrow import, no store
            return []
        import pyarrow.parquet as pq

        files = self._files()
        found: dict[int, tuple[Any, ...]] = {}
        for path in paths:
            table = pq.read_table(_whole(files, path), filters=[("thing_id", "=", thing_id)])
            for row in zip(*(table.column(name).to_pylist() for name in ARCHIVE_COLUMNS), strict=True):
                found[row[4]] = row
        return [found[version] for version in sorted(found)]


def things_mentioning(files: WarehouseStore, paths: list[str], mention: str) -> set[str]:
    """Ids of the archived things any version of which contains `mention` in its data."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    found: set[str] = set()
    for path in paths:
        try:
            table = pq.read_table(_whole(files, path), columns=["thing_id", "data"])
        except FileNotFoundError:
            continue
        hits = pc.fill_null(pc.match_substring(table.column("data"), mention), False)
        found.update(table.column("thing_id").filter(hits).to_pylist())
    return found


def erase_from_archive(files: WarehouseStore, path: str, thing_ids: set[str], mention: str) -> int:
    """Rewrite one archive file without the versions of `thing_ids` or mentioning `mention`; rows removed."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    location = archive_location(path)
    try:
        table = pq.read_table(_whole(files, location))
    except FileNotFoundError:
        return 0
    doomed = pc.or_(
        pc.is_in(table.column("thing_id"), value_set=pa.array(sorted(thing_ids), pa.string())),
        pc.fill_null(pc.match_substring(table.column("data"), mention), False),
    )
    removed = pc.sum(doomed).as_py() or 0
    if removed:
        files.write(location, _parquet(table.filter(pc.invert(doomed))))
    return removed
