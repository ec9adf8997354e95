"""Resharding a Cloud Storage bucket while it serves (`dotdo compat reshard gcs`, `dotdo.compat.gcs.reshard`):
nothing acknowledged is lost, nothing is listed twice, generations and sessions move unchanged."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from google.api_core import exceptions
from typer.testing import CliRunner

import dotdo.compat
from dotdo import Runtime
from dotdo.cli import cli
from dotdo.compat.gcs import GcsBucket
from dotdo.compat.gcs.bucket import Conditions, NewGcsObject
from dotdo.compat.sharding import ReshardError, shard_object_name, shard_of
from tests.compat.conftest import CompatServer, ReshardTraffic, start_server, stop_server

NAMES = 200
LARGE = 70_000
runner = CliRunner()


def body_of(name: str, round: int = 0) -> bytes:
    """An object's bytes: a few large enough to live in the blob store."""
    text = f"{name}:{round}".encode()
    return text * (LARGE // len(text) + 1) if name.endswith("7") else text


def client_of(server: CompatServer) -> Any:
    return dotdo.compat.gcs.client(server.url, access_key_id=server.key.access_key_id, secret=server.key.secret)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CompatServer]:
    running = start_server(tmp_path_factory.mktemp("gcs-reshard"), ["gcs"], None, "--bucket-split-keys", "0")
    yield running
    stop_server(running)


@pytest.fixture(scope="module")
def gcs(server: CompatServer) -> Any:
    return client_of(server)


def reshard(server: CompatServer, bucket: str, shards: Any) -> dict[str, Any]:
    return dotdo.compat.gcs.reshard(
        bucket,
        shards,
        endpoint_url=server.url,
        access_key_id=server.key.access_key_id,
        secret=server.key.secret,
        poll=0.05,
    )


def listed(bucket: Any, page_size: int = 37, **query: Any) -> list[Any]:
    return list(bucket.client.list_blobs(bucket, page_size=page_size, **query))


def traffic_on(bucket: Any, settled: list[str]) -> ReshardTraffic:
    """A writer and a lister on `bucket` (see `ReshardTraffic`)."""

    def write(name: str, round: int) -> bytes:
        data = body_of(name, round)
        bucket.blob(name).upload_from_string(data)
        return data

    return ReshardTraffic(
        settled,
        write,
        lambda: [blob.name for blob in listed(bucket)],
        lambda name: bucket.blob(name).download_as_bytes(),
    )


def check_everything_readable(bucket: Any, expected: dict[str, bytes]) -> None:
    assert [blob.name for blob in listed(bucket)] == sorted(expected)
    for name, data in expected.items():
        assert bucket.blob(name).download_as_bytes() == data, name


def test_a_bucket_split_and_merged_while_it_serves_loses_nothing_and_lists_nothing_twice(
    server: CompatServer, gcs: Any
) -> None:
    bucket = gcs.create_bucket("growing")
    settled = [f"k/{n:04}" for n in range(NAMES)]
    expected = {}
    for name in settled:
        expected[name] = body_of(name)
        bucket.blob(name).upload_from_string(expected[name])
    generations = {blob.name: blob.generation for blob in listed(bucket)}

    with traffic_on(bucket, settled) as traffic:
        grown = reshard(server, "growing", 4)
    assert grown == {"bucket": "growing", "shards": 4, "running": False}
    assert traffic.problems == []
    assert traffic.listings > 0 and traffic.acknowledged
    untouched = set(settled) - set(traffic.acknowledged)
    assert untouched
    assert {blob.name: blob.generation for blob in listed(bucket) if blob.name in untouched} == {
        name: generations[name] for name in untouched
    }
    expected.update(traffic.acknowledged)
    check_everything_readable(bucket, expected)

    with traffic_on(bucket, settled) as traffic:
        assert reshard(server, "growing", 2)["shards"] == 2
        assert reshard(server, "growing", 1)["shards"] == 1
    assert traffic.problems == []
    expected.update(traffic.acknowledged)
    check_everything_readable(bucket, expected)


