"""The warm tier: four Iceberg tables in a SQL catalog, written through pyiceberg (imported lazily).

Shipping is exactly-once per row: each commit appends a batch and, in the same Iceberg transaction,
records per object the highest outbox sequence it holds (a table property). A batch re-sent after a
crash is filtered by those marks, so a row lands once however often it is sent.
"""

from __future__ import annotations

import threading
import time
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from .config import TierConfig
from .duckdb_connection import connect_duckdb
from .object_store import WarehouseStore
from .outbox import TABLE_KINDS
from .tables import iceberg_schema, iceberg_type, new_fields, partition_spec, promoted_types, to_arrow

if TYPE_CHECKING:
    import pyarrow as pa
    from pyiceberg.catalog.sql import SqlCatalog
    from pyiceberg.table import Table

CATALOG_NAMESPACE = "dotdo"
SHIPPED_PREFIX = "dotdo.shipped."
LAST_COMPACTION = "dotdo.last-compaction"
ICEBERG_FILE_IO = "dotdo.tiers.iceberg_io.ObstoreFileIO"
"""pyiceberg's FileIO for the warehouse unless `storage_options` names another (`py-io-impl`)."""


def object_key(namespace: str, object_id: str) -> str:
    """How an object is named in the shipping marks."""
    return f"{namespace}/{object_id}"


@dataclass(frozen=True, slots=True)
class Tombstone:
    """A removal in a hot object: rows of `key` (a thing or relationship id) below `sequence` go."""

    namespace: str
    object_id: str
    key: str
    sequence: int


@dataclass(frozen=True, slots=True)
class PlannedScan:
    """What a query reads of one table: Parquet `files` (planned by pyiceberg), or `rows` when the
    plan carries delete files that only pyiceberg applies; `schema` is the table's Arrow schema."""

    files: list[str]
    rows: pa.Table | None
    schema: pa.Schema


@dataclass(frozen=True, slots=True)
class TableStatus:
    """Size and upkeep of one warm table."""

    name: str
    files: int
    bytes: int
    rows: int
    snapshots: int
    last_compaction: str | None
    promoted_columns: list[str]


def strip_scheme(location: str) -> str:
    """A file location as a filesystem path (`file:///a` -> `/a`, `s3://b/k` -> `b/k`)."""
    parsed = urlparse(location)
    if parsed.scheme in ("", "file"):
        return parsed.path
    return f"{parsed.netloc}{parsed.path}"


