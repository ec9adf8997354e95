"""Meilisearch that its Python SDK cannot tell from the real one: indexes, documents, search, settings, tasks, keys.

dotdo compat serve meilisearch --port 7700
client = dotdo.compat.meilisearch.client("http://127.0.0.1:7700")   # the SDK, with the default key
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..layer import Service
from ..search import SearchIndex
from .account import MeiliAccount
from .app import build

if TYPE_CHECKING:
    from starlette.types import Scope

OPERATIONS = frozenset(
    {
        "indexes.create",
        "indexes.get",
        "indexes.list",
        "indexes.update",
        "indexes.delete",
        "indexes.stats",
        "documents.add",
        "documents.update",
        "documents.get",
        "documents.fetch",
        "documents.delete",
        "documents.delete-batch",
        "documents.delete-by-filter",
        "search",
        "multi-search",
        "facet-search",
        "settings.get",
        "settings.update",
        "settings.reset",
        "tasks.get",
        "tasks.list",
        "tasks.delete",
        "tasks.cancel",
        "webhooks.list",
        "keys.create",
        "keys.get",
        "keys.list",
        "keys.update",
        "keys.delete",
        "health",
        "version",
        "stats",
    }
)
_ROOTS = ("/indexes", "/tasks", "/keys", "/multi-search", "/health", "/version", "/stats")


def claims(scope: Scope) -> bool:
    """Meilisearch requests: its top-level paths with a bearer key (or the open health and version routes)."""
    path: str = scope["path"]
    if not any(path == root or path.startswith(root + "/") for root in _ROOTS):
        return False
    if path in ("/health", "/version"):
        return True
    return any(name == b"authorization" and value.startswith(b"Bearer ") for name, value in scope["headers"])


def client(
    url: str = "http://127.0.0.1:7700",
    *,
    data_dir: str = ".dotdo",
    access_key_id: str | None = None,
    secret: str | None = None,
    **options: Any,
) -> Any:
    """A `meilisearch.Client` pointed at dotdo; its master key is the access key's id and secret, joined."""
    import meilisearch

    from ..credentials import client_key

    access_key_id, secret = client_key(data_dir, access_key_id, secret)
    return meilisearch.Client(url, api_key=f"{access_key_id}{secret}", **options)


service = Service(
    name="meilisearch",
    title="Meilisearch",
    operations=OPERATIONS,
    build=build,
    objects=(SearchIndex, MeiliAccount),
    claims=claims,
    client=client,
    notes={
        "tasks": "a write runs before its answer is sent; its task is recorded already finished",
        "search": "vector, hybrid, attributesToSearchOn, rankingScoreThreshold, locales and distinct are refused",
        "ranking": "proximity, attribute and exactness are served by BM25's score",
    },
)
"""The Meilisearch layer as the registry lists it."""

__all__ = ["OPERATIONS", "MeiliAccount", "client", "service"]
