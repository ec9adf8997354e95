"""Pinecone for its Python SDK: indexes (the control plane) and vectors in namespaces (each index's data plane).

dotdo compat serve pinecone --port 5080
pc = dotdo.compat.pinecone.client("http://127.0.0.1:5080")   # pinecone.Pinecone with the default key
index = pc.index("movies")                                     # the data plane, at the host describe gives
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
        "create_index",
        "describe_index",
        "list_indexes",
        "has_index",
        "configure_index",
        "delete_index",
        "upsert",
        "query",
        "fetch",
        "update",
        "delete",
        "describe_index_stats",
        "list",
        "list_paginated",
        "list_namespaces",
        "describe_namespace",
        "delete_namespace",
    }
)


def claims(scope: Scope) -> bool:
    """Pinecone requests: those carrying the SDK's `X-Pinecone-Api-Version` header."""
    return any(name == b"x-pinecone-api-version" for name, _ in scope["headers"])


def client(
    url: str = "http://127.0.0.1:5080",
    *,
    data_dir: str = ".dotdo",
    access_key_id: str | None = None,
    secret: str | None = None,
    **options: Any,
) -> Any:
    """A `pinecone.Pinecone` whose control plane is dotdo; its api key is the access key's id and secret."""
    from pinecone import Pinecone

    from ..credentials import client_key

    access_key_id, secret = client_key(data_dir, access_key_id, secret)
    return Pinecone(api_key=f"{access_key_id}{secret}", host=url, **options)


service = Service(
    name="pinecone",
    title="Pinecone",
    operations=OPERATIONS,
    build=build,
    objects=(VectorCollection, VectorCatalog),
    claims=claims,
    client=client,
    notes={
        "indexes": "one dense vector field per index (dimension and metric); sparse, document and integrated "
        "embedding indexes are refused",
        "deployment": "serverless, pod and byoc specs are recorded and shown; every index is ready at once",
        "transport": "REST only: the SDK's gRPC index (grpc=True) is not served",
        "not served": "collections, backups, bulk imports, fetch_by_metadata, the records and documents APIs",
    },
)
"""The Pinecone layer as the registry lists it."""

__all__ = ["OPERATIONS", "client", "service"]
