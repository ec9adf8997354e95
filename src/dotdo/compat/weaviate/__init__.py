"""Weaviate for `weaviate-client` v4: its REST API and the gRPC service it queries and batches through.

    dotdo compat serve weaviate --port 8080 --grpc-port 50051
    client = dotdo.compat.weaviate.client("http://127.0.0.1:8080", grpc_port=50051)   # WeaviateClient, default key
    articles = client.collections.create("Article", vector_config=Configure.Vectors.self_provided())

A class is a `VectorCollection` object of the API key's tenant; queries filter during the vector
search. What the client can call and what it cannot is in `OPERATIONS` and `service.notes`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..layer import Companion, Service
from ..vector import VectorCatalog, VectorCollection

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Scope

    from ..layer import CompatContext

DEFAULT_GRPC_PORT = 50051

OPERATIONS = frozenset(
    {
        "collections.create",
        "collections.create_from_dict",
        "collections.get",
        "collections.exists",
        "collections.list_all",
        "collections.delete",
        "collection.config.get",
        "collection.config.add_property",
        "collection.data.insert",
        "collection.data.insert_many",
        "collection.data.replace",
        "collection.data.update",
        "collection.data.exists",
        "collection.data.delete_by_id",
        "collection.data.delete_many",
        "collection.batch.dynamic",
        "collection.batch.fixed_size",
        "collection.query.fetch_objects",
        "collection.query.fetch_object_by_id",
        "collection.query.near_vector",
        "collection.aggregate.over_all(total_count=True)",
        "collection.iterator",
        "client.is_ready",
        "client.is_live",
        "client.get_meta",
    }
)


def claims(scope: Scope) -> bool:
    """Weaviate requests: every path under `/v1/` (no other layer's paths start so)."""
    path: str = scope["path"]
    return path == "/v1" or path.startswith("/v1/")


def build(context: CompatContext) -> ASGIApp:
    """The REST routes on the runtime of `context`."""
    from .rest import WeaviateRest
    from .store import WeaviateStore

    return WeaviateRest(WeaviateStore(context))


def grpc_server(context: CompatContext) -> Companion:
    """The gRPC server, on `grpc_host`:`grpc_port` of the layer's settings (127.0.0.1:50051 by default)."""
    from .grpc_service import WeaviateGrpc
    from .store import WeaviateStore

    host = str(context.options.get("grpc_host", "127.0.0.1"))
    port = int(context.options.get("grpc_port", DEFAULT_GRPC_PORT))
    return WeaviateGrpc(WeaviateStore(context), host, port)


def client(
    url: str = "http://127.0.0.1:8080",
    *,
    grpc_port: int = DEFAULT_GRPC_PORT,
    data_dir: str = ".dotdo",
    access_key_id: str | None = None,
    secret: str | None = None,
    skip_init_checks: bool = True,
    **options: Any,
) -> Any:
    """A connected `weaviate.WeaviateClient` for the server at `url` with its gRPC port on the same host.

    Its API key is the access key's id followed by its secret. The client's start-up checks are
    skipped by default: one of them asks pypi.org for the newest client version.
    """
    from urllib.parse import urlsplit

    import weaviate
    from weaviate.auth import Auth

    from ..credentials import client_key

    access_key_id, secret = client_key(data_dir, access_key_id, secret)
    parts = urlsplit(url)
    secure = parts.scheme == "https"
    host = parts.hostname or "127.0.0.1"
    return weaviate.connect_to_custom(
        http_host=host,
        http_port=parts.port or (443 if secure else 80),
        http_secure=secure,
        grpc_host=host,
        grpc_port=grpc_port,
        grpc_secure=secure,
        auth_credentials=Auth.api_key(f"{access_key_id}{secret}"),
        skip_init_checks=skip_init_checks,
        **options,
    )


service = Service(
    name="weaviate",
    title="Weaviate",
    operations=OPERATIONS,
    build=build,
    objects=(VectorCollection, VectorCatalog),
    claims=claims,
    client=client,
    companion=grpc_server,
    notes={
        "vectors": "one vector per object, self-provided (vectorizer none): the unnamed one or a single named "
        "vector; no vectorizer, generative or reranker modules, no multi-vectors",
        "objects": "every object needs a vector; properties of primitive types (text, int, number, boolean, date, "
        "uuid and their arrays); no cross-references, nested objects or geo coordinates",
        "search": "near_vector and fetch_objects with filters, limit, offset, after, distance and certainty; "
        "bm25, hybrid, near_object, near_text, group_by, sort and autocut answer UNIMPLEMENTED",
        "filters": "equal, not_equal, greater/less than, like (`*text*` or exact), is_none, contains_any/all/none, "
        "and, or, not, on properties and `_id`; text equality compares whole values; greater/less than compare "
        "numbers only (not dates or text); geo, reference, length and timestamp filters are refused",
        "aggregate": "over_all(total_count=True), with or without filters; property metrics and group_by are refused",
        "tenants": "a dotdo tenant is the API key's; Weaviate's multi-tenancy within a class is refused",
        "grpc": "served on its own port (`--grpc-port`); not when the layer is mounted in an API app",
    },
)
"""The Weaviate layer as the registry lists it."""

__all__ = ["DEFAULT_GRPC_PORT", "OPERATIONS", "client", "service"]
