"""Typesense through its Python client against `dotdo compat serve typesense`."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import typesense.exceptions

import dotdo.compat
from tests.compat.conftest import CompatServer, start_server, stop_server

SCHEMA = {
    "name": "books",
    "fields": [
        {"name": "title", "type": "string"},
        {"name": "authors", "type": "string[]", "facet": True},
        {"name": "year", "type": "int32", "facet": True},
        {"name": "rating", "type": "float"},
        {"name": "in_print", "type": "bool", "optional": True},
    ],
    "default_sorting_field": "rating",
}
BOOKS = [
    {"id": "1", "title": "The Hunger Games", "authors": ["Suzanne Collins"], "year": 2008, "rating": 4.3},
    {
        "id": "2",
        "title": "Harry Potter and the Philosopher's Stone",
        "authors": ["J.K. Rowling"],
        "year": 1997,
        "rating": 4.4,
    },
    {
        "id": "3",
        "title": "Catching Fire",
        "authors": ["Suzanne Collins"],
        "year": 2009,
        "rating": 4.3,
        "in_print": True,
    },
    {
        "id": "4",
        "title": "Harry Potter and the Chamber of Secrets",
        "authors": ["J.K. Rowling"],
        "year": 1998,
        "rating": 4.4,
    },
    {"id": "5", "title": "The Hobbit", "authors": ["J.R.R. Tolkien"], "year": 1937, "rating": 4.3, "in_print": False},
]


def connect(
    server: CompatServer, access_key_id: str | None = None, secret: str | None = None, api_key: str | None = None
) -> Any:
    address = urlsplit(server.url)
    if api_key is not None:
        import typesense

        return typesense.Client(
            {"api_key": api_key, "nodes": [{"host": address.hostname, "port": str(address.port), "protocol": "http"}]}
        )
    return dotdo.compat.typesense.client(
        address.hostname,
        address.port,
        access_key_id=access_key_id or server.key.access_key_id,
        secret=secret or server.key.secret,
    )


@pytest.fixture(scope="module")
def client(typesense_server: CompatServer) -> Any:
    return connect(typesense_server)


@pytest.fixture(scope="module")
def books(client: Any) -> Any:
    client.collections.create(SCHEMA)
    results = client.collections["books"].documents.import_(BOOKS, {"action": "create"})
    assert all(result["success"] for result in results)
    return client.collections["books"]


def test_collections_are_created_described_updated_and_deleted(client: Any) -> None:
    created = client.collections.create({"name": "scratch", "fields": [{"name": "title", "type": "string"}]})
    assert created["name"] == "scratch" and created["num_documents"] == 0
    assert "scratch" in [c["name"] for c in client.collections.retrieve()]
    with pytest.raises(typesense.exceptions.ObjectAlreadyExists):
        client.collections.create({"name": "scratch", "fields": [{"name": "title", "type": "string"}]})
    client.collections["scratch"].update({"fields": [{"name": "pages", "type": "int32", "optional": True}]})
    assert [f["name"] for f in client.collections["scratch"].retrieve()["fields"]] == ["title", "pages"]
    client.collections["scratch"].delete()
    with pytest.raises(typesense.exceptions.ObjectNotFound):
        client.collections["scratch"].retrieve()


def test_a_collection_shows_every_attribute_of_its_fields_as_typesense_does(client: Any) -> None:
    created = client.collections.create(
        {"name": "shown", "fields": [{"name": "title", "type": "string"}, {"name": "n", "type": "int32"}]}
    )
    title, n = created["fields"]
    assert title == {
        "name": "title",
        "type": "string",
        "facet": False,
        "index": True,
        "optional": False,
        "locale": "",
        "sort": False,
        "infix": False,
        "stem": False,
        "stem_dictionary": "",
        "truncate_len": 100,
        "store": True,
    }
    assert n["sort"] is True
    assert (created["synonym_sets"], created["curation_sets"]) == ([], [])
    added = client.collections["shown"].update({"fields": [{"name": "pages", "type": "int32", "optional": True}]})
    assert added["fields"][0]["truncate_len"] == 100 and added["fields"][0]["sort"] is True
    documents = client.collections["shown"].documents
    assert documents["absent"].delete({"ignore_not_found": True}) == {"id": "absent"}
    with pytest.raises(typesense.exceptions.ObjectNotFound):
        documents["absent"].delete()
    with pytest.raises(typesense.exceptions.RequestMalformed, match="stemming"):
        client.collections.create({"name": "stemmed", "fields": [{"name": "t", "type": "string", "stem": True}]})
    client.collections["shown"].delete()


def test_search_with_query_by_filter_by_sort_by_and_facets(books: Any) -> None:
    result = books.documents.search({"q": "harry poter", "query_by": "title", "sort_by": "year:asc"})
    assert [hit["document"]["id"] for hit in result["hits"]] == ["2", "4"] and result["found"] == 2
    assert result["hits"][0]["highlight"]["title"]["matched_tokens"] == ["Harry", "Potter"]
    filtered = books.documents.search(
        {
            "q": "*",
            "query_by": "title",
            "filter_by": "authors:=[`Suzanne Collins`, `J.R.R. Tolkien`] && year:>1990",
            "sort_by": "year:desc",
            "facet_by": "authors,year",
        }
    )
    assert [hit["document"]["id"] for hit in filtered["hits"]] == ["3", "1"]
    authors = {c["value"]: c["count"] for c in filtered["facet_counts"][0]["counts"]}
    assert authors == {"Suzanne Collins": 2}
    assert filtered["facet_counts"][1]["stats"]["min"] == 2008
    ranged = books.documents.search({"q": "*", "query_by": "title", "filter_by": "year:[1990..2000] || in_print:false"})
    assert sorted(hit["document"]["id"] for hit in ranged["hits"]) == ["2", "4", "5"]
    paged = books.documents.search({"q": "*", "query_by": "title", "sort_by": "year:asc", "per_page": 2, "page": 2})
    assert [hit["document"]["id"] for hit in paged["hits"]] == ["4", "1"] and paged["found"] == 5
    no_typos = books.documents.search({"q": "hobit", "query_by": "title", "num_typos": 0})
    assert no_typos["found"] == 0
    with pytest.raises(typesense.exceptions.ObjectNotFound):
        books.documents.search({"q": "x", "query_by": "title", "facet_by": "title"})
    with pytest.raises(typesense.exceptions.RequestMalformed):
        books.documents.search({"q": "x", "query_by": "title", "filter_by": "year:>"})


def test_documents_are_created_updated_imported_and_deleted(client: Any) -> None:
    client.collections.create(
        {"name": "notes", "fields": [{"name": "text", "type": "string"}, {"name": "n", "type": "int32"}]}
    )
    notes = client.collections["notes"]
    created = notes.documents.create({"text": "first", "n": 1})
    assert notes.documents[created["id"]].retrieve() == created
    notes.documents.upsert({"id": "b", "text": "second", "n": 2})
    notes.documents["b"].update({"n": 20})
    assert notes.documents["b"].retrieve() == {"id": "b", "text": "second", "n": 20}
    with pytest.raises(typesense.exceptions.ObjectAlreadyExists):
        notes.documents.create({"id": "b", "text": "again", "n": 3})
    lines = notes.documents.import_(
        '{"id": "c", "text": "third", "n": 3}\n{"id": "d", "text": "bad", "n": "x"}\nnot json'
    )
    outcomes = [json.loads(line) for line in lines.splitlines()] if isinstance(lines, str) else lines
    assert [o["success"] for o in outcomes] == [True, False, False]
    assert "must be a int32" in outcomes[1]["error"]
    assert notes.documents.update({"text": "bulk"}, {"filter_by": "n:>=3"})["num_updated"] == 2
    assert notes.documents.delete({"filter_by": "n:>=20"})["num_deleted"] == 1
    exported = [json.loads(line) for line in notes.documents.export().splitlines()]
    assert [(doc["id"], doc["text"]) for doc in exported] == [(created["id"], "first"), ("c", "bulk")]
    with pytest.raises(typesense.exceptions.RequestMalformed):
        notes.documents.create({"text": "missing n"})
    with pytest.raises(typesense.exceptions.ObjectNotFound):
        notes.documents["nope"].retrieve()


def test_api_keys_limit_actions_and_collections(client: Any, typesense_server: CompatServer, books: Any) -> None:
    key = client.keys.create({"description": "search only", "actions": ["documents:search"], "collections": ["books"]})
    searcher = connect(typesense_server, api_key=key["value"])
    assert searcher.collections["books"].documents.search({"q": "hobbit", "query_by": "title"})["found"] == 1
    with pytest.raises(typesense.exceptions.RequestUnauthorized):
        searcher.collections["books"].documents.create({"title": "x", "authors": [], "year": 1, "rating": 1.0})
    assert client.debug.retrieve() == {"state": 1, "version": "30.0"}
    with pytest.raises(typesense.exceptions.RequestUnauthorized):
        searcher.debug.retrieve()
    assert client.keys[key["id"]].retrieve()["description"] == "search only"
    assert "value" not in client.keys[key["id"]].retrieve()
    assert client.keys[key["id"]].retrieve()["autodelete"] is False
    with pytest.raises(typesense.exceptions.RequestMalformed, match="autodelete"):
        client.keys.create({"actions": ["*"], "collections": ["*"], "autodelete": True, "expires_at": 2_000_000_000})
    client.keys[key["id"]].delete()
    with pytest.raises(typesense.exceptions.RequestUnauthorized):
        searcher.collections["books"].documents.search({"q": "hobbit", "query_by": "title"})
    denied = httpx.get(f"{typesense_server.url}/collections", headers={"X-TYPESENSE-API-KEY": "wrong"})
    assert denied.status_code == 401 and "message" in denied.json()


def test_tenants_are_isolated(typesense_server: CompatServer, books: Any) -> None:
    other = typesense_server.credentials().create("typesense-other", ["typesense"])
    stranger = connect(typesense_server, other.access_key_id, other.secret)
    assert stranger.collections.retrieve() == []
    with pytest.raises(typesense.exceptions.ObjectNotFound):
        stranger.collections["books"].documents.search({"q": "*", "query_by": "title"})


def test_collections_survive_a_restart(tmp_path_factory: pytest.TempPathFactory) -> None:
    data_dir = tmp_path_factory.mktemp("typesense-restart")
    server = start_server(data_dir, ["typesense"])
    try:
        client = connect(server)
        client.collections.create({"name": "kept", "fields": [{"name": "title", "type": "string"}]})
        client.collections["kept"].documents.create({"id": "1", "title": "persistent"})
    finally:
        stop_server(server)
    server = start_server(data_dir, ["typesense"])
    try:
        result = connect(server).collections["kept"].documents.search({"q": "persistnt", "query_by": "title"})
        assert [hit["document"] for hit in result["hits"]] == [{"id": "1", "title": "persistent"}]
    finally:
        stop_server(server)
