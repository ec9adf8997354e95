"""Qdrant's payload filters (`{"must": [...], "should": [...], "must_not": [...]}`) as `search.filters` trees."""

from __future__ import annotations

from typing import Any

from ..search.filters import And, Compare, Exists, Filter, IsEmpty, IsNull, Not, Or

MAX_CONDITIONS = 2000


class QdrantFilterError(ValueError):
    """A filter Qdrant would refuse; the message says which part."""


def parse(body: Any, depth: int = 0) -> Filter | None:
    """The tree of a Qdrant filter object; None for no filter."""
    if body is None:
        return None
    if not isinstance(body, dict):
        raise QdrantFilterError("Format error in JSON body: a filter must be an object")
    if depth > 32:
        raise QdrantFilterError("Format error in JSON body: the filter is nested too deeply")
    unknown = set(body) - {"must", "should", "must_not", "min_should"}
    if unknown:
        raise QdrantFilterError(f"Format error in JSON body: unknown filter field `{sorted(unknown)[0]}`")
    parts: list[Filter] = []
    for clause in ("must", "should", "must_not"):
        conditions = body.get(clause)
        if conditions is None:
            continue
        if isinstance(conditions, dict):
            conditions = [conditions]
        if not isinstance(conditions, list):
            raise QdrantFilterError(f"Format error in JSON body: `{clause}` must be a list of conditions")
        if len(conditions) > MAX_CONDITIONS:
            raise QdrantFilterError(f"Format error in JSON body: more than {MAX_CONDITIONS} conditions in `{clause}`")
        trees = tuple(_condition(condition, depth) for condition in conditions)
        if clause == "must":
            parts.append(And(trees))
        elif clause == "should":
            if trees:
                parts.append(Or(trees))
        else:
            parts.append(Not(Or(trees)))
    if body.get("min_should") is not None:
        raise QdrantFilterError("`min_should` is not supported by this server")
    return And(tuple(parts))


def _condition(condition: Any, depth: int) -> Filter:
    if not isinstance(condition, dict):
        raise QdrantFilterError("Format error in JSON body: a condition must be an object")
    if {"must", "should", "must_not"} & set(condition):
        tree = parse(condition, depth + 1)
        assert tree is not None
        return tree
    if "filter" in condition and "key" not in condition:
        tree = parse(condition["filter"], depth + 1)
        assert tree is not None
        return tree
    if "is_empty" in condition:
        key = _key(condition["is_empty"])
        return Or((Not(Exists(key)), IsNull(key), IsEmpty(key)))
    if "is_null" in condition:
        return IsNull(_key(condition["is_null"]))
    if "has_id" in condition:
        raise QdrantFilterError("`has_id` conditions are not supported by this server; filter by payload")
    key = _key(condition)
    if "match" in condition:
        return _match(key, condition["match"])
    if "range" in condition:
        return _range(key, condition["range"])
    if "values_count" in condition or "geo_radius" in condition or "geo_bounding_box" in condition:
        raise QdrantFilterError(f"the condition on `{key}` is not supported by this server")
    raise QdrantFilterError(f"Format error in JSON body: the condition on `{key}` has no match or range")


def _key(holder: Any) -> str:
    key = holder.get("key") if isinstance(holder, dict) else None
    if not isinstance(key, str) or not key or "[" in key:
        raise QdrantFilterError("Format error in JSON body: a condition needs a `key` (array paths are not supported)")
    return key


def _scalar(value: Any) -> Any:
    if isinstance(value, bool | int | str) or (isinstance(value, float) and value == value):
        return value
    raise QdrantFilterError(f"Format error in JSON body: cannot match the value {value!r}")


def _match(key: str, match: Any) -> Filter:
    if not isinstance(match, dict):
        raise QdrantFilterError("Format error in JSON body: `match` must be an object")
    if "value" in match:
        return Compare(key, "=", _scalar(match["value"]))
    if "any" in match and isinstance(match["any"], list):
        return Or(tuple(Compare(key, "=", _scalar(v)) for v in match["any"]))
    if "except" in match and isinstance(match["except"], list):
        return Not(Or(tuple(Compare(key, "=", _scalar(v)) for v in match["except"])))
    raise QdrantFilterError(f"the match on `{key}` is not supported by this server (use value, any or except)")


def _range(key: str, bounds: Any) -> Filter:
    if not isinstance(bounds, dict):
        raise QdrantFilterError("Format error in JSON body: `range` must be an object")
    operators = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
    parts = []
    for name, value in bounds.items():
        if value is None:
            continue
        if name not in operators or isinstance(value, bool) or not isinstance(value, int | float):
            raise QdrantFilterError(
                f"Format error in JSON body: `range.{name}` must be one of gt, gte, lt, lte with a number"
            )
        parts.append(Compare(key, operators[name], _scalar(value)))
    return And(tuple(parts))
