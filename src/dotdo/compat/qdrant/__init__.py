"""Qdrant over REST, for `qdrant-client`: collections with named and sparse vectors, points, payloads, queries.

dotdo compat serve qdrant --port 6333
client = dotdo.compat.qdrant.client("http://127.0.0.1:6333")   # QdrantClient with the default key
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..layer import Service
from ..vector import VectorCatalog, VectorCollection
from .app import build

if TYPE_CHECKING:
    from starlette.types import Scope

OPERATIONS = frozenset(
    {
        "create_collection",
        "get_collection",
        "get_collections",
        "collection_exists",
        "delete_collection",
        "create_payload_index",
        "delete_payload_index",
        "upsert",
        "retrieve",
        "delete",
        "set_payload",
        "overwrite_payload",
        "delete_payload",
        "clear_payload",
        "update_vectors",
        "delete_vectors",
        "batch_update_points",
        "query_points",
        "query_batch_points",
        "query_points_groups",
        "search",
        "search_batch",
        "search_groups",
        "recommend",
        "recommend_batch",
        "search_matrix_pairs",
        "search_matrix_offsets",
        "facet",
        "scroll",
        "count",
    }
)


def claims(scope: Scope) -> bool:
    """Qdrant requests: those carrying Qdrant's `api-key` header (Pinecone's SDK sends one too, with its version
    header), or `/collections` paths without Typesense's key."""
    names = {name for name, _ in scope["headers"]}
    if b"x-pinecone-api-version" in names:
        return False
    if b"api-key" in names:
        return True
    path: str = scope["path"]
    return (path == "/collections" or path.startswith("/collections/")) and b"x-typesense-api-key" not in names


def client(
    url: str = "http://127.0.0.1:6333",
    *,
    data_dir: str = ".dotdo",
    access_key_id: str | None = None,
    secret: str | None = None,
    **options: Any,
) -> Any:
    """A `qdrant_client.QdrantClient` pointed at dotdo over REST; its api key is the access key's id and secret."""
    from qdrant_client import QdrantClient

    from ..credentials import client_key

    access_key_id, secret = client_key(data_dir, access_key_id, secret)
    options.setdefault("https", url.startswith("https:"))
    # The client warns when the server's version is not within one minor version of its own; this
    # layer reports the Qdrant version whose REST API it follows, which need not be the client's.
    options.setdefault("check_compatibility", False)
    return QdrantClient(url=url, api_key=f"{access_key_id}{secret}", prefer_grpc=False, **options)


service = Service(
    name="qdrant",
    title="Qdrant",
    operations=OPERATIONS,
    build=build,
    objects=(VectorCollection, VectorCatalog),
    claims=claims,
    client=client,
    notes={
        "vectors": "one unnamed dense vector, or named dense vectors, and named sparse vectors (dot product over "
        "shared indices); multivectors and the sparse idf modifier are refused",
        "query": "dense, sparse or point-id queries with `using`; prefetch with RRF fusion or re-scoring; recommend "
        "(average vector); groups; DBSF, discovery, context, order_by, formulas and lookup_from are refused",
        "filters": "evaluated with Qdrant's rules on each point (a full scan of the payloads): match value/any/except/"
        "text/text_any/phrase, range (numbers, datetimes), is_empty, is_null, has_id, values_count, geo radius and "
        "box, nested, min_should, array paths; has_vector and geo_polygon are refused",
        "grpc": "REST only",
    },
)
"""The Qdrant layer as the registry lists it."""

__all__ = ["OPERATIONS", "client", "service"]
