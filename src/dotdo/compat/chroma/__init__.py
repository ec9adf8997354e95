"""Chroma's HTTP API for `chromadb.HttpClient`: collections, records with embeddings, metadata and documents, queries.

dotdo compat serve chroma --port 8000
client = dotdo.compat.chroma.client("127.0.0.1", 8000)   # chromadb.HttpClient with the default key
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
        "heartbeat",
        "get_version",
        "create_collection",
        "get_collection",
        "get_or_create_collection",
        "list_collections",
        "count_collections",
        "modify",
        "delete_collection",
        "add",
        "upsert",
        "update",
        "get",
        "peek",
        "query",
        "delete",
        "count",
    }
)


def claims(scope: Scope) -> bool:
    """Chroma requests: everything under `/api/v2/`."""
    return scope["path"].startswith("/api/v2/")


def client(
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    data_dir: str = ".dotdo",
    access_key_id: str | None = None,
    secret: str | None = None,
    **options: Any,
) -> Any:
    """A `chromadb.HttpClient` pointed at dotdo, sending the access key's id and secret as `x-chroma-token`."""
    import chromadb

    from ..credentials import client_key

    access_key_id, secret = client_key(data_dir, access_key_id, secret)
    headers = {**options.pop("headers", {}), "x-chroma-token": f"{access_key_id}{secret}"}
    return chromadb.HttpClient(host=host, port=port, headers=headers, **options)


service = Service(
    name="chroma",
    title="Chroma",
    operations=OPERATIONS,
    build=build,
    objects=(VectorCollection, VectorCatalog),
    claims=claims,
    client=client,
    notes={
        "embeddings": "the server does not compute embeddings: send them (as every remote Chroma client can)",
        "tenants": "Chroma tenants and databases exist as soon as they are named, inside the dotdo tenant of the key",
        "where_document": "$contains and $not_contains (with $and/$or); $regex is refused",
        "search": "the newer /search endpoint and collection forks are not served",
    },
)
"""The Chroma layer as the registry lists it."""

__all__ = ["OPERATIONS", "client", "service"]
