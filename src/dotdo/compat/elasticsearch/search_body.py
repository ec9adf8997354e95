"""A `_search` request's body and URL parameters, read into what the index runs.

Query, page, sort, `_source`, highlight, aggregations, `search_after`, `knn`.

Elasticsearch's checks come first, with its own errors: a window past `index.max_result_window`, a
`search_after` whose length differs from the sort's, an unknown key at the top of the body.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from . import aggregations
from . import query_dsl as dsl
from .errors import illegal_argument, parsing

MAX_RESULT_WINDOW = 10_000
TOP_LEVEL = {
    "query",
    "from",
    "size",
    "sort",
    "_source",
    "highlight",
    "aggs",
    "aggregations",
    "search_after",
    "track_total_hits",
    "knn",
    "min_score",
    "track_scores",
    "timeout",
    "explain",
    "version",
    "seq_no_primary_term",
    "stored_fields",
    "fields",
    "docvalue_fields",
    "profile",
    "terminate_after",
    "runtime_mappings",
    "pit",
    "collapse",
    "rescore",
    "post_filter",
    "suggest",
    "script_fields",
    "indices_boost",
    "stats",
    "rank",
    "retriever",
    "ext",
}
UNSUPPORTED = {
    "pit",
    "collapse",
    "rescore",
    "suggest",
    "script_fields",
    "runtime_mappings",
    "rank",
    "retriever",
    "indices_boost",
}


@dataclass(frozen=True)
class SortKey:
    """One sort clause: a field (or `_score`, `_doc`), its order, where missing values go."""

    field: str
    descending: bool
    missing: Any = "_last"
    unmapped_type: str | None = None


@dataclass(frozen=True)
class SourceFilter:
    """Whether `_source` is returned, and which of its fields."""

    enabled: bool = True
    includes: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Highlight:
    fields: tuple[str, ...]
    pre_tag: str = "<em>"
    post_tag: str = "</em>"
    fragment_size: int = 100
    number_of_fragments: int = 5


@dataclass(frozen=True)
class Knn:
    """One `knn` clause: nearest `k` to `vector` on `field`, among documents `filter` accepts."""

    field: str
    vector: tuple[float, ...]
    k: int
    num_candidates: int
    filter: dsl.Query | None = None
    similarity: float | None = None
    boost: float = 1.0


@dataclass(frozen=True)
class SearchBody:
    """Everything a search asks for."""

    query: dsl.Query = field(default_factory=dsl.MatchAll)
    offset: int = 0
    size: int = 10
    sort: tuple[SortKey, ...] = ()
    search_after: tuple[Any, ...] | None = None
    source: SourceFilter = field(default_factory=SourceFilter)
    highlight: Highlight | None = None
    aggs: tuple[aggregations.Aggregation, ...] = ()
    track_total_hits: bool | int = MAX_RESULT_WINDOW
    knn: tuple[Knn, ...] = ()
    min_score: float | None = None
    track_scores: bool = False
    post_filter: dsl.Query | None = None
    seq_no_primary_term: bool = False
    version: bool = False
    has_query: bool = False


def _integer(name: str, value: Any, minimum: int = 0) -> int:
    if isinstance(value, str) and value.lstrip("-").isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise parsing(f"[{name}] must be an integer, not [{value}]")
    if value < minimum:
        raise illegal_argument(f"[{name}] parameter cannot be negative, found [{value}]")
    return value


def source_filter(value: Any, includes: str | None = None, excludes: str | None = None) -> SourceFilter:
    """The `_source` option of a body or URL (`false`, a field, a list, or `{"includes", "excludes"}`)."""
    if value is None and includes is None and excludes is None:
        return SourceFilter()
    chosen_in: list[str] = includes.split(",") if includes else []
    chosen_out: list[str] = excludes.split(",") if excludes else []
    if value in (False, "false"):
        return SourceFilter(False)
    if value in (True, "true", None):
        pass
    elif isinstance(value, str):
        chosen_in += value.split(",")
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        chosen_in += value
    elif isinstance(value, dict):
        for key, target in (
            ("includes", chosen_in),
            ("include", chosen_in),
            ("excludes", chosen_out),
            ("exclude", chosen_out),
        ):
            part = value.get(key, [])
            target.extend([part] if isinstance(part, str) else part if isinstance(part, list) else [])
    else:
        raise parsing("[_source] must be a boolean, a string, an array or an object")
    return SourceFilter(True, tuple(chosen_in), tuple(chosen_out))


def sort_keys(value: Any) -> tuple[SortKey, ...]:
    """The `sort` option: `"field"`, `{"field": "desc"}`, `{"field": {"order": ..., "missing": ...}}`, or a list."""
    items = value if isinstance(value, list) else [value]
    keys = []
    for item in items:
        if isinstance(item, str):
            name, _, order = item.partition(":")
            keys.append(SortKey(name, (order or ("desc" if name == "_score" else "asc")) == "desc"))
            continue
        if not isinstance(item, dict) or len(item) != 1:
            raise parsing("[sort] clauses must be a field name or an object with one field")
        name, spec = next(iter(item.items()))
        if isinstance(spec, str):
            spec = {"order": spec}
        if not isinstance(spec, dict):
            raise parsing(f"[sort] option of [{name}] must be a string or an object")
        order = spec.get("order", "desc" if name == "_score" else "asc")
        if order not in ("asc", "desc"):
            raise illegal_argument(f"Unknown SortOrder [{order}]")
        keys.append(SortKey(name, order == "desc", spec.get("missing", "_last"), spec.get("unmapped_type")))
    return tuple(keys)


def parse_knn(value: Any) -> tuple[Knn, ...]:
    """The `knn` option: one clause or a list of them."""
    items = value if isinstance(value, list) else [value]
    clauses = []
    for item in items:
        if not isinstance(item, dict):
            raise parsing("[knn] must be an object or an array of objects")
        for key in item:
            if key not in ("field", "query_vector", "k", "num_candidates", "filter", "similarity", "boost", "_name"):
                raise parsing(f"[knn] unknown field [{key}]")
        vector = item.get("query_vector")
        if not isinstance(item.get("field"), str):
            raise parsing("[knn] requires a [field]")
        if (
            not isinstance(vector, list)
            or not vector
            or not all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in vector)
        ):
            raise parsing("[knn] [query_vector] must be a non-empty array of finite numbers")
        k = _integer("k", item.get("k", 10), 1)
        candidates = _integer("num_candidates", item.get("num_candidates", max(100, k)), 1)
        if candidates < k:
            raise illegal_argument("[num_candidates] cannot be less than [k]")
        if candidates > 10_000:
            raise illegal_argument("[num_candidates] cannot exceed [10000]")
        filters = item.get("filter")
        tree = None
        if filters is not None:
            parts = filters if isinstance(filters, list) else [filters]
            trees = tuple(dsl.parse(part) for part in parts)
            tree = trees[0] if len(trees) == 1 else dsl.Bool(filter=trees)
        clauses.append(
            Knn(
                item["field"],
                tuple(float(v) for v in vector),
                k,
                candidates,
                tree,
                None if item.get("similarity") is None else dsl.number("similarity", item["similarity"]),
                dsl.number("boost", item.get("boost", 1.0)),
            )
        )
    return tuple(clauses)


def parse_body(body: Any, params: dict[str, str], *, scrolling: bool = False) -> SearchBody:
    """The search a body and URL parameters ask for (`q` is refused: use a query in the body).

    `scrolling`: a page of a scroll, which may go past the result window.
    """
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise parsing("request body or source parameter is required to be an object")
    for key in body:
        if key not in TOP_LEVEL:
            raise parsing(f"Unknown key for a START_OBJECT in [{key}].")
        if key in UNSUPPORTED:
            raise illegal_argument(f"[{key}] is not supported by this server")
    if "q" in params:
        raise illegal_argument("the [q] URL parameter is not supported by this server; send a query in the body")
    offset = _integer("from", body.get("from", params.get("from", 0)))
    size = _integer("size", body.get("size", params.get("size", 10)))
    if offset + size > MAX_RESULT_WINDOW and not scrolling:
        raise illegal_argument(
            f"Result window is too large, from + size must be less than or equal to: [{MAX_RESULT_WINDOW}] but was "
            f"[{offset + size}]. See the scroll api for a more efficient way to request large data sets. This limit "
            "can be set by changing the [index.max_result_window] index level setting."
        )
    sort = (
        sort_keys(body["sort"]) if "sort" in body else sort_keys(params["sort"].split(",")) if "sort" in params else ()
    )
    after = body.get("search_after")
    if after is not None:
        if not isinstance(after, list):
            raise parsing("[search_after] must be an array")
        if len(after) != len(sort):
            raise illegal_argument(f"search_after has {len(after)} value(s) but sort has {len(sort)}.")
        if offset:
            raise illegal_argument("[from] parameter must be set to 0 when [search_after] is used.")
    highlight = None
    if "highlight" in body:
        spec = body["highlight"]
        if not isinstance(spec, dict) or "fields" not in spec:
            raise parsing("[highlight] requires [fields]")
        names = spec["fields"]
        if isinstance(names, list):
            names = {k: v for item in names if isinstance(item, dict) for k, v in item.items()}
        if not isinstance(names, dict):
            raise parsing("[highlight] [fields] must be an object or an array of objects")
        pre, post = spec.get("pre_tags", ["<em>"]), spec.get("post_tags", ["</em>"])
        highlight = Highlight(
            tuple(names),
            pre[0] if isinstance(pre, list) and pre else "<em>",
            post[0] if isinstance(post, list) and post else "</em>",
            _integer("fragment_size", spec.get("fragment_size", 100)),
            _integer("number_of_fragments", spec.get("number_of_fragments", 5)),
        )
    total = body.get("track_total_hits", params.get("track_total_hits", MAX_RESULT_WINDOW))
    if total in ("true", "false"):
        total = total == "true"
    if not isinstance(total, bool | int):
        raise parsing("[track_total_hits] must be a boolean or an integer")
    aggs_body = body.get("aggs", body.get("aggregations"))
    min_score = body.get("min_score")
    if min_score is not None and (isinstance(min_score, bool) or not isinstance(min_score, int | float)):
        raise parsing("[min_score] must be a number")
    return SearchBody(
        query=dsl.parse(body["query"]) if "query" in body else dsl.MatchAll(),
        offset=offset,
        size=size,
        sort=sort,
        search_after=tuple(after) if after is not None else None,
        source=source_filter(
            body.get("_source", params.get("_source")), params.get("_source_includes"), params.get("_source_excludes")
        ),
        highlight=highlight,
        aggs=aggregations.parse(aggs_body) if aggs_body else (),
        track_total_hits=total,
        knn=parse_knn(body["knn"]) if "knn" in body else (),
        min_score=float(min_score) if min_score is not None else None,
        track_scores=bool(body.get("track_scores", False)),
        post_filter=dsl.parse(body["post_filter"]) if "post_filter" in body else None,
        seq_no_primary_term=bool(body.get("seq_no_primary_term", params.get("seq_no_primary_term") == "true")),
        version=bool(body.get("version", params.get("version") == "true")),
        has_query="query" in body,
    )
