"""A sharded Cloud Storage bucket's objects, reached by name, and its listings merged back into name order.

A bucket created with `bucket_shards=N` (N > 1) keeps its settings in its own object
(`<tenant>/<bucket>`) and its objects, their generations and their resumable sessions in N shard
objects (`<tenant>/<bucket>-shard-<i>`), each a `GcsBucket` with its own blob namespace, placed by
object name (`key_layout`). A listing asks every shard for one page from the same page token and
merges the pages in name order: each shard's page is sorted and never splits an object's
generations, so the first `maxResults` entries of the merge are the first of the whole bucket.
While a reshard runs, a name being copied is in two places alike for one batch: the copy from the
place asked first (the old layout's) is kept.
"""

from __future__ import annotations

import heapq
from itertools import groupby
from typing import TYPE_CHECKING

from ..key_places import BucketPlaces
from ..sharding import OWN_OBJECT, shard_object_name
from .bucket import GcsBucket, GcsObject, past_prefix
from .errors import GcsError, NoSuchBucket

if TYPE_CHECKING:
    from ...primitives.blob_store import BlobStore
    from ...runtime.runtime import Runtime
    from ...runtime.stub import Stub

Page = tuple[list[GcsObject], list[str], str | None]
"""One page of a listing: objects, prefixes, and the name to continue after (None on the last page)."""


def bucket_places(runtime: Runtime, blobs: BlobStore, tenant: str, bucket: str) -> BucketPlaces:
    """The objects of a tenant's bucket: its own object and its shards."""

    def stub(place: int) -> Stub:
        name = f"{tenant}/{bucket}" if place == OWN_OBJECT else shard_object_name(tenant, bucket, place)
        return runtime.get(GcsBucket, name)

    return BucketPlaces(
        stub=stub,
        is_missing=lambda error: isinstance(error, NoSuchBucket),
        slow_down=lambda: GcsError(503, "backendError", "The bucket is being resharded; retry the request."),
        blobs=blobs,
    )


def merge_pages(pages: list[Page], max_results: int) -> Page:
    """One page of objects.list from one page of each place (same query and page token), places asked
    first kept when a name is in two."""
    entries = heapq.merge(*(_entries(index, page) for index, page in enumerate(pages)), key=lambda entry: entry[0])
    items: list[GcsObject] = []
    prefixes: list[str] = []
    last: str | None = None
    more = False
    for name, group in groupby(entries, key=lambda entry: entry[0]):
        if len(items) + len(prefixes) >= max_results:
            more = True
            break
        found = list(group)
        copies = [(index, obj) for _, index, obj in found if obj is not None]
        if copies:
            first = copies[0][0]
            items += [obj for index, obj in copies if index == first]
        last = name
        if any(obj is None for _, _, obj in found):
            prefixes.append(name)
            last = past_prefix(name)
    truncated = more or any(page[2] is not None for page in pages)
    return items, prefixes, last if truncated else None


def _entries(index: int, page: Page) -> list[tuple[str, int, GcsObject | None]]:
    items, prefixes, _ = page
    entries: list[tuple[str, int, GcsObject | None]] = [(obj.name, index, obj) for obj in items]
    entries += [(prefix, index, None) for prefix in prefixes]
    entries.sort(key=lambda entry: entry[0])  # stable: a name's generations keep their order
    return entries
