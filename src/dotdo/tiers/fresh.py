"""Rows not shipped yet: outbox batches split per warm table, and shaped like the warm tables for
`fresh=True` queries, from live objects (the runtime) or from the objects' files (`dotdo query --fresh`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

from ..runtime.folder_lock import FolderLock
from ..runtime.storage import Storage
from . import outbox
from .query import FreshRows
from .tables import COLUMNS, new_fields, raw_batch, to_arrow
from .warehouse import PlannedScan, Tombstone, object_key

if TYPE_CHECKING:
    import pyarrow as pa

Batch = dict[tuple[str, str], list[outbox.QueuedRows]]
"""Queued rows per object (namespace, hex id)."""

_TOMBSTONE_OPS = {"purge", "delete"}


def split_batch(kind: str, batch: Batch) -> tuple[pa.Table, list[Tombstone]]:
    """The rows of table `kind` in a batch: the upserts as Arrow (`tables.RAW_COLUMNS`) and the removals."""
    parts = []
    tombstones = []
    for (namespace, hex_id), groups in batch.items():
        for group in groups:
            if group.kind != kind:
                continue
            if group.op in _TOMBSTONE_OPS:
                tombstones.extend(
                    Tombstone(namespace, hex_id, msgspec.json.decode(payload)["id"], sequence)
                    for sequence, payload in group.rows()
                )
            else:
                parts.append((namespace, hex_id, group.lines))
    return raw_batch(parts), tombstones


def fresh_rows(batch: Batch, scans: Mapping[str, PlannedScan]) -> FreshRows:
    """The unshipped rows of `batch` for each planned table, in that table's schema (with columns
    for fields the warm tier has not seen yet), and the removals not shipped yet."""
    import pyarrow as pa

    tables = {}
    removals: list[tuple[str, Tombstone]] = []
    for kind, scan in scans.items():
        raw, tombstones = split_batch(kind, batch)
        removals.extend((kind, t) for t in tombstones)
        schema = scan.schema
        known = promoted_types_of(schema) if kind == "things" else {}
        if kind == "things":
            new = new_fields(raw, known)
            known = {**known, **new}
            schema = _extend(schema, new)
        tables[kind] = to_arrow(kind, raw, schema, known)
    removal_table = pa.table(
        {
            "kind": pa.array([kind for kind, _ in removals], pa.string()),
            "object_id": pa.array([t.object_id for _, t in removals], pa.string()),
            "key": pa.array([t.key for _, t in removals], pa.string()),
            "sequence": pa.array([t.sequence for _, t in removals], pa.int64()),
        }
    )
    return FreshRows(tables, removal_table)


def object_files(data_dir: Path) -> list[tuple[str, str, Path]]:
    """(namespace, hex id, database file) of every object in a data folder."""
    return [(path.parent.parent.name, path.stem, path) for path in sorted((data_dir / "objects").glob("*/*/*.sqlite"))]


def read_outbox_files(
    data_dir: Path,
    marks: Mapping[str, Mapping[str, int]],
    *,
    on_object: Callable[[int, int], None] | None = None,
) -> Batch:
    """Every object's unshipped rows read from its file, for a process without the runtime.

    The data folder's lock is held while reading, so no runtime opens an object meanwhile; a
    runtime that holds the folder raises `DataFolderInUseError` (its live objects' files are
    locked: ask that runtime, `rt.query(sql, fresh=True)`). `on_object(done, total)` reports progress.
    """
    lock = FolderLock(data_dir)
    lock.acquire()
    try:
        files = object_files(data_dir)
        batch: Batch = {}
        for done, (namespace, hex_id, path) in enumerate(files, 1):
            if outbox.file_has_rows(path):
                storage = Storage(path)
                try:
                    queued = outbox.pending(storage, marks.get(object_key(namespace, hex_id), {}), 1 << 62)
                finally:
                    storage.close()
                if queued:
                    batch[(namespace, hex_id)] = queued
            if on_object is not None:
                on_object(done, len(files))
        return batch
    finally:
        lock.release()


def promoted_types_of(schema: pa.Schema) -> dict[str, str]:
    """Promoted field columns of an Arrow `things` schema, name -> type."""
    import pyarrow as pa

    base = {name for name, _ in COLUMNS["things"]}
    names = {pa.bool_(): "bool", pa.int64(): "long", pa.float64(): "double", pa.string(): "string"}
    return {f.name: names.get(f.type, "string") for f in schema if f.name not in base}


def _extend(schema: pa.Schema, new: dict[str, str]) -> pa.Schema:
    import pyarrow as pa

    arrow_types = {"bool": pa.bool_(), "long": pa.int64(), "double": pa.float64(), "string": pa.string()}
    for name, field_type in new.items():
        schema = schema.append(pa.field(name, arrow_types[field_type]))
    return schema
