"""S3 operations on objects: PUT, GET (ranges, conditions), HEAD, DELETE, copy, and multipart uploads."""

from __future__ import annotations

import email.utils
import re
from typing import Any
from urllib.parse import parse_qsl, unquote

from starlette.responses import Response, StreamingResponse

from .bodies import MAX_OBJECT_SIZE, ReceivedBody, copy_blob, read_range, store_body
from .bucket import INLINE_MAX, NewObject, StoredObject
from .bucket_operations import OWNER, empty_response, read_xml_body, xml_response
from .errors import S3Error
from .request import S3Request, check_bucket_name, check_key
from .shards import key_place
from .xml_bodies import document, http_time, iso_time, parse, text

CONTENT_HEADERS = ("content-encoding", "content-disposition", "content-language", "cache-control", "expires")
MIN_PART_SIZE = 5 * 1024 * 1024
MAX_PART_NUMBER = 10_000
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def _content_headers(request: S3Request) -> dict[str, str]:
    headers = {name: request.headers[name] for name in CONTENT_HEADERS if name in request.headers}
    if "content-encoding" in headers:
        # `aws-chunked` describes how this request's body was sent, not the object: S3 drops it.
        kept = [e.strip() for e in headers["content-encoding"].split(",") if e.strip() and e.strip() != "aws-chunked"]
        if kept:
            headers["content-encoding"] = ", ".join(kept)
        else:
            del headers["content-encoding"]
    return headers


def _content_type(request: S3Request) -> str | None:
    return request.headers.get("content-type")


def _object_headers(obj: StoredObject, *, versioned: bool) -> dict[str, str]:
    headers = {
        "ETag": obj.etag,
        "Last-Modified": http_time(obj.last_modified),
        "Accept-Ranges": "bytes",
        "Content-Type": obj.content_type or "binary/octet-stream",
    }
    headers.update({name.title(): value for name, value in obj.headers.items()})
    headers.update({f"x-amz-meta-{name}": value for name, value in obj.metadata.items()})
    if versioned:
        headers["x-amz-version-id"] = obj.version_id
    if len(obj.parts) > 1 or "-" in obj.etag:
        headers["x-amz-mp-parts-count"] = str(len(obj.parts))
    return headers


async def put_object(request: S3Request) -> Response:
    """PutObject, with conditional writes (`If-None-Match: *`, `If-Match`)."""
    check_key(request.key)
    place = await key_place(request, request.key)
    body = await store_body(
        request.receive, request.headers, request.signed, request.blobs, place.info["namespace"], inline_max=INLINE_MAX
    )
    new = NewObject(
        key=request.key,
        size=body.size,
        etag=body.etag,
        parts=body.parts,
        inline=body.inline,
        content_type=_content_type(request),
        headers=_content_headers(request),
        metadata=request.metadata(),
        checksums=body.checksums,
    )
    stored: StoredObject = await place.call(
        "put",
        new,
        carry=[sha for sha, _ in body.parts],
        if_match=request.headers.get("if-match"),
        if_none_match=request.headers.get("if-none-match"),
    )
    headers = {"ETag": stored.etag}
    if stored.version_id != "null":
        headers["x-amz-version-id"] = stored.version_id
    headers.update({f"x-amz-checksum-{name}": value for name, value in body.checksums.items()})
    return empty_response(request, headers=headers)


def _parse_time(value: str) -> float | None:
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return parsed.timestamp()


def _etag_matches(header: str, etag: str) -> bool:
    wanted = [part.strip().strip('"') for part in header.split(",")]
    return "*" in wanted or etag.strip('"') in wanted


