"""Aggregations over the documents a search matched: bucket (`terms`, `range`, `histogram`, `date_histogram`)
and metric (`min`, `max`, `avg`, `sum`, `value_count`, `cardinality`, `stats`) ones, bucket ones nesting more.

`parse(body)` checks a request's `aggs` as Elasticsearch does; `compute(specs, documents, mappings)`
answers them in Elasticsearch's shape. Values are read through the index's mappings, so `terms` on
`title.keyword` counts whole titles, dates bucket by milliseconds, and a `text` field is refused as
Elasticsearch refuses it (no field data).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .errors import ElasticError, illegal_argument, parsing
from .mappings import INTEGRAL, Field, Mappings, field_values, format_date, parse_date, typed

BUCKET = ("terms", "range", "histogram", "date_histogram")
METRIC = ("min", "max", "avg", "sum", "value_count", "cardinality", "stats")
MAX_BUCKETS = 65536
"""Elasticsearch's `search.max_buckets`."""
_NAME = re.compile(r"[^\[\]>]+")
_FIXED = re.compile(r"(\d+)(ms|s|m|h|d)")
_FIXED_MILLIS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}
_CALENDAR = {
    "minute": "minute",
    "1m": "minute",
    "hour": "hour",
    "1h": "hour",
    "day": "day",
    "1d": "day",
    "week": "week",
    "1w": "week",
    "month": "month",
    "1M": "month",
    "quarter": "quarter",
    "1q": "quarter",
    "year": "year",
    "1y": "year",
}


@dataclass(frozen=True)
class Aggregation:
    """One named aggregation: its type, its parameters, the aggregations of each of its buckets."""

    name: str
    type: str
    params: dict[str, Any]
    children: tuple[Aggregation, ...] = field(default_factory=tuple)


def parse(body: Any, depth: int = 0) -> tuple[Aggregation, ...]:
    """The aggregations of a request's `aggs` (or `aggregations`) object."""
    if not isinstance(body, dict):
        raise parsing("Expected [START_OBJECT] under [aggs], but got a value")
    if depth > 10:
        raise parsing("aggregations are nested more than 10 levels deep")
    parsed = []
    for name, spec in body.items():
        if not _NAME.fullmatch(name):
            raise parsing(
                f"Invalid aggregation name [{name}]. Aggregation names can contain any character except "
                "'[', ']', and '>'"
            )
        if not isinstance(spec, dict):
            raise parsing(f"Expected [START_OBJECT] under [{name}], but got a value")
        kinds = [k for k in spec if k not in ("aggs", "aggregations", "meta")]
        if len(kinds) != 1:
            raise parsing(f"Expected exactly one aggregation type in [{name}], found [{', '.join(kinds)}]")
        kind = kinds[0]
        if kind not in BUCKET + METRIC:
            raise parsing(f"Unknown aggregation type [{kind}] did you mean [terms]?")
        params = spec[kind]
        if not isinstance(params, dict):
            raise parsing(f"[{kind}] aggregation [{name}] must be an object")
        if not isinstance(params.get("field"), str):
            raise parsing(f"Required one of fields [field, script], but none were specified in [{name}]")
        children = spec.get("aggs", spec.get("aggregations", {}))
        if children and kind in METRIC:
            raise ElasticError(
                400,
                "aggregation_initialization_exception",
                f"Aggregator [{name}] of type [{kind}] cannot accept sub-aggregations",
            )
        parsed.append(Aggregation(name, kind, params, parse(children, depth + 1) if children else ()))
    return tuple(parsed)


class _Counter:
    def __init__(self) -> None:
        self.buckets = 0

    def add(self, count: int) -> None:
        self.buckets += count
        if self.buckets > MAX_BUCKETS:
            raise ElasticError(
                400,
                "too_many_buckets_exception",
                f"Trying to create too many buckets. Must be less than or equal to: [{MAX_BUCKETS}] but this number "
                f"of buckets was exceeded. This limit can be set by changing the [search.max_buckets] cluster level "
                "setting.",
            )


