"""The warm tables (`things`, `relationships`, `events`, `actions`): Iceberg schemas, partitions, and
the conversion of outbox rows to Arrow.

A thing's top-level scalar fields also become columns of `things` (its JSON stays in `data`), so
`SELECT sum(amount) FROM things` works; a field seen for the first time adds a column (schema
evolution). A value that does not fit its column's type is left out of the column (null) and stays
in `data`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import msgspec

if TYPE_CHECKING:
    import pyarrow as pa
    from pyiceberg.partitioning import PartitionSpec
    from pyiceberg.schema import Schema

# (column, type): "s" text, "l" 64-bit integer, "t" timestamp from ISO text, "e" timestamp from epoch seconds.
COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "things": (
        ("namespace", "s"),
        ("object_id", "s"),
        ("sequence", "l"),
        ("id", "s"),
        ("type", "s"),
        ("name", "s"),
        ("data", "s"),
        ("version", "l"),
        ("created_at", "t"),
        ("updated_at", "t"),
        ("deleted_at", "t"),
        ("visibility", "s"),
    ),
    "relationships": (
        ("namespace", "s"),
        ("object_id", "s"),
        ("sequence", "l"),
        ("id", "s"),
        ("from_id", "s"),
        ("to_id", "s"),
        ("type", "s"),
        ("data", "s"),
        ("created_at", "t"),
    ),
    "events": (
        ("namespace", "s"),
        ("object_id", "s"),
        ("sequence", "l"),
        ("event_sequence", "l"),
        ("id", "s"),
        ("type", "s"),
        ("noun", "s"),
        ("verb", "s"),
        ("data", "s"),
        ("source", "s"),
        ("timestamp", "e"),
        ("origin", "s"),
    ),
    "actions": (
        ("namespace", "s"),
        ("object_id", "s"),
        ("sequence", "l"),
        ("step_id", "s"),
        ("kind", "s"),
        ("action", "s"),
        ("args", "s"),
        ("status", "s"),
        ("attempts", "l"),
        ("result", "s"),
        ("error", "s"),
        ("created_at", "e"),
        ("updated_at", "e"),
    ),
}

# Partition columns per table: identity columns, then the column whose day partitions.
PARTITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "things": (("namespace", "type", "visibility"), "updated_at"),
    "relationships": (("namespace", "type"), "created_at"),
    "events": (("namespace", "type"), "timestamp"),
    "actions": (("namespace",), "updated_at"),
}

_FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


def iceberg_schema(kind: str) -> Schema:
    """The Iceberg schema a new warm table starts with."""
    from pyiceberg.schema import Schema
    from pyiceberg.types import LongType, NestedField, StringType, TimestamptzType

    types = {"s": StringType(), "l": LongType(), "t": TimestamptzType(), "e": TimestamptzType()}
    return Schema(
        *(
            NestedField(field_id=i, name=name, field_type=types[code], required=False)
            for i, (name, code) in enumerate(COLUMNS[kind], start=1)
        )
    )


def partition_spec(kind: str, schema: Schema) -> PartitionSpec:
    """Partitioned by namespace (the object's class), type, visibility where it has them, and day."""
    from pyiceberg.partitioning import PartitionField, PartitionSpec
    from pyiceberg.transforms import DayTransform, IdentityTransform

    identity, day_column = PARTITIONS[kind]
    fields = [
        PartitionField(
            source_id=schema.find_field(name).field_id, field_id=1000 + i, transform=IdentityTransform(), name=name
        )
        for i, name in enumerate(identity)
    ]
    fields.append(
        PartitionField(
            source_id=schema.find_field(day_column).field_id,
            field_id=1000 + len(identity),
            transform=DayTransform(),
            name=f"{day_column}_day",
        )
    )
    return PartitionSpec(*fields)


RAW_COLUMNS = ("namespace", "object_id", "sequence", "payload")
"""The columns of a batch as read from outboxes: the object, the outbox sequence, the row as JSON text."""

_DUCK_TYPES = {"s": "VARCHAR", "l": "BIGINT", "t": "VARCHAR", "e": "DOUBLE"}
_FIELD_TYPES = {"BIGINT": "long", "UBIGINT": "long", "DOUBLE": "double", "VARCHAR": "string", "BOOLEAN": "bool"}
_FIELD_SQL = {
    "long": "CASE WHEN json_type({f}) IN ('BIGINT', 'UBIGINT') THEN TRY_CAST({f} AS BIGINT) END",
    "double": "CASE WHEN json_type({f}) IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN TRY_CAST({f} AS DOUBLE) END",
    "string": "CASE WHEN json_type({f}) = 'VARCHAR' THEN {f} ->> '$' END",
    "bool": "CASE WHEN json_type({f}) = 'BOOLEAN' THEN TRY_CAST({f} AS BOOLEAN) END",
}


def raw_batch(parts: Iterable[tuple[str, str, str]]) -> pa.Table:
    """A batch as Arrow (`RAW_COLUMNS`) from `(namespace, object_id, lines)` per object, where `lines`
    holds one `sequence<TAB>payload` line per row (see `outbox.QueuedRows`); split by Arrow's
    tab-separated reader (no quoting: JSON text holds no raw tab or newline)."""
    import io

    import pyarrow as pa
    import pyarrow.csv as pacsv

    read_options = pacsv.ReadOptions(column_names=["sequence", "payload"])
    parse_options = pacsv.ParseOptions(delimiter="\t", quote_char=False, escape_char=False)
    convert_options = pacsv.ConvertOptions(column_types={"sequence": pa.int64(), "payload": pa.string()})
    tables = []
    for namespace, object_id, lines in parts:
        if not lines:
            continue
        rows = pacsv.read_csv(
            io.BytesIO(lines.encode()),
            read_options=read_options,
            parse_options=parse_options,
            convert_options=convert_options,
        )
        count = rows.num_rows
        tables.append(
            pa.table(
                {
                    "namespace": pa.array([namespace] * count, pa.string()),
                    "object_id": pa.array([object_id] * count, pa.string()),
                    "sequence": rows.column("sequence"),
                    "payload": rows.column("payload"),
                }
            )
        )
    if not tables:
        types = (pa.string(), pa.string(), pa.int64(), pa.string())
        return pa.table({name: pa.array([], type_) for name, type_ in zip(RAW_COLUMNS, types, strict=True)})
    return pa.concat_tables(tables)


def new_fields(raw: pa.Table, known: Mapping[str, str]) -> dict[str, str]:
    """The promotable top-level fields of the things in `raw` that `known` lacks, name -> type.

    A field whose values disagree on type across the batch (say a number here, text there) is not
    promoted; it stays in `data`.
    """
    from .duckdb_connection import connect_duckdb

    if not raw.num_rows:
        return {}
    conn = connect_duckdb()
    try:
        conn.register("raw", raw)
        (structure,) = conn.execute(
            "SELECT json_group_structure(TRY_CAST(payload ->> '$.data' AS JSON)) FROM raw"
        ).fetchone()
    finally:
        conn.close()
    found = msgspec.json.decode(structure) if structure else None
    if not isinstance(found, dict):
        return {}
    base = {name for name, _ in COLUMNS["things"]}
    return {
        name: _FIELD_TYPES[kind]
        for name, kind in found.items()
        if isinstance(kind, str)
        and kind in _FIELD_TYPES
        and name not in base
        and name not in known
        and _FIELD_NAME.fullmatch(name)
    }


def to_arrow(kind: str, raw: pa.Table, schema: pa.Schema, field_types: Mapping[str, str]) -> pa.Table:
    """The rows of `raw` as the table's Arrow `schema`: JSON parsed and typed in DuckDB, in bulk.

    A promoted field whose value does not have the column's type is null in the column (it stays in `data`).
    """
    from .duckdb_connection import connect_duckdb

    payload_columns = [(name, code) for name, code in COLUMNS[kind] if name not in RAW_COLUMNS]
    structure = msgspec.json.encode({name: _DUCK_TYPES[code] for name, code in payload_columns}).decode()
    selects = ["namespace", "object_id", "sequence"]
    for name, code in payload_columns:
        column = f'p."{name}"'
        if code == "t":
            column = f"CAST({column} AS TIMESTAMPTZ)"
        elif code == "e":
            column = f"to_timestamp({column})"
        selects.append(f'{column} AS "{name}"')
    source = f"SELECT namespace, object_id, sequence, json_transform(payload, '{structure}') AS p FROM raw"
    if kind == "things" and field_types:
        field_structure = msgspec.json.encode({name: "JSON" for name in field_types}).decode()
        source = f"SELECT *, json_transform(TRY_CAST(p.data AS JSON), '{field_structure}') AS f FROM ({source})"
        for name, field_type in field_types.items():
            selects.append(f'{_FIELD_SQL[field_type].format(f=f"f.{name}")} AS "{name}"')
    conn = connect_duckdb()
    try:
        conn.execute("SET TimeZone = 'UTC'")
        conn.register("raw", raw)
        table = conn.sql(f"SELECT {', '.join(selects)} FROM ({source})").to_arrow_table()
    finally:
        conn.close()
    return table.select([field.name for field in schema]).cast(schema)


def promoted_types(schema: Schema) -> dict[str, str]:
    """The promoted field columns of the `things` table's schema, name -> type."""
    base = {name for name, _ in COLUMNS["things"]}
    names = {"boolean": "bool", "long": "long", "double": "double", "string": "string"}
    return {field.name: names[str(field.field_type)] for field in schema.fields if field.name not in base}


def iceberg_type(field_type: str) -> Any:
    """The Iceberg type of a promoted field type."""
    from pyiceberg.types import BooleanType, DoubleType, LongType, StringType

    return {"bool": BooleanType(), "long": LongType(), "double": DoubleType(), "string": StringType()}[field_type]
