"""Weaviate's gRPC filters (`weaviate.v1.Filters`) as `search.filters` trees over an object's properties.

Equality on text compares whole values (Weaviate's `field` tokenization; its default `word`
tokenization would match single words). `like` takes `*` at either end or none; `_id` filters work
because each object's id is kept with its properties. Geo, reference and length filters are refused.
"""

from __future__ import annotations

import uuid
from typing import Any

from ..search.filters import And, Compare, Contains, Exists, Filter, IsNull, Not, Or
from .errors import WeaviateError

MAX_DEPTH = 32
_COMPARISONS = {
    "OPERATOR_EQUAL": "=",
    "OPERATOR_NOT_EQUAL": "!=",
    "OPERATOR_GREATER_THAN": ">",
    "OPERATOR_GREATER_THAN_EQUAL": ">=",
    "OPERATOR_LESS_THAN": "<",
    "OPERATOR_LESS_THAN_EQUAL": "<=",
}


def _invalid(message: str) -> WeaviateError:
    return WeaviateError(422, f"invalid filter: {message}")


def parse(filters: Any, depth: int = 0) -> Filter:
    """The tree of a `weaviate.v1.Filters` message; `WeaviateError` (422 or 501) for what cannot be applied."""
    if depth > MAX_DEPTH:
        raise _invalid(f"nested more than {MAX_DEPTH} levels deep")
    try:
        operator = type(filters).Operator.Name(filters.operator)
    except ValueError:
        raise _invalid(f"unknown operator {filters.operator}") from None
    if operator in ("OPERATOR_AND", "OPERATOR_OR"):
        if not filters.filters:
            raise _invalid(f"{operator.removeprefix('OPERATOR_').lower()} needs at least one operand")
        items = tuple(parse(item, depth + 1) for item in filters.filters)
        return And(items) if operator == "OPERATOR_AND" else Or(items)
    if operator == "OPERATOR_NOT":
        if len(filters.filters) != 1:
            raise _invalid("not takes exactly one operand")
        return Not(parse(filters.filters[0], depth + 1))
    field = _field(filters)
    value = _value(filters)
    if operator in _COMPARISONS:
        if isinstance(value, list):
            raise _invalid(f"{operator} on {field!r} takes one value, not an array")
        if field == "_id":
            value = _uuid(value)
        return Compare(field, _COMPARISONS[operator], value)
    if operator == "OPERATOR_IS_NULL":
        if not isinstance(value, bool):
            raise _invalid(f"is_null on {field!r} takes a boolean")
        missing = Or((Not(Exists(field)), IsNull(field)))
        return missing if value else Not(missing)
    if operator == "OPERATOR_LIKE":
        return _like(field, value)
    if operator in ("OPERATOR_CONTAINS_ANY", "OPERATOR_CONTAINS_ALL", "OPERATOR_CONTAINS_NONE"):
        values = value if isinstance(value, list) else [value]
        if field == "_id":
            values = [_uuid(v) for v in values]
        if not values:
            raise _invalid(f"{operator} on {field!r} needs at least one value")
        equals = tuple(Compare(field, "=", v) for v in values)
        if operator == "OPERATOR_CONTAINS_ALL":
            return And(equals)
        return Or(equals) if operator == "OPERATOR_CONTAINS_ANY" else Not(Or(equals))
    if operator == "OPERATOR_WITHIN_GEO_RANGE":
        raise WeaviateError(501, "geo-range filters are not supported by this server")
    raise _invalid(f"unknown operator {operator}")


def _field(filters: Any) -> str:
    if filters.HasField("target"):
        kind = filters.target.WhichOneof("target")
        if kind != "property":
            raise WeaviateError(501, f"filters on references ({kind}) are not supported by this server")
        field = filters.target.property
    elif len(filters.on) == 1:
        field = filters.on[0]
    else:
        raise _invalid("a filter names one property (reference paths are not supported)")
    if not field:
        raise _invalid("a filter needs a property name")
    if field.startswith("_") and field != "_id":
        raise WeaviateError(501, f"filters on {field!r} are not supported by this server (only `_id` and properties)")
    return field


def _value(filters: Any) -> Any:
    kind = filters.WhichOneof("test_value")
    if kind is None:
        raise _invalid("the filter has no value")
    if kind in ("value_text", "value_int", "value_boolean", "value_number"):
        value = getattr(filters, kind)
        if kind == "value_number" and value != value:
            raise _invalid("NaN is not a value a filter can compare with")
        return value
    if kind in ("value_text_array", "value_int_array", "value_boolean_array", "value_number_array"):
        return list(getattr(filters, kind).values)
    raise WeaviateError(501, f"filter values of kind {kind} are not supported by this server")


def _uuid(value: Any) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise _invalid(f"{value!r} is not a UUID") from None


def _like(field: str, pattern: Any) -> Filter:
    if not isinstance(pattern, str):
        raise _invalid(f"like on {field!r} takes a text pattern")
    inner = pattern.removeprefix("*").removesuffix("*")
    if "*" in inner or "?" in inner:
        raise WeaviateError(501, "like patterns with wildcards inside the text are not supported by this server")
    if inner == pattern:
        return Compare(field, "=", pattern)
    if pattern.startswith("*") and pattern.endswith("*") and len(pattern) > 1:
        return Contains(field, inner)
    raise WeaviateError(501, "like patterns with `*` at one end only are not supported by this server")