def check_read_conditions(headers: dict[str, str], obj: StoredObject, prefix: str = "") -> int | None:
    """The status a conditional read must answer instead of the object (412 or 304), or None."""
    if_match = headers.get(f"{prefix}if-match")
    if_none_match = headers.get(f"{prefix}if-none-match")
    modified_since = headers.get(f"{prefix}if-modified-since")
    unmodified_since = headers.get(f"{prefix}if-unmodified-since")
    last_modified = int(obj.last_modified)
    if if_match is not None:
        if not _etag_matches(if_match, obj.etag):
            return 412
    elif unmodified_since is not None:
        moment = _parse_time(unmodified_since)
        if moment is not None and last_modified > moment:
            return 412
    if if_none_match is not None:
        if _etag_matches(if_none_match, obj.etag):
            return 412 if prefix else 304
    elif modified_since is not None:
        moment = _parse_time(modified_since)
        if moment is not None and last_modified <= moment:
            return 412 if prefix else 304
    return None


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """(start, end exclusive) of a `bytes=` range, None to serve the whole object; `InvalidRange` if unsatisfiable."""
    match = _RANGE.fullmatch(header.strip())
    if match is None:
        return None
    first, last = match.groups()
    if first == "" and last == "":
        return None
    if first == "":
        length = int(last)
        if length == 0:
            raise S3Error("InvalidRange")
        return max(0, size - length), size
    start = int(first)
    if start >= size:
        raise S3Error("InvalidRange")
    end = size if last == "" else min(size, int(last) + 1)
    if end <= start:
        return None
    return start, end


async def get_object(request: S3Request, *, head: bool = False) -> Response:
    """GetObject and HeadObject: versions, ranges, conditions, `response-*` overrides."""
    check_key(request.key)
    place = await key_place(request, request.key)
    obj: StoredObject = await place.call("head", request.key, request.query.get("versionId"))
    headers = _object_headers(obj, versioned=bool(place.info["versioning"]))
    status = check_read_conditions(request.headers, obj)
    if status == 412:
        raise S3Error("PreconditionFailed", key=request.key)
    if status == 304:
        keep = {k: v for k, v in headers.items() if k in ("ETag", "Last-Modified")}
        return empty_response(request, 304, keep)
    for name, value in request.query.items():
        if name.startswith("response-") and name != "response-":
            headers[name.removeprefix("response-").title()] = value
    start, end = 0, obj.size
    status_code = 200
    part_number = request.query.get("partNumber")
    if part_number is not None:
        start, end = _part_span(obj, part_number)
        status_code = 206
        headers["Content-Range"] = f"bytes {start}-{end - 1}/{obj.size}"
    elif "range" in request.headers:
        try:
            span = parse_range(request.headers["range"], obj.size)
        except S3Error:
            raise S3Error("InvalidRange", f"bytes */{obj.size} cannot be satisfied") from None
        if span is not None:
            start, end = span
            status_code = 206
            headers["Content-Range"] = f"bytes {start}-{end - 1}/{obj.size}"
    if status_code == 200 and request.headers.get("x-amz-checksum-mode", "").upper() == "ENABLED":
        # Whole-object checksums describe the whole object only: a range or a part gets none.
        headers.update({f"x-amz-checksum-{name}": value for name, value in obj.checksums.items()})
    headers["Content-Length"] = str(end - start)
    headers["x-amz-request-id"] = request.request_id
    if head:
        return Response(b"", status_code=status_code, headers=headers)
    pieces = read_range(request.blobs, place.info["namespace"], obj.parts, start, end, obj.inline)
    return StreamingResponse(pieces, status_code=status_code, headers=headers)


def _part_span(obj: StoredObject, value: str) -> tuple[int, int]:
    if not value.isdigit() or not 1 <= int(value) <= max(1, len(obj.parts)):
        raise S3Error("InvalidPart" if value.isdigit() else "InvalidArgument", "the part number is not valid")
    index = int(value) - 1
    if len(obj.parts) <= 1:
        return 0, obj.size  # an object put whole is its own part 1
    start = sum(size for _, size in obj.parts[:index])
    return start, start + obj.parts[index][1]


async def delete_object(request: S3Request) -> Response:
    """DeleteObject (a delete marker in a versioned bucket, or one version)."""
    check_key(request.key)
    place = await key_place(request, request.key)
    version_id, marker = await place.call("delete", request.key, request.query.get("versionId"))
    headers = {}
    if version_id is not None:
        headers["x-amz-version-id"] = version_id
        headers["x-amz-delete-marker"] = "true" if marker else "false"
    return empty_response(request, 204, headers)


