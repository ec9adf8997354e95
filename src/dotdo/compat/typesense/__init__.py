"""Typesense for its Python client: collections with schemas, documents and JSONL imports, search, API keys,
aliases, synonyms, overrides (curation), stopword sets and `/metrics.json`.

dotdo compat serve typesense --port 8108
client = dotdo.compat.typesense.client("127.0.0.1", 8108)   # typesense.Client with the default key
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..layer import Service
from ..search import SearchIndex
from .account import TypesenseAccount
from .app import build

if TYPE_CHECKING:
    from starlette.types import Scope

OPERATIONS = frozenset(
    {
        "collections.create",
        "collections.retrieve",
        "collections.list",
        "collections.update",
        "collections.delete",
        "documents.create",
        "documents.upsert",
        "documents.update",
        "documents.import",
        "documents.export",
        "documents.retrieve",
        "documents.delete",
        "documents.delete_by_filter",
        "documents.update_by_filter",
        "documents.search",
        "multi_search",
        "keys.create",
        "keys.retrieve",
        "keys.list",
        "keys.delete",
        "aliases.upsert",
        "aliases.retrieve",
        "aliases.list",
        "aliases.delete",
        "synonyms.upsert",
        "synonyms.retrieve",
        "synonyms.list",
        "synonyms.delete",
        "overrides.upsert",
        "overrides.retrieve",
        "overrides.list",
        "overrides.delete",
        "stopwords.upsert",
        "stopwords.retrieve",
        "stopwords.list",
        "stopwords.delete",
        "metrics",
        "health",
        "debug",
    }
)


def claims(scope: Scope) -> bool:
    """Typesense requests: those carrying its `X-TYPESENSE-API-KEY` header, and `/health`."""
    if scope["path"] == "/health":
        return True
    return any(name == b"x-typesense-api-key" for name, _ in scope["headers"])


def client(
    host: str = "127.0.0.1",
    port: int = 8108,
    *,
    data_dir: str = ".dotdo",
    access_key_id: str | None = None,
    secret: str | None = None,
    **options: Any,
) -> Any:
    """A `typesense.Client` pointed at dotdo; its api key is the access key's id and secret, joined."""
    import typesense

    from ..credentials import client_key

    access_key_id, secret = client_key(data_dir, access_key_id, secret)
    configuration: Any = {
        "api_key": f"{access_key_id}{secret}",
        "nodes": [{"host": host, "port": str(port), "protocol": options.pop("protocol", "http")}],
        "connection_timeout_seconds": options.pop("connection_timeout_seconds", 10),
        **options,
    }
    return typesense.Client(configuration)


service = Service(
    name="typesense",
    title="Typesense",
    operations=OPERATIONS,
    build=build,
    objects=(SearchIndex, TypesenseAccount),
    claims=claims,
    client=client,
    notes={
        "query_by": "every string field of the schema is searched; query_by is checked but does not narrow the search",
        "filter_by": "`field:value` compares for equality (Typesense matches a string field's words)",
        "ranking": "text_match is not reported (0); relevance is the search core's words, typos and BM25",
        "overrides": "rules match by query (exact or contains), filter_by or tags; dynamic placeholders are not filled",
        "not served": "synonym and curation sets (v30), vector search, conversations, NL search models, analytics",
    },
)
"""The Typesense layer as the registry lists it."""

__all__ = ["OPERATIONS", "TypesenseAccount", "client", "service"]
