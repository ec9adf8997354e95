"""Qdrant's payload filters (`{"must": [...], "should": [...], "must_not": [...], "min_should": ...}`).

A filter is checked when parsed (unknown fields and malformed conditions are refused with Qdrant's
`Format error` message) and then evaluated on each point's id and payload, with Qdrant's rules:
a condition on a path holds if any value the path reaches satisfies it; `match` compares values of
the same JSON type (an integer never equals a float or a boolean); `text` and `text_any` match
whole lower-cased words; `is_empty` holds for a missing, null or empty-array value and `is_null` for
a null one; `range` takes numbers and `datetime` ranges take RFC 3339 strings; a `nested` filter
must hold for one element of an array of objects. The collection calls `accepts` for each point, so
every condition Qdrant's REST API offers on payloads and ids is served the same way.
"""

from __future__ import annotations

import math
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from .payload import PathError, parse_path, values_at

MAX_CONDITIONS = 2000
MAX_DEPTH = 32
EARTH_RADIUS_METERS = 6371008.8
_CLAUSES = {"must", "should", "must_not", "min_should"}
_MATCHES = {"value", "any", "except", "text", "text_any", "phrase"}
_DATETIME_FORMATS = (
    "%Y-%m-%dT%H:%M:%S.%f%z",
    "%Y-%m-%d %H:%M:%S.%f%z",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%d %H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%S.%f %z",
    "%Y-%m-%d %H:%M:%S.%f %z",
    "%Y-%m-%dT%H:%M:%S %z",
    "%Y-%m-%d %H:%M:%S %z",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
)


class QdrantFilterError(ValueError):
    """A filter Qdrant would refuse; the message says which part."""


@dataclass(frozen=True)
class QdrantFilter:
    """A checked Qdrant filter; `accepts(point_id, payload)` tells whether a point passes it."""

    body: dict[str, Any]

    def accepts(self, point_id: Any, payload: dict[str, Any]) -> bool:
        """Whether the point with this id and payload passes the filter."""
        return _filter(self.body, point_id, payload)


def parse(body: Any) -> QdrantFilter | None:
    """The filter of a request's `filter` field (None for no filter); `QdrantFilterError` if it is malformed."""
    if body is None:
        return None
    counted = [0]
    _check_filter(body, 0, counted)
    return QdrantFilter(body)


def _format_error(message: str) -> QdrantFilterError:
    return QdrantFilterError(f"Format error in JSON body: {message}")


def _conditions(value: Any, clause: str) -> list[Any]:
    if isinstance(value, dict):
        return [value]
    if not isinstance(value, list):
        raise _format_error(f"`{clause}` must be a condition or a list of conditions")
    return value


def _check_filter(body: Any, depth: int, counted: list[int]) -> None:
    if not isinstance(body, dict):
        raise _format_error("a filter must be an object")
    if depth > MAX_DEPTH:
        raise _format_error("the filter is nested too deeply")
    unknown = set(body) - _CLAUSES
    if unknown:
        raise _format_error(f"unknown filter field `{sorted(unknown)[0]}`")
    for clause in ("must", "should", "must_not"):
        if body.get(clause) is not None:
            for condition in _conditions(body[clause], clause):
                _check_condition(condition, depth, counted)
    minimum = body.get("min_should")
    if minimum is not None:
        if not isinstance(minimum, dict) or not isinstance(minimum.get("conditions"), list):
            raise _format_error("`min_should` needs `conditions` and `min_count`")
        count = minimum.get("min_count")
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise QdrantFilterError(f"Validation error: min_count value {count} is invalid. Must be 1 or larger.")
        for condition in minimum["conditions"]:
            _check_condition(condition, depth, counted)


def _check_key(condition: dict[str, Any]) -> str:
    key = condition.get("key")
    if not isinstance(key, str):
        raise _format_error("a condition needs a `key`")
    try:
        parse_path(key)
    except PathError as exc:
        raise _format_error(str(exc)) from None
    return key


def _check_number(value: Any, where: str) -> None:
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value)
    ):
        raise _format_error(f"`{where}` must be a number")


def _check_condition(condition: Any, depth: int, counted: list[int]) -> None:
    counted[0] += 1
    if counted[0] > MAX_CONDITIONS:
        raise _format_error(f"more than {MAX_CONDITIONS} conditions in one filter")
    if not isinstance(condition, dict):
        raise _format_error("a condition must be an object")
    if _CLAUSES & set(condition):
        _check_filter(condition, depth + 1, counted)
    elif "nested" in condition:
        nested = condition["nested"]
        if not isinstance(nested, dict) or not isinstance(nested.get("key"), str) or "filter" not in nested:
            raise _format_error("`nested` needs a `key` and a `filter`")
        _check_key(nested)
        _check_filter(nested["filter"], depth + 1, counted)
    elif "has_id" in condition:
        if not isinstance(condition["has_id"], list):
            raise _format_error("`has_id` must be a list of point ids")
    elif "is_empty" in condition or "is_null" in condition:
        field = condition.get("is_empty", condition.get("is_null"))
        if not isinstance(field, dict):
            raise _format_error("`is_empty` and `is_null` need `{key}`")
        _check_key(field)
    elif "has_vector" in condition:
        raise QdrantFilterError("`has_vector` conditions are not supported by this server")
    else:
        _check_field_condition(condition)


