"""Meilisearch through its official Python SDK against `dotdo compat serve meilisearch`."""

from __future__ import annotations

from typing import Any

import httpx
import meilisearch
import pytest
from meilisearch.errors import MeilisearchApiError

import dotdo.compat
from tests.compat.conftest import CompatServer, start_server, stop_server

MOVIES = [
    {"id": 1, "title": "Carol", "genres": ["Romance", "Drama"], "year": 2015, "rating": 7.2},
    {"id": 2, "title": "Wonder Woman", "genres": ["Action", "Adventure"], "year": 2017, "rating": 7.4},
    {"id": 3, "title": "Life of Pi", "genres": ["Adventure", "Drama"], "year": 2012, "rating": 7.9},
    {"id": 4, "title": "Mad Max: Fury Road", "genres": ["Adventure", "Science Fiction"], "year": 2015, "rating": 8.1},
    {"id": 5, "title": "Moana", "genres": ["Fantasy", "Action"], "year": 2016, "rating": 7.6},
    {"id": 6, "title": "Philadelphia", "genres": ["Drama"], "year": 1993, "rating": 7.7},
]


@pytest.fixture(scope="module")
def client(meilisearch_server: CompatServer) -> meilisearch.Client:
    key = meilisearch_server.key
    return dotdo.compat.meilisearch.client(meilisearch_server.url, access_key_id=key.access_key_id, secret=key.secret)


def wait(client: meilisearch.Client, info: Any) -> Any:
    task = client.wait_for_task(info.task_uid)
    assert task.status == "succeeded", task.error
    return task


@pytest.fixture(scope="module")
def movies(client: meilisearch.Client) -> Any:
    wait(client, client.create_index("movies", {"primaryKey": "id"}))
    index = client.index("movies")
    wait(client, index.update_filterable_attributes(["genres", "year", "rating"]))
    wait(client, index.update_sortable_attributes(["year", "rating"]))
    wait(client, index.add_documents(MOVIES))
    return index


def test_indexes_are_created_listed_updated_and_deleted(client: meilisearch.Client) -> None:
    wait(client, client.create_index("scratch"))
    assert client.get_index("scratch").uid == "scratch"
    assert "scratch" in [index.uid for index in client.get_indexes()["results"]]
    task = client.wait_for_task(client.create_index("scratch").task_uid)
    assert task.status == "failed" and task.error["code"] == "index_already_exists"
    wait(client, client.index("scratch").update(primary_key="sku"))
    assert client.get_index("scratch").primary_key == "sku"
    wait(client, client.delete_index("scratch"))
    with pytest.raises(MeilisearchApiError) as raised:
        client.get_index("scratch")
    assert raised.value.code == "index_not_found" and raised.value.status_code == 404


def test_documents_are_added_read_updated_and_deleted(client: meilisearch.Client) -> None:
    index = client.index("books")
    task = wait(client, index.add_documents([{"book_id": "a", "title": "Dune"}, {"book_id": "b", "title": "Emma"}]))
    assert task.details["indexedDocuments"] == 2
    assert index.get_primary_key() == "book_id"
    assert dict(index.get_document("a"))["title"] == "Dune"
    wait(client, index.update_documents([{"book_id": "a", "author": "Herbert"}]))
    document = index.get_document("a")
    assert (document.title, document.author) == ("Dune", "Herbert")
    assert index.get_documents({"limit": 1}).total == 2
    wait(client, index.delete_document("b"))
    assert index.get_stats().number_of_documents == 1
    wait(client, index.update_filterable_attributes(["author"]))
    wait(client, index.delete_documents(filter="author = Herbert"))
    assert index.get_documents().total == 0
    with pytest.raises(MeilisearchApiError) as raised:
        index.get_document("a")
    assert raised.value.code == "document_not_found"


