"""Cloud Storage through `google-cloud-storage`, the official client, against `dotdo compat serve gcs`.

Every test runs against a server whose buckets are one object each and against one whose buckets
are spread over shard objects (`--bucket-shards 3`): a client cannot tell them apart."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from google.api_core import exceptions

import dotdo.compat
from tests.compat.conftest import CompatServer, start_server, stop_server

MiB = 1024 * 1024


@pytest.fixture(scope="module", params=[1, 3], ids=["one-object", "sharded"])
def server(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[CompatServer]:
    running = start_server(tmp_path_factory.mktemp("gcs"), ["gcs"], None, "--bucket-shards", str(request.param))
    yield running
    stop_server(running)


@pytest.fixture(scope="module")
def gcs(server: CompatServer) -> Any:
    return dotdo.compat.gcs.client(server.url, access_key_id=server.key.access_key_id, secret=server.key.secret)


@pytest.fixture
def bucket(gcs: Any, request: pytest.FixtureRequest) -> Any:
    return gcs.create_bucket("g-" + hashlib.md5(request.node.name.encode()).hexdigest()[:12])


def test_buckets(gcs: Any) -> None:
    created = gcs.create_bucket("gcs-buckets")
    assert created.name == "gcs-buckets"
    assert "gcs-buckets" in [b.name for b in gcs.list_buckets()]
    with pytest.raises(exceptions.Conflict):
        gcs.create_bucket("gcs-buckets")
    created.versioning_enabled = True
    created.patch()
    assert gcs.get_bucket("gcs-buckets").versioning_enabled is True
    created.blob("x").upload_from_string(b"1")
    with pytest.raises(exceptions.Conflict):
        created.delete()
    created.blob("x").delete()
    created.delete()
    with pytest.raises(exceptions.NotFound):
        gcs.get_bucket("gcs-buckets")


def test_simple_and_multipart_uploads_round_trip(bucket: Any) -> None:
    blob = bucket.blob("notes/hello.txt")
    blob.metadata = {"owner": "alice"}
    blob.upload_from_string(b"hello world", content_type="text/plain")
    fetched = bucket.get_blob("notes/hello.txt")
    assert fetched.size == 11 and fetched.content_type == "text/plain"
    assert fetched.metadata == {"owner": "alice"}
    assert fetched.md5_hash and fetched.crc32c
    assert fetched.download_as_bytes() == b"hello world"
    assert fetched.download_as_bytes(start=6, end=10) == b"world"


def test_resumable_upload_of_a_large_object(bucket: Any) -> None:
    data = bytes(range(256)) * (3 * MiB // 256 + 7)
    blob = bucket.blob("big.bin", chunk_size=MiB)
    blob.upload_from_string(data)
    fetched = bucket.get_blob("big.bin")
    assert fetched.size == len(data)
    assert fetched.download_as_bytes() == data


def test_listing_with_prefix_delimiter_and_pages(bucket: Any) -> None:
    names = ["a/1", "a/2", "a/b/3", "b", "c/4"]
    for name in names:
        bucket.blob(name).upload_from_string(b"")
    iterator = bucket.client.list_blobs(bucket, delimiter="/")
    assert [b.name for b in iterator] == ["b"]
    assert sorted(iterator.prefixes) == ["a/", "c/"]
    assert [b.name for b in bucket.client.list_blobs(bucket, prefix="a/")] == ["a/1", "a/2", "a/b/3"]
    assert [b.name for b in bucket.client.list_blobs(bucket, max_results=10, page_size=2)] == names


def test_generations_and_preconditions(bucket: Any) -> None:
    blob = bucket.blob("doc")
    blob.upload_from_string(b"v1", if_generation_match=0)
    first = bucket.get_blob("doc").generation
    with pytest.raises(exceptions.PreconditionFailed):
        bucket.blob("doc").upload_from_string(b"again", if_generation_match=0)
    bucket.blob("doc").upload_from_string(b"v2", if_generation_match=first)
    second = bucket.get_blob("doc")
    assert second.generation > first
    with pytest.raises(exceptions.PreconditionFailed):
        bucket.blob("doc").upload_from_string(b"v3", if_generation_match=first)
    second.metadata = {"reviewed": "yes"}
    second.patch(if_metageneration_match=1)
    assert bucket.get_blob("doc").metageneration == 2
    with pytest.raises(exceptions.PreconditionFailed):
        second.patch(if_metageneration_match=1)


def test_versioned_bucket_keeps_noncurrent_generations(gcs: Any, bucket: Any) -> None:
    bucket.versioning_enabled = True
    bucket.patch()
    bucket.blob("v").upload_from_string(b"one")
    old = bucket.get_blob("v").generation
    bucket.blob("v").upload_from_string(b"two")
    assert bucket.blob("v", generation=old).download_as_bytes() == b"one"
    assert len(list(gcs.list_blobs(bucket, versions=True))) == 2
    bucket.blob("v").delete()
    with pytest.raises(exceptions.NotFound):
        bucket.blob("v").download_as_bytes()
    assert bucket.blob("v", generation=old).download_as_bytes() == b"one"


def test_copy_rewrite_and_compose(gcs: Any, bucket: Any) -> None:
    bucket.blob("part-1").upload_from_string(b"abc")
    bucket.blob("part-2").upload_from_string(b"def")
    other = gcs.create_bucket(bucket.name + "-copy")
    copied = bucket.copy_blob(bucket.blob("part-1"), other, "copied")
    assert copied.download_as_bytes() == b"abc"
    token, written, total = other.blob("rewritten").rewrite(bucket.blob("part-2"))
    assert token is None and written == total == 3
    composed = bucket.blob("whole")
    composed.compose([bucket.blob("part-1"), bucket.blob("part-2")])
    assert bucket.blob("whole").download_as_bytes() == b"abcdef"


def test_tenants_and_credentials(server: CompatServer, bucket: Any) -> None:
    bucket.blob("private").upload_from_string(b"first tenant")
    key = server.credentials().create("other", ["gcs"])
    other = dotdo.compat.gcs.client(server.url, access_key_id=key.access_key_id, secret=key.secret)
    with pytest.raises(exceptions.NotFound):
        other.bucket(bucket.name).blob("private").download_as_bytes()
    assert httpx.get(f"{server.url}/storage/v1/b/{bucket.name}").status_code == 401
    wrong = httpx.get(
        f"{server.url}/storage/v1/b/{bucket.name}",
        headers={"Authorization": f"Bearer {server.key.access_key_id}:wrong"},
    )
    assert wrong.status_code == 401 and wrong.json()["error"]["errors"][0]["reason"] == "authError"


def test_hostile_names_and_bodies(server: CompatServer, bucket: Any) -> None:
    headers = {"Authorization": f"Bearer {server.key.access_key_id}:{server.key.secret}"}
    for bad in ("a..b", "UP", "../etc"):
        answer = httpx.post(f"{server.url}/storage/v1/b", json={"name": bad}, headers=headers)
        assert answer.status_code == 400, bad
    answer = httpx.post(f"{server.url}/storage/v1/b", content=b"{not json", headers=headers)
    assert answer.status_code == 400 and answer.json()["error"]["errors"][0]["reason"] == "parseError"
    bucket.blob("../../etc/passwd").upload_from_string(b"only a name")
    assert bucket.blob("../../etc/passwd").download_as_bytes() == b"only a name"
    with pytest.raises(exceptions.BadRequest):
        bucket.blob("x" * 2000).upload_from_string(b"")


@pytest.mark.parametrize("shards", ["1", "3"])
def test_a_served_bucket_sweeps_the_blobs_of_overwritten_and_deleted_objects_from_disk(
    tmp_path_factory: pytest.TempPathFactory, shards: str
) -> None:
    server = start_server(
        tmp_path_factory.mktemp("gcs-sweep"), ["gcs"], None, "--garbage-grace", "0.2", "--bucket-shards", shards
    )
    try:
        client = dotdo.compat.gcs.client(server.url, access_key_id=server.key.access_key_id, secret=server.key.secret)
        bucket = client.create_bucket("sweep")
        large = {name: name.encode() * 70_000 for name in ("first", "second", "kept")}
        bucket.blob("photo").upload_from_string(large["first"])
        bucket.blob("photo").upload_from_string(large["second"])  # overwrites: "first" is unused
        bucket.blob("other").upload_from_string(large["kept"])
        first, second, kept = (gcs_blob_files(server, large[name]) for name in ("first", "second", "kept"))
        assert len(first) == len(second) == len(kept) == 1
        bucket.blob("photo").delete()  # "second" is unused too
        deadline = time.monotonic() + 10
        while (first[0].exists() or second[0].exists()) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not first[0].exists() and not second[0].exists()
        assert kept[0].exists()
        assert bucket.blob("other").download_as_bytes() == large["kept"]
    finally:
        stop_server(server)


def gcs_blob_files(server: CompatServer, body: bytes) -> list[Path]:
    """The files of the blob store holding `body` (in any bucket's namespace)."""
    sha = hashlib.sha256(body).hexdigest()
    return sorted((server.data_dir / "compat" / "gcs" / "blobs").glob(f"*/{sha[:2]}/{sha}"))