def _check_field_condition(condition: dict[str, Any]) -> None:
    key = _check_key(condition)
    kinds = [
        name
        for name in ("match", "range", "geo_radius", "geo_bounding_box", "geo_polygon", "values_count")
        if condition.get(name) is not None
    ]
    if condition.get("is_empty") is not None or condition.get("is_null") is not None:
        kinds.append("is_empty")
    if not kinds:
        raise _format_error(f"the condition on `{key}` has no match, range, geo or values_count")
    if "geo_polygon" in kinds:
        raise QdrantFilterError(f"the geo_polygon condition on `{key}` is not supported by this server")
    match = condition.get("match")
    if match is not None and not (isinstance(match, dict) and _MATCHES & set(match)):
        raise _format_error(f"the match on `{key}` needs value, any, except, text, text_any or phrase")
    for name in ("range", "values_count"):
        bounds = condition.get(name)
        if bounds is None:
            continue
        if not isinstance(bounds, dict):
            raise _format_error(f"`{name}` must be an object")
        for bound, value in bounds.items():
            if bound not in ("lt", "lte", "gt", "gte"):
                raise _format_error(f"`{name}.{bound}` is not one of lt, lte, gt, gte")
            if isinstance(value, str) and name == "range":
                if _datetime(value) is None:
                    raise _format_error(f"`range.{bound}` is neither a number nor an RFC 3339 datetime")
            else:
                _check_number(value, f"{name}.{bound}")
    for name in ("geo_radius", "geo_bounding_box"):
        area = condition.get(name)
        if area is not None and not isinstance(area, dict):
            raise _format_error(f"`{name}` must be an object")


# -- evaluation ------------------------------------------------------------------------------------


def _filter(body: dict[str, Any], point_id: Any, payload: Any) -> bool:
    must, should, must_not = body.get("must"), body.get("should"), body.get("must_not")
    if must is not None and not all(_condition(c, point_id, payload) for c in _conditions(must, "must")):
        return False
    if must_not is not None and any(_condition(c, point_id, payload) for c in _conditions(must_not, "must_not")):
        return False
    if should is not None:
        alternatives = _conditions(should, "should")
        # An empty `should` offers no alternative to satisfy: Qdrant treats it as no constraint.
        if alternatives and not any(_condition(c, point_id, payload) for c in alternatives):
            return False
    minimum = body.get("min_should")
    if minimum is not None:
        held = sum(_condition(c, point_id, payload) for c in minimum["conditions"])
        if held < minimum["min_count"]:
            return False
    return True


def _condition(condition: dict[str, Any], point_id: Any, payload: Any) -> bool:
    if _CLAUSES & set(condition):
        return _filter(condition, point_id, payload)
    if "nested" in condition:
        key = condition["nested"]["key"]
        key = key[:-2] if len(key) > 2 and key.endswith("[]") else key
        elements = [
            element
            for value in values_at(payload, key, flat=False) or []
            if isinstance(value, list)
            for element in value
            if isinstance(element, dict)
        ]
        return any(_filter(condition["nested"]["filter"], None, element) for element in elements)
    if "has_id" in condition:
        return point_id is not None and point_id in _id_set(tuple(condition["has_id"]))
    if "is_empty" in condition and isinstance(condition["is_empty"], dict):
        return _is_empty(payload, condition["is_empty"]["key"])
    if "is_null" in condition and isinstance(condition["is_null"], dict):
        return _is_null(payload, condition["is_null"]["key"])
    key = condition["key"]
    if condition.get("values_count") is not None:
        return _values_count(condition["values_count"], values_at(payload, key, flat=False) or [])
    if condition.get("is_empty") is not None:
        return _is_empty(payload, key) == condition["is_empty"]
    if condition.get("is_null") is not None:
        return _is_null(payload, key) == condition["is_null"]
    values = values_at(payload, key)
    if values is None:
        return False
    if condition.get("match") is not None:
        return any(_match(condition["match"], value) for value in values)
    if condition.get("range") is not None:
        return any(_in_range(condition["range"], value) for value in values)
    if condition.get("geo_radius") is not None:
        return any(_in_radius(condition["geo_radius"], value) for value in values)
    if condition.get("geo_bounding_box") is not None:
        return any(_in_box(condition["geo_bounding_box"], value) for value in values)
    return False


@lru_cache(maxsize=256)
def _id_set(ids: tuple[Any, ...]) -> frozenset[Any]:
    return frozenset(_canonical_id(i) for i in ids)