def test_generations_preconditions_and_resumable_sessions_move_with_their_name(server: CompatServer, gcs: Any) -> None:
    bucket = gcs.create_bucket("versioned")
    bucket.versioning_enabled = True
    bucket.patch()
    for round in range(3):
        for n in range(20):
            bucket.blob(f"v{n:02}").upload_from_string(body_of(f"v{n:02}7", round))
    bucket.blob("v00").delete()
    headers = {"Authorization": f"Bearer {server.key.access_key_id}:{server.key.secret}"}
    started = httpx.post(
        f"{server.url}/upload/storage/v1/b/versioned/o",
        params={"uploadType": "resumable"},
        json={"name": "big", "contentType": "application/octet-stream"},
        headers=headers,
    )
    session = started.headers["location"]
    first = b"a" * (256 * 1024)
    answer = httpx.put(session, content=first, headers={**headers, "Content-Range": f"bytes 0-{len(first) - 1}/*"})
    assert answer.status_code == 308
    before = [(b.name, b.generation, b.metageneration) for b in listed(bucket, versions=True)]
    current = bucket.get_blob("v05").generation

    assert reshard(server, "versioned", 3)["shards"] == 3

    assert [(b.name, b.generation, b.metageneration) for b in listed(bucket, versions=True)] == before
    oldest = min((b for b in listed(bucket, versions=True) if b.name == "v03"), key=lambda b: b.generation)
    assert bucket.blob("v03", generation=oldest.generation).download_as_bytes() == body_of("v037", 0)
    with pytest.raises(exceptions.PreconditionFailed):
        bucket.blob("v05").upload_from_string(b"stale", if_generation_match=current - 1)
    bucket.blob("v05").upload_from_string(b"fresh", if_generation_match=current)
    rest = b"b" * 1000
    total = len(first) + len(rest)
    answer = httpx.put(
        session, content=rest, headers={**headers, "Content-Range": f"bytes {len(first)}-{total - 1}/{total}"}
    )
    assert answer.status_code == 200, answer.text
    assert bucket.blob("big").download_as_bytes() == first + rest


def test_bad_reshard_requests_get_clear_errors_and_change_nothing(server: CompatServer, gcs: Any) -> None:
    bucket = gcs.create_bucket("steady")
    bucket.blob("a").upload_from_string(b"a")
    with pytest.raises(ReshardError, match="at least 1"):
        reshard(server, "steady", 0)
    with pytest.raises(ReshardError, match="Invalid value for shards"):
        reshard(server, "steady", "many")
    with pytest.raises(ReshardError, match="maximum"):
        reshard(server, "steady", 100_000)
    with pytest.raises(ReshardError, match="notFound"):
        reshard(server, "no-such-bucket", 2)
    assert dotdo.compat.gcs.reshard_status(
        "steady", endpoint_url=server.url, access_key_id=server.key.access_key_id, secret=server.key.secret
    ) == {"bucket": "steady", "shards": 1, "running": False}
    assert bucket.blob("a").download_as_bytes() == b"a"


def test_the_reshard_command_moves_a_bucket_and_explains_a_refusal(server: CompatServer, gcs: Any) -> None:
    bucket = gcs.create_bucket("by-command")
    for n in range(30):
        bucket.blob(f"c{n}").upload_from_string(b"x")
    credentials = ["--access-key-id", server.key.access_key_id, "--secret", server.key.secret]
    done = runner.invoke(
        cli, ["compat", "reshard", "gcs", "by-command", "--shards", "3", "--endpoint", server.url, *credentials]
    )
    assert done.exit_code == 0, done.output
    assert "3 shard(s)" in done.output
    assert [blob.name for blob in listed(bucket)] == sorted(f"c{n}" for n in range(30))
    refused = runner.invoke(
        cli, ["compat", "reshard", "gcs", "by-command", "--shards", "0", "--endpoint", server.url, *credentials]
    )
    assert refused.exit_code == 2
    assert "at least 1" in refused.output


class StopsAfterOneBatch(GcsBucket):
    """The bucket's object in a process that dies right after the first batch of a reshard moved."""

    namespace = "GcsBucket"
    reshard_batch_size = 10

    def on_reshard_progress(self, moved: int) -> None:
        raise RuntimeError("the process died here")


