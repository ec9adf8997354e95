"""Elasticsearch that its official Python client cannot tell from the real one, on the search and vector engines.

dotdo compat serve elasticsearch --port 9200
es = dotdo.compat.elasticsearch.client("http://127.0.0.1:9200")   # elasticsearch.Elasticsearch, default key
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..layer import Service
from ..vector import VectorCatalog, VectorCollection
from .app import build
from .index import ElasticIndex

if TYPE_CHECKING:
    from starlette.types import Scope

OPERATIONS = frozenset(
    {
        "info",
        "cluster.health",
        "cat.indices",
        "indices.create",
        "indices.delete",
        "indices.exists",
        "indices.get",
        "indices.get_mapping",
        "indices.put_mapping",
        "indices.get_settings",
        "indices.refresh",
        "index",
        "create",
        "get",
        "get_source",
        "exists",
        "update",
        "delete",
        "bulk",
        "mget",
        "search",
        "msearch",
        "scroll",
        "clear_scroll",
        "count",
        "delete_by_query",
        "update_by_query",
    }
)
_OTHER_LAYERS = ("/_compat", "/_dotdo")


def claims(scope: Scope) -> bool:
    """Elasticsearch requests: its clients' media type or meta header, `ApiKey` auth, or a `/_…` API path."""
    for name, value in scope["headers"]:
        if name in (b"accept", b"content-type") and b"vnd.elasticsearch" in value:
            return True
        if name == b"x-elastic-client-meta" or (name == b"authorization" and value.startswith(b"ApiKey ")):
            return True
    path: str = scope["path"]
    segments = path.split("/")
    return any(s.startswith("_") for s in segments[1:3]) and not path.startswith(_OTHER_LAYERS)


def client(
    url: str = "http://127.0.0.1:9200",
    *,
    data_dir: str = ".dotdo",
    access_key_id: str | None = None,
    secret: str | None = None,
    **options: Any,
) -> Any:
    """An `elasticsearch.Elasticsearch` pointed at dotdo, authenticating with the access key as its API key."""
    from elasticsearch import Elasticsearch

    from ..credentials import client_key

    access_key_id, secret = client_key(data_dir, access_key_id, secret)
    return Elasticsearch(url, api_key=(access_key_id, secret), **options)


service = Service(
    name="elasticsearch",
    title="Elasticsearch",
    operations=OPERATIONS,
    build=build,
    objects=(ElasticIndex, VectorCatalog, VectorCollection),
    claims=claims,
    client=client,
    notes={
        "refresh": "every write is searchable when acknowledged; refresh is accepted and does nothing",
        "scoring": "BM25 per field with document frequencies over all text fields; scores differ from Lucene's",
        "scripts": "update scripts run a small Painless subset (assignments, +=, add, remove, ctx.op)",
        "search": "aggregations and knn search one index at a time; point in time, collapse and "
        "query_string are refused with a clear error",
        "scroll": "the scroll id carries the request and the next offset: pages are read live, not from a snapshot",
        "security": "API keys and users are dotdo access keys; the _security API is not served",
    },
)
"""The Elasticsearch layer as the registry lists it."""

__all__ = ["OPERATIONS", "ElasticIndex", "client", "service"]