def _canonical_id(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return str(uuid.UUID(value))
        except ValueError:
            return value
    return value


def _is_empty(payload: Any, key: str) -> bool:
    values = values_at(payload, key, flat=False)
    return not values or all(value is None or value == [] for value in values)


def _is_null(payload: Any, key: str) -> bool:
    values = values_at(payload, key, flat=False)
    return any(
        value is None or (isinstance(value, list) and any(item is None for item in value)) for value in values or []
    )


def _values_count(bounds: dict[str, Any], values: list[Any]) -> bool:
    if all(value is None for value in values):
        counts = [0]
    else:
        counts = [0 if value is None else len(value) if isinstance(value, list) else 1 for value in values]
    return any(_within(bounds, count) for count in counts)


def _within(bounds: dict[str, Any], value: Any) -> bool:
    return (
        (bounds.get("lt") is None or value < bounds["lt"])
        and (bounds.get("lte") is None or value <= bounds["lte"])
        and (bounds.get("gt") is None or value > bounds["gt"])
        and (bounds.get("gte") is None or value >= bounds["gte"])
    )


def _same(value: Any, other: Any) -> bool:
    """Qdrant's exact match: booleans, integers, floats and strings are distinct types."""
    if isinstance(value, bool) != isinstance(other, bool) or isinstance(value, float) != isinstance(other, float):
        return False
    return value == other


def _words(text: str) -> list[str]:
    return [word.lower() for word in re.findall(r"[^\W_]+", text)]


def _match(match: dict[str, Any], value: Any) -> bool:
    if "value" in match:
        return _same(value, match["value"])
    if "any" in match:
        return any(_same(value, option) for option in match["any"] or [])
    if "except" in match:
        return value is not None and not any(_same(value, option) for option in match["except"] or [])
    if not isinstance(value, str):
        return False
    if "text" in match:
        wanted = _words(str(match["text"]))
        return bool(wanted) and set(wanted) <= set(_words(value))
    if "text_any" in match:
        return bool(set(_words(str(match["text_any"]))) & set(_words(value)))
    phrase, words = _words(str(match["phrase"])), _words(value)
    return bool(phrase) and any(words[i : i + len(phrase)] == phrase for i in range(len(words) - len(phrase) + 1))


@lru_cache(maxsize=65536)
def _datetime(text: str) -> datetime | None:
    text = text.strip()
    if text.endswith(" UTC"):
        text = text[:-4] + "+00:00"
    elif text.endswith("z"):
        text = text[:-1] + "Z"
    dot = text.find(".")
    if dot != -1:
        end = dot + 1
        while end < len(text) and text[end].isdigit():
            end += 1
        if end - dot > 7:
            text = text[: dot + 7] + text[end:]
    candidates = [text]
    if len(text) >= 3 and text[-3] in "+-" and text[-2:].isdigit():
        candidates.append(text + ":00")
    for candidate in candidates:
        for layout in _DATETIME_FORMATS:
            try:
                parsed = datetime.strptime(candidate, layout)
            except ValueError:
                continue
            return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
    return None


def _in_range(bounds: dict[str, Any], value: Any) -> bool:
    if any(isinstance(bound, str) for bound in bounds.values()):
        moment = _datetime(value) if isinstance(value, str) else None
        if moment is None:
            return False
        limits = {name: _datetime(bound) for name, bound in bounds.items() if isinstance(bound, str)}
        return _within(limits, moment)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return _within(bounds, value)


def _geo_point(value: Any) -> tuple[float, float] | None:
    if not isinstance(value, dict):
        return None
    lat, lon = _coordinate(value.get("lat")), _coordinate(value.get("lon"))
    if lat is None or lon is None:
        return None
    return lat, lon


def _coordinate(value: Any) -> float | None:
    return float(value) if type(value) in (int, float) and math.isfinite(value) else None


def _in_radius(area: dict[str, Any], value: Any) -> bool:
    point, center = _geo_point(value), _geo_point(area.get("center"))
    if point is None or center is None or not isinstance(area.get("radius"), int | float):
        return False
    lat1, lon1, lat2, lon2 = map(math.radians, (*point, *center))
    a = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_METERS * math.asin(math.sqrt(a)) < area["radius"]


def _in_box(area: dict[str, Any], value: Any) -> bool:
    point, top_left, bottom_right = (
        _geo_point(value),
        _geo_point(area.get("top_left")),
        _geo_point(area.get("bottom_right")),
    )
    if point is None or top_left is None or bottom_right is None:
        return False
    lat, lon = point
    if top_left[1] > bottom_right[1]:  # the box crosses the antimeridian
        inside_lon = lon > top_left[1] or lon < bottom_right[1]
    else:
        inside_lon = top_left[1] < lon < bottom_right[1]
    return inside_lon and top_left[0] > lat > bottom_right[0]