def test_search_with_typos_filters_facets_sorting_pagination_and_highlights(movies: Any) -> None:
    assert [hit["id"] for hit in movies.search("philadelfia")["hits"]] == [6]  # one typo
    assert [hit["id"] for hit in movies.search("mo")["hits"]] == [5]  # a prefix
    result = movies.search(
        "", {"filter": "genres = Drama AND year >= 2000", "facets": ["genres"], "sort": ["year:desc"]}
    )
    assert [hit["id"] for hit in result["hits"]] == [1, 3]
    assert result["facetDistribution"]["genres"] == {"Adventure": 1, "Drama": 2, "Romance": 1}
    ranged = movies.search("", {"filter": [["year 2012 TO 2015", "rating > 8"], "NOT genres IN [Romance]"]})
    assert sorted(hit["id"] for hit in ranged["hits"]) == [3, 4]
    page = movies.search("", {"sort": ["rating:desc"], "hitsPerPage": 2, "page": 2, "facets": ["rating"]})
    assert [hit["id"] for hit in page["hits"]] == [6, 5] and page["totalHits"] == 6 and page["totalPages"] == 3
    assert page["facetStats"]["rating"] == {"min": 7.2, "max": 8.1}
    highlighted = movies.search("fury", {"attributesToHighlight": ["title"]})["hits"][0]["_formatted"]["title"]
    assert highlighted == "Mad Max: <em>Fury</em> Road"
    with pytest.raises(MeilisearchApiError) as raised:
        movies.search("", {"filter": "title = Carol"})
    assert raised.value.code == "invalid_search_filter"  # not a filterable attribute
    with pytest.raises(MeilisearchApiError) as raised:
        movies.search("", {"filter": "year >"})
    assert raised.value.code == "invalid_search_filter" and raised.value.type == "invalid_request"
    with pytest.raises(MeilisearchApiError) as raised:
        movies.search("", {"filter": "(" * 5000 + "year = 1" + ")" * 5000})
    assert raised.value.code == "invalid_search_filter"


def test_settings_synonyms_stop_words_and_ranking(client: meilisearch.Client, movies: Any) -> None:
    wait(client, movies.update_settings({"synonyms": {"sailing": ["boat"]}, "stopWords": ["of"]}))
    settings = movies.get_settings()
    assert settings["synonyms"] == {"sailing": ["boat"]} and settings["stopWords"] == ["of"]
    wait(client, movies.add_documents([{"id": 7, "title": "Boat trip", "year": 2001, "rating": 5.0}]))
    assert [hit["id"] for hit in movies.search("sailing")["hits"]] == [7]
    wait(client, movies.update_ranking_rules(["words", "typo", "rating:desc", "proximity", "attribute", "exactness"]))
    assert [hit["id"] for hit in movies.search("")["hits"][:2]] == [4, 3]
    with pytest.raises(MeilisearchApiError) as raised:
        movies.update_ranking_rules(["bogus"])
    assert raised.value.code == "invalid_settings_ranking_rules"
    wait(client, movies.reset_ranking_rules())
    wait(client, movies.delete_document(7))


def test_tasks_are_listed_and_found(client: meilisearch.Client, movies: Any) -> None:
    tasks = client.get_tasks({"indexUids": ["movies"], "types": ["documentAdditionOrUpdate"]})
    assert tasks.results and all(task.index_uid == "movies" for task in tasks.results)
    uid = tasks.results[0].uid
    assert client.get_task(uid).status == "succeeded"
    with pytest.raises(MeilisearchApiError) as raised:
        client.get_task(999_999)
    assert raised.value.code == "task_not_found"


def test_api_keys_limit_actions_and_indexes(
    client: meilisearch.Client, meilisearch_server: CompatServer, movies: Any
) -> None:
    key = client.create_key({"actions": ["search"], "indexes": ["movies"], "expiresAt": None, "name": "searcher"})
    assert client.get_key(key.uid).name == "searcher"
    searcher = meilisearch.Client(meilisearch_server.url, api_key=key.key)
    assert searcher.index("movies").search("carol")["hits"][0]["id"] == 1
    with pytest.raises(MeilisearchApiError) as raised:
        searcher.index("movies").add_documents([{"id": 99}])
    assert raised.value.code == "invalid_api_key" and raised.value.status_code == 403
    with pytest.raises(MeilisearchApiError):
        searcher.index("books").search("x")
    client.update_key(key.key, {"description": "read only"})
    assert client.get_key(key.uid).description == "read only"
    client.delete_key(key.uid)
    with pytest.raises(MeilisearchApiError) as raised:
        searcher.index("movies").search("carol")
    assert raised.value.code == "invalid_api_key"
    with pytest.raises(MeilisearchApiError) as raised:
        meilisearch.Client(meilisearch_server.url, api_key="wrong").get_indexes()
    assert raised.value.code == "invalid_api_key"
    missing = httpx.get(f"{meilisearch_server.url}/indexes")
    assert missing.status_code == 401 and missing.json()["code"] == "missing_authorization_header"


