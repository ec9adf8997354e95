"""Algolia for its Python client (`algoliasearch` v4): indexes, objects, batches, search, browse, settings, tasks, keys.

dotdo compat serve algolia --port 8200
client = dotdo.compat.algolia.client("http://127.0.0.1:8200")   # SearchClientSync with the default key
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..layer import Service
from ..search import SearchIndex
from .account import AlgoliaAccount
from .app import build

if TYPE_CHECKING:
    from starlette.types import Scope

OPERATIONS = frozenset(
    {
        "save_object",
        "save_objects",
        "add_or_update_object",
        "partial_update_object",
        "partial_update_objects",
        "get_object",
        "get_objects",
        "delete_object",
        "delete_objects",
        "delete_by",
        "batch",
        "multiple_batch",
        "clear_objects",
        "search",
        "search_single_index",
        "browse",
        "browse_objects",
        "set_settings",
        "get_settings",
        "list_indices",
        "index_exists",
        "delete_index",
        "get_task",
        "wait_for_task",
        "get_app_task",
        "add_api_key",
        "get_api_key",
        "list_api_keys",
        "update_api_key",
        "delete_api_key",
    }
)


def claims(scope: Scope) -> bool:
    """Algolia requests: those naming an application, in the `X-Algolia-Application-Id` header or the query."""
    if any(name == b"x-algolia-application-id" for name, _ in scope["headers"]):
        return True
    return b"x-algolia-application-id=" in scope.get("query_string", b"").lower()


def client(
    url: str = "http://127.0.0.1:8200",
    *,
    data_dir: str = ".dotdo",
    access_key_id: str | None = None,
    secret: str | None = None,
) -> Any:
    """An `algoliasearch` `SearchClientSync` with dotdo as its only host: the access key's id is the
    application id, its secret the API key."""
    from algoliasearch.http.hosts import Host, HostsCollection
    from algoliasearch.search.client import SearchClientSync
    from algoliasearch.search.config import SearchConfig

    from ..credentials import client_key

    access_key_id, secret = client_key(data_dir, access_key_id, secret)
    parts = urlsplit(url)
    config = SearchConfig(access_key_id, secret)
    # The client joins host, port and path itself, so a host cannot carry a path: serve Algolia at a root.
    config.hosts = HostsCollection(
        [Host(url=parts.hostname or "127.0.0.1", scheme=parts.scheme or "http", port=parts.port)]
    )
    return SearchClientSync.create_with_config(config)


service = Service(
    name="algolia",
    title="Algolia",
    operations=OPERATIONS,
    build=build,
    objects=(SearchIndex, AlgoliaAccount),
    claims=claims,
    client=client,
    notes={
        "tasks": "a write is applied before its answer is sent; its task is published already",
        "ranking": "geo and filters criteria are skipped; proximity, attribute and exact are served by BM25's score",
        "typoTolerance": "min and strict behave as true",
        "not served": "synonyms, rules, replicas, copying and moving indexes (so replace_all_objects), search for "
        "facet values, A/B tests, analytics, secured API keys",
    },
)
"""The Algolia layer as the registry lists it."""

__all__ = ["OPERATIONS", "AlgoliaAccount", "client", "service"]
