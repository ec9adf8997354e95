"""Resharding a bucket while it serves: every acknowledged write survives, listings stay complete and in key
order, and a move a crash cut short is finished when the bucket's object starts again."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.config import Config
from typer.testing import CliRunner

import dotdo.compat
from dotdo import Runtime
from dotdo.cli import cli
from dotdo.compat.s3 import S3Bucket
from dotdo.compat.s3.bucket import INLINE_MAX, NewObject
from dotdo.compat.sharding import ReshardError, shard_object_name, shard_of
from dotdo.primitives.blob_store import BlobStore
from tests.compat.conftest import CompatServer, ReshardTraffic, start_server, stop_server

KEYS = 300
runner = CliRunner()
LARGE = INLINE_MAX + 100


def body_of(key: str, round: int = 0) -> bytes:
    """A key's bytes: a few keys large enough to live in the blob store."""
    text = f"{key}:{round}".encode()
    return text * (LARGE // len(text) + 1) if key.endswith("7") else text


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CompatServer]:
    running = start_server(tmp_path_factory.mktemp("reshard"), ["s3"], None, "--bucket-split-keys", "0")
    yield running
    stop_server(running)


@pytest.fixture(scope="module")
def s3(server: CompatServer) -> Any:
    return dotdo.compat.s3.client(
        server.url,
        access_key_id=server.key.access_key_id,
        secret=server.key.secret,
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
    )


def reshard(server: CompatServer, bucket: str, shards: Any) -> dict[str, Any]:
    return dotdo.compat.s3.reshard(
        bucket,
        shards,
        endpoint_url=server.url,
        access_key_id=server.key.access_key_id,
        secret=server.key.secret,
        poll=0.05,
    )


def listed_keys(s3: Any, bucket: str, page_size: int = 37) -> list[str]:
    keys: list[str] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, PaginationConfig={"PageSize": page_size}):
        keys += [entry["Key"] for entry in page.get("Contents", [])]
    return keys


def traffic_on(s3: Any, bucket: str, settled: list[str]) -> ReshardTraffic:
    """A writer and a lister on `bucket` (see `ReshardTraffic`)."""

    def write(key: str, round: int) -> bytes:
        data = body_of(key, round)
        s3.put_object(Bucket=bucket, Key=key, Body=data)
        return data

    return ReshardTraffic(
        settled,
        write,
        lambda: listed_keys(s3, bucket),
        lambda key: s3.get_object(Bucket=bucket, Key=key)["Body"].read(),
    )


def check_everything_readable(s3: Any, bucket: str, expected: dict[str, bytes]) -> None:
    assert listed_keys(s3, bucket) == sorted(expected)
    for key, data in expected.items():
        assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == data, key


def test_a_bucket_split_and_merged_while_it_serves_loses_no_acknowledged_write(server: CompatServer, s3: Any) -> None:
    s3.create_bucket(Bucket="growing")
    settled = [f"k/{n:04}" for n in range(KEYS)]
    expected = {}
    for key in settled:
        expected[key] = body_of(key)
        s3.put_object(Bucket="growing", Key=key, Body=expected[key])

    with traffic_on(s3, "growing", settled) as traffic:
        grown = reshard(server, "growing", 4)
    assert grown == {"bucket": "growing", "shards": 4, "running": False}
    assert traffic.problems == []
    assert traffic.listings > 0 and traffic.acknowledged
    expected.update(traffic.acknowledged)
    check_everything_readable(s3, "growing", expected)

    with traffic_on(s3, "growing", settled) as traffic:
        assert reshard(server, "growing", 2)["shards"] == 2
        assert reshard(server, "growing", 1)["shards"] == 1
    assert traffic.problems == []
    expected.update(traffic.acknowledged)
    check_everything_readable(s3, "growing", expected)


