"""The `where` / `order_by` compiler: filters on columns and JSON fields, turned into SQL.

Every value and every JSON path is a bound parameter (`?N`); field names never reach the SQL text,
so a hostile field name can only fail to match. Comparisons are JSON-typed: `1` matches the number
1 (or 1.0) but not `"1"` or `true`; `lt`/`gt` compare numbers with numbers and text with text; a
missing field and JSON null are both None.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .documents import check_value, encode_json
from .errors import InvalidFilterError
from .thing import format_time

OPERATORS = ("eq", "ne", "lt", "lte", "gt", "gte", "in", "contains", "prefix")
COLUMNS = ("id", "type", "name", "version", "created_at", "updated_at", "deleted_at", "visibility")
_TIME_COLUMNS = ("created_at", "updated_at", "deleted_at")
_COMPARISONS = {"lt": "<", "lte": "<=", "gt": ">", "gte": ">="}
_NUMBER = "IN ('integer', 'real')"
_MAX_PATH = 1024
_COLUMN_KINDS = "WHEN 'integer' THEN 'integer' WHEN 'real' THEN 'real' WHEN 'text' THEN 'text'"


class Params:
    """Collects bound values and hands out their numbered placeholders."""

    __slots__ = ("values",)

    def __init__(self) -> None:
        self.values: list[Any] = []

    def add(self, value: Any) -> str:
        """Bind `value`; return its placeholder."""
        self.values.append(value)
        return f"?{len(self.values)}"


@dataclass(frozen=True, slots=True)
class Field:
    """A filterable target: SQL for its value, for its JSON type, and (JSON fields) for `json_each`."""

    name: str
    value: str
    kind: str
    each: str | None
    column: str | None


def json_path(field: str) -> str:
    """The SQLite JSON path of a dotted field name (`address.city` -> `$."address"."city"`)."""
    if len(field) > _MAX_PATH:
        raise InvalidFilterError(f"Field name is longer than {_MAX_PATH} characters")
    segments = field.split(".")
    for segment in segments:
        if not segment:
            raise InvalidFilterError(f"Field name {field!r} has an empty segment; use dotted names like 'address.city'")
        if '"' in segment or "\x00" in segment:
            raise InvalidFilterError(f"Field name {field!r} contains '\"' or NUL, which fields cannot be filtered on")
    return "$" + "".join(f'."{segment}"' for segment in segments)


def resolve_field(name: Any, params: Params, doc: str) -> Field:
    """A column (`id`, `type`, `name`, `version`, timestamps, `visibility`) or a JSON field of `data`.

    `data.<field>` always means the JSON field, for data fields named like a column.
    """
    if not isinstance(name, str):
        raise InvalidFilterError(f"Field names are text, not {type(name).__name__} ({name!r})")
    if name in COLUMNS:
        column = f"t.{name}"
        kind = f"(CASE typeof({column}) {_COLUMN_KINDS} END)"
        return Field(name, column, kind, None, name)
    path = name[5:] if name.startswith("data.") else name
    marker = params.add(json_path(path))
    each = f"{doc}, {marker}"
    return Field(name, f"json_extract({each})", f"json_type({each})", each, None)


def _operand(field: Field, value: Any) -> Any:
    if field.column in _TIME_COLUMNS and isinstance(value, datetime):
        if value.tzinfo is None:
            raise InvalidFilterError(f"{field.name}: compare with an aware datetime (e.g. datetime.now(UTC))")
        return format_time(value.timestamp())
    try:
        check_value(value, f"where[{field.name!r}]")
    except (TypeError, ValueError) as exc:
        raise InvalidFilterError(str(exc)) from None
    return value


def _equals(value_sql: str, kind_sql: str, value: Any, params: Params) -> str:
    if value is None:
        return f"({value_sql} IS NULL)"
    if value is True or value is False:
        return f"({kind_sql} = '{'true' if value else 'false'}')"
    if isinstance(value, int | float):
        return f"({kind_sql} {_NUMBER} AND {value_sql} = {params.add(value)})"
    if isinstance(value, str):
        return f"({kind_sql} = 'text' AND {value_sql} = {params.add(value)})"
    composite = "object" if isinstance(value, Mapping) else "array"
    return f"({kind_sql} = '{composite}' AND {value_sql} = json({params.add(encode_json(value))}))"


def _nothing(field: Field) -> str:
    # Still names the field, so that its bound path is used by the statement.
    return f"(0 AND {field.kind} IS NULL)"


def _member_of(field: Field, guard: str, values: list[Any], params: Params) -> str:
    listed = params.add(encode_json(values))
    return f"({field.kind} {guard} AND {field.value} IN (SELECT value FROM json_each({listed})))"


def _in(field: Field, values: Any, params: Params) -> str:
    if isinstance(values, str | bytes | Mapping) or not isinstance(values, Sequence | set | frozenset):
        raise InvalidFilterError(f"{field.name}: 'in' takes a list of values, not {type(values).__name__}")
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    texts = [v for v in values if isinstance(v, str)]
    truths = sorted({"true" if v else "false" for v in values if isinstance(v, bool)})
    others = [v for v in values if isinstance(v, Mapping | list | tuple)]
    parts = []
    if numbers:
        parts.append(_member_of(field, _NUMBER, numbers, params))
    if texts:
        parts.append(_member_of(field, "= 'text'", texts, params))
    if truths:
        parts.append(f"({field.kind} IN ({', '.join(repr(t) for t in truths)}))")
    if any(v is None for v in values):
        parts.append(f"({field.value} IS NULL)")
    parts.extend(_equals(field.value, field.kind, v, params) for v in others)
    return "(" + " OR ".join(parts) + ")" if parts else _nothing(field)


def _contains(field: Field, value: Any, params: Params) -> str:
    parts = []
    if isinstance(value, str):
        # Byte-wise search: correct for UTF-8 text and not cut short by SQLite's character functions.
        needle = params.add(value)
        parts.append(f"({field.kind} = 'text' AND instr(CAST({field.value} AS BLOB), CAST({needle} AS BLOB)) > 0)")
    if field.each is not None:
        element = "(e.type = 'null')" if value is None else _equals("e.value", "e.type", value, params)
        members = f"SELECT 1 FROM json_each({field.each}) AS e WHERE {element}"
        parts.append(f"({field.kind} = 'array' AND EXISTS ({members}))")
    return "(" + " OR ".join(parts) + ")" if parts else _nothing(field)


def _condition(field: Field, op: str, value: Any, params: Params) -> str:
    if op == "in":
        if isinstance(value, Sequence | set | frozenset) and not isinstance(value, str | bytes):
            return _in(field, [_operand(field, v) for v in value], params)
        return _in(field, value, params)
    value = _operand(field, value)
    if op == "eq":
        return _equals(field.value, field.kind, value, params)
    if op == "ne":
        return f"(NOT COALESCE({_equals(field.value, field.kind, value, params)}, 0))"
    if op in _COMPARISONS:
        if isinstance(value, int | float) and not isinstance(value, bool):
            guard = f"{field.kind} {_NUMBER}"
        elif isinstance(value, str):
            guard = f"{field.kind} = 'text'"
        else:
            raise InvalidFilterError(
                f"{field.name}: '{op}' compares numbers or text, not {type(value).__name__} ({value!r})"
            )
        return f"({guard} AND {field.value} {_COMPARISONS[op]} {params.add(value)})"
    if op == "contains":
        return _contains(field, value, params)
    if not isinstance(value, str):
        raise InvalidFilterError(f"{field.name}: 'prefix' takes text, not {type(value).__name__} ({value!r})")
    if not value:
        return f"({field.kind} = 'text')"
    size = len(value.encode())
    return (
        f"({field.kind} = 'text' AND substr(CAST({field.value} AS BLOB), 1, {params.add(size)})"
        f" = CAST({params.add(value)} AS BLOB))"
    )


def compile_where(where: Mapping[str, Any] | None, params: Params, doc: str) -> str:
    """SQL for `where` (every field ANDed): `{field: value}` or `{field: {op: value, ...}}`."""
    if where is None:
        return "1"
    if not isinstance(where, Mapping):
        raise InvalidFilterError(f"where must be a dict of field -> value or {{op: value}}, not {type(where).__name__}")
    clauses = []
    for name, condition in where.items():
        field = resolve_field(name, params, doc)
        if isinstance(condition, Mapping):
            ops = list(condition)
            unknown = [op for op in ops if op not in OPERATORS]
            if not ops or unknown:
                raise InvalidFilterError(
                    f"where[{name!r}]: unknown operator(s) {unknown or '(none)'}; operators are "
                    f"{', '.join(OPERATORS)}. To filter on a nested field use a dotted name like "
                    f"'{name}.city'; to compare a whole object use {{'eq': {{...}}}}"
                )
            clauses.extend(_condition(field, op, condition[op], params) for op in ops)
        else:
            clauses.append(_condition(field, "eq", condition, params))
    return " AND ".join(clauses) if clauses else "1"


@dataclass(frozen=True, slots=True)
class OrderKey:
    """One `order_by` term: the field, its SQL value and whether it sorts descending."""

    name: str
    value: str
    descending: bool


def compile_order(order_by: str | Sequence[str] | None, params: Params, doc: str) -> list[OrderKey]:
    """The order keys of `order_by` (`"age"`, `"-age"` for descending, or a list of them)."""
    if order_by is None:
        return []
    terms = [order_by] if isinstance(order_by, str) else order_by
    if not isinstance(terms, Sequence):
        raise InvalidFilterError(f"order_by takes a field name or a list of them, not {type(order_by).__name__}")
    keys = []
    for term in terms:
        if not isinstance(term, str) or term in ("", "-"):
            raise InvalidFilterError(f"order_by terms are field names like 'age' or '-age', not {term!r}")
        descending = term.startswith("-")
        name = term[1:] if descending else term
        keys.append(OrderKey(term, resolve_field(name, params, doc).value, descending))
    return keys


def order_sql(keys: list[OrderKey]) -> str:
    """The ORDER BY clause: the keys, then the id as the tie-breaker."""
    return "ORDER BY " + ", ".join([f"{k.value} {'DESC' if k.descending else 'ASC'}" for k in keys] + ["t.id ASC"])


def after_sql(keys: list[OrderKey], values: Sequence[Any], last_id: str, params: Params) -> str:
    """SQL true for rows strictly after the row with order values `values` and id `last_id`.

    SQL comparisons with NULL are unknown, so NULLs (which sort first ascending, last descending)
    are handled explicitly.
    """
    alternatives = []
    equal_so_far: list[str] = []
    for key, value in zip(keys, values, strict=True):
        if value is None:
            after = "0" if key.descending else f"{key.value} IS NOT NULL"
        else:
            marker = params.add(value)
            after = f"({key.value} < {marker} OR {key.value} IS NULL)" if key.descending else f"{key.value} > {marker}"
        alternatives.append("(" + " AND ".join([*equal_so_far, after]) + ")")
        equal_so_far.append(f"{key.value} IS {params.add(value)}")
    alternatives.append("(" + " AND ".join([*equal_so_far, f"t.id > {params.add(last_id)}"]) + ")")
    return "(" + " OR ".join(alternatives) + ")"
