"""Algolia through its official `algoliasearch` v4 client (custom hosts) against `dotdo compat serve algolia`."""

from __future__ import annotations

import random
from typing import Any

import httpx
import pytest
from algoliasearch.http.exceptions import RequestException
from algoliasearch.search.client import SearchClientSync
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dotdo.compat
from tests.compat.conftest import CompatServer, start_server, stop_server


def connect(server: CompatServer, access_key_id: str | None = None, secret: str | None = None) -> SearchClientSync:
    return dotdo.compat.algolia.client(
        server.url, access_key_id=access_key_id or server.key.access_key_id, secret=secret or server.key.secret
    )


@pytest.fixture(scope="module")
def client(algolia_server: CompatServer) -> SearchClientSync:
    return connect(algolia_server)


BOOKS = [
    {
        "objectID": "hobbit",
        "title": "The Hobbit",
        "author": "J. R. R. Tolkien",
        "year": 1937,
        "genre": ["fantasy"],
        "popularity": 90,
        "price": 9.5,
    },
    {
        "objectID": "rings",
        "title": "The Lord of the Rings",
        "author": "J. R. R. Tolkien",
        "year": 1954,
        "genre": ["fantasy", "epic"],
        "popularity": 95,
        "price": 25,
    },
    {
        "objectID": "dune",
        "title": "Dune",
        "author": "Frank Herbert",
        "year": 1965,
        "genre": ["scifi"],
        "popularity": 80,
        "price": 12,
    },
    {
        "objectID": "foundation",
        "title": "Foundation",
        "author": "Isaac Asimov",
        "year": 1951,
        "genre": ["scifi"],
        "popularity": 70,
        "price": 8,
    },
    {
        "objectID": "earthsea",
        "title": "A Wizard of Earthsea",
        "author": "Ursula K. Le Guin",
        "year": 1968,
        "genre": ["fantasy"],
        "popularity": 60,
        "price": 7.5,
    },
]


@pytest.fixture(scope="module")
def books(client: SearchClientSync) -> str:
    client.save_objects("books", BOOKS, wait_for_tasks=True)
    task = client.set_settings(
        "books",
        {
            "searchableAttributes": ["title", "unordered(author)"],
            "attributesForFaceting": ["searchable(genre)", "author", "filterOnly(year)"],
            "customRanking": ["desc(popularity)"],
        },
    )
    client.wait_for_task("books", task.task_id)
    return "books"


def ids(response: Any) -> list[str]:
    return [hit.object_id for hit in response.hits]


def test_search_with_typos_filters_facets_highlighting_and_pages(client: SearchClientSync, books: str) -> None:
    found = client.search_single_index(books, {"query": "hobit"})
    assert ids(found) == ["hobbit"] and found.nb_hits == 1
    highlight = found.hits[0].highlight_result["title"].actual_instance
    assert highlight.value == "The <em>Hobbit</em>" and highlight.match_level == "full"
    assert client.search_single_index(books, {"query": "hobit", "typoTolerance": False}).nb_hits == 0
    tolkien = client.search_single_index(books, {"query": "tolkien"})
    assert ids(tolkien) == ["rings", "hobbit"]  # customRanking: desc(popularity)
    filtered = client.search_single_index(
        books, {"query": "", "filters": 'genre:fantasy AND NOT author:"J. R. R. Tolkien"', "facets": ["*"]}
    )
    assert ids(filtered) == ["earthsea"] and filtered.facets["genre"] == {"fantasy": 1}
    numeric = client.search_single_index(books, {"numericFilters": ["year>=1950", ["price<9", "price>20"]]})
    assert sorted(ids(numeric)) == ["earthsea", "foundation", "rings"]
    facets = client.search_single_index(
        books, {"facetFilters": [["genre:SCIFI", "genre:epic"]], "facets": ["genre", "year"]}
    )
    assert facets.facets == {"genre": {"scifi": 2, "epic": 1, "fantasy": 1}}  # year is filterOnly: never counted
    ranged = client.search_single_index(books, {"filters": "year:1950 TO 1960 OR price > 20"})
    assert sorted(ids(ranged)) == ["foundation", "rings"]
    page = client.search_single_index(books, {"hitsPerPage": 2, "page": 1, "attributesToRetrieve": ["title"]})
    assert page.nb_pages == 3 and page.page == 1 and len(page.hits) == 2
    assert page.hits[0].to_dict().keys() == {"objectID", "title"}
    results = client.search(
        {
            "requests": [
                {"indexName": books, "query": "dune"},
                {"indexName": books, "params": "query=asimov&hitsPerPage=1"},
            ]
        }
    ).results
    assert [ids(r.actual_instance) for r in results] == [["dune"], ["foundation"]]


