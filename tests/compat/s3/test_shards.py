"""A bucket whose keys are spread over shard objects (`--bucket-shards`): what every client sees is one
bucket, with listings merged in key order."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botocore.exceptions
import pytest
from botocore.config import Config

import dotdo.compat
from dotdo import Runtime
from dotdo.compat.s3 import S3Bucket
from dotdo.compat.s3.bucket import Listing, StoredObject
from dotdo.compat.s3.shards import merge_objects
from dotdo.compat.server import compat_app
from dotdo.compat.sharding import shard_object_name
from tests.compat.conftest import CompatServer, start_server, stop_server

SHARDS = 4
KEYS = sorted(
    [f"logs/2024/{day:02}/{n}.txt" for day in range(1, 6) for n in range(4)]
    + [f"img/{n:03}.png" for n in range(12)]
    + [f"top-{n}" for n in range(8)]
)


@pytest.fixture(scope="module")
def sharded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CompatServer]:
    server = start_server(tmp_path_factory.mktemp("compat-shards"), ["s3"], None, "--bucket-shards", str(SHARDS))
    yield server
    stop_server(server)


@pytest.fixture(scope="module")
def s3(sharded: CompatServer) -> Any:
    return dotdo.compat.s3.client(
        sharded.url,
        access_key_id=sharded.key.access_key_id,
        secret=sharded.key.secret,
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
    )


@pytest.fixture(scope="module")
def filled(s3: Any) -> str:
    s3.create_bucket(Bucket="big")
    for key in KEYS:
        s3.put_object(Bucket="big", Key=key, Body=key.encode())
    return "big"


def all_pages(s3: Any, method: str, field: str, **kwargs: Any) -> list[Any]:
    found: list[Any] = []
    for page in s3.get_paginator(method).paginate(**kwargs):
        found += page.get(field, [])
    return found


@pytest.mark.parametrize("page_size", [1, 5, 7, 1000])
def test_listing_pages_merge_every_shard_in_key_order(s3: Any, filled: str, page_size: int) -> None:
    contents = all_pages(s3, "list_objects_v2", "Contents", Bucket=filled, PaginationConfig={"PageSize": page_size})
    assert [o["Key"] for o in contents] == KEYS
    v1 = all_pages(s3, "list_objects", "Contents", Bucket=filled, PaginationConfig={"PageSize": page_size})
    assert [o["Key"] for o in v1] == KEYS


def test_delimiter_prefixes_from_several_shards_appear_once(s3: Any, filled: str) -> None:
    for page_size in (1, 3, 1000):
        pages = list(
            s3.get_paginator("list_objects_v2").paginate(
                Bucket=filled, Delimiter="/", PaginationConfig={"PageSize": page_size}
            )
        )
        prefixes = [p["Prefix"] for page in pages for p in page.get("CommonPrefixes", [])]
        keys = [o["Key"] for page in pages for o in page.get("Contents", [])]
        assert prefixes == ["img/", "logs/"] and keys == [k for k in KEYS if k.startswith("top-")]
    days = s3.list_objects_v2(Bucket=filled, Prefix="logs/2024/", Delimiter="/", MaxKeys=3)
    assert [p["Prefix"] for p in days["CommonPrefixes"]] == ["logs/2024/01/", "logs/2024/02/", "logs/2024/03/"]
    assert days["IsTruncated"]


def test_objects_versions_uploads_and_copies_reach_the_key_s_shard(s3: Any) -> None:
    s3.create_bucket(Bucket="ops")
    s3.put_bucket_versioning(Bucket="ops", VersioningConfiguration={"Status": "Enabled"})
    for body in (b"one", b"two"):
        s3.put_object(Bucket="ops", Key="doc", Body=body)
    s3.put_object(Bucket="ops", Key="other", Body=b"x")
    versions = all_pages(s3, "list_object_versions", "Versions", Bucket="ops", PaginationConfig={"PageSize": 1})
    assert [(v["Key"], v["IsLatest"]) for v in versions] == [("doc", True), ("doc", False), ("other", True)]
    upload = s3.create_multipart_upload(Bucket="ops", Key="parts/big")["UploadId"]
    part = s3.upload_part(Bucket="ops", Key="parts/big", UploadId=upload, PartNumber=1, Body=b"p" * 10)
    assert [u["Key"] for u in s3.list_multipart_uploads(Bucket="ops")["Uploads"]] == ["parts/big"]
    s3.complete_multipart_upload(
        Bucket="ops",
        Key="parts/big",
        UploadId=upload,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]},
    )
    for target in ("copy-a", "copy-b", "copy-c", "copy-d"):  # four keys: some land in another shard
        s3.copy_object(Bucket="ops", Key=target, CopySource={"Bucket": "ops", "Key": "parts/big"})
        assert s3.get_object(Bucket="ops", Key=target)["Body"].read() == b"p" * 10
    with pytest.raises(botocore.exceptions.ClientError, match="BucketNotEmpty"):
        s3.delete_bucket(Bucket="ops")
    everything = all_pages(s3, "list_object_versions", "Versions", Bucket="ops")
    s3.delete_objects(
        Bucket="ops", Delete={"Objects": [{"Key": v["Key"], "VersionId": v["VersionId"]} for v in everything]}
    )
    s3.delete_bucket(Bucket="ops")
    assert "ops" not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_merging_stops_at_max_keys_and_marks_the_page_truncated() -> None:
    def page(*names: str, truncated: bool = False) -> Listing:
        contents = [StoredObject(n, "null", 1, '"e"', [], 0.0) for n in names if not n.endswith("/")]
        return Listing(contents, [n for n in names if n.endswith("/")], truncated=truncated)

    merged = merge_objects([page("a", "c/", "d", truncated=True), page("b", "c/", "e")], 3)
    assert [o.key for o in merged.contents] == ["a", "b"] and merged.common_prefixes == ["c/"]
    assert merged.truncated and merged.next_marker == "c/"
    whole = merge_objects([page("a"), page("b")], 3)
    assert not whole.truncated and whole.next_marker is None


def test_a_bad_shard_count_is_refused_before_serving(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="bucket_shards: count must be at least 1"):
        compat_app(["s3"], data_dir=tmp_path, options={"s3": {"bucket_shards": 0}})


# Last: it stops the server, to read its data folder.
def test_the_keys_are_spread_over_the_shard_objects(s3: Any, filled: str, sharded: CompatServer) -> None:
    async def per_shard() -> list[list[str]]:
        async with Runtime(sharded.data_dir, objects=[S3Bucket]) as runtime:
            shards = [runtime.get(S3Bucket, shard_object_name("default", filled, i)) for i in range(SHARDS)]
            main = runtime.get(S3Bucket, f"default/{filled}")
            assert (await main.list_objects()).contents == []  # the bucket's own object holds settings only
            return [[o.key for o in (await shard.list_objects()).contents] for shard in shards]

    stop_server(sharded)  # one process at a time holds the data folder
    spread = asyncio.run(per_shard())
    assert sorted(k for keys in spread for k in keys) == KEYS
    assert all(keys for keys in spread), spread
