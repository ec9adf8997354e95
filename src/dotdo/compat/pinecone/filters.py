"""Pinecone's metadata filters (`{"genre": {"$in": [...]}, "year": {"$gte": 2020}}`) as `search.filters` trees.

A field's value is a condition (`{"$op": operand, ...}`, several operators meaning all of them) or a
bare value (`$eq`); `$and` and `$or` take lists of filters. Metadata values are strings, numbers,
booleans or lists of strings, and a comparison with a list holds when one of its items matches, as
in Pinecone. `$ne` and `$nin` hold for a record without the field.
"""

from __future__ import annotations

import math
from typing import Any

from ..search.filters import And, Compare, Exists, Filter, Not, Or

_COMPARISONS = {"$eq": "=", "$ne": "!=", "$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}
OPERATORS = (*_COMPARISONS, "$in", "$nin", "$exists")
MAX_VALUES = 10_000
"""The most values one `$in` or `$nin` may list (Pinecone's limit)."""
MAX_DEPTH = 32


class PineconeFilterError(ValueError):
    """A filter Pinecone would refuse; the message says which part and why."""


def _scalar(value: Any, operator: str, field: str) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        raise PineconeFilterError(f"the filter on `{field}` compares with {value}, which is not a finite number")
    if operator in ("$gt", "$gte", "$lt", "$lte"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise PineconeFilterError(f"{operator} on `{field}` needs a number, not {value!r}")
        return value
    if not isinstance(value, bool | int | float | str):
        raise PineconeFilterError(
            f"{operator} on `{field}` needs a string, number or boolean, not {type(value).__name__}"
        )
    return value


def _field(field: str, condition: Any) -> Filter:
    if not field:
        raise PineconeFilterError(f"invalid metadata field name {field!r}")
    if not isinstance(condition, dict):
        return Compare(field, "=", _scalar(condition, "$eq", field))
    if not condition:
        raise PineconeFilterError(f"the condition on `{field}` names no operator")
    parts: list[Filter] = []
    for operator, operand in condition.items():
        if operator in _COMPARISONS:
            parts.append(Compare(field, _COMPARISONS[operator], _scalar(operand, operator, field)))
        elif operator in ("$in", "$nin"):
            if not isinstance(operand, list) or not operand:
                raise PineconeFilterError(f"{operator} on `{field}` needs a non-empty array")
            if len(operand) > MAX_VALUES:
                raise PineconeFilterError(f"{operator} on `{field}` lists more than {MAX_VALUES} values")
            any_of = Or(tuple(Compare(field, "=", _scalar(v, operator, field)) for v in operand))
            parts.append(any_of if operator == "$in" else Not(any_of))
        elif operator == "$exists":
            if not isinstance(operand, bool):
                raise PineconeFilterError(f"$exists on `{field}` needs true or false, not {operand!r}")
            parts.append(Exists(field) if operand else Not(Exists(field)))
        else:
            raise PineconeFilterError(f"unknown operator {operator!r} on `{field}`; use one of {', '.join(OPERATORS)}")
    return parts[0] if len(parts) == 1 else And(tuple(parts))


def parse(body: Any, depth: int = 0) -> Filter | None:
    """The tree of a Pinecone filter; None for no filter (absent or `{}`)."""
    if body is None or (body == {} and depth == 0):
        return None
    if not isinstance(body, dict) or not body:
        raise PineconeFilterError("a filter must be a non-empty JSON object")
    if depth > MAX_DEPTH:
        raise PineconeFilterError(f"the filter is nested more than {MAX_DEPTH} levels deep")
    parts: list[Filter] = []
    for key, value in body.items():
        if key in ("$and", "$or"):
            if not isinstance(value, list) or not value:
                raise PineconeFilterError(f"{key} needs a non-empty array of filters")
            trees = tuple(parse(item, depth + 1) for item in value)
            items = tuple(tree for tree in trees if tree is not None)
            parts.append(And(items) if key == "$and" else Or(items))
        elif key.startswith("$"):
            raise PineconeFilterError(f"unknown operator {key!r} at the top of a filter; use $and or $or")
        else:
            parts.append(_field(key, value))
    return parts[0] if len(parts) == 1 else And(tuple(parts))