def test_browse_follows_its_cursor(client: SearchClientSync, books: str) -> None:
    seen: list[str] = []
    client.browse_objects(books, lambda response: seen.extend(ids(response)), {"hitsPerPage": 2})
    assert sorted(seen) == sorted(book["objectID"] for book in BOOKS)
    first = client.browse(books, {"hitsPerPage": 2, "filters": "genre:fantasy"})
    assert len(first.hits) == 2 and first.cursor
    rest = client.browse(books, {"cursor": first.cursor})
    assert len(rest.hits) == 1 and rest.cursor is None


def test_objects_are_saved_updated_fetched_batched_and_deleted(client: SearchClientSync) -> None:
    saved = client.save_object("notes", {"text": "first"})
    client.wait_for_task("notes", saved.task_id)
    assert client.get_object("notes", saved.object_id) == {"objectID": saved.object_id, "text": "first"}
    client.add_or_update_object("notes", "n1", {"text": "one", "views": 1, "tags": ["a"]})
    update = client.partial_update_object(
        "notes",
        "n1",
        {"views": {"_operation": "Increment", "value": 4}, "tags": {"_operation": "AddUnique", "value": "b"}},
    )
    client.wait_for_task("notes", update.task_id)
    assert client.get_object("notes", "n1", attributes_to_retrieve=["views", "tags"]) == {
        "objectID": "n1",
        "views": 5,
        "tags": ["a", "b"],
    }
    client.partial_update_object("notes", "ghost", {"text": "no"}, create_if_not_exists=False)
    odd = "sku:42/blue é"  # any string is an objectID
    client.add_or_update_object("notes", odd, {"text": "odd"})
    assert client.get_object("notes", odd) == {"objectID": odd, "text": "odd"}
    client.delete_object("notes", odd)
    batch = client.batch(
        "notes",
        {
            "requests": [
                {"action": "addObject", "body": {"objectID": "n2", "text": "two"}},
                {"action": "updateObject", "body": {"objectID": "n3", "text": "three"}},
                {"action": "partialUpdateObjectNoCreate", "body": {"objectID": "n2", "text": "two!"}},
                {"action": "deleteObject", "body": {"objectID": saved.object_id}},
            ]
        },
    )
    client.wait_for_task("notes", batch.task_id)
    found = client.get_objects({"requests": [{"indexName": "notes", "objectID": i} for i in ("n2", "n3", "ghost")]})
    assert [r and r["text"] for r in found.results] == ["two!", "three", None]
    client.delete_objects("notes", ["n3"], wait_for_tasks=True)
    client.delete_by("notes", {"filters": "views > 2"})
    assert ids(client.search_single_index("notes", {})) == ["n2"]
    with pytest.raises(RequestException) as raised:
        client.get_object("notes", "n1")
    assert raised.value.status_code == 404
    client.clear_objects("notes")
    assert client.search_single_index("notes", {}).nb_hits == 0
    assert "notes" in [item.name for item in client.list_indices().items]
    client.delete_index("notes")
    assert not client.index_exists("notes")
    with pytest.raises(RequestException) as raised:
        client.search_single_index("notes", {})
    assert raised.value.status_code == 404 and "does not exist" in raised.value.message


def test_settings_decide_what_is_searched(client: SearchClientSync, books: str) -> None:
    current = client.get_settings(books)
    assert current.searchable_attributes == ["title", "unordered(author)"]
    assert current.custom_ranking == ["desc(popularity)"] and current.hits_per_page == 20
    assert client.search_single_index(books, {"query": "herbert"}).nb_hits == 1
    client.set_settings("titles", {"searchableAttributes": ["title"]})
    client.save_objects("titles", BOOKS, wait_for_tasks=True)
    assert client.search_single_index("titles", {"query": "herbert"}).nb_hits == 0
    assert ids(client.search_single_index("titles", {"query": "dune"})) == ["dune"]
    with pytest.raises(RequestException) as raised:
        client.set_settings("titles", {"customRanking": ["popularity"]})
    assert raised.value.status_code == 400


def test_distinct_and_unretrievable_attributes(client: SearchClientSync) -> None:
    client.set_settings(
        "by_author",
        {"attributeForDistinct": "author", "distinct": True, "unretrievableAttributes": ["price"]},
    )
    client.save_objects("by_author", BOOKS, wait_for_tasks=True)
    found = client.search_single_index("by_author", {"attributesToRetrieve": ["*", "-year"]})
    assert sorted(hit.to_dict()["author"] for hit in found.hits) == sorted({book["author"] for book in BOOKS})
    assert all("price" not in hit.to_dict() and "year" not in hit.to_dict() for hit in found.hits)
    assert "price" not in client.get_object("by_author", "dune")


