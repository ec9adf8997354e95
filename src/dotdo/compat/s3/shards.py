"""A large bucket's keys spread over several objects, with listings merged back into key order.

A bucket created with `bucket_shards=N` (N > 1) keeps its settings in its own object
(`<tenant>/<bucket>`) and its keys, versions and multipart uploads in N shard objects
(`<tenant>/<bucket>-shard-<i>`, the lifecycle's shard naming), each one an `S3Bucket` of its own
with its own blob namespace. A key's shard is the lifecycle's `hash` strategy (jump consistent
hashing of the key), so every operation on one key is one object's turn, as before. A listing
asks every shard for one page from the same marker and merges the pages in key order: each
shard's page is sorted and holds no entry twice, so the first `max_keys` entries of the merge
are the first `max_keys` of the whole bucket.

While a reshard runs (see `reshard_mover`) a key is in its place of the old layout or of the new one: a
request for a key asks the old place first, and the new one when the old says the key is elsewhere
(`KeyPlace`). A listing asks every place of both layouts, old places first, and keeps the first copy
of a key seen twice (a key whose rows are being copied is in both, alike, for one batch).
"""

from __future__ import annotations

import asyncio
import heapq
from dataclasses import dataclass, field
from itertools import groupby
from typing import TYPE_CHECKING, Any

from ..sharding import OWN_OBJECT, places, shard_object_name, shard_of
from .bucket import Listing, StoredObject
from .errors import S3Error
from .key_fence import KeyElsewhere, KeyMoving

if TYPE_CHECKING:
    from ...runtime.stub import Stub
    from .request import S3Request

RETRY_FOR = 30.0
"""Seconds a request waits for its key to finish moving before answering `SlowDown`."""
_PAUSE = 0.005


def place_stub(request: S3Request, name: str, place: int) -> Stub:
    """The object at `place` of bucket `name` (its own object, or one of its shards)."""
    if place == OWN_OBJECT:
        return request.bucket_stub(name)
    return request.runtime.get(request.bucket_class, shard_object_name(request.tenant, name, place))


def layout_places(info: dict[str, Any]) -> list[int]:
    """Every place that may hold keys of the bucket `info` describes: both layouts' while a reshard runs,
    the old layout's first."""
    found = places(int(info.get("shards") or 1))
    move = info.get("reshard")
    if move:
        found = places(int(move["source"]))
        found += [place for place in places(int(move["target"])) if place not in found]
    return found


def shard_stubs(request: S3Request, info: dict[str, Any], bucket: str | None = None) -> list[Stub]:
    """Every object holding keys of the bucket `info` describes: its shards, or the bucket itself."""
    name = bucket or request.bucket
    return [place_stub(request, name, place) for place in layout_places(info)]


async def each_place(request: S3Request, info: dict[str, Any], method: str, **query: Any) -> list[Any]:
    """`method(**query)` of every place of the bucket `info` describes, in `layout_places` order.

    While a reshard starts, a place of the new layout may not exist yet: it holds nothing, so it is left out.
    """
    calls = [getattr(stub, method)(**query) for stub in shard_stubs(request, info)]
    if not info.get("reshard"):
        return list(await asyncio.gather(*calls))
    found = await asyncio.gather(*calls, return_exceptions=True)
    for answer in found:
        if isinstance(answer, BaseException) and not (isinstance(answer, S3Error) and answer.code == "NoSuchBucket"):
            raise answer
    return [answer for answer in found if not isinstance(answer, BaseException)]


def key_places(info: dict[str, Any], key: str) -> list[int]:
    """Where to look for `key`, in order: its place, or its old place then its new one during a reshard."""
    move = info.get("reshard")
    if not move:
        return [shard_of(key, int(info.get("shards") or 1))]
    old, new = shard_of(key, int(move["source"])), shard_of(key, int(move["target"]))
    return [old] if old == new else [old, new]


@dataclass
class KeyPlace:
    """The object answering for one key of a bucket, found again whenever a reshard moves the key.

    `call` runs a method of that object; `info` is its settings (its blob namespace), kept current.
    """

    request: S3Request
    key: str
    bucket: str
    stub: Stub = field(init=False)
    info: dict[str, Any] = field(init=False)
    place: int = field(init=False, default=OWN_OBJECT)

    async def find(self) -> KeyPlace:
        """Look up the object answering for the key (`NoSuchBucket` if the bucket does not exist)."""
        deadline = asyncio.get_running_loop().time() + RETRY_FOR
        while True:
            root = self.request.bucket_stub(self.bucket)
            root_info: dict[str, Any] = await root.info()
            if int(root_info.get("shards") or 1) <= 1 and not root_info.get("reshard"):
                self.stub, self.info, self.place = root, root_info, OWN_OBJECT
                return self
            for place in key_places(root_info, self.key):
                stub = place_stub(self.request, self.bucket, place)
                try:
                    self.info = await stub.where(self.key)
                except KeyElsewhere:
                    continue
                except S3Error as exc:
                    if exc.code == "NoSuchBucket" and place != OWN_OBJECT:
                        continue  # a place of the new layout not made yet holds nothing
                    raise
                self.stub, self.place = stub, place
                return self
            await self._pause(deadline)

    async def call(self, method: str, *args: Any, carry: list[str] | tuple[str, ...] = (), **kwargs: Any) -> Any:
        """`method(*args, **kwargs)` of the object answering for the key, found again if the key moved;
        the blobs `carry` names (written to this object's namespace already) follow the key."""
        deadline = asyncio.get_running_loop().time() + RETRY_FOR
        while True:
            try:
                return await getattr(self.stub, method)(*args, **kwargs)
            except KeyMoving:
                await self._pause(deadline)
            except S3Error as exc:
                # A shard a finished reshard dropped has no bucket any more: the key is elsewhere.
                if not isinstance(exc, KeyElsewhere) and (exc.code != "NoSuchBucket" or self.place == OWN_OBJECT):
                    raise
                namespace = self.info["namespace"]
                await self.find()
                for sha in carry:
                    await asyncio.to_thread(
                        self.request.blobs.copy, sha, source=namespace, destination=self.info["namespace"]
                    )

    @staticmethod
    async def _pause(deadline: float) -> None:
        if asyncio.get_running_loop().time() > deadline:
            raise S3Error("SlowDown", "the bucket is being resharded; send the request again")
        await asyncio.sleep(_PAUSE)


async def key_place(request: S3Request, key: str, bucket: str | None = None) -> KeyPlace:
    """The object answering for `key` of a bucket (this request's by default)."""
    return await KeyPlace(request, key, bucket or request.bucket).find()


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