def test_tenants_are_isolated(meilisearch_server: CompatServer, movies: Any) -> None:
    other = meilisearch_server.credentials().create("other-tenant", ["meilisearch"])
    assert other.secret is not None
    stranger = dotdo.compat.meilisearch.client(
        meilisearch_server.url, access_key_id=other.access_key_id, secret=other.secret
    )
    assert stranger.get_indexes()["results"] == []
    with pytest.raises(MeilisearchApiError) as raised:
        stranger.index("movies").search("carol")
    assert raised.value.code == "index_not_found"


def test_malformed_payloads_are_refused_in_meilisearch_shape(meilisearch_server: CompatServer, movies: Any) -> None:
    key = meilisearch_server.key
    headers = {"Authorization": f"Bearer {key.access_key_id}{key.secret}", "Content-Type": "application/json"}
    answer = httpx.post(f"{meilisearch_server.url}/indexes/movies/documents", content=b"[{", headers=headers)
    assert answer.status_code == 400 and answer.json()["code"] == "malformed_payload"
    answer = httpx.post(f"{meilisearch_server.url}/indexes/movies/search", json={"q": 3}, headers=headers)
    assert answer.json()["code"] == "invalid_search_q"
    answer = httpx.post(f"{meilisearch_server.url}/indexes/movies/search", json={"nope": 1}, headers=headers)
    assert answer.json()["code"] == "bad_request"
    answer = httpx.post(f"{meilisearch_server.url}/indexes/bad%20uid/search", json={}, headers=headers)
    assert answer.json()["code"] == "invalid_index_uid"


def test_indexes_survive_a_restart(tmp_path_factory: pytest.TempPathFactory) -> None:
    data_dir = tmp_path_factory.mktemp("meili-restart")
    server = start_server(data_dir, ["meilisearch"])
    try:
        client = dotdo.compat.meilisearch.client(
            server.url, access_key_id=server.key.access_key_id, secret=server.key.secret
        )
        wait(client, client.index("kept").add_documents([{"id": 1, "title": "persistent"}]))
    finally:
        stop_server(server)
    server = start_server(data_dir, ["meilisearch"])
    try:
        client = dotdo.compat.meilisearch.client(
            server.url, access_key_id=server.key.access_key_id, secret=server.key.secret
        )
        assert client.index("kept").search("persistnt")["hits"] == [{"id": 1, "title": "persistent"}]
    finally:
        stop_server(server)


def test_finished_tasks_are_deleted_by_filter_and_webhooks_are_listed(client: meilisearch.Client) -> None:
    wait(client, client.create_index("tasks-scratch"))
    assert client.get_tasks({"indexUids": ["tasks-scratch"]}).total >= 1
    with pytest.raises(MeilisearchApiError) as raised:
        client.delete_tasks({})
    assert raised.value.code == "missing_task_filters"
    task = wait(client, client.delete_tasks({"indexUids": ["tasks-scratch"]}))
    assert task.type == "taskDeletion" and task.details["deletedTasks"] >= 1
    assert client.get_tasks({"indexUids": ["tasks-scratch"]}).total == 0
    assert task.details["originalFilter"] == "?indexUids=tasks-scratch"
    canceled = wait(client, client.cancel_tasks({"statuses": ["enqueued", "processing"]}))
    assert canceled.type == "taskCancelation" and canceled.details["canceledTasks"] == 0
    assert canceled.details["originalFilter"] == "?statuses=enqueued%2Cprocessing"
    assert client.get_webhooks().results == []


def test_a_quoted_filter_value_with_a_space_matches(movies: Any) -> None:
    hits = movies.search("", {"filter": "genres = 'Science Fiction'"})["hits"]
    assert [hit["id"] for hit in hits] == [4]
    hits = movies.search("", {"filter": ['genres = "Science Fiction"', "year = 2015"]})["hits"]
    assert [hit["id"] for hit in hits] == [4]
    hits = movies.search("", {"filter": "genres = 'science fiction' OR genres = DRAMA"})["hits"]
    assert sorted(hit["id"] for hit in hits) == [1, 3, 4, 6]
    assert 4 not in [hit["id"] for hit in movies.search("", {"filter": "genres != 'SCIENCE fiction'"})["hits"]]