def test_api_keys_limit_acl_and_indexes(client: SearchClientSync, algolia_server: CompatServer, books: str) -> None:
    created = client.add_api_key({"acl": ["search"], "indexes": ["bo*"], "description": "search only"})
    client.wait_for_api_key(created.key, "add")
    assert client.get_api_key(created.key).acl == ["search"]
    limited = connect(algolia_server, algolia_server.key.access_key_id, created.key)
    assert limited.search_single_index(books, {"query": "dune"}).nb_hits == 1
    with pytest.raises(RequestException) as raised:
        limited.save_object(books, {"title": "nope"})
    assert raised.value.status_code == 403
    with pytest.raises(RequestException) as raised:
        limited.search_single_index("titles", {})
    assert raised.value.status_code == 403 and "Index not allowed" in raised.value.message
    assert created.key in [key.value for key in client.list_api_keys().keys]
    client.delete_api_key(created.key)
    with pytest.raises(RequestException) as raised:
        limited.search_single_index(books, {})
    assert raised.value.status_code == 403


GENRES = ["drama", "comedy", "horror", "Drama"]


def make_records(count: int) -> list[dict[str, Any]]:
    chooser = random.Random(5)
    records = []
    for i in range(count):
        record: dict[str, Any] = {"objectID": f"r{i}", "title": f"record {i}"}
        if chooser.random() < 0.8:
            record["year"] = chooser.randint(1995, 2005)
        if chooser.random() < 0.7:
            record["rating"] = chooser.choice([1.5, 2, 3.25, 4])
        kind = chooser.random()
        if kind < 0.45:
            record["genre"] = chooser.choice(GENRES)
        elif kind < 0.85:
            record["genre"] = chooser.sample(GENRES, chooser.randint(0, 3))
        if chooser.random() < 0.6:
            record["free"] = chooser.random() < 0.5
        records.append(record)
    return records


RECORDS = make_records(120)


@pytest.fixture(scope="module")
def records(client: SearchClientSync) -> str:
    client.set_settings("records", {"attributesForFaceting": ["genre", "free"]})
    client.save_objects("records", RECORDS, wait_for_tasks=True)
    return "records"


def items(record: dict[str, Any], attribute: str) -> list[Any]:
    value = record.get(attribute)
    return [] if value is None else value if isinstance(value, list) else [value]


# A generated filter is (Algolia syntax, predicate over a record).
def facet(attribute: str, value: str) -> tuple[str, Any]:
    def holds(record: dict[str, Any]) -> bool:
        return any(
            (isinstance(item, str) and item.lower() == value.lower())  # values match in any case
            or (isinstance(item, bool) and value in ("true", "false") and item == (value == "true"))
            for item in items(record, attribute)
        )

    quoted = f'"{value}"' if not value.isalnum() else value
    return f"{attribute}:{quoted}", holds


def numeric(attribute: str, operator: str, number: float) -> tuple[str, Any]:
    compare = {
        "<": lambda a: a < number,
        "<=": lambda a: a <= number,
        "=": lambda a: a == number,
        "!=": lambda a: a != number,
        ">=": lambda a: a >= number,
        ">": lambda a: a > number,
    }[operator]

    def holds(record: dict[str, Any]) -> bool:
        numbers = [i for i in items(record, attribute) if isinstance(i, int | float) and not isinstance(i, bool)]
        return not any(i == number for i in numbers) if operator == "!=" else any(compare(i) for i in numbers)

    return f"{attribute} {operator} {number}", holds


def ranged(attribute: str, low: int, high: int) -> tuple[str, Any]:
    def holds(record: dict[str, Any]) -> bool:
        return any(
            isinstance(i, int | float) and not isinstance(i, bool) and low <= i <= high
            for i in items(record, attribute)
        )

    return f"{attribute}:{low} TO {high}", holds


leaves = st.one_of(
    st.builds(facet, st.just("genre"), st.sampled_from(GENRES)),
    st.builds(facet, st.just("free"), st.sampled_from(["true", "false"])),
    st.builds(
        numeric,
        st.sampled_from(["year", "rating"]),
        st.sampled_from(["<", "<=", "=", "!=", ">=", ">"]),
        st.sampled_from([1998, 2000, 2, 3.25]),
    ),
    st.builds(ranged, st.just("year"), st.integers(1994, 2000), st.integers(2000, 2006)),
)


def combine(operator: str, parts: list[tuple[str, Any]]) -> tuple[str, Any]:
    text = f" {operator} ".join(f"({p[0]})" for p in parts)
    if operator == "AND":
        return text, lambda r: all(p[1](r) for p in parts)
    return text, lambda r: any(p[1](r) for p in parts)