def compute(aggs: tuple[Aggregation, ...], documents: list[dict[str, Any]], mappings: Mappings) -> dict[str, Any]:
    """The result of each aggregation over `documents`, by name."""
    return _compute(aggs, documents, mappings, _Counter())


def _compute(
    aggs: tuple[Aggregation, ...], documents: list[dict[str, Any]], mappings: Mappings, counter: _Counter
) -> dict[str, Any]:
    results = {}
    for agg in aggs:
        found = mappings.field(agg.params["field"])
        if found is not None and found.type in ("text", "match_only_text"):
            raise illegal_argument(
                f"Fielddata is disabled on [{found.name}] in [{agg.name}]. Text fields are not optimised for "
                "operations that require per-document field data like aggregations and sorting, so these "
                f"operations are disabled by default. Please use a keyword field instead. Alternatively, set "
                f"fielddata=true on [{found.name}] in order to load field data by uninverting the inverted index."
            )
        if agg.type in METRIC:
            results[agg.name] = _metric(agg, documents, found)
        else:
            results[agg.name] = _bucketed(agg, documents, found, mappings, counter)
    return results


def _numbers(documents: list[dict[str, Any]], found: Field | None) -> list[float]:
    if found is None:
        return []
    values = []
    for document in documents:
        for value in field_values(document, found):
            if isinstance(value, bool):
                values.append(1.0 if value else 0.0)
            elif isinstance(value, int | float):
                values.append(float(value))
    return values


def _metric(agg: Aggregation, documents: list[dict[str, Any]], found: Field | None) -> dict[str, Any]:
    if agg.type == "value_count":
        count = sum(len(field_values(d, found)) for d in documents) if found else 0
        return {"value": count}
    if agg.type == "cardinality":
        distinct = {v for d in documents for v in field_values(d, found)} if found else set()
        return {"value": len(distinct)}
    values = _numbers(documents, found)
    dated = found is not None and found.type == "date"

    def shown(result: dict[str, Any], key: str) -> dict[str, Any]:
        if dated and result.get(key) is not None:
            result[f"{key}_as_string"] = format_date(int(result[key]))
        return result

    if agg.type == "sum":
        return {"value": float(math.fsum(values))}
    if agg.type == "min":
        return shown({"value": min(values) if values else None}, "value")
    if agg.type == "max":
        return shown({"value": max(values) if values else None}, "value")
    if agg.type == "avg":
        return {"value": math.fsum(values) / len(values) if values else None}
    return {
        "count": len(values),
        "min": min(values) if values else None,
        "max": max(values) if values else None,
        "avg": math.fsum(values) / len(values) if values else None,
        "sum": float(math.fsum(values)),
    }


def _bucketed(
    agg: Aggregation, documents: list[dict[str, Any]], found: Field | None, mappings: Mappings, counter: _Counter
) -> dict[str, Any]:
    if agg.type == "terms":
        return _terms(agg, documents, found, mappings, counter)
    if agg.type == "range":
        return _range(agg, documents, found, mappings, counter)
    return _histogram(agg, documents, found, mappings, counter)


def _children(agg: Aggregation, members: list[dict[str, Any]], mappings: Mappings, counter: _Counter) -> dict[str, Any]:
    return _compute(agg.children, members, mappings, counter) if agg.children else {}


