"""Filters over JSON documents, as a tree every search layer parses its own syntax into, and as SQL.

Meilisearch's `genre = drama AND price > 10`, Typesense's `genre:=drama && price:>10` and a Qdrant
`must` clause all become the same tree, which `to_sql` turns into a condition on the documents table
(`d.doc` holds each document's JSON). Every comparison looks into arrays: `tags = "a"` holds for a
document whose `tags` is `"a"` or contains `"a"`, as in every one of these engines. `!=` holds where
`=` does not, so a document without the field passes it. Strings compare exactly (case counts),
numbers only with numbers, booleans only with booleans.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

Scalar = str | float | int | bool

_FIELD = re.compile(r"[^\"\\\x00-\x1f]+")
MAX_FILTER_NODES = 2000
"""The most comparisons one filter may hold (a guard against filters built to exhaust the server)."""


class FilterError(ValueError):
    """A filter that cannot be applied; the message says which part and why."""


@dataclass(frozen=True)
class Compare:
    """`field op value`, op one of = != > >= < <=."""

    field: str
    op: str
    value: Scalar


@dataclass(frozen=True)
class Exists:
    """The field is present (null counts as present)."""

    field: str


@dataclass(frozen=True)
class IsNull:
    """The field is present and null."""

    field: str


@dataclass(frozen=True)
class IsEmpty:
    """The field is an empty string, array or object."""

    field: str


@dataclass(frozen=True)
class Contains:
    """The field is a string holding `text` (case counts)."""

    field: str
    text: str


@dataclass(frozen=True)
class EqualsIgnoringCase:
    """The field is (or, an array, holds) a string equal to `text` when the case of ASCII letters is ignored
    (Algolia's facet filters: `color:BLUE` matches "blue")."""

    field: str
    text: str


@dataclass(frozen=True)
class GeoRadius:
    """The document's `_geo` point ({lat, lng}) lies within `meters` of (lat, lng)."""

    lat: float
    lng: float
    meters: float


@dataclass(frozen=True)
class And:
    """Every item holds."""

    items: tuple[Filter, ...]


@dataclass(frozen=True)
class Or:
    """At least one item holds."""

    items: tuple[Filter, ...]


@dataclass(frozen=True)
class Not:
    """The item does not hold."""

    item: Filter


Filter = Compare | EqualsIgnoringCase | Contains | Exists | IsNull | IsEmpty | GeoRadius | And | Or | Not

OPERATORS = ("=", "!=", ">", ">=", "<", "<=")
EARTH_RADIUS_METERS = 6_371_000.0


def json_path(field: str) -> str:
    """The SQLite JSON path of a dotted field name (`a.b` -> `$."a"."b"`)."""
    if not field or not all(_FIELD.fullmatch(part) for part in field.split(".")):
        raise FilterError(f"invalid attribute name {field!r}")
    return "$" + "".join(f'."{part}"' for part in field.split("."))


def fields_of(tree: Filter) -> set[str]:
    """The attribute names a filter reads (`_geo` for a radius)."""
    if isinstance(tree, And | Or):
        return set().union(*(fields_of(item) for item in tree.items)) if tree.items else set()
    if isinstance(tree, Not):
        return fields_of(tree.item)
    if isinstance(tree, GeoRadius):
        return {"_geo"}
    return {tree.field}


def _count(tree: Filter) -> int:
    if isinstance(tree, And | Or):
        return 1 + sum(_count(item) for item in tree.items)
    if isinstance(tree, Not):
        return 1 + _count(tree.item)
    return 1


def to_sql(tree: Filter | None, document: str = "d.doc") -> tuple[str, list[Any]]:
    """The SQL condition (with its bindings) that holds for the documents `tree` accepts."""
    if tree is None:
        return "1", []
    if _count(tree) > MAX_FILTER_NODES:
        raise FilterError(f"the filter has more than {MAX_FILTER_NODES} conditions; split the query")
    bindings: list[Any] = []
    return _sql(tree, document, bindings), bindings


def _element(value: Scalar, op: str, bindings: list[Any]) -> str:
    if isinstance(value, bool):
        if op not in ("=", "!="):
            raise FilterError(f"a boolean can only be compared with = or !=, not {op}")
        return f"type = '{'true' if value else 'false'}'"
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            raise FilterError(f"{value} is not a number a filter can compare with")
        bindings.append(value)
        return f"type IN ('integer', 'real') AND value {op} ?"
    if isinstance(value, str):
        if op not in ("=", "!="):
            raise FilterError(f"{op} compares numbers; {value!r} is a string")
        bindings.append(value)
        return "type = 'text' AND value = ?"
    raise FilterError(f"cannot compare with {value!r}")


def _sql(tree: Filter, document: str, bindings: list[Any]) -> str:
    if isinstance(tree, And | Or):
        if not tree.items:
            return "1" if isinstance(tree, And) else "0"
        joiner = " AND " if isinstance(tree, And) else " OR "
        return "(" + joiner.join(_sql(item, document, bindings) for item in tree.items) + ")"
    if isinstance(tree, Not):
        return f"NOT ({_sql(tree.item, document, bindings)})"
    if isinstance(tree, GeoRadius):
        for number in (tree.lat, tree.lng, tree.meters):
            if not isinstance(number, int | float) or not math.isfinite(number):
                raise FilterError("a geo radius needs finite latitude, longitude and distance")
        if not (-90 <= tree.lat <= 90 and -180 <= tree.lng <= 180):
            raise FilterError(f"({tree.lat}, {tree.lng}) is not a valid latitude and longitude")
        lat, lng = f"json_extract({document}, '$._geo.lat')", f"json_extract({document}, '$._geo.lng')"
        bindings.extend([EARTH_RADIUS_METERS, tree.lat, tree.lat, tree.lng, tree.meters])
        # The haversine distance: its asin form stays exact for nearby points, unlike acos.
        return (
            f"({lat} IS NOT NULL AND {lng} IS NOT NULL AND "
            f"2 * ? * asin(min(1, sqrt(pow(sin(radians({lat} - ?) / 2), 2) "
            f"+ cos(radians(?)) * cos(radians({lat})) * pow(sin(radians({lng} - ?) / 2), 2)))) <= ?)"
        )
    path = json_path(tree.field)
    bindings.append(path)
    if isinstance(tree, Exists):
        return f"json_type({document}, ?) IS NOT NULL"
    if isinstance(tree, EqualsIgnoringCase):
        if not isinstance(tree.text, str):
            raise FilterError(f"can only compare {tree.field!r} with a string, not {tree.text!r}")
        bindings.append(tree.text)
        return f"EXISTS (SELECT 1 FROM json_each({document}, ?) WHERE type = 'text' AND lower(value) = lower(?))"
    if isinstance(tree, Contains):
        if not isinstance(tree.text, str):
            raise FilterError(f"can only look for a string in {tree.field!r}, not {tree.text!r}")
        bindings.extend([path, tree.text])
        return f"(json_type({document}, ?) = 'text' AND instr(json_extract({document}, ?), ?) > 0)"
    if isinstance(tree, IsNull):
        return f"json_type({document}, ?) IS 'null'"
    if isinstance(tree, IsEmpty):
        bindings.extend([path, path, path])
        return (
            f"CASE json_type({document}, ?) WHEN 'text' THEN json_extract({document}, ?) = '' "
            f"WHEN 'array' THEN json_array_length({document}, ?) = 0 "
            f"WHEN 'object' THEN json_extract({document}, ?) = '{{}}' ELSE 0 END"
        )
    if tree.op not in OPERATORS:
        raise FilterError(f"unknown comparison {tree.op!r}; use one of {', '.join(OPERATORS)}")
    if tree.op == "!=":
        return f"NOT EXISTS (SELECT 1 FROM json_each({document}, ?) WHERE {_element(tree.value, '=', bindings)})"
    return f"EXISTS (SELECT 1 FROM json_each({document}, ?) WHERE {_element(tree.value, tree.op, bindings)})"
