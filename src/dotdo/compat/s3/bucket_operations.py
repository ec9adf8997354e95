"""S3 operations on the service and on buckets: list buckets, create, delete, settings, listings, batch delete."""

from __future__ import annotations

import asyncio
import base64
import binascii
from typing import Any
from urllib.parse import quote

from starlette.responses import Response

from ..sharding import shard_object_name
from .bodies import raw_pieces
from .bucket import Listing, StoredObject
from .cors import parse_cors, render_cors
from .errors import S3Error
from .request import S3Request, check_bucket_name, check_key
from .shards import each_place, key_place, layout_places, merge_objects, merge_versions, shard_stubs
from .xml_bodies import MAX_XML_BODY, document, iso_time, parse, text

OWNER = [("ID", "dotdo"), ("DisplayName", "dotdo")]
MAX_DELETE_KEYS = 1000


def xml_response(request: S3Request, body: bytes, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """An XML answer with the request id."""
    return Response(
        body,
        status_code=status,
        media_type="application/xml",
        headers={"x-amz-request-id": request.request_id, **(headers or {})},
    )


def empty_response(request: S3Request, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """An answer without a body."""
    return Response(b"", status_code=status, headers={"x-amz-request-id": request.request_id, **(headers or {})})


async def read_xml_body(request: S3Request) -> bytes:
    """The whole (small) XML body of a request."""
    body = bytearray()
    async for piece in raw_pieces(request.receive):
        body += piece
        if len(body) > MAX_XML_BODY:
            raise S3Error("MalformedXML", "the XML body is too large")
    return bytes(body)


async def list_buckets(request: S3Request) -> Response:
    """ListBuckets: the tenant's buckets."""
    buckets = await request.account_stub().buckets()
    entries = [("Bucket", [("Name", b["name"]), ("CreationDate", iso_time(b["created_at"]))]) for b in buckets]
    return xml_response(request, document("ListAllMyBucketsResult", [("Owner", OWNER), ("Buckets", entries)]))


async def create_bucket(request: S3Request) -> Response:
    """CreateBucket (a location constraint is accepted and recorded nowhere: one region)."""
    check_bucket_name(request.bucket)
    body = await read_xml_body(request)
    if body.strip():
        parse(body)
    added = await request.account_stub().add(request.bucket)
    shards = request.bucket_shards
    blobs = str(request.blobs.root)
    if shards > 1:  # the shards first: the bucket answers only once they all exist
        await asyncio.gather(
            *(
                request.runtime.get(request.bucket_class, shard_object_name(request.tenant, request.bucket, i)).create(
                    request.tenant, request.bucket, blobs, shard=True, garbage_grace=request.garbage_grace
                )
                for i in range(shards)
            )
        )
    created = await request.bucket_stub().create(
        request.tenant, request.bucket, blobs, shards=shards, garbage_grace=request.garbage_grace
    )
    # Creating a bucket one already owns succeeds again, as in S3's us-east-1 (the region this layer is).
    del added, created
    return empty_response(request, headers={"Location": f"/{request.bucket}"})


async def head_bucket(request: S3Request) -> Response:
    """HeadBucket."""
    await request.bucket_stub().info()
    return empty_response(request, headers={"x-amz-bucket-region": "us-east-1"})


async def delete_bucket(request: S3Request) -> Response:
    """DeleteBucket: only an empty bucket."""
    info = await request.bucket_stub().info()
    if info["reshard"]:
        raise S3Error("OperationAborted", "the bucket is being resharded; delete it once that is done")
    if int(info["shards"]) > 1:
        shards = shard_stubs(request, info)
        if not all(await asyncio.gather(*(shard.is_empty() for shard in shards))):
            raise S3Error("BucketNotEmpty")
        await asyncio.gather(*(shard.delete_bucket(shard=True) for shard in shards))
    await request.bucket_stub().delete_bucket()
    await request.account_stub().remove(request.bucket)
    return empty_response(request, 204)


async def get_location(request: S3Request) -> Response:
    """GetBucketLocation (us-east-1 answers an empty constraint)."""
    await request.bucket_stub().info()
    return xml_response(request, document("LocationConstraint", []))


async def get_versioning(request: S3Request) -> Response:
    """GetBucketVersioning."""
    info = await request.bucket_stub().info()
    children = [("Status", info["versioning"])] if info["versioning"] else []
    return xml_response(request, document("VersioningConfiguration", children))


async def put_versioning(request: S3Request) -> Response:
    """PutBucketVersioning: Enabled or Suspended."""
    root = parse(await read_xml_body(request))
    status = text(root, "Status")
    if status is None:
        raise S3Error("MalformedXML", "VersioningConfiguration needs a Status")
    info = await request.bucket_stub().info()
    if len(layout_places(info)) > 1:
        await asyncio.gather(*(shard.set_versioning(status) for shard in shard_stubs(request, info)))
    await request.bucket_stub().set_versioning(status)
    return empty_response(request)


async def get_cors(request: S3Request) -> Response:
    """GetBucketCors."""
    info = await request.bucket_stub().info()
    if not info["cors"]:
        raise S3Error("NoSuchCORSConfiguration", bucket=request.bucket)
    return xml_response(request, render_cors(info["cors"]))


async def put_cors(request: S3Request) -> Response:
    """PutBucketCors."""
    rules = parse_cors(parse(await read_xml_body(request)))
    await request.bucket_stub().set_cors(rules)
    return empty_response(request)


async def delete_cors(request: S3Request) -> Response:
    """DeleteBucketCors."""
    await request.bucket_stub().set_cors(None)
    return empty_response(request, 204)


def _encode(request: S3Request, key: str) -> str:
    return quote(key, safe="/") if request.query.get("encoding-type") == "url" else key


def _object_entry(request: S3Request, obj: StoredObject) -> list[tuple[str, Any]]:
    entry: list[tuple[str, Any]] = [
        ("Key", _encode(request, obj.key)),
        ("LastModified", iso_time(obj.last_modified)),
        ("ETag", obj.etag),
        ("Size", obj.size),
        ("StorageClass", "STANDARD"),
    ]
    if obj.checksums:
        entry.append(("ChecksumAlgorithm", next(iter(obj.checksums)).upper()))
    return entry


def _prefix_entries(request: S3Request, listing: Listing) -> list[tuple[str, Any]]:
    return [("CommonPrefixes", [("Prefix", _encode(request, p))]) for p in listing.common_prefixes]


async def list_objects(request: S3Request) -> Response:
    """ListObjects (v1): marker paging."""
    prefix = request.query.get("prefix", "")
    delimiter = request.query.get("delimiter", "")
    marker = request.query.get("marker", "")
    max_keys = request.int_query("max-keys", 1000)
    listing = await _list_objects(request, prefix=prefix, delimiter=delimiter, after=marker, max_keys=max_keys)
    children: list[tuple[str, Any]] = [
        ("Name", request.bucket),
        ("Prefix", _encode(request, prefix)),
        ("Marker", _encode(request, marker)),
        ("MaxKeys", max_keys),
        ("Delimiter", _encode(request, delimiter) if delimiter else None),
        ("IsTruncated", listing.truncated),
        (
            "NextMarker",
            _encode(request, listing.next_marker) if listing.truncated and delimiter and listing.next_marker else None,
        ),
        ("EncodingType", "url" if request.query.get("encoding-type") == "url" else None),
    ]
    children += [("Contents", [*_object_entry(request, o), ("Owner", OWNER)]) for o in listing.contents]
    children += _prefix_entries(request, listing)
    return xml_response(request, document("ListBucketResult", children))


async def _list_objects(request: S3Request, **query: Any) -> Listing:
    """One page of the bucket's keys, merged from every shard's page when the bucket is sharded."""
    stub = request.bucket_stub()
    info = await stub.info()
    if len(layout_places(info)) <= 1:
        return await stub.list_objects(**query)
    return merge_objects(await each_place(request, info, "list_objects", **query), query["max_keys"])


def _token(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode()).decode()


def _untoken(token: str) -> str:
    try:
        return base64.urlsafe_b64decode(token.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise S3Error("InvalidArgument", "The continuation token provided is incorrect") from None


async def list_objects_v2(request: S3Request) -> Response:
    """ListObjectsV2: continuation tokens and start-after."""
    prefix = request.query.get("prefix", "")
    delimiter = request.query.get("delimiter", "")
    token = request.query.get("continuation-token")
    start_after = request.query.get("start-after", "")
    max_keys = request.int_query("max-keys", 1000)
    after = _untoken(token) if token else start_after
    listing = await _list_objects(request, prefix=prefix, delimiter=delimiter, after=after, max_keys=max_keys)
    fetch_owner = request.query.get("fetch-owner") == "true"
    children: list[tuple[str, Any]] = [
        ("Name", request.bucket),
        ("Prefix", _encode(request, prefix)),
        ("MaxKeys", max_keys),
        ("KeyCount", len(listing.contents) + len(listing.common_prefixes)),
        ("Delimiter", _encode(request, delimiter) if delimiter else None),
        ("IsTruncated", listing.truncated),
        ("ContinuationToken", token),
        ("NextContinuationToken", _token(listing.next_marker) if listing.truncated and listing.next_marker else None),
        ("StartAfter", _encode(request, start_after) if start_after else None),
        ("EncodingType", "url" if request.query.get("encoding-type") == "url" else None),
    ]
    children += [
        ("Contents", [*_object_entry(request, o), *([("Owner", OWNER)] if fetch_owner else [])])
        for o in listing.contents
    ]
    children += _prefix_entries(request, listing)
    return xml_response(request, document("ListBucketResult", children))


async def list_versions(request: S3Request) -> Response:
    """ListObjectVersions."""
    prefix = request.query.get("prefix", "")
    delimiter = request.query.get("delimiter", "")
    key_marker = request.query.get("key-marker", "")
    version_marker = request.query.get("version-id-marker", "")
    max_keys = request.int_query("max-keys", 1000)
    query = {
        "prefix": prefix,
        "delimiter": delimiter,
        "key_marker": key_marker,
        "version_marker": version_marker,
        "max_keys": max_keys,
    }
    info = await request.bucket_stub().info()
    if len(layout_places(info)) <= 1:
        listing: Listing = await request.bucket_stub().list_versions(**query)
    else:
        listing = merge_versions(await each_place(request, info, "list_versions", **query), max_keys)
    children: list[tuple[str, Any]] = [
        ("Name", request.bucket),
        ("Prefix", _encode(request, prefix)),
        ("KeyMarker", _encode(request, key_marker)),
        ("VersionIdMarker", version_marker),
        ("MaxKeys", max_keys),
        ("Delimiter", _encode(request, delimiter) if delimiter else None),
        ("IsTruncated", listing.truncated),
        ("NextKeyMarker", _encode(request, listing.next_marker) if listing.truncated and listing.next_marker else None),
        ("NextVersionIdMarker", listing.next_version_marker if listing.truncated else None),
        ("EncodingType", "url" if request.query.get("encoding-type") == "url" else None),
    ]
    for obj in listing.contents:
        common = [
            ("Key", _encode(request, obj.key)),
            ("VersionId", obj.version_id),
            ("IsLatest", obj.is_latest),
            ("LastModified", iso_time(obj.last_modified)),
        ]
        if obj.delete_marker:
            children.append(("DeleteMarker", [*common, ("Owner", OWNER)]))
        else:
            children.append(
                (
                    "Version",
                    [*common, ("ETag", obj.etag), ("Size", obj.size), ("StorageClass", "STANDARD"), ("Owner", OWNER)],
                )
            )
    children += _prefix_entries(request, listing)
    return xml_response(request, document("ListVersionsResult", children))


async def list_uploads(request: S3Request) -> Response:
    """ListMultipartUploads (one page of up to 1,000)."""
    prefix = request.query.get("prefix", "")
    info = await request.bucket_stub().info()
    found = await each_place(request, info, "uploads", prefix=prefix)
    # A reshard copies an upload's rows before dropping them: one entry per upload id.
    unique = {u["upload_id"]: u for page in reversed(found) for u in page}
    uploads = sorted(unique.values(), key=lambda u: (u["key"], u["created_at"]))
    max_uploads = request.int_query("max-uploads", 1000)
    children: list[tuple[str, Any]] = [
        ("Bucket", request.bucket),
        ("Prefix", prefix),
        ("MaxUploads", max_uploads),
        ("IsTruncated", len(uploads) > max_uploads),
    ]
    children += [
        (
            "Upload",
            [
                ("Key", u["key"]),
                ("UploadId", u["upload_id"]),
                ("Initiator", OWNER),
                ("Owner", OWNER),
                ("StorageClass", "STANDARD"),
                ("Initiated", iso_time(u["created_at"])),
            ],
        )
        for u in uploads[:max_uploads]
    ]
    return xml_response(request, document("ListMultipartUploadsResult", children))


async def delete_objects(request: S3Request) -> Response:
    """DeleteObjects: up to 1,000 keys, each deleted on its own; errors reported per key."""
    root = parse(await read_xml_body(request))
    quiet = (text(root, "Quiet", "false") or "false").lower() == "true"
    targets = root.findall("Object")
    if not targets or len(targets) > MAX_DELETE_KEYS:
        raise S3Error("MalformedXML", f"DeleteObjects takes 1 to {MAX_DELETE_KEYS} keys")
    await request.bucket_stub().info()  # NoSuchBucket answers the whole request
    children: list[tuple[str, Any]] = []
    for target in targets:
        key = text(target, "Key")
        version_id = text(target, "VersionId")
        if key is None:
            raise S3Error("MalformedXML", "each Object needs a Key")
        try:
            check_key(key)
            place = await key_place(request, key)
            deleted_version, marker = await place.call("delete", key, version_id)
        except S3Error as exc:
            children.append(("Error", [("Key", key), ("Code", exc.code), ("Message", exc.message)]))
            continue
        if quiet:
            continue
        entry: list[tuple[str, Any]] = [("Key", key)]
        if version_id is not None:
            entry.append(("VersionId", version_id))
        if marker:
            entry += [("DeleteMarker", True), ("DeleteMarkerVersionId", deleted_version)]
        children.append(("Deleted", entry))
    return xml_response(request, document("DeleteResult", children))
