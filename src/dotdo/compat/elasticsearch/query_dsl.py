"""The Query DSL: a request's `query` parsed into a tree of clauses.

`parse(body)` checks the shape as Elasticsearch does (`unknown query [foo]` is a `parsing_exception`,
bool nesting and clause counts are bounded); `matching` matches and scores the tree.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from .errors import ElasticError, parsing

MAX_DEPTH = 30
"""Elasticsearch's `indices.query.bool.max_nested_depth`."""
MAX_CLAUSES = 4096
"""Elasticsearch's `indices.query.bool.max_clause_count`."""
TEXT_TYPES = ("text", "match_only_text")


@dataclass(frozen=True)
class MatchAll:
    """`match_all`: every document, scored `boost`."""

    boost: float = 1.0


@dataclass(frozen=True)
class MatchNone:
    """`match_none`: no document."""


@dataclass(frozen=True)
class Text:
    """A full-text clause (`match`, `match_phrase`, `multi_match`): its words, fields and how they combine."""

    fields: tuple[tuple[str, float], ...]
    query: str
    operator: str = "or"
    minimum_should_match: str | int | None = None
    fuzziness: str | int | None = None
    phrase: bool = False
    phrase_prefix: bool = False
    slop: int = 0
    combine: str = "best_fields"
    tie_breaker: float = 0.0
    boost: float = 1.0


@dataclass(frozen=True)
class Term:
    """`term` (one value) or `terms` (any of them)."""

    field: str
    values: tuple[Any, ...]
    case_insensitive: bool = False
    boost: float = 1.0


@dataclass(frozen=True)
class Range:
    """`range` on one field: the bounds given (numbers, dates, or strings for keywords)."""

    field: str
    gt: Any = None
    gte: Any = None
    lt: Any = None
    lte: Any = None
    boost: float = 1.0


@dataclass(frozen=True)
class FieldExists:
    """`exists`: the field holds at least one non-null value."""

    field: str
    boost: float = 1.0


@dataclass(frozen=True)
class Pattern:
    """`prefix` or `wildcard` on one field (`regex` is the whole-value pattern)."""

    field: str
    regex: str
    case_insensitive: bool = False
    boost: float = 1.0