def _copy_source(request: S3Request) -> tuple[str, str, str | None]:
    raw = request.headers["x-amz-copy-source"]
    path, _, query = raw.partition("?")
    path = unquote(path).lstrip("/")
    bucket, _, key = path.partition("/")
    if not bucket or not key:
        raise S3Error("InvalidArgument", "x-amz-copy-source must be bucket/key")
    check_bucket_name(bucket)
    check_key(key)
    version_id = dict(parse_qsl(query)).get("versionId")
    return bucket, key, version_id


async def _read_source(request: S3Request) -> tuple[str, StoredObject, str]:
    bucket, key, version_id = _copy_source(request)
    place = await key_place(request, key, bucket)
    source: StoredObject = await place.call("head", key, version_id)
    status = check_read_conditions(request.headers, source, prefix="x-amz-copy-source-")
    if status is not None:
        raise S3Error("PreconditionFailed", key=key)
    return bucket, source, place.info["namespace"]


async def copy_object(request: S3Request) -> Response:
    """CopyObject: within a bucket the bytes are shared, across buckets they are copied."""
    check_key(request.key)
    source_bucket, source, source_namespace = await _read_source(request)
    place = await key_place(request, request.key)
    target_namespace = place.info["namespace"]
    replace = request.headers.get("x-amz-metadata-directive", "COPY").upper() == "REPLACE"
    if source_bucket == request.bucket and source.key == request.key and not replace:
        raise S3Error(
            "InvalidRequest",
            "This copy request is illegal because it is trying to copy an object to itself without changing the "
            "object's metadata, storage class, website redirect location or encryption attributes.",
        )
    parts = source.parts
    if source_namespace != target_namespace and parts:
        copied = copy_blob(
            request.blobs, source_namespace, source.parts, 0, source.size, request.blobs, target_namespace
        )
        parts = copied.parts
    new = NewObject(
        key=request.key,
        size=source.size,
        etag=source.etag,
        parts=parts,
        inline=source.inline,
        content_type=_content_type(request) if replace else source.content_type,
        headers=_content_headers(request) if replace else source.headers,
        metadata=request.metadata() if replace else source.metadata,
        checksums=source.checksums,
    )
    stored: StoredObject = await place.call("put", new, carry=[sha for sha, _ in parts])
    headers = {"x-amz-copy-source-version-id": source.version_id} if source.version_id != "null" else {}
    if stored.version_id != "null":
        headers["x-amz-version-id"] = stored.version_id
    body = document("CopyObjectResult", [("LastModified", iso_time(stored.last_modified)), ("ETag", stored.etag)])
    return xml_response(request, body, headers=headers)


async def create_upload(request: S3Request) -> Response:
    """CreateMultipartUpload."""
    check_key(request.key)
    place = await key_place(request, request.key)
    upload_id = await place.call(
        "create_upload", request.key, _content_type(request), _content_headers(request), request.metadata()
    )
    body = document(
        "InitiateMultipartUploadResult", [("Bucket", request.bucket), ("Key", request.key), ("UploadId", upload_id)]
    )
    return xml_response(request, body)


def _part_number(request: S3Request) -> int:
    value = request.query.get("partNumber", "")
    if not value.isdigit() or not 1 <= int(value) <= MAX_PART_NUMBER:
        raise S3Error("InvalidArgument", f"Part number must be an integer between 1 and {MAX_PART_NUMBER}, inclusive")
    return int(value)