def negate(part: tuple[str, Any]) -> tuple[str, Any]:
    return f"NOT ({part[0]})", lambda r: not part[1](r)


filters = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.builds(combine, st.sampled_from(["AND", "OR"]), st.lists(inner, min_size=2, max_size=3)),
        st.builds(negate, inner),
    ),
    max_leaves=6,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(chosen=filters)
def test_filters_and_facets_agree_with_the_oracle(client: SearchClientSync, records: str, chosen: Any) -> None:
    text, holds = chosen
    expected = [r for r in RECORDS if holds(r)]
    found = client.search_single_index(records, {"filters": text, "hitsPerPage": 1000, "facets": ["genre", "free"]})
    assert sorted(ids(found)) == sorted(r["objectID"] for r in expected), text
    counts: dict[str, int] = {}
    for record in expected:
        for genre in set(items(record, "genre")):
            counts[genre] = counts.get(genre, 0) + 1
    assert (found.facets or {}).get("genre", {}) == counts


def test_hostile_input_is_answered_in_algolia_shape(
    client: SearchClientSync, algolia_server: CompatServer, books: str
) -> None:
    for bad in ("genre:fantasy AND", "(genre:fantasy", "price < cheap", "genre fantasy"):
        with pytest.raises(RequestException) as raised:
            client.search_single_index(books, {"filters": bad})
        assert raised.value.status_code == 400 and raised.value.message.startswith("filters:")
    with pytest.raises(RequestException) as raised:
        client.search_single_index(books, {"numericFilters": ["genre:fantasy"]})
    assert raised.value.status_code == 400
    with pytest.raises(RequestException) as raised:
        client.save_object(books, {"objectID": "big", "text": "x" * 200_000})
    assert raised.value.status_code == 400 and "too big" in raised.value.message
    with pytest.raises(RequestException) as raised:
        client.save_object(books, {"objectID": "x" * 513, "text": "x"})
    assert raised.value.status_code == 400 and "objectID" in raised.value.message
    key = algolia_server.key
    headers = {"X-Algolia-Application-Id": key.access_key_id, "X-Algolia-API-Key": key.secret or ""}
    url = f"{algolia_server.url}/1/indexes/{books}"
    nan = httpx.post(url, content=b'{"objectID": "nan", "price": NaN}', headers=headers)
    assert nan.status_code == 400 and set(nan.json()) == {"message", "status"}
    mixed = {"requests": [{"action": "addObject", "body": {"objectID": "x1"}}, {"action": "explode", "body": {}}]}
    refused = httpx.post(f"{url}/batch", json=mixed, headers=headers)
    assert refused.status_code == 400 and "explode" in refused.json()["message"]
    unknown = httpx.post(f"{url}/query", json={"query": "x", "bogus": 1}, headers=headers)
    assert unknown.json() == {"message": "Unknown parameter: bogus", "status": 400}
    huge = httpx.post(f"{url}/batch", content=b'{"requests": [' + b" " * (11 * 1024 * 1024) + b"]}", headers=headers)
    assert huge.status_code == 413 and huge.json()["status"] == 413
    denied = httpx.get(f"{algolia_server.url}/1/indexes", headers={**headers, "X-Algolia-API-Key": "wrong"})
    assert denied.json() == {"message": "Invalid Application-ID or API key", "status": 403}
    assert client.search_single_index(books, {}).nb_hits == len(BOOKS)  # the refused writes changed nothing


def test_tenants_are_isolated(algolia_server: CompatServer, books: str) -> None:
    other = algolia_server.credentials().create("algolia-other", ["algolia"])
    stranger = connect(algolia_server, other.access_key_id, other.secret)
    assert stranger.list_indices().items == []
    assert not stranger.index_exists(books)


def test_indexes_survive_a_restart(tmp_path_factory: pytest.TempPathFactory) -> None:
    data_dir = tmp_path_factory.mktemp("algolia-restart")
    server = start_server(data_dir, ["algolia"])
    try:
        client = connect(server)
        client.set_settings("kept", {"attributesForFaceting": ["genre"]})
        client.save_objects("kept", BOOKS, wait_for_tasks=True)
    finally:
        stop_server(server)
    server = start_server(data_dir, ["algolia"])
    try:
        client = connect(server)
        found = client.search_single_index("kept", {"query": "dune", "facets": ["genre"]})
        assert ids(found) == ["dune"] and found.facets == {"genre": {"scifi": 1}}
        assert client.get_settings("kept").attributes_for_faceting == ["genre"]
    finally:
        stop_server(server)
