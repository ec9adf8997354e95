"""The search engine the search layers share: an index per object, on SQLite FTS5 with BM25.

Meilisearch, Typesense, Elasticsearch and Algolia each parse their own requests into a `SearchQuery`
(with a `filters` tree) and format the result their own way; `SearchIndex` does the work, and
`ShardedIndex` spreads an index created sharded over several of them.
"""

from __future__ import annotations

from .filters import And, Compare, EqualsIgnoringCase, Exists, Filter, FilterError, GeoRadius, IsEmpty, IsNull, Not, Or
from .index import SearchError, SearchIndex, SearchQuery, SortKey
from .shards import ShardedIndex

__all__ = [
    "And",
    "Compare",
    "EqualsIgnoringCase",
    "Exists",
    "Filter",
    "FilterError",
    "GeoRadius",
    "IsEmpty",
    "IsNull",
    "Not",
    "Or",
    "SearchError",
    "SearchIndex",
    "SearchQuery",
    "ShardedIndex",
    "SortKey",
]
