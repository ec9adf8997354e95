"""A Cloud Storage bucket whose objects are spread over shard objects (`--bucket-shards`): listings page
through every shard in name order, exactly as an unsharded bucket (the oracle) lists the same objects."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from google.api_core import exceptions

import dotdo.compat
from dotdo.compat.gcs.bucket import GcsObject
from dotdo.compat.gcs.shards import merge_pages
from tests.compat.conftest import CompatServer, start_server, stop_server

NAMES = sorted(
    [f"logs/2024/{day:02}/{n}.txt" for day in range(1, 5) for n in range(3)]
    + [f"img/{n:03}.png" for n in range(9)]
    + [f"top-{n}" for n in range(6)]
    + ["dir/", "dir/inner", "dir/sub/deep", "ünï/ço", "a b/c d", "z"]
)
QUERIES: list[dict[str, Any]] = [
    {},
    {"prefix": "logs/"},
    {"delimiter": "/"},
    {"prefix": "logs/2024/", "delimiter": "/"},
    {"start_offset": "dir", "end_offset": "top-3"},
    {"delimiter": "/", "include_trailing_delimiter": True},
    {"versions": True},
]


def client_of(server: CompatServer) -> Any:
    return dotdo.compat.gcs.client(server.url, access_key_id=server.key.access_key_id, secret=server.key.secret)


@pytest.fixture(scope="module")
def sharded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CompatServer]:
    options = ("--bucket-shards", "4", "--bucket-split-keys", "0")
    server = start_server(tmp_path_factory.mktemp("gcs-shards"), ["gcs"], None, *options)
    yield server
    stop_server(server)


def fill(client: Any) -> Any:
    bucket = client.create_bucket("listed")
    bucket.versioning_enabled = True
    bucket.patch()
    for name in NAMES:
        bucket.blob(name).upload_from_string(name.encode())
    for name in NAMES[::5]:  # a second generation of some
        bucket.blob(name).upload_from_string(name.encode() * 2)
    return bucket


@pytest.fixture(scope="module")
def pair(sharded: CompatServer, gcs_server: CompatServer) -> tuple[Any, Any]:
    """The same objects in a bucket of 4 shards and in an unsharded bucket."""
    return fill(client_of(sharded)), fill(client_of(gcs_server))


def listed(bucket: Any, page_size: int, query: dict[str, Any]) -> tuple[list[tuple[str, int]], list[str], int]:
    """Every page's (name, size) entries and prefixes in the order served, and how many pages there were."""
    iterator = bucket.client.list_blobs(bucket, page_size=page_size, **query)
    entries: list[tuple[str, int]] = []
    prefixes: list[str] = []
    pages = 0
    for page in iterator.pages:
        pages += 1
        entries += [(blob.name, blob.size) for blob in page]
        prefixes += sorted(page.prefixes)
    return entries, prefixes, pages


@pytest.mark.parametrize("page_size", [1, 3, 1000])
@pytest.mark.parametrize("query", QUERIES, ids=[",".join(q) or "all" for q in QUERIES])
def test_listings_page_exactly_as_an_unsharded_bucket(
    pair: tuple[Any, Any], page_size: int, query: dict[str, Any]
) -> None:
    sharded, oracle = pair
    entries, prefixes, _ = listed(sharded, page_size, query)
    expected, expected_prefixes, _ = listed(oracle, page_size, query)
    assert entries == expected
    assert prefixes == expected_prefixes
    assert len(prefixes) == len(set(prefixes))


def test_the_bucket_reports_its_shards_and_its_objects_are_spread_over_them(
    sharded: CompatServer, pair: tuple[Any, Any]
) -> None:
    status = dotdo.compat.gcs.reshard_status(
        "listed", endpoint_url=sharded.url, access_key_id=sharded.key.access_key_id, secret=sharded.key.secret
    )
    assert status == {"bucket": "listed", "shards": 4, "running": False}
    blobs = sharded.data_dir / "compat" / "gcs" / "blobs"
    assert not [path for path in blobs.glob("*/*/*") if path.is_file()]  # small objects live in their rows
    bucket = pair[0]
    for n in range(8):
        bucket.blob(f"large-{n}").upload_from_string(bytes([n]) * 70_000)
    namespaces = {path.parent.parent.name for path in blobs.glob("*/*/*") if path.is_file()}
    assert len(namespaces) > 1  # large objects went to the blob namespaces of several shards
    for n in range(8):
        bucket.blob(f"large-{n}").delete()


def test_hostile_requests_to_a_sharded_bucket_get_cloud_storage_errors(sharded: CompatServer) -> None:
    bucket = client_of(sharded).create_bucket("hostile")
    headers = {"Authorization": f"Bearer {sharded.key.access_key_id}:{sharded.key.secret}"}
    base = f"{sharded.url}/storage/v1/b/hostile"

    def reason(answer: httpx.Response) -> tuple[int, str]:
        return answer.status_code, answer.json()["error"]["errors"][0]["reason"]

    assert reason(httpx.get(f"{base}/o", params={"pageToken": "%%%"}, headers=headers)) == (400, "invalid")
    assert reason(httpx.get(f"{base}/o", params={"maxResults": "lots"}, headers=headers)) == (400, "invalid")
    upload = f"{sharded.url}/upload/storage/v1/b/hostile/o"
    for session in ("no-dash", "abc-%%%", "abc-" + "eA" * 10, ""):
        answer = httpx.put(upload, params={"uploadType": "resumable", "upload_id": session}, headers=headers)
        assert reason(answer) == (404, "notFound"), session
    assert reason(httpx.post(f"{base}/reshard", params={"shards": "many"}, headers=headers)) == (400, "invalid")
    assert reason(httpx.post(f"{base}/reshard", params={"shards": "0"}, headers=headers)) == (400, "invalid")
    assert reason(httpx.post(f"{base}/reshard", headers=headers)) == (400, "required")
    assert reason(httpx.delete(f"{base}/reshard", headers=headers)) == (405, "methodNotAllowed")
    assert reason(httpx.get(f"{sharded.url}/storage/v1/b/nobody/reshard", headers=headers)) == (404, "notFound")
    assert reason(httpx.get(f"{base}/o/{'x' * 2000}", headers=headers)) == (400, "invalid")
    bucket.blob("../../etc/passwd").upload_from_string(b"only a name")
    assert bucket.blob("../../etc/passwd").download_as_bytes() == b"only a name"
    with pytest.raises(exceptions.NotFound):
        bucket.blob("missing").download_as_bytes()
    with pytest.raises(exceptions.Conflict):
        bucket.delete()
    bucket.blob("../../etc/passwd").delete()
    bucket.delete()
    with pytest.raises(exceptions.NotFound):
        client_of(sharded).get_bucket("hostile")


def obj(name: str, generation: int = 1) -> GcsObject:
    return GcsObject(name, generation, 1, 0, "", "", [], 0.0, 0.0)


def test_a_name_copied_into_two_places_is_listed_once_from_the_place_asked_first() -> None:
    old = ([obj("a"), obj("b", 1), obj("b", 2)], ["p/"], None)
    new = ([obj("b", 1), obj("b", 2), obj("c")], ["p/"], None)
    items, prefixes, after = merge_pages([old, new], 10)
    assert [(o.name, o.generation) for o in items] == [("a", 1), ("b", 1), ("b", 2), ("c", 1)]
    assert prefixes == ["p/"] and after is None
    items, prefixes, after = merge_pages([old, new], 2)
    assert [o.name for o in items] == ["a", "b", "b"] and after == "b"
