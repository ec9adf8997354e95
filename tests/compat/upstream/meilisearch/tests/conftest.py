import json
import os

import requests
from pytest import fixture

import meilisearch
from meilisearch.errors import MeilisearchApiError
from meilisearch.models.embedders import OpenAiEmbedder, UserProvidedEmbedder
from tests import common

TEST_TASK_TIMEOUT_MS = 30_000


@fixture(scope="session")
def client():
    return meilisearch.Client(common.BASE_URL, common.MASTER_KEY)


@fixture(scope="session")
def client2():
    if not os.getenv("MEILISEARCH_URL_2"):
        return None
    return meilisearch.Client(common.BASE_URL_2, common.MASTER_KEY)


def _clear_indexes(meilisearch_client):
    """Deletes all the indexes in the Meilisearch instance."""

    indexes = meilisearch_client.get_indexes()
    for index in indexes["results"]:
        task = meilisearch_client.index(index.uid).delete()
        meilisearch_client.wait_for_task(task.task_uid, timeout_in_ms=TEST_TASK_TIMEOUT_MS)


@fixture(autouse=True)
def clear_indexes(client, client2):
    """
    Auto-clears the indexes after each test function run.
    Makes all the test functions independent.
    """
    # Yields back to the test function.
    yield
    _clear_indexes(client)
    if client2 is not None:
        _clear_indexes(client2)


@fixture(autouse=True)
def clear_webhooks(client):
    """
    Auto-clears the webhooks after each test function run.
    Makes all the test functions independent.
    """
    # Yields back to the test function.

    yield
    # Deletes all the webhooks in the Meilisearch instance.
    webhooks = client.get_webhooks()
    for webhook in webhooks.results:
        client.delete_webhook(webhook.uuid)


@fixture(autouse=True)
def clear_all_tasks(client, client2):
    """
    Auto-clears the tasks after each test function run.
    Makes all the test functions independent.
    """
    client.delete_tasks({"statuses": ["succeeded", "failed", "canceled"]})
    if client2 is not None:
        client2.delete_tasks({"statuses": ["succeeded", "failed", "canceled"]})


@fixture(scope="function")
def indexes_sample(client):
    indexes = []
    for index_args in common.INDEX_FIXTURE:
        task = client.create_index(**index_args)
        client.wait_for_task(task.task_uid)
        indexes.append(client.get_index(index_args["uid"]))
    # Yields the indexes to the test to make them accessible.
    yield indexes


@fixture(scope="session")
def small_movies():
    """
    Runs once per session. Provides the content of small_movies.json.
    """
    with open("./datasets/small_movies.json", encoding="utf-8") as movie_file:
        yield json.loads(movie_file.read())


@fixture(scope="session")
def small_movies_json_file():
    """
    Runs once per session. Provides the content of small_movies.json from read.
    """
    with open("./datasets/small_movies.json", encoding="utf-8") as movie_json_file:
        return movie_json_file.read().encode("utf-8")


@fixture(scope="session")
def songs_csv():
    """
    Runs once per session. Provides the content of songs.csv from read.
    """
    with open("./datasets/songs.csv", encoding="utf-8") as song_csv_file:
        return song_csv_file.read().encode("utf-8")


@fixture(scope="session")
def songs_csv_custom_separator():
    """
    Runs once per session. Provides the content of songs_custom_delimiter.csv from read.
    """
    with open("./datasets/songs_custom_delimiter.csv", encoding="utf-8") as song_csv_file:
        return song_csv_file.read().encode("utf-8")


@fixture(scope="session")
def songs_ndjson():
    """
    Runs once per session. Provides the content of songs.ndjson from read.
    """
    with open("./datasets/songs.ndjson", encoding="utf-8") as song_ndjson_file:
        return song_ndjson_file.read().encode("utf-8")


