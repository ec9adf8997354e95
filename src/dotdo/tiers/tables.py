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
from dataclasses import dataclass
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
_INT64 = (-(2**63), 2**63 - 1)


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


@dataclass(frozen=True, slots=True)
class ShippedRow:
    """An outbox row with the object it came from."""

    namespace: str
    object_id: str
    sequence: int
    payload: Mapping[str, Any]


def decode_rows(namespace: str, object_id: str, rows: Iterable[tuple[int, str]]) -> list[ShippedRow]:
    """Outbox rows `(sequence, payload JSON)` of one object, decoded."""
    decode = msgspec.json.decode
    return [ShippedRow(namespace, object_id, sequence, decode(payload)) for sequence, payload in rows]


def _field_type(value: Any) -> str | None:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "long" if _INT64[0] <= value <= _INT64[1] else None
    if isinstance(value, float):
        return "double"
    if isinstance(value, str):
        return "string"
    return None


def _fits(value: Any, field_type: str) -> Any:
    found = _field_type(value)
    if found == field_type:
        return value
    if field_type == "double" and found == "long":
        return float(value)
    return None


def thing_fields(rows: list[ShippedRow], known: Mapping[str, str]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Each row's promotable fields, and the new columns (name -> type) the batch brings beyond `known`."""
    base = {name for name, _ in COLUMNS["things"]}
    documents: list[dict[str, Any]] = []
    new: dict[str, str] = {}
    decode = msgspec.json.decode
    for row in rows:
        text = row.payload.get("data")
        try:
            document = decode(text) if isinstance(text, str) else {}
        except msgspec.DecodeError:
            document = {}
        fields = {}
        if isinstance(document, dict):
            for name, value in document.items():
                if name in base or not _FIELD_NAME.fullmatch(name):
                    continue
                fields[name] = value
                if name in known:
                    continue
                found = _field_type(value)
                if found is None:
                    continue
                seen = new.get(name)
                if seen is None or (seen == "long" and found == "double"):
                    new[name] = found
        documents.append(fields)
    return documents, new


def to_arrow(kind: str, rows: list[ShippedRow], schema: pa.Schema, field_types: Mapping[str, str]) -> pa.Table:
    """An Arrow table of `rows` in the table's current `schema` (promoted fields typed by `field_types`)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    columns: dict[str, pa.Array] = {}
    utc = pa.timestamp("us", tz="UTC")
    for name, code in COLUMNS[kind]:
        if name == "namespace":
            values: list[Any] = [row.namespace for row in rows]
        elif name == "object_id":
            values = [row.object_id for row in rows]
        elif name == "sequence":
            values = [row.sequence for row in rows]
        else:
            values = [row.payload.get(name) for row in rows]
        if code == "s":
            columns[name] = pa.array([None if v is None else str(v) for v in values], pa.string())
        elif code == "l":
            columns[name] = pa.array(values, pa.int64())
        elif code == "t":
            columns[name] = pc.cast(pa.array(values, pa.string()), utc)
        else:
            columns[name] = pa.array([None if v is None else round(v * 1_000_000) for v in values], pa.int64()).cast(
                utc
            )
    if kind == "things" and field_types:
        documents, _ = thing_fields(rows, field_types)
        arrow_types = {"bool": pa.bool_(), "long": pa.int64(), "double": pa.float64(), "string": pa.string()}
        for name, field_type in field_types.items():
            columns[name] = pa.array([_fits(doc.get(name), field_type) for doc in documents], arrow_types[field_type])
    table = pa.table(columns)
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