@dataclass(frozen=True)
class Ids:
    """`ids`: the documents with these ids."""

    values: tuple[str, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class Bool:
    """`bool`: every `must` and `filter` clause, no `must_not` one, enough `should` ones."""

    must: tuple[Query, ...] = ()
    should: tuple[Query, ...] = ()
    filter: tuple[Query, ...] = ()
    must_not: tuple[Query, ...] = ()
    minimum_should_match: str | int | None = None
    boost: float = 1.0


@dataclass(frozen=True)
class ConstantScore:
    """`constant_score`: the documents `filter` matches, each scored `boost`."""

    filter: Query
    boost: float = 1.0


Query = MatchAll | MatchNone | Text | Term | Range | FieldExists | Pattern | Ids | Bool | ConstantScore

KNOWN_UNSUPPORTED = {
    "query_string",
    "simple_query_string",
    "regexp",
    "fuzzy",
    "nested",
    "has_child",
    "has_parent",
    "geo_distance",
    "geo_bounding_box",
    "function_score",
    "script_score",
    "dis_max",
    "more_like_this",
    "match_bool_prefix",
    "combined_fields",
    "intervals",
    "span_term",
    "knn",
    "boosting",
    "terms_set",
    "script",
    "percolate",
    "pinned",
    "rank_feature",
    "distance_feature",
    "semantic",
    "sparse_vector",
    "text_expansion",
    "wrapper",
}


# -- parsing ------------------------------------------------------------------------------------------


class _Parser:
    def __init__(self) -> None:
        self.clauses = 0

    def parse(self, body: Any, depth: int = 0) -> Query:
        if depth > MAX_DEPTH:
            raise parsing(
                f"The nested depth of the query exceeds the maximum nested depth for queries set in "
                f"[indices.query.bool.max_nested_depth] ({MAX_DEPTH})"
            )
        self.clauses += 1
        if self.clauses > MAX_CLAUSES:
            raise ElasticError(
                400,
                "too_many_nested_clauses_exception",
                f"Query contains too many nested clauses; maxClauseCount is set to {MAX_CLAUSES}",
            )
        if not isinstance(body, dict):
            raise parsing("query malformed, must start with start_object")
        if len(body) != 1:
            if not body:
                raise parsing("query malformed, empty clause found")
            raise parsing(f"[{next(iter(body))}] malformed query, expected [END_OBJECT] but found [FIELD_NAME]")
        kind, spec = next(iter(body.items()))
        method = getattr(self, f"_{kind}", None)
        if method is None or kind.startswith("_"):
            if kind in KNOWN_UNSUPPORTED:
                raise parsing(f"query [{kind}] is not supported by this server")
            raise parsing(f"unknown query [{kind}]")
        return method(spec, depth)

    def _match_all(self, spec: Any, depth: int) -> Query:
        return MatchAll(_boost(_object("match_all", spec)))

    def _match_none(self, spec: Any, depth: int) -> Query:
        _object("match_none", spec)
        return MatchNone()

    def _text(self, kind: str, spec: Any, **options: Any) -> Text:
        name, value = _single_field(kind, spec)
        if isinstance(value, dict):
            params = dict(value)
            if "query" not in params:
                raise parsing(f"[{kind}] query does not support [{next(iter(params), '')}]")
            query = params.pop("query")
        else:
            query, params = value, {}
        return self._text_clause(kind, ((name, 1.0),), query, params, **options)

    def _text_clause(
        self, kind: str, fields: tuple[tuple[str, float], ...], query: Any, params: dict[str, Any], **options: Any
    ) -> Text:
        if isinstance(query, bool) or not isinstance(query, str | int | float):
            raise parsing(f"[{kind}] unknown token [START_OBJECT] after [query]")
        operator = str(params.get("operator", "or")).lower()
        if operator not in ("or", "and"):
            raise parsing(f"[{kind}] unknown operator [{params.get('operator')}]")
        fuzziness = params.get("fuzziness")
        if fuzziness is not None and edits_for(fuzziness, 10) is None:
            raise parsing(f"[{kind}] failed to parse fuzziness [{fuzziness}]")
        return Text(
            fields=fields,
            query=str(query),
            operator=operator,
            minimum_should_match=params.get("minimum_should_match"),
            fuzziness=fuzziness,
            slop=_int(params.get("slop", 0), "slop"),
            boost=_boost(params),
            **options,
        )

    def _match(self, spec: Any, depth: int) -> Query:
        return self._text("match", spec)

    def _match_phrase(self, spec: Any, depth: int) -> Query:
        return self._text("match_phrase", spec, phrase=True)

    def _match_phrase_prefix(self, spec: Any, depth: int) -> Query:
        return self._text("match_phrase_prefix", spec, phrase=True, phrase_prefix=True)

    def _multi_match(self, spec: Any, depth: int) -> Query:
        params = dict(_object("multi_match", spec))
        if "query" not in params:
            raise parsing("[multi_match] requires query value")
        names = params.pop("fields", ["*"])
        if isinstance(names, str):
            names = [names]
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise parsing("[multi_match] fields must be an array of strings")
        fields = []
        for name in names:
            base, _, weight = name.partition("^")
            try:
                fields.append((base, float(weight) if weight else 1.0))
            except ValueError:
                raise parsing(f"[multi_match] cannot parse the boost of field [{name}]") from None
        combine = params.pop("type", "best_fields")
        if combine not in ("best_fields", "most_fields", "cross_fields", "phrase", "phrase_prefix", "bool_prefix"):
            raise parsing(f"[multi_match] query does not support type {combine}")
        tie_breaker = number("tie_breaker", params.pop("tie_breaker", 0.0))
        return self._text_clause(
            "multi_match",
            tuple(fields),
            params.pop("query"),
            params,
            phrase=combine in ("phrase", "phrase_prefix"),
            phrase_prefix=combine == "phrase_prefix",
            combine="most_fields" if combine == "most_fields" else "best_fields",
            tie_breaker=tie_breaker,
        )

    def _term(self, spec: Any, depth: int) -> Query:
        name, value = _single_field("term", spec)
        params = value if isinstance(value, dict) else {"value": value}
        if "value" not in params:
            raise parsing("[term] query does not support a term without [value]")
        _scalar("term", params["value"])
        return Term(name, (params["value"],), bool(params.get("case_insensitive", False)), _boost(params))

    def _terms(self, spec: Any, depth: int) -> Query:
        params = dict(_object("terms", spec))
        boost = _boost(params)
        params.pop("boost", None)
        params.pop("_name", None)
        if len(params) != 1:
            raise parsing("[terms] query requires exactly one field")
        name, values = next(iter(params.items()))
        if not isinstance(values, list):
            raise parsing(f"[terms] query does not support [{name}]")
        for value in values:
            _scalar("terms", value)
        return Term(name, tuple(values), False, boost)

    def _range(self, spec: Any, depth: int) -> Query:
        name, params = _single_field("range", spec)
        if not isinstance(params, dict):
            raise parsing(f"[range] query malformed, no start_object after query name [{name}]")
        bounds = {}
        for key, value in params.items():
            if key in ("gt", "gte", "lt", "lte", "from", "to"):
                _scalar("range", value, allow_null=True)
                bounds[{"from": "gte", "to": "lte"}.get(key, key)] = value
            elif key not in ("boost", "format", "time_zone", "relation", "include_lower", "include_upper", "_name"):
                raise parsing(f"[range] query does not support [{key}]")
        return Range(name, boost=_boost(params), **bounds)

    def _exists(self, spec: Any, depth: int) -> Query:
        params = _object("exists", spec)
        if not isinstance(params.get("field"), str):
            raise parsing("[exists] must be provided with a [field]")
        return FieldExists(params["field"], _boost(params))

    def _prefix(self, spec: Any, depth: int) -> Query:
        name, value = _single_field("prefix", spec)
        params = value if isinstance(value, dict) else {"value": value}
        text = params.get("value")
        if not isinstance(text, str):
            raise parsing("[prefix] query requires a string [value]")
        return Pattern(name, re.escape(text) + ".*", bool(params.get("case_insensitive", False)), _boost(params))

    def _wildcard(self, spec: Any, depth: int) -> Query:
        name, value = _single_field("wildcard", spec)
        params = value if isinstance(value, dict) else {"value": value}
        text = params.get("value", params.get("wildcard"))
        if not isinstance(text, str):
            raise parsing("[wildcard] query requires a string [value]")
        regex = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in text)
        return Pattern(name, regex, bool(params.get("case_insensitive", False)), _boost(params))

    def _ids(self, spec: Any, depth: int) -> Query:
        params = _object("ids", spec)
        values = params.get("values", [])
        if not isinstance(values, list):
            raise parsing("[ids] values must be an array")
        return Ids(tuple(str(v) for v in values), _boost(params))

    def _bool(self, spec: Any, depth: int) -> Query:
        params = _object("bool", spec)
        clauses: dict[str, tuple[Query, ...]] = {}
        for key in ("must", "should", "filter", "must_not"):
            value = params.get(key, [])
            items = value if isinstance(value, list) else [value]
            clauses[key] = tuple(self.parse(item, depth + 1) for item in items)
        for key in params:
            if key not in ("must", "should", "filter", "must_not", "minimum_should_match", "boost", "_name"):
                raise parsing(f"[bool] query does not support [{key}]")
        return Bool(**clauses, minimum_should_match=params.get("minimum_should_match"), boost=_boost(params))

    def _constant_score(self, spec: Any, depth: int) -> Query:
        params = _object("constant_score", spec)
        if "filter" not in params:
            raise parsing("[constant_score] requires a 'filter' element")
        return ConstantScore(self.parse(params["filter"], depth + 1), _boost(params))