@fixture(scope="session")
def nested_movies():
    """
    Runs once per session. Provides the content of nested_movies.json.
    """
    with open("./datasets/nested_movies.json", encoding="utf-8") as nested_movie_file:
        yield json.loads(nested_movie_file.read())


@fixture(scope="function")
def empty_index(client, index_uid: str | None = None):
    index_uid = index_uid if index_uid else common.INDEX_UID

    def index_maker(index_uid=index_uid):
        task = client.create_index(uid=index_uid)
        client.wait_for_task(task.task_uid, timeout_in_ms=TEST_TASK_TIMEOUT_MS)
        return client.get_index(uid=index_uid)

    return index_maker


@fixture(scope="function")
def index_with_documents(empty_index, small_movies):
    def index_maker(index_uid=common.INDEX_UID, documents=small_movies):
        index = empty_index(index_uid)
        task = index.add_documents(documents)
        index.wait_for_task(task.task_uid)
        return index

    return index_maker


@fixture(scope="function")
def index_with_documents_and_vectors(empty_index, small_movies):
    small_movies[0]["_vectors"] = {"default": [0.1, 0.2]}
    for movie in small_movies[1:]:
        movie["_vectors"] = {"default": [0.9, 0.9]}

    def index_maker(index_uid=common.INDEX_UID, documents=small_movies):
        index = empty_index(index_uid)
        settings_update_task = index.update_embedders(
            {
                "default": {
                    "source": "userProvided",
                    "dimensions": 2,
                }
            }
        )
        index.wait_for_task(settings_update_task.task_uid)
        document_addition_task = index.add_documents(documents)
        index.wait_for_task(document_addition_task.task_uid)
        return index

    return index_maker


@fixture(scope="function")
def index_with_documents_and_facets(empty_index, small_movies):
    def index_maker(index_uid=common.INDEX_UID, documents=small_movies):
        index = empty_index(index_uid)
        task_1 = index.update_filterable_attributes(["genre"])
        index.wait_for_task(task_1.task_uid)
        task_2 = index.add_documents(documents)
        index.wait_for_task(task_2.task_uid)
        return index

    return index_maker


@fixture(scope="function")
def test_key(client):
    key_info = {
        "description": "test",
        "actions": ["search"],
        "indexes": ["movies"],
        "expiresAt": None,
    }

    key = client.create_key(key_info)

    yield key

    try:
        client.delete_key(key.key)
    except MeilisearchApiError:
        pass


@fixture(scope="function")
def test_key_info(client):
    key_info = {
        "name": "testKeyName",
        "description": "test",
        "actions": ["search"],
        "indexes": [common.INDEX_UID],
        "expiresAt": None,
    }

    yield key_info

    try:
        keys = client.get_keys().results
        key = next(x for x in keys if x.description == key_info["description"])
        client.delete_key(key.key)
    except MeilisearchApiError:
        pass
    except StopIteration:
        pass


@fixture(scope="function")
def test_nondescript_key_info(client):
    key_info = {
        "name": "keyWithoutDescription",
        "actions": ["search"],
        "indexes": [common.INDEX_UID],
        "expiresAt": None,
    }

    yield key_info

    try:
        keys = client.get_keys().results
        key = next(x for x in keys if x.name == key_info["name"])
        client.delete_key(key.key)
    except MeilisearchApiError:
        pass
    except StopIteration:
        pass


@fixture(scope="function")
def get_private_key(client):
    keys = client.get_keys().results
    key = next(x for x in keys if "Default Search API" in x.name)
    return key