class Warehouse:
    """The warm tables of one data folder."""

    def __init__(self, config: TierConfig, data_dir: Path) -> None:
        self.config = config
        self.uri = config.warehouse_uri(data_dir)
        self.catalog_url = config.catalog_url(data_dir)
        self.local = urlparse(self.uri).scheme == "file"
        self._data_dir = data_dir
        self.files = WarehouseStore(config.storage_options)
        """The warehouse's files (obstore), for what the tiers read and write besides pyiceberg."""
        self._catalog: SqlCatalog | None = None
        self._lock = threading.RLock()

    # -- catalog and tables ---------------------------------------------------------------------

    @property
    def catalog(self) -> SqlCatalog:
        """The Iceberg SQL catalog (created on first use)."""
        with self._lock:
            if self._catalog is None:
                from pyiceberg.catalog.sql import SqlCatalog

                if self.catalog_url.startswith("sqlite:///"):
                    Path(self.catalog_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
                if self.local:
                    Path(strip_scheme(self.uri)).mkdir(parents=True, exist_ok=True)
                properties = {"py-io-impl": ICEBERG_FILE_IO, **self.config.storage_options}
                catalog = SqlCatalog("dotdo", uri=self.catalog_url, warehouse=self.uri, **properties)
                catalog.create_namespace_if_not_exists(CATALOG_NAMESPACE)
                self._catalog = catalog
            return self._catalog

    def table(self, kind: str) -> Table:
        """The warm table `kind`, created with its schema and partitioning on first use."""
        if kind not in TABLE_KINDS:
            raise ValueError(f"unknown warm table {kind!r}; tables: {', '.join(TABLE_KINDS)}")
        with self._lock:
            schema = iceberg_schema(kind)
            return self.catalog.create_table_if_not_exists(
                (CATALOG_NAMESPACE, kind),
                schema=schema,
                partition_spec=partition_spec(kind, schema),
                properties={"format-version": "2", "write.parquet.compression-codec": "zstd"},
            )

    def existing_table(self, kind: str) -> Table | None:
        """The warm table `kind` if something was ever shipped to it."""
        from pyiceberg.exceptions import NoSuchTableError

        try:
            return self.catalog.load_table((CATALOG_NAMESPACE, kind))
        except NoSuchTableError:
            return None

    # -- shipping -------------------------------------------------------------------------------

    def shipped(self, kind: str) -> dict[str, int]:
        """Per object (`object_key`), the highest outbox sequence the table holds."""
        table = self.existing_table(kind)
        if table is None:
            return {}
        return {
            key.removeprefix(SHIPPED_PREFIX): int(value)
            for key, value in table.properties.items()
            if key.startswith(SHIPPED_PREFIX)
        }

    def marks(self) -> dict[str, dict[str, int]]:
        """Per object (`object_key`), per table, the highest outbox sequence the warm tier holds."""
        marks: dict[str, dict[str, int]] = {}
        for kind in TABLE_KINDS:
            for key, sequence in self.shipped(kind).items():
                marks.setdefault(key, {})[kind] = sequence
        return marks

    def commit(self, kind: str, raw: pa.Table, tombstones: list[Tombstone]) -> dict[str, int]:
        """Append the batch `raw` (`tables.RAW_COLUMNS`) and apply `tombstones` in one Iceberg
        transaction, skipping what the table already holds; the new shipping marks per object."""
        from pyiceberg.expressions import And, EqualTo, LessThan, Or

        with self._lock:
            table = self.table(kind)
            marks = {
                key.removeprefix(SHIPPED_PREFIX): int(value)
                for key, value in table.properties.items()
                if key.startswith(SHIPPED_PREFIX)
            }
            tombstones = [t for t in tombstones if t.sequence > marks.get(object_key(t.namespace, t.object_id), 0)]
            raw = _unshipped(raw, marks, tombstones)
            new_marks: dict[str, int] = {}
            for namespace, object_id, sequence in _last_sequences(raw):
                new_marks[object_key(namespace, object_id)] = sequence
            for t in tombstones:
                key = object_key(t.namespace, t.object_id)
                new_marks[key] = max(new_marks.get(key, 0), t.sequence)
            if not new_marks:
                return {}
            with table.transaction() as tx:
                if tombstones:
                    # A removal of a row that never shipped matches nothing; pyiceberg warns about it.
                    with warnings.catch_warnings():
                        warnings.filterwarnings("ignore", "Delete operation did not match any records")
                        tx.delete(
                            any_of(
                                [
                                    And(
                                        EqualTo("object_id", t.object_id),
                                        EqualTo("id", t.key),
                                        LessThan("sequence", t.sequence),
                                    )
                                    for t in tombstones
                                ],
                                Or,
                            )
                        )
                if raw.num_rows:
                    known = promoted_types(tx.table_metadata.schema()) if kind == "things" else {}
                    if kind == "things":
                        new = new_fields(raw, known)
                        if new:
                            update = tx.update_schema()
                            for name, field_type in new.items():
                                update.add_column(name, iceberg_type(field_type))
                            update.commit()
                            known = {**known, **new}
                    schema = tx.table_metadata.schema().as_arrow()
                    tx.append(to_arrow(kind, raw, schema, known))
                tx.set_properties({SHIPPED_PREFIX + key: str(value) for key, value in new_marks.items()})
            return new_marks

    # -- reading --------------------------------------------------------------------------------

    def plan(self, kind: str, as_of: datetime | None = None) -> PlannedScan:
        """The data files of table `kind` now (or at `as_of`), as pyiceberg plans them."""

        table = self.existing_table(kind)
        if table is None:
            schema = iceberg_schema(kind).as_arrow()
            return PlannedScan([], schema.empty_table(), schema)
        snapshot = table.current_snapshot()
        schema = table.schema()
        if as_of is not None:
            snapshot = table.snapshot_as_of_timestamp(int(as_of.timestamp() * 1000))
            if snapshot is not None and snapshot.schema_id is not None:
                schema = table.schemas().get(snapshot.schema_id, schema)
        arrow_schema = schema.as_arrow()
        if snapshot is None:
            return PlannedScan([], arrow_schema.empty_table(), arrow_schema)
        scan = table.scan(snapshot_id=snapshot.snapshot_id)
        tasks = list(scan.plan_files())
        if any(task.delete_files for task in tasks):
            rows: pa.Table = scan.to_arrow()
            return PlannedScan([], rows, arrow_schema)
        files = [strip_scheme(task.file.file_path) if self.local else task.file.file_path for task in tasks]
        return PlannedScan(files, None, arrow_schema)

    def dataset(self, scan: PlannedScan) -> Any:
        """The planned files as a pyarrow dataset in the table's schema (older files lack newer columns).

        Local files are read where they are. Remote files are fetched whole and concurrently by
        obstore, then scanned from memory: the engines' scans never call back into Python, and
        DuckDB still reads only the columns a query needs from them.
        """
        import pyarrow as pa
        import pyarrow.dataset as ds

        if self.local:
            return ds.dataset(scan.files, schema=scan.schema, format="parquet")
        parquet = ds.ParquetFileFormat()
        fragments = [parquet.make_fragment(pa.py_buffer(data)) for data in self.files.read_all(scan.files)]
        return ds.FileSystemDataset(fragments, scan.schema, parquet)

    # -- upkeep ---------------------------------------------------------------------------------

    def compact(self, kind: str, *, force: bool = False) -> bool:
        """Rewrite the table's data files into few large ones when it has more than
        `compact_min_files`; expire snapshots past retention. True if it rewrote."""
        with self._lock:
            table = self.existing_table(kind)
            if table is None or table.current_snapshot() is None:
                return False
            tasks = list(table.scan().plan_files())
            rewrote = False
            if force or len(tasks) > self.config.compact_min_files:
                rows = table.scan().to_arrow()
                with table.transaction() as tx:
                    tx.overwrite(rows)
                    tx.set_properties({LAST_COMPACTION: datetime.now(UTC).isoformat(timespec="seconds")})
                rewrote = True
            self.expire(kind, older_than=time.time() - self.config.snapshot_retention)
            return rewrote

    def expire(self, kind: str, *, older_than: float, spare_recent_files: float = 3600.0) -> int:
        """Expire the snapshots of `kind` older than `older_than` (epoch seconds) except the current
        one, then delete the data files no snapshot refers to any more; how many snapshots went.

        Files younger than `spare_recent_files` seconds are spared: another process may have written
        them for a commit it has not made yet. Erasure passes 0.
        """
        with self._lock:
            table = self.existing_table(kind)
            if table is None:
                return 0
            current = table.current_snapshot()
            cutoff = older_than * 1000
            old = [
                s.snapshot_id
                for s in table.snapshots()
                if s.timestamp_ms < cutoff and (current is None or s.snapshot_id != current.snapshot_id)
            ]
            if old:
                table.maintenance.expire_snapshots().by_ids(old).commit()
                table = self.catalog.load_table((CATALOG_NAMESPACE, kind))
            if old or spare_recent_files == 0:
                self._remove_unreferenced_files(table, time.time() - spare_recent_files)
            return len(old)

    def _remove_unreferenced_files(self, table: Table, written_before: float) -> None:
        referenced = {strip_scheme(row) for row in table.inspect.all_files().column("file_path").to_pylist()}
        for stored in list(self.files.list(f"{table.location()}/data")):
            if (
                stored.location.endswith(".parquet")
                and strip_scheme(stored.location) not in referenced
                and stored.modified.timestamp() <= written_before
            ):
                self.files.delete(stored.location)

    def delete_matching(self, kind: str, column: str, keys: Iterable[tuple[str, Any]]) -> int:
        """Delete the rows whose `(object_id, column)` is one of `keys`; how many rows the table lost."""
        from pyiceberg.expressions import And, EqualTo, Or

        predicates = [And(EqualTo("object_id", object_id), EqualTo(column, value)) for object_id, value in keys]
        with self._lock:
            table = self.existing_table(kind)
            if table is None or table.current_snapshot() is None or not predicates:
                return 0
            before = _row_count(table)
            table.delete(any_of(predicates, Or))
            table = self.catalog.load_table((CATALOG_NAMESPACE, kind))
            return before - _row_count(table)

    # -- status ---------------------------------------------------------------------------------

    def status(self) -> list[TableStatus]:
        """Files, bytes, rows and snapshots of each warm table."""
        result = []
        for kind in TABLE_KINDS:
            table = self.existing_table(kind)
            if table is None:
                result.append(TableStatus(kind, 0, 0, 0, 0, None, []))
                continue
            tasks = list(table.scan().plan_files()) if table.current_snapshot() else []
            result.append(
                TableStatus(
                    kind,
                    len(tasks),
                    sum(task.file.file_size_in_bytes for task in tasks),
                    sum(task.file.record_count for task in tasks),
                    len(table.snapshots()),
                    table.properties.get(LAST_COMPACTION),
                    sorted(promoted_types(table.schema())) if kind == "things" else [],
                )
            )
        return result


def _unshipped(raw: pa.Table, marks: Mapping[str, int], tombstones: list[Tombstone]) -> pa.Table:
    """The rows of `raw` above their object's mark and not removed later in the same batch."""
    import pyarrow as pa

    if not tombstones and not any(marks.get(f"{n}/{o}") for n, o in _objects(raw)):
        return raw

    mark_table = pa.table(
        {
            "object_key": pa.array(list(marks), pa.string()),
            "mark": pa.array(list(marks.values()), pa.int64()),
        }
    )
    removals = pa.table(
        {
            "object_id": pa.array([t.object_id for t in tombstones], pa.string()),
            "key": pa.array([t.key for t in tombstones], pa.string()),
            "sequence": pa.array([t.sequence for t in tombstones], pa.int64()),
        }
    )
    conn = connect_duckdb()
    try:
        conn.register("raw", raw)
        conn.register("marks", mark_table)
        conn.register("removals", removals)
        return conn.sql(
            "SELECT r.* FROM raw AS r LEFT JOIN marks AS m ON m.object_key = r.namespace || '/' || r.object_id "
            "WHERE r.sequence > coalesce(m.mark, 0) AND NOT EXISTS (SELECT 1 FROM removals AS x "
            "WHERE x.object_id = r.object_id AND x.key = r.payload ->> '$.id' AND x.sequence > r.sequence)"
        ).to_arrow_table()
    finally:
        conn.close()


def _objects(raw: pa.Table) -> list[tuple[str, str]]:
    """The distinct (namespace, object_id) pairs of a batch."""
    if not raw.num_rows:
        return []
    pairs = raw.select(["namespace", "object_id"]).group_by(["namespace", "object_id"]).aggregate([])
    return list(zip(pairs.column("namespace").to_pylist(), pairs.column("object_id").to_pylist(), strict=True))


def _last_sequences(raw: pa.Table) -> list[tuple[str, str, int]]:
    """(namespace, object_id, highest sequence) of each object in `raw`."""
    if not raw.num_rows:
        return []
    grouped = raw.group_by(["namespace", "object_id"]).aggregate([("sequence", "max")])
    return list(
        zip(
            grouped.column("namespace").to_pylist(),
            grouped.column("object_id").to_pylist(),
            grouped.column("sequence_max").to_pylist(),
            strict=True,
        )
    )


def _row_count(table: Table) -> int:
    if table.current_snapshot() is None:
        return 0
    return sum(task.file.record_count for task in table.scan().plan_files())


def any_of(predicates: list[Any], combine: Any) -> Any:
    """`predicates` joined by `combine` (pyiceberg's Or or And)."""
    # A balanced tree: a long left-leaning chain would overflow the recursion of expression visitors.
    if len(predicates) == 1:
        return predicates[0]
    middle = len(predicates) // 2
    return combine(any_of(predicates[:middle], combine), any_of(predicates[middle:], combine))