def parse(body: Any) -> Query:
    """The query tree of a request's `query` object; `parsing_exception` when Elasticsearch would refuse it."""
    return _Parser().parse(body)


def _object(kind: str, spec: Any) -> dict[str, Any]:
    if not isinstance(spec, dict):
        raise parsing(f"[{kind}] query malformed, no start_object after query name")
    return spec


def _single_field(kind: str, spec: Any) -> tuple[str, Any]:
    params = {k: v for k, v in _object(kind, spec).items() if k not in ("boost", "_name")}
    if len(params) != 1:
        raise parsing(f"[{kind}] query doesn't support multiple fields, found [{', '.join(params) or 'none'}]")
    return next(iter(params.items()))


def _scalar(kind: str, value: Any, *, allow_null: bool = False) -> None:
    if value is None and allow_null:
        return
    if isinstance(value, dict | list) or value is None:
        raise parsing(f"[{kind}] query does not support an array or object as a value")
    if isinstance(value, float) and not math.isfinite(value):
        raise parsing(f"[{kind}] value must be a finite number")


def _boost(params: dict[str, Any]) -> float:
    boost = params.get("boost", 1.0)
    if isinstance(boost, bool) or not isinstance(boost, int | float) or not math.isfinite(boost) or boost < 0:
        raise parsing(f"[boost] must be a non-negative number, not [{boost}]")
    return float(boost)


def number(name: str, value: Any) -> float:
    """A finite number parameter; `parsing_exception` naming it otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise parsing(f"[{name}] must be a number, not [{value}]")
    return float(value)


def _int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise parsing(f"[{name}] must be an integer")
    return value


def edits_for(fuzziness: Any, length: int) -> int | None:
    """The edits a word of `length` letters may have under `fuzziness` (`AUTO`, 0-2); None if it is not one."""
    if isinstance(fuzziness, bool):
        return None
    if isinstance(fuzziness, int) and fuzziness in (0, 1, 2):
        return fuzziness
    if isinstance(fuzziness, str):
        text = fuzziness.strip().upper()
        if text in ("0", "1", "2"):
            return int(text)
        if text.startswith("AUTO"):
            low, high = 3, 6
            if ":" in text:
                try:
                    low, high = (int(p) for p in text[5:].split(","))
                except ValueError:
                    return None
            return 0 if length < low else 1 if length < high else 2
    return None


def minimum_should_match(spec: str | int | None, count: int, default: int) -> int:
    """How many of `count` optional clauses must match under `spec` (`2`, `-1`, `75%`, `-25%`)."""
    if spec is None:
        return default
    text = str(spec).strip()
    try:
        if text.endswith("%"):
            percent = float(text[:-1])
            amount = int(count * abs(percent) / 100)
            wanted = count - amount if percent < 0 else amount
        else:
            number = int(text)
            wanted = count + number if number < 0 else number
    except ValueError:
        raise parsing(f"cannot parse minimum_should_match [{spec}]") from None
    return max(0, min(count, wanted))