def test_a_write_keeps_the_custom_metadata_of_its_task(client: meilisearch.Client) -> None:
    index = client.index("tagged")
    task = wait(client, index.add_documents([{"id": 1}], metadata="import of monday"))
    assert task.custom_metadata == "import of monday"
    assert wait(client, index.add_documents([{"id": 2}], metadata="")).custom_metadata == ""
    assert wait(client, index.delete_document(1)).custom_metadata is None


def test_page_zero_counts_the_hits_without_showing_any(movies: Any) -> None:
    result = movies.search("", {"page": 0, "hitsPerPage": 2})
    assert (result["hits"], result["page"], result["totalHits"], result["totalPages"]) == ([], 0, 6, 3)
    assert [hit["id"] for hit in movies.search("", {"page": 1, "hitsPerPage": 2, "sort": ["year:asc"]})["hits"]] == [
        6,
        3,
    ]


def test_an_empty_document_payload_is_refused(client: meilisearch.Client) -> None:
    with pytest.raises(MeilisearchApiError) as raised:
        client.index("empty-payload").add_documents("")  # type: ignore[arg-type]
    assert (raised.value.code, raised.value.type, raised.value.status_code) == (
        "missing_payload",
        "invalid_request",
        400,
    )
    with pytest.raises(MeilisearchApiError) as raised:
        client.index("empty-payload").add_documents("  ")  # type: ignore[arg-type]
    assert raised.value.code == "malformed_payload"  # a JSON string, not an array of objects


def test_facet_search_finds_facet_values_by_their_words_among_a_searchs_hits(
    client: meilisearch.Client, movies: Any
) -> None:
    every = movies.facet_search("genres")
    assert every["facetQuery"] is None
    assert [hit["value"] for hit in every["facetHits"]] == [
        "Action",
        "Adventure",
        "Drama",
        "Fantasy",
        "Romance",
        "Science Fiction",
    ]
    assert {hit["value"]: hit["count"] for hit in every["facetHits"]}["Drama"] == 3
    assert movies.facet_search("genres", "adv")["facetHits"] == [{"value": "Adventure", "count": 3}]
    assert movies.facet_search("genres", "fic")["facetHits"] == [{"value": "Science Fiction", "count": 1}]
    assert movies.facet_search("genres", "ACT")["facetHits"] == [{"value": "Action", "count": 2}]
    wait(
        client,
        movies.add_documents([{"id": 8, "title": "Ballet", "genres": ["abstract"], "year": 2001, "rating": 6.0}]),
    )
    assert [hit["value"] for hit in movies.facet_search("genres", "a")["facetHits"]] == [
        "abstract",
        "Action",
        "Adventure",
    ]
    wait(client, movies.delete_document(8))
    assert movies.facet_search("genres", "adv", {"q": "pi"})["facetHits"] == [{"value": "Adventure", "count": 1}]
    filtered = movies.facet_search("genres", "dr", {"filter": "year < 2000"})
    assert filtered["facetHits"] == [{"value": "Drama", "count": 1}]
    with pytest.raises(MeilisearchApiError) as raised:
        movies.facet_search("title")
    assert raised.value.code == "invalid_facet_search_facet_name"

    wait(client, movies.update_facet_search_settings(False))
    assert movies.get_facet_search_settings() is False
    with pytest.raises(MeilisearchApiError) as raised:
        movies.facet_search("genres")
    assert raised.value.code == "facet_search_disabled"
    wait(client, movies.reset_facet_search_settings())
    assert movies.get_facet_search_settings() is True


def test_prefix_search_can_be_switched_off_and_new_settings_have_meilisearchs_defaults(
    client: meilisearch.Client, movies: Any
) -> None:
    assert [hit["id"] for hit in movies.search("philad")["hits"]] == [6]
    wait(client, movies.update_prefix_search("disabled"))
    assert movies.get_prefix_search() == "disabled"
    assert movies.search("philad")["hits"] == []
    assert [hit["id"] for hit in movies.search("philadelphia")["hits"]] == [6]
    wait(client, movies.reset_prefix_search())
    assert movies.get_prefix_search() == "indexingTime"
    settings = movies.get_settings()
    assert settings["rankingRules"] == [
        "words",
        "typo",
        "proximity",
        "attributeRank",
        "sort",
        "wordPosition",
        "exactness",
    ]
    assert (settings["facetSearch"], settings["localizedAttributes"]) == (True, None)
    with pytest.raises(MeilisearchApiError) as raised:
        movies.update_settings({"prefixSearch": "sometimes"})
    assert raised.value.code == "invalid_settings_prefix_search"