async def upload_part(request: S3Request) -> Response:
    """UploadPart and UploadPartCopy."""
    check_key(request.key)
    number = _part_number(request)
    upload_id = request.query["uploadId"]
    place = await key_place(request, request.key)
    await place.call("upload", upload_id, request.key)
    namespace = place.info["namespace"]
    headers: dict[str, str] = {}
    if "x-amz-copy-source" in request.headers:
        _, source, source_namespace = await _read_source(request)
        start, end = 0, source.size
        if "x-amz-copy-source-range" in request.headers:
            wanted = _RANGE.fullmatch(request.headers["x-amz-copy-source-range"].strip())
            if wanted is None or not wanted[1] or not wanted[2]:
                raise S3Error("InvalidArgument", "x-amz-copy-source-range must be bytes=first-last")
            if int(wanted[2]) >= source.size or int(wanted[1]) > int(wanted[2]):
                raise S3Error("InvalidRange", "x-amz-copy-source-range must lie within the source object")
            span = parse_range(request.headers["x-amz-copy-source-range"], source.size)
            if span is None:
                raise S3Error("InvalidArgument", "x-amz-copy-source-range must be bytes=first-last")
            start, end = span
        body: ReceivedBody = copy_blob(
            request.blobs, source_namespace, source.parts, start, end, request.blobs, namespace, source.inline
        )
        result = document("CopyPartResult", [("LastModified", iso_time(source.last_modified)), ("ETag", body.etag)])
        assert body.sha is not None  # a copied part is always written to the blob store
        await place.call(
            "put_part", upload_id, request.key, number, body.etag, body.size, body.sha, body.md5, carry=[body.sha]
        )
        return xml_response(request, result)
    body = await store_body(
        request.receive, request.headers, request.signed, request.blobs, namespace, max_size=MAX_OBJECT_SIZE
    )
    assert body.sha is not None  # parts are never kept inline (inline_max=0)
    await place.call(
        "put_part", upload_id, request.key, number, body.etag, body.size, body.sha, body.md5, carry=[body.sha]
    )
    headers["ETag"] = body.etag
    headers.update({f"x-amz-checksum-{name}": value for name, value in body.checksums.items()})
    return empty_response(request, headers=headers)


async def list_parts(request: S3Request) -> Response:
    """ListParts, paged by part number."""
    check_key(request.key)
    upload_id = request.query["uploadId"]
    after = request.int_query("part-number-marker", 0, high=MAX_PART_NUMBER)
    max_parts = request.int_query("max-parts", 1000)
    place = await key_place(request, request.key)
    parts = await place.call("parts", upload_id, request.key, after=after, max_parts=max_parts)
    truncated = len(parts) > max_parts
    parts = parts[:max_parts]
    children: list[tuple[str, Any]] = [
        ("Bucket", request.bucket),
        ("Key", request.key),
        ("UploadId", upload_id),
        ("PartNumberMarker", after),
        ("NextPartNumberMarker", parts[-1]["part_number"] if parts else after),
        ("MaxParts", max_parts),
        ("IsTruncated", truncated),
        ("Initiator", OWNER),
        ("Owner", OWNER),
        ("StorageClass", "STANDARD"),
    ]
    children += [
        (
            "Part",
            [
                ("PartNumber", p["part_number"]),
                ("LastModified", iso_time(p["last_modified"])),
                ("ETag", p["etag"]),
                ("Size", p["size"]),
            ],
        )
        for p in parts
    ]
    return xml_response(request, document("ListPartsResult", children))


async def complete_upload(request: S3Request) -> Response:
    """CompleteMultipartUpload."""
    check_key(request.key)
    root = parse(await read_xml_body(request))
    chosen = []
    for part in root.findall("Part"):
        number, etag = text(part, "PartNumber"), text(part, "ETag")
        if number is None or etag is None or not number.isdigit():
            raise S3Error("MalformedXML", "each Part needs a PartNumber and an ETag")
        chosen.append((int(number), etag))
    place = await key_place(request, request.key)
    stored: StoredObject = await place.call(
        "complete_upload",
        request.query["uploadId"],
        request.key,
        chosen,
        MIN_PART_SIZE,
        if_match=request.headers.get("if-match"),
        if_none_match=request.headers.get("if-none-match"),
    )
    headers = {"x-amz-version-id": stored.version_id} if stored.version_id != "null" else {}
    body = document(
        "CompleteMultipartUploadResult",
        [
            ("Location", f"/{request.bucket}/{request.key}"),
            ("Bucket", request.bucket),
            ("Key", request.key),
            ("ETag", stored.etag),
        ],
    )
    return xml_response(request, body, headers=headers)


async def abort_upload(request: S3Request) -> Response:
    """AbortMultipartUpload."""
    check_key(request.key)
    place = await key_place(request, request.key)
    await place.call("abort_upload", request.query["uploadId"], request.key)
    return empty_response(request, 204)
