"""A large bucket's keys spread over several objects, with listings merged back into key order.

A bucket created with `bucket_shards=N` (N > 1) keeps its settings in its own object
(`<tenant>/<bucket>`) and its keys, versions and multipart uploads in N shard objects
(`<tenant>/<bucket>-shard-<i>`, the lifecycle's shard naming), each one an `S3Bucket` of its own
with its own blob namespace. A key's shard is the lifecycle's `hash` strategy (jump consistent
hashing of the key), so every operation on one key is one object's turn, as before. A listing
asks every shard for one page from the same marker and merges the pages in key order: each
shard's page is sorted and holds no entry twice, so the first `max_keys` entries of the merge
are the first `max_keys` of the whole bucket.
"""

from __future__ import annotations

import heapq
from itertools import groupby
from typing import TYPE_CHECKING, Any

from ...cluster.shard_strategies import make_strategy
from ..sharding import shard_object_name
from .bucket import Listing, StoredObject

if TYPE_CHECKING:
    from ...runtime.stub import Stub
    from .request import S3Request

_HASH = make_strategy("hash", 2)


def shard_of(key: str, count: int) -> int:
    """The index of the shard holding `key` among `count` shards."""
    return _HASH.shard_for(key, count)


def shard_stubs(request: S3Request, info: dict[str, Any], bucket: str | None = None) -> list[Stub]:
    """Every object holding keys of the bucket `info` describes: its shards, or the bucket itself."""
    name = bucket or request.bucket
    count = int(info.get("shards") or 1)
    if count <= 1:
        return [request.bucket_stub(name)]
    return [request.runtime.get(request.bucket_class, shard_object_name(request.tenant, name, i)) for i in range(count)]


def key_stub(request: S3Request, info: dict[str, Any], key: str, bucket: str | None = None) -> Stub:
    """The object holding `key` of the bucket `info` describes."""
    name = bucket or request.bucket
    count = int(info.get("shards") or 1)
    if count <= 1:
        return request.bucket_stub(name)
    return request.runtime.get(request.bucket_class, shard_object_name(request.tenant, name, shard_of(key, count)))


async def key_bucket(request: S3Request, key: str, bucket: str | None = None) -> tuple[Stub, dict[str, Any]]:
    """The object holding `key` of a bucket (`NoSuchBucket` if there is none) and that object's settings."""
    stub = request.bucket_stub(bucket)
    info: dict[str, Any] = await stub.info()
    if int(info.get("shards") or 1) <= 1:
        return stub, info
    shard = key_stub(request, info, key, bucket)
    return shard, await shard.info()


def merge_objects(pages: list[Listing], max_keys: int) -> Listing:
    """One page of ListObjects from one page of each shard (same prefix, delimiter, marker and size)."""
    entries = heapq.merge(*(_object_entries(page) for page in pages), key=lambda entry: entry[0])
    contents: list[StoredObject] = []
    prefixes: list[str] = []
    last: str | None = None
    more = False
    for name, group in groupby(entries, key=lambda entry: entry[0]):
        if len(contents) + len(prefixes) == max_keys:
            more = True
            break
        found = next(group)[1]
        if found is None:
            prefixes.append(name)
        else:
            contents.append(found)
        last = name
    truncated = more or any(page.truncated for page in pages)
    return Listing(contents, prefixes, truncated=truncated, next_marker=last if truncated else None)


def _object_entries(page: Listing) -> list[tuple[str, StoredObject | None]]:
    entries: list[tuple[str, StoredObject | None]] = [(obj.key, obj) for obj in page.contents]
    entries += [(prefix, None) for prefix in page.common_prefixes]
    entries.sort(key=lambda entry: entry[0])
    return entries


def merge_versions(pages: list[Listing], max_keys: int) -> Listing:
    """One page of ListObjectVersions from one page of each shard (a key's versions are all in one shard)."""
    entries = heapq.merge(*(_version_entries(page) for page in pages), key=lambda entry: entry[0])
    contents: list[StoredObject] = []
    prefixes: list[str] = []
    more = False
    for entry in entries:
        name, found = entry
        if found is None and name in prefixes:
            continue
        if len(contents) + len(prefixes) == max_keys:
            more = True
            break
        if found is None:
            prefixes.append(name)
        else:
            contents.append(found)
    if not (more or any(page.truncated for page in pages)):
        return Listing(contents, prefixes, truncated=False)
    last = contents[-1] if contents else None
    return Listing(
        contents,
        prefixes,
        truncated=True,
        next_marker=last.key if last else (prefixes[-1] if prefixes else None),
        next_version_marker=last.version_id if last else None,
    )


def _version_entries(page: Listing) -> list[tuple[str, StoredObject | None]]:
    entries: list[tuple[str, StoredObject | None]] = [(obj.key, obj) for obj in page.contents]
    entries += [(prefix, None) for prefix in page.common_prefixes]
    entries.sort(key=lambda entry: entry[0])  # stable: a key's versions keep their newest-first order
    return entries
