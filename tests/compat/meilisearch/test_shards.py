"""Meilisearch indexes spread over shard objects (`--index-shards`): the SDK sees what one index shows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import meilisearch
import pytest

import dotdo.compat
from tests.compat.conftest import CompatServer, start_server, stop_server
from tests.compat.meilisearch.test_app import wait
from tests.compat.search.test_shards import DOCUMENTS, SETTINGS

SHARDS = 3


def connect(server: CompatServer, key: Any = None) -> meilisearch.Client:
    key = key or server.key
    return dotdo.compat.meilisearch.client(server.url, access_key_id=key.access_key_id, secret=key.secret)


def fill(client: meilisearch.Client, uid: str) -> meilisearch.index.Index:
    wait(client, client.create_index(uid, {"primaryKey": "id"}))
    index = client.index(uid)
    wait(client, index.update_settings({**SETTINGS, "sortableAttributes": ["year", "title"]}))
    for start in range(0, len(DOCUMENTS), 80):
        wait(client, index.add_documents(DOCUMENTS[start : start + 80]))
    return index


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[CompatServer, CompatServer]]:
    """An unsharded server and one whose indexes have `SHARDS` shards, each holding the same books."""
    one = start_server(tmp_path_factory.mktemp("meili-one"), ["meilisearch"])
    many = start_server(tmp_path_factory.mktemp("meili-many"), ["meilisearch"], None, "--index-shards", str(SHARDS))
    try:
        for server in (one, many):
            fill(connect(server), "books")
        yield one, many
    finally:
        stop_server(one)
        stop_server(many)


SEARCHES: list[tuple[str, dict[str, Any]]] = [
    ("river", {}),
    ("lanter stone", {"limit": 7, "offset": 4}),
    ("medow", {"filter": "genre = drama OR year > 2010", "facets": ["genre", "series"]}),
    ("", {"filter": "NOT genre IN [horror, comedy]", "sort": ["year:desc", "title:asc"], "limit": 15, "offset": 9}),
    ("bridge", {"sort": ["year:asc"], "facets": ["year"], "hitsPerPage": 6, "page": 3}),
    ("copper willow river", {"matchingStrategy": "all"}),
    ("candle", {"attributesToHighlight": ["title"], "filter": "series = a"}),
]


@pytest.mark.parametrize(("text", "options"), SEARCHES)
def test_searches_match_one_index(servers: Any, text: str, options: dict[str, Any]) -> None:
    one, many = (connect(server).index("books").search(text, options) for server in servers)
    assert many["hits"] == one["hits"]
    for name in ("estimatedTotalHits", "totalHits", "totalPages", "facetDistribution", "facetStats"):
        assert many.get(name) == one.get(name)


def documents(index: meilisearch.index.Index, page: dict[str, Any]) -> list[dict[str, Any]]:
    return [dict(document) for document in index.get_documents(page).results]


def test_documents_are_read_and_deleted_as_in_one_index(servers: Any) -> None:
    clients = [connect(server) for server in servers]
    one, many = (client.index("books") for client in clients)
    page = {"offset": 30, "limit": 40}
    assert documents(many, page) == documents(one, page)
    assert dict(many.get_document("d17")) == dict(one.get_document("d17"))
    assert many.get_stats().number_of_documents == len(DOCUMENTS)
    for client in clients:
        index = client.index("books")
        wait(client, index.delete_documents(filter="year < 1995"))
        wait(client, index.delete_document("d20"))
        wait(client, index.update_documents([{"id": "d21", "title": "lantern lantern"}]))
    assert many.get_stats().number_of_documents == one.get_stats().number_of_documents < len(DOCUMENTS)
    assert many.search("lantern")["hits"] == one.search("lantern")["hits"]
    assert documents(many, {"limit": 300}) == documents(one, {"limit": 300})


def test_tenants_see_only_their_own_sharded_indexes(servers: Any) -> None:
    server = servers[1]
    other = server.credentials().create("meili-shards-other", ["meilisearch"])
    stranger = connect(server, other)
    assert [index.uid for index in stranger.get_indexes()["results"]] == []
    wait(stranger, stranger.index("books").add_documents([{"id": "x1", "title": "river"}]))
    assert [hit["id"] for hit in stranger.index("books").search("river")["hits"]] == ["x1"]
    assert "x1" not in [hit["id"] for hit in connect(server).index("books").search("river", {"limit": 300})["hits"]]


def test_a_sharded_index_survives_a_restart(tmp_path_factory: pytest.TempPathFactory) -> None:
    data_dir = tmp_path_factory.mktemp("meili-shards-restart")
    server = start_server(data_dir, ["meilisearch"], None, "--index-shards", str(SHARDS))
    try:
        index = fill(connect(server), "kept")
        before = index.search("stone river", {"facets": ["genre"], "limit": 30})
    finally:
        stop_server(server)
    server = start_server(data_dir, ["meilisearch"])  # restarted without the option: the index keeps its shards
    try:
        after = connect(server).index("kept").search("stone river", {"facets": ["genre"], "limit": 30})
        assert after["hits"] == before["hits"] and after["facetDistribution"] == before["facetDistribution"]
    finally:
        stop_server(server)