@fixture
def enable_vector_search():
    requests.patch(
        f"{common.BASE_URL}/experimental-features",
        headers={"Authorization": f"Bearer {common.MASTER_KEY}"},
        json={"vectorStoreSetting": True},
        timeout=10,
    )
    requests.patch(
        f"{common.BASE_URL_2}/experimental-features",
        headers={"Authorization": f"Bearer {common.MASTER_KEY}"},
        json={"vectorStoreSetting": True},
        timeout=10,
    )
    yield
    requests.patch(
        f"{common.BASE_URL}/experimental-features",
        headers={"Authorization": f"Bearer {common.MASTER_KEY}"},
        json={"vectorStoreSetting": False},
        timeout=10,
    )
    requests.patch(
        f"{common.BASE_URL_2}/experimental-features",
        headers={"Authorization": f"Bearer {common.MASTER_KEY}"},
        json={"vectorStoreSetting": False},
        timeout=10,
    )


@fixture
def enable_edit_documents_by_function():
    requests.patch(
        f"{common.BASE_URL}/experimental-features",
        headers={"Authorization": f"Bearer {common.MASTER_KEY}"},
        json={"editDocumentsByFunction": True},
        timeout=10,
    )
    yield
    requests.patch(
        f"{common.BASE_URL}/experimental-features",
        headers={"Authorization": f"Bearer {common.MASTER_KEY}"},
        json={"editDocumentsByFunction": False},
        timeout=10,
    )


@fixture
def new_embedders():
    return {
        "default": UserProvidedEmbedder(dimensions=1).model_dump(by_alias=True),
        "open_ai": OpenAiEmbedder().model_dump(by_alias=True),
    }


@fixture
def enable_composite_embedders():
    requests.patch(
        f"{common.BASE_URL}/experimental-features",
        headers={"Authorization": f"Bearer {common.MASTER_KEY}"},
        json={"compositeEmbedders": True},
        timeout=10,
    )
    yield
    requests.patch(
        f"{common.BASE_URL}/experimental-features",
        headers={"Authorization": f"Bearer {common.MASTER_KEY}"},
        json={"compositeEmbedders": False},
        timeout=10,
    )


@fixture
def enable_network_options():
    requests.patch(
        f"{common.BASE_URL}/experimental-features",
        headers={"Authorization": f"Bearer {common.MASTER_KEY}"},
        json={"network": True},
        timeout=10,
    )
    yield
    requests.patch(
        f"{common.BASE_URL}/experimental-features",
        headers={"Authorization": f"Bearer {common.MASTER_KEY}"},
        json={"network": False},
        timeout=10,
    )


@fixture
def enable_render_route():
    requests.patch(
        f"{common.BASE_URL}/experimental-features",
        headers={"Authorization": f"Bearer {common.MASTER_KEY}"},
        json={"renderRoute": True},
        timeout=10,
    )
    yield
    requests.patch(
        f"{common.BASE_URL}/experimental-features",
        headers={"Authorization": f"Bearer {common.MASTER_KEY}"},
        json={"renderRoute": False},
        timeout=10,
    )


@fixture
def enable_foreign_keys():
    requests.patch(
        f"{common.BASE_URL}/experimental-features",
        headers={"Authorization": f"Bearer {common.MASTER_KEY}"},
        json={"foreignKeys": True},
        timeout=10,
    )
    yield
    requests.patch(
        f"{common.BASE_URL}/experimental-features",
        headers={"Authorization": f"Bearer {common.MASTER_KEY}"},
        json={"foreignKeys": False},
        timeout=10,
    )


@fixture
def enable_dynamic_search_rules(client):
    headers = {"Authorization": f"Bearer {common.MASTER_KEY}"}
    requests.patch(
        f"{common.BASE_URL}/experimental-features",
        headers=headers,
        json={"dynamicSearchRules": True},
        timeout=10,
    )
    yield

    response = requests.delete(
        f"{common.BASE_URL}/dynamic-search-rules",
        headers=headers,
        timeout=10,
    )
    if response.status_code == 202:
        client.wait_for_task(response.json()["taskUid"], timeout_in_ms=TEST_TASK_TIMEOUT_MS)

    requests.patch(
        f"{common.BASE_URL}/experimental-features",
        headers=headers,
        json={"dynamicSearchRules": False},
        timeout=10,
    )