def test_versions_and_uploads_in_progress_move_with_their_key(server: CompatServer, s3: Any) -> None:
    s3.create_bucket(Bucket="versioned")
    s3.put_bucket_versioning(Bucket="versioned", VersioningConfiguration={"Status": "Enabled"})
    for round in range(3):
        for n in range(20):
            s3.put_object(Bucket="versioned", Key=f"v{n:02}", Body=body_of(f"v{n:02}7", round))
    s3.delete_object(Bucket="versioned", Key="v00")
    part = b"p" * (5 * 1024 * 1024)
    upload = s3.create_multipart_upload(Bucket="versioned", Key="big")["UploadId"]
    first = s3.upload_part(Bucket="versioned", Key="big", UploadId=upload, PartNumber=1, Body=part)["ETag"]
    before = s3.list_object_versions(Bucket="versioned")

    assert reshard(server, "versioned", 3)["shards"] == 3

    after = s3.list_object_versions(Bucket="versioned")
    for field in ("Versions", "DeleteMarkers"):
        assert [(v["Key"], v["VersionId"], v["IsLatest"]) for v in after[field]] == [
            (v["Key"], v["VersionId"], v["IsLatest"]) for v in before[field]
        ]
    oldest = before["Versions"][-1]
    got = s3.get_object(Bucket="versioned", Key=oldest["Key"], VersionId=oldest["VersionId"])["Body"].read()
    assert got == body_of(f"{oldest['Key']}7", 0)
    second = s3.upload_part(Bucket="versioned", Key="big", UploadId=upload, PartNumber=2, Body=b"tail")["ETag"]
    s3.complete_multipart_upload(
        Bucket="versioned",
        Key="big",
        UploadId=upload,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": first}, {"PartNumber": 2, "ETag": second}]},
    )
    assert s3.get_object(Bucket="versioned", Key="big")["Body"].read() == part + b"tail"


def test_bad_reshard_requests_get_clear_errors_and_change_nothing(server: CompatServer, s3: Any) -> None:
    s3.create_bucket(Bucket="steady")
    s3.put_object(Bucket="steady", Key="a", Body=b"a")
    with pytest.raises(ReshardError, match="at least 1"):
        reshard(server, "steady", 0)
    with pytest.raises(ReshardError, match="whole number"):
        reshard(server, "steady", "many")
    with pytest.raises(ReshardError, match="maximum"):
        reshard(server, "steady", 100_000)
    with pytest.raises(ReshardError, match="NoSuchBucket"):
        reshard(server, "no-such-bucket", 2)
    assert dotdo.compat.s3.reshard_status(
        "steady", endpoint_url=server.url, access_key_id=server.key.access_key_id, secret=server.key.secret
    ) == {"bucket": "steady", "shards": 1, "running": False}
    assert s3.get_object(Bucket="steady", Key="a")["Body"].read() == b"a"


def test_the_reshard_command_moves_a_bucket_and_explains_a_refusal(server: CompatServer, s3: Any) -> None:
    s3.create_bucket(Bucket="by-command")
    for n in range(30):
        s3.put_object(Bucket="by-command", Key=f"c{n}", Body=b"x")
    credentials = ["--access-key-id", server.key.access_key_id, "--secret", server.key.secret]
    done = runner.invoke(
        cli, ["compat", "reshard", "s3", "by-command", "--shards", "3", "--endpoint", server.url, *credentials]
    )
    assert done.exit_code == 0, done.output
    assert "3 shard(s)" in done.output
    assert listed_keys(s3, "by-command") == sorted(f"c{n}" for n in range(30))
    refused = runner.invoke(
        cli, ["compat", "reshard", "s3", "by-command", "--shards", "0", "--endpoint", server.url, *credentials]
    )
    assert refused.exit_code == 2
    assert "at least 1" in refused.output
    unknown = runner.invoke(cli, ["compat", "reshard", "redis", "x", "--shards", "2", "--endpoint", server.url])
    assert unknown.exit_code == 2 and "not 'redis'" in unknown.output
    helped = runner.invoke(cli, ["compat", "reshard", "--help"])
    assert helped.exit_code == 0 and "--shards" in helped.output


class StopsAfterOneBatch(S3Bucket):
    """The bucket's object in a process that dies right after the first batch of a reshard moved."""

    namespace = "S3Bucket"
    reshard_batch_size = 10

    def on_reshard_progress(self, moved: int) -> None:
        raise RuntimeError("the process died here")


