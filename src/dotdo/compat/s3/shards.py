"""A large bucket's keys spread over several objects, with listings merged back into key order.

A bucket created with `bucket_shards=N` (N > 1) keeps its settings in its own object
(`<tenant>/<bucket>`) and its keys, versions and multipart uploads in N shard objects
(`<tenant>/<bucket>-shard-<i>`, the lifecycle's shard naming), each one an `S3Bucket` of its own
with its own blob namespace. A key's shard is the lifecycle's `hash` strategy (jump consistent
hashing of the key), so every operation on one key is one object's turn, as before. A listing
asks every shard for one page from the same marker and merges the pages in key order: each
shard's page is sorted and holds no entry twice, so the first `max_keys` entries of the merge
are the first `max_keys` of the whole bucket.

While a reshard runs (see `key_resharding`) a key is in its place of the old layout or of the new one: a
request for a key asks the old place first, and the new one when the old says the key is elsewhere
(`KeyPlace`). A listing asks every place of both layouts, old places first, and keeps the first copy
of a key seen twice (a key whose rows are being copied is in both, alike, for one batch).
"""

from __future__ import annotations

import heapq
from itertools import groupby
from typing import TYPE_CHECKING, Any

from ..key_layout import layout_places
from ..key_places import BucketPlaces, KeyPlace
from ..sharding import OWN_OBJECT, shard_object_name
from .bucket import Listing, StoredObject
from .errors import S3Error

if TYPE_CHECKING:
    from ...runtime.stub import Stub
    from .request import S3Request


def bucket_places(request: S3Request, bucket: str | None = None) -> BucketPlaces:
    """The objects of bucket `bucket` (this request's by default): its own object and its shards."""
    name = bucket or request.bucket

    def stub(place: int) -> Stub:
        if place == OWN_OBJECT:
            return request.bucket_stub(name)
        return request.runtime.get(request.bucket_class, shard_object_name(request.tenant, name, place))

    return BucketPlaces(
        stub=stub,
        is_missing=lambda error: isinstance(error, S3Error) and error.code == "NoSuchBucket",
        slow_down=lambda: S3Error("SlowDown", "the bucket is being resharded; send the request again"),
        blobs=request.blobs,
    )


def shard_stubs(request: S3Request, info: dict[str, Any]) -> list[Stub]:
    """Every object holding keys of the bucket `info` describes: its shards, or the bucket itself."""
    places = bucket_places(request)
    return [places.stub(place) for place in layout_places(info)]


async def each_place(request: S3Request, info: dict[str, Any], method: str, **query: Any) -> list[Any]:
    """`method(**query)` of every place of the bucket `info` describes (see `BucketPlaces.each`)."""
    return await bucket_places(request).each(info, method, **query)


async def key_place(request: S3Request, key: str, bucket: str | None = None) -> KeyPlace:
    """The object answering for `key` of a bucket (this request's by default)."""
    return await bucket_places(request, bucket).key(key)


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
    """One page of ListObjectVersions from one page of each shard (a key's versions are all in one shard,
    or, for one batch of a reshard, alike in two: the second copy is skipped)."""
    entries = heapq.merge(*(_version_entries(page) for page in pages), key=lambda entry: entry[0])
    contents: list[StoredObject] = []
    prefixes: list[str] = []
    seen: set[tuple[str, str]] = set()
    more = False
    for entry in entries:
        name, found = entry
        if found is None and name in prefixes:
            continue
        if found is not None:
            if (name, found.version_id) in seen:
                continue
            seen.add((name, found.version_id))
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