def _terms(
    agg: Aggregation, documents: list[dict[str, Any]], found: Field | None, mappings: Mappings, counter: _Counter
) -> dict[str, Any]:
    size = agg.params.get("size", 10)
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise illegal_argument(f"[size] must be greater than 0. Found [{size}] in [{agg.name}]")
    minimum = agg.params.get("min_doc_count", 1)
    groups: dict[Any, list[dict[str, Any]]] = {}
    if found is not None:
        for document in documents:
            for value in dict.fromkeys(field_values(document, found)):
                groups.setdefault(value, []).append(document)
    order = agg.params.get("order", {"_count": "desc"})
    if isinstance(order, list):
        order = order[0] if order else {"_count": "desc"}
    if not isinstance(order, dict) or len(order) != 1:
        raise parsing(f"[order] of terms aggregation [{agg.name}] must be an object with one key")
    key_name, direction = next(iter(order.items()))
    if key_name not in ("_count", "_key") or direction not in ("asc", "desc"):
        raise illegal_argument(f"Invalid aggregation order path [{key_name}]; order by _count or _key, asc or desc")
    reverse = direction == "desc"
    items = [(key, members) for key, members in groups.items() if len(members) >= minimum]
    if key_name == "_count":
        items.sort(key=lambda item: item[0])
        items.sort(key=lambda item: len(item[1]), reverse=reverse)
    else:
        items.sort(key=lambda item: item[0], reverse=reverse)
    shown = items[:size]
    counter.add(len(shown))
    buckets = []
    for key, members in shown:
        bucket: dict[str, Any] = {"key": _key(key, found), "doc_count": len(members)}
        if found is not None and found.type == "boolean":
            bucket["key_as_string"] = "true" if key else "false"
        elif found is not None and found.type == "date":
            bucket["key_as_string"] = format_date(int(key))
        bucket.update(_children(agg, members, mappings, counter))
        buckets.append(bucket)
    return {
        "doc_count_error_upper_bound": 0,
        "sum_other_doc_count": sum(len(members) for _, members in items[size:]),
        "buckets": buckets,
    }


def _key(value: Any, found: Field | None) -> Any:
    if isinstance(value, bool):
        return 1 if value else 0
    if found is not None and (found.type in INTEGRAL or found.type == "date") and isinstance(value, float):
        return int(value)
    return value


def _range(
    agg: Aggregation, documents: list[dict[str, Any]], found: Field | None, mappings: Mappings, counter: _Counter
) -> dict[str, Any]:
    ranges = agg.params.get("ranges")
    if not isinstance(ranges, list) or not ranges:
        raise illegal_argument(f"No [ranges] specified for the [{agg.name}] aggregation")
    dated = found is not None and found.type == "date"
    keyed = bool(agg.params.get("keyed", False))
    buckets: list[dict[str, Any]] = []
    counter.add(len(ranges))
    for spec in ranges:
        if not isinstance(spec, dict):
            raise parsing(f"[ranges] of [{agg.name}] must be objects")
        low, high = spec.get("from"), spec.get("to")
        low = _bound(low, dated, agg.name)
        high = _bound(high, dated, agg.name)
        members = []
        for document in documents:
            values = field_values(document, found) if found else []
            if any(
                isinstance(v, int | float) and (low is None or v >= low) and (high is None or v < high) for v in values
            ):
                members.append(document)
        key = spec.get("key") or f"{_range_label(low, dated)}-{_range_label(high, dated)}"
        bucket: dict[str, Any] = {"key": key}
        if low is not None:
            bucket["from"] = float(low)
            if dated:
                bucket["from_as_string"] = format_date(int(low))
        if high is not None:
            bucket["to"] = float(high)
            if dated:
                bucket["to_as_string"] = format_date(int(high))
        bucket["doc_count"] = len(members)
        bucket.update(_children(agg, members, mappings, counter))
        buckets.append(bucket)
    if keyed:
        return {"buckets": {bucket.pop("key"): bucket for bucket in buckets}}
    return {"buckets": buckets}


def _bound(value: Any, dated: bool, name: str) -> float | None:
    if value is None:
        return None
    number = parse_date(value) if dated else typed("double", value)
    if number is None:
        raise parsing(f"[{name}] cannot parse range bound [{value}]")
    return float(number)


def _range_label(value: float | None, dated: bool) -> str:
    if value is None:
        return "*"
    return format_date(int(value)) if dated else str(float(value))