async def test_a_reshard_cut_short_is_finished_when_the_bucket_starts_again(tmp_path: Path) -> None:
    names = [f"name-{n:03}" for n in range(60)]
    async with Runtime(tmp_path / "objects", objects=[StopsAfterOneBatch]) as rt:
        bucket = rt.get(StopsAfterOneBatch, "default/bkt")
        await bucket.create("default", "bkt", str(tmp_path / "blobs"), False, {})
        for name in names:
            await bucket.put(NewGcsObject(name, len(name), "", "", [], name.encode()), Conditions())
        generations = {obj.name: obj.generation for obj in (await bucket.list_objects())[0]}
        session = await bucket.start_upload("in-progress", {}, Conditions())
        assert (await bucket.reshard(4))["running"]
        with pytest.raises(RuntimeError, match="died"):
            await bucket.finish_reshard()
        status = await bucket.reshard_status()
        assert status["running"] and status["moved"] == 10

    async with Runtime(tmp_path / "objects", objects=[GcsBucket]) as rt:
        bucket = rt.get(GcsBucket, "default/bkt")
        report = await bucket.finish_reshard()
        assert report is not None and report["target"] == 4
        assert await bucket.reshard_status() == {"bucket": "bkt", "shards": 4, "running": False}
        shards = [rt.get(GcsBucket, shard_object_name("default", "bkt", i)) for i in range(4)]
        held = [{obj.name: obj.generation for obj in (await shard.list_objects())[0]} for shard in shards]
        assert {name: generation for found in held for name, generation in found.items()} == generations
        for index, found in enumerate(held):
            assert all(shard_of(name, 4) == index for name in found)
        assert (await bucket.list_objects())[0] == []
        home = shards[shard_of("in-progress", 4)]
        assert (await home.upload(session, "in-progress"))["name"] == "in-progress"


def test_a_bucket_that_grows_past_the_split_threshold_is_split_while_it_serves(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    small = start_server(tmp_path_factory.mktemp("gcs-split"), ["gcs"], None, "--bucket-split-keys", "40")
    try:
        bucket = client_of(small).create_bucket("filling")
        names = [f"f/{n:04}" for n in range(300)]
        for name in names:
            bucket.blob(name).upload_from_string(name.encode())

        def status() -> dict[str, Any]:
            return dotdo.compat.gcs.reshard_status(
                "filling", endpoint_url=small.url, access_key_id=small.key.access_key_id, secret=small.key.secret
            )

        deadline = time.monotonic() + 20
        found = status()
        while (found["running"] or found["shards"] == 1) and time.monotonic() < deadline:
            time.sleep(0.05)
            found = status()
        assert found["shards"] > 1 and not found["running"]
        assert [blob.name for blob in listed(bucket)] == names
        assert bucket.blob(names[-1]).download_as_bytes() == names[-1].encode()
    finally:
        stop_server(small)


def test_blobs_follow_their_objects_and_the_copies_left_behind_are_swept(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    swept = start_server(tmp_path_factory.mktemp("gcs-reshard-sweep"), ["gcs"], None, "--garbage-grace", "0.2")
    try:
        bucket = client_of(swept).create_bucket("moving")
        bodies = {f"large-{n}": bytes([n]) * LARGE for n in range(6)}
        for name, body in bodies.items():
            bucket.blob(name).upload_from_string(body)
        assert (
            dotdo.compat.gcs.reshard(
                "moving", 3, endpoint_url=swept.url, access_key_id=swept.key.access_key_id, secret=swept.key.secret
            )["shards"]
            == 3
        )
        blobs = swept.data_dir / "compat" / "gcs" / "blobs"

        def copies(body: bytes) -> list[Path]:
            return sorted(blobs.glob(f"*/*/{hashlib.sha256(body).hexdigest()}"))

        deadline = time.monotonic() + 10
        while any(len(copies(body)) != 1 for body in bodies.values()) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [len(copies(body)) for body in bodies.values()] == [1] * len(bodies)
        assert len({copies(body)[0].parent.parent.name for body in bodies.values()}) > 1  # in the shards' namespaces
        for name, body in bodies.items():
            assert bucket.blob(name).download_as_bytes() == body
    finally:
        stop_server(swept)
