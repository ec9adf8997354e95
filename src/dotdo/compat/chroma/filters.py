"""Chroma's `where` (metadata) and `where_document` filters as `search.filters` trees."""

from __future__ import annotations

from typing import Any

from ..search.filters import And, Compare, Contains, Filter, Not, Or

DOCUMENT_KEY = "chroma:document"
"""The payload key the document text is kept under, so `where_document` filters like metadata."""
_OPERATORS = {"$eq": "=", "$ne": "!=", "$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}
MAX_CONDITIONS = 2000


class ChromaFilterError(ValueError):
    """A filter Chroma would refuse (`InvalidArgumentError`)."""


def _value(value: Any, operator: str) -> Any:
    if isinstance(value, bool | int | str) or (isinstance(value, float) and value == value):
        if operator in ("$gt", "$gte", "$lt", "$lte") and (isinstance(value, bool | str)):
            raise ChromaFilterError(f"Expected operand value to be an int or a float for operator {operator}")
        return value
    raise ChromaFilterError(f"Expected where operand value to be a str, int, float, or bool, got {value!r}")


def where(body: Any, depth: int = 0) -> Filter | None:
    """The tree of a `where` filter; None for none."""
    if body is None or body == {}:
        return None
    if not isinstance(body, dict):
        raise ChromaFilterError(f"Expected where to be a dict, got {body!r}")
    if depth > 32:
        raise ChromaFilterError("The where filter is nested too deeply")
    parts: list[Filter] = []
    for key, value in body.items():
        if key in ("$and", "$or"):
            if not isinstance(value, list) or len(value) > MAX_CONDITIONS:
                raise ChromaFilterError(f"Expected where value for {key} to be a list of where expressions")
            trees = tuple(tree for item in value if (tree := where(item, depth + 1)) is not None)
            parts.append(And(trees) if key == "$and" else Or(trees))
        elif key.startswith("$"):
            raise ChromaFilterError(f"Unknown where operator {key}")
        elif isinstance(value, dict):
            if len(value) != 1:
                raise ChromaFilterError(f"Expected operator expression for {key} to have exactly one operator")
            [(operator, operand)] = value.items()
            if operator in _OPERATORS:
                parts.append(Compare(key, _OPERATORS[operator], _value(operand, operator)))
            elif operator in ("$in", "$nin"):
                if not isinstance(operand, list) or len(operand) > MAX_CONDITIONS:
                    raise ChromaFilterError(f"Expected where value for {operator} to be a list")
                any_of = Or(tuple(Compare(key, "=", _value(v, "$eq")) for v in operand))
                parts.append(any_of if operator == "$in" else Not(any_of))
            else:
                raise ChromaFilterError(f"Unknown where operator {operator} for {key}")
        else:
            parts.append(Compare(key, "=", _value(value, "$eq")))
    return parts[0] if len(parts) == 1 else And(tuple(parts))


def where_document(body: Any, depth: int = 0) -> Filter | None:
    """The tree of a `where_document` filter (`$contains`, `$not_contains`, `$and`, `$or`); None for none."""
    if body is None or body == {}:
        return None
    if not isinstance(body, dict) or len(body) != 1 or depth > 32:
        raise ChromaFilterError(f"Expected where document to be a dict with one operator, got {body!r}")
    [(operator, value)] = body.items()
    if operator in ("$and", "$or"):
        if not isinstance(value, list):
            raise ChromaFilterError(f"Expected where document value for {operator} to be a list")
        trees = tuple(tree for item in value if (tree := where_document(item, depth + 1)) is not None)
        return And(trees) if operator == "$and" else Or(trees)
    if operator in ("$contains", "$not_contains"):
        if not isinstance(value, str):
            raise ChromaFilterError(f"Expected where document operand value for {operator} to be a str")
        tree = Contains(DOCUMENT_KEY, value)
        return tree if operator == "$contains" else Not(tree)
    raise ChromaFilterError(f"Unknown where document operator {operator} (supported: $contains, $not_contains)")