def _histogram(
    agg: Aggregation, documents: list[dict[str, Any]], found: Field | None, mappings: Mappings, counter: _Counter
) -> dict[str, Any]:
    dated = agg.type == "date_histogram"
    minimum = agg.params.get("min_doc_count", 0)
    if dated:
        step = _date_step(agg)
    else:
        interval = agg.params.get("interval")
        if isinstance(interval, bool) or not isinstance(interval, int | float) or not interval > 0:
            raise illegal_argument(f"[interval] must be >0 for histogram aggregation [{agg.name}]")
        offset = agg.params.get("offset", 0)
        if isinstance(offset, bool) or not isinstance(offset, int | float):
            raise parsing(f"[offset] of histogram aggregation [{agg.name}] must be a number")

        def step(value: float) -> float:
            return math.floor((value - offset) / interval) * interval + offset

    groups: dict[float, list[dict[str, Any]]] = {}
    if found is not None:
        for document in documents:
            keys = {step(v) for v in field_values(document, found) if isinstance(v, int | float)}
            for key in keys:
                groups.setdefault(key, []).append(document)
    keys = sorted(groups)
    if minimum == 0 and keys:
        filled = []
        current = keys[0]
        while current <= keys[-1]:
            filled.append(current)
            counter.add(1)
            current = _next(current, agg, dated)
        keys = filled
    else:
        counter.add(len(keys))
    buckets = []
    for key in keys:
        members = groups.get(key, [])
        if len(members) < minimum:
            continue
        bucket: dict[str, Any] = {}
        if dated:
            bucket["key_as_string"] = format_date(int(key))
            bucket["key"] = int(key)
        else:
            bucket["key"] = float(key)
        bucket["doc_count"] = len(members)
        bucket.update(_children(agg, members, mappings, counter))
        buckets.append(bucket)
    return {"buckets": buckets}


def _date_step(agg: Aggregation) -> Any:
    calendar = agg.params.get("calendar_interval")
    fixed = agg.params.get("fixed_interval")
    if calendar is not None:
        unit = _CALENDAR.get(str(calendar))
        if unit is None:
            raise illegal_argument(f"The supplied interval [{calendar}] could not be parsed as a calendar interval.")

        def floor(value: float) -> float:
            moment = datetime.fromtimestamp(value / 1000, UTC)
            if unit == "minute":
                moment = moment.replace(second=0, microsecond=0)
            elif unit == "hour":
                moment = moment.replace(minute=0, second=0, microsecond=0)
            elif unit == "day":
                moment = moment.replace(hour=0, minute=0, second=0, microsecond=0)
            elif unit == "week":
                moment = moment.replace(hour=0, minute=0, second=0, microsecond=0)
                moment = datetime.fromtimestamp(moment.timestamp() - moment.weekday() * 86400, UTC)
            elif unit == "month":
                moment = moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
            elif unit == "quarter":
                moment = moment.replace(
                    month=(moment.month - 1) // 3 * 3 + 1, day=1, hour=0, minute=0, second=0, microsecond=0
                )
            else:
                moment = moment.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
            return moment.timestamp() * 1000

        return floor
    if fixed is not None:
        match = _FIXED.fullmatch(str(fixed))
        if match is None:
            raise illegal_argument(f"failed to parse setting [date_histogram.fixedInterval] with value [{fixed}]")
        millis = int(match.group(1)) * _FIXED_MILLIS[match.group(2)]
        if millis <= 0:
            raise illegal_argument(f"[fixed_interval] must be positive in [{agg.name}]")

        def floor_fixed(value: float) -> float:
            return math.floor(value / millis) * millis

        return floor_fixed
    raise illegal_argument(f"Invalid interval specified, must be non-null and non-empty for [{agg.name}]")


def _next(key: float, agg: Aggregation, dated: bool) -> float:
    if not dated:
        return key + agg.params["interval"]
    calendar = agg.params.get("calendar_interval")
    if calendar is None:
        match = _FIXED.fullmatch(str(agg.params["fixed_interval"]))
        assert match is not None
        return key + int(match.group(1)) * _FIXED_MILLIS[match.group(2)]
    unit = _CALENDAR[str(calendar)]
    moment = datetime.fromtimestamp(key / 1000, UTC)
    if unit in ("month", "quarter", "year"):
        months = {"month": 1, "quarter": 3, "year": 12}[unit]
        total = moment.month - 1 + months
        return moment.replace(year=moment.year + total // 12, month=total % 12 + 1).timestamp() * 1000
    seconds = {"minute": 60, "hour": 3600, "day": 86400, "week": 7 * 86400}[unit]
    return key + seconds * 1000