async def test_a_reshard_cut_short_is_finished_when_the_bucket_starts_again(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path / "blobs")
    keys = [f"key-{n:03}" for n in range(60)]
    async with Runtime(tmp_path / "objects", objects=[StopsAfterOneBatch]) as rt:
        bucket = rt.get(StopsAfterOneBatch, "default/bkt")
        await bucket.create("default", "bkt", str(tmp_path / "blobs"))
        namespace = (await bucket.info())["namespace"]
        for key in keys:
            await bucket.put(NewObject(key=key, size=len(key), etag='"e"', parts=[], inline=key.encode()))
        large = b"L" * LARGE
        sha = blobs.put(large, namespace=namespace)
        await bucket.put(NewObject(key="large", size=len(large), etag='"l"', parts=[(sha, len(large))]))
        upload = await bucket.create_upload("in-progress", None, {}, {})
        assert (await bucket.reshard(4))["running"]
        with pytest.raises(RuntimeError, match="died"):
            await bucket.finish_reshard()
        status = await bucket.reshard_status()
        assert status["running"] and status["moved"] == 10

    async with Runtime(tmp_path / "objects", objects=[S3Bucket]) as rt:
        bucket = rt.get(S3Bucket, "default/bkt")
        report = await bucket.finish_reshard()
        assert report is not None and report["target"] == 4
        assert await bucket.reshard_status() == {"bucket": "bkt", "shards": 4, "running": False}
        shards = [rt.get(S3Bucket, shard_object_name("default", "bkt", i)) for i in range(4)]
        held = [[obj.key for obj in (await shard.list_objects()).contents] for shard in shards]
        assert sorted(key for keys_of in held for key in keys_of) == sorted([*keys, "large"])
        for index, keys_of in enumerate(held):
            assert all(shard_of(key, 4) == index for key in keys_of)
        assert (await bucket.list_objects()).contents == []
        home = shards[shard_of("large", 4)]
        stored = await home.head("large")
        assert blobs.get(stored.parts[0][0], namespace=(await home.info())["namespace"]) == large
        assert hashlib.sha256(large).hexdigest() == stored.parts[0][0]
        assert (await shards[shard_of("in-progress", 4)].upload(upload, "in-progress"))["key"] == "in-progress"


def test_a_bucket_that_grows_past_the_split_threshold_is_split_while_it_serves(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    small = start_server(tmp_path_factory.mktemp("split"), ["s3"], None, "--bucket-split-keys", "40")
    try:
        s3 = dotdo.compat.s3.client(small.url, access_key_id=small.key.access_key_id, secret=small.key.secret)
        s3.create_bucket(Bucket="filling")
        keys = [f"f/{n:04}" for n in range(300)]
        for key in keys:
            s3.put_object(Bucket="filling", Key=key, Body=key.encode())
        deadline = time.monotonic() + 20
        status = dotdo.compat.s3.reshard_status(
            "filling", endpoint_url=small.url, access_key_id=small.key.access_key_id, secret=small.key.secret
        )
        while (status["running"] or status["shards"] == 1) and time.monotonic() < deadline:
            time.sleep(0.05)
            status = dotdo.compat.s3.reshard_status(
                "filling", endpoint_url=small.url, access_key_id=small.key.access_key_id, secret=small.key.secret
            )
        assert status["shards"] > 1 and not status["running"]
        assert listed_keys(s3, "filling") == keys
        assert s3.get_object(Bucket="filling", Key=keys[-1])["Body"].read() == keys[-1].encode()
    finally:
        stop_server(small)


def test_a_server_killed_during_a_reshard_finishes_it_after_a_restart(tmp_path: Path) -> None:
    first = start_server(tmp_path, ["s3"], None, "--bucket-split-keys", "0")
    try:
        s3 = dotdo.compat.s3.client(first.url, access_key_id=first.key.access_key_id, secret=first.key.secret)
        s3.create_bucket(Bucket="crashing")
        keys = [f"c/{n:04}" for n in range(300)]
        for key in keys:
            s3.put_object(Bucket="crashing", Key=key, Body=body_of(key))
        started = dotdo.compat.s3.reshard(
            "crashing",
            4,
            endpoint_url=first.url,
            access_key_id=first.key.access_key_id,
            secret=first.key.secret,
            wait=False,
        )
        assert started["running"]
    finally:
        first.process.kill()  # SIGKILL while keys move
        first.process.wait()
    again = start_server(tmp_path, ["s3"], None, "--bucket-split-keys", "0")
    try:
        s3 = dotdo.compat.s3.client(again.url, access_key_id=again.key.access_key_id, secret=again.key.secret)
        deadline = time.monotonic() + 20
        status = {"running": True}
        while status["running"] and time.monotonic() < deadline:
            status = dotdo.compat.s3.reshard_status(
                "crashing", endpoint_url=again.url, access_key_id=again.key.access_key_id, secret=again.key.secret
            )
            time.sleep(0.05)
        assert status == {"bucket": "crashing", "shards": 4, "running": False}
        check_everything_readable(s3, "crashing", {key: body_of(key) for key in keys})
    finally:
        stop_server(again)
