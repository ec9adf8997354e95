"""Cloud Storage's JSON API as an ASGI app: buckets, objects, media/multipart/resumable uploads, downloads.

Paths follow the API (`/storage/v1/b/{bucket}/o/{object}`, `/upload/storage/v1/...`,
`/download/storage/v1/...`); object names arrive URL-encoded in one path segment and stay strings
(rows of the bucket's object), never paths of this machine. Requests carry
`Authorization: Bearer <access key id>:<secret>` (what `dotdo.compat.gcs.client()` sends).

A request for one object goes to the object holding its name (`shards`: the bucket's own object, or
one of its shards when it was created with `bucket_shards` > 1 or resharded since). dotdo's own
`/storage/v1/b/{bucket}/reshard` starts a reshard (POST `?shards=N`) and tells how far it got (GET).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import json
import logging
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote, unquote

import google_crc32c
from starlette.responses import Response, StreamingResponse

from ...primitives.blob_store import BlobStore
from ..blob_references import GARBAGE_GRACE
from ..bucket_splits import SplitWatcher
from ..key_layout import DEFAULT_SPLIT_KEYS, layout_places
from ..key_places import BucketPlaces, KeyPlace
from ..s3.bodies import raw_pieces, read_range
from ..s3.xml_bodies import iso_time
from ..settings import non_negative
from ..sharding import OWN_OBJECT, check_shard_count
from .account import GcsAccount
from .bucket import HEADER_FIELDS, Conditions, GcsObject, NewGcsObject, session_object_name
from .errors import GcsError
from .shards import bucket_places, merge_pages

if TYPE_CHECKING:
    from starlette.types import Receive, Scope, Send

    from ...runtime.stub import Stub
    from ..layer import CompatContext

log = logging.getLogger("dotdo.compat.gcs")

INLINE_MAX = 64 * 1024
MAX_SIMPLE_BODY = 64 * 1024 * 1024
MAX_JSON_BODY = 1024 * 1024
CHUNK_GRANULARITY = 256 * 1024
_BUCKET = re.compile(r"[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]")
_CONTENT_RANGE = re.compile(r"bytes (?:(\d+)-(\d+)|\*)/(\d+|\*)")
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def check_bucket_name(name: str) -> str:
    """`name` if Cloud Storage would accept it as a bucket name."""
    if not _BUCKET.fullmatch(name) or ".." in name or name.startswith("goog"):
        raise GcsError(400, "invalid", f"Invalid bucket name: '{name[:80]}'")
    return name


def check_object_name(name: str) -> str:
    """`name` if Cloud Storage would store it: 1-1,024 bytes of UTF-8, no CR/LF, not `.` or `..`."""
    if (
        not name
        or len(name.encode("utf-8", "surrogatepass")) > 1024
        or "\r" in name
        or "\n" in name
        or name in (".", "..")
        or "\x00" in name
    ):
        raise GcsError(400, "invalid", "The object name is not valid.")
    return name


class Hasher:
    """MD5 and CRC32C of bytes as they pass, in Cloud Storage's base64 form."""

    def __init__(self) -> None:
        self.md5 = hashlib.md5()
        self.crc = google_crc32c.Checksum()

    def update(self, data: bytes) -> None:
        """Add bytes."""
        self.md5.update(data)
        self.crc.update(data)

    def digests(self) -> tuple[str, str]:
        """(md5Hash, crc32c)."""
        return base64.b64encode(self.md5.digest()).decode(), base64.b64encode(self.crc.digest()).decode()


class GcsApp:
    """Cloud Storage on dotdo objects: one `GcsBucket` per bucket; the tenant's bucket list is scanned from keys."""

    def __init__(self, context: CompatContext) -> None:
        self.context = context
        self.blobs = BlobStore(context.folder / "blobs")
        options = context.options
        self.garbage_grace = non_negative("garbage_grace", options.get("garbage_grace", GARBAGE_GRACE))
        self.bucket_shards = check_shard_count("bucket_shards", options.get("bucket_shards", 1))
        split_keys = int(non_negative("bucket_split_keys", options.get("bucket_split_keys", DEFAULT_SPLIT_KEYS)))
        self.splits = SplitWatcher(split_keys, GcsError)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True))
        try:
            tenant = self._authenticate(headers)
            raw: bytes = scope.get("raw_path") or scope["path"].encode()
            segments = [unquote(part) for part in raw.decode("latin-1").split("/") if part]
            response = await self._route(scope, receive, headers, query, segments, tenant)
        except GcsError as exc:
            response = Response(json.dumps(exc.to_json()), status_code=exc.status, media_type="application/json")
        except Exception:
            log.exception("GCS request failed")
            error = GcsError(500, "backendError", "We encountered an internal error. Please try again.")
            response = Response(json.dumps(error.to_json()), status_code=500, media_type="application/json")
        await response(scope, receive, send)

    def _authenticate(self, headers: dict[str, str]) -> str:
        authorization = headers.get("authorization", "")
        if not authorization.startswith("Bearer "):
            raise GcsError(401, "required", "Anonymous caller does not have access; send a bearer token.")
        key_id, _, secret = authorization[7:].strip().partition(":")
        key = self.context.credentials.lookup(key_id)
        if key is None or key.secret is None or not hmac.compare_digest(key.secret, secret):
            raise GcsError(401, "authError", "Invalid Credentials")
        if not key.allows("gcs"):
            raise GcsError(403, "forbidden", "this access key may not use Cloud Storage")
        return key.tenant

    def _places(self, tenant: str, bucket: str) -> BucketPlaces:
        return bucket_places(self.context.runtime, self.blobs, tenant, check_bucket_name(bucket))

    def _bucket(self, tenant: str, name: str) -> Stub:
        return self._places(tenant, name).stub(OWN_OBJECT)

    async def _key(self, tenant: str, bucket: str, name: str) -> KeyPlace:
        """The object answering for object `name` of the bucket."""
        return await self._places(tenant, bucket).key(name)

    def _wrote(self, tenant: str, bucket: str) -> None:
        self.splits.count_write(f"{tenant}/{bucket}", self._bucket(tenant, bucket))

    async def _route(
        self,
        scope: Scope,
        receive: Receive,
        headers: dict[str, str],
        query: dict[str, str],
        segments: list[str],
        tenant: str,
    ) -> Response:
        method = scope["method"]
        base = f"{scope.get('scheme', 'http')}://{headers.get('host', '127.0.0.1')}{scope.get('root_path', '')}"
        kind = segments[0] if segments else ""
        if kind in ("upload", "download"):
            segments = segments[1:]
        if segments[:2] != ["storage", "v1"] or len(segments) < 3 or segments[2] != "b":
            raise GcsError(404, "notFound", "Not Found")
        rest = segments[3:]
        if kind == "upload":
            if len(rest) != 2 or rest[1] != "o":
                raise GcsError(404, "notFound", "Not Found")
            return await self._upload(method, receive, headers, query, tenant, rest[0], base)
        if not rest:
            if method == "GET":
                return await self._list_buckets(tenant, query, base)
            if method == "POST":
                return await self._insert_bucket(receive, tenant, base)
            raise GcsError(405, "methodNotAllowed", "Method not allowed")
        bucket = rest[0]
        if len(rest) == 1:
            return await self._bucket_call(method, receive, query, tenant, bucket, base)
        if len(rest) == 2 and rest[1] == "reshard":
            return await self._reshard(method, query, tenant, bucket)
        if rest[1] != "o":
            raise GcsError(404, "notFound", "Not Found")
        if len(rest) == 2:
            if method == "GET":
                return await self._list_objects(tenant, bucket, query, base)
            raise GcsError(405, "methodNotAllowed", "Method not allowed")
        name = check_object_name(rest[2])
        if len(rest) == 3:
            if kind == "download" or (method == "GET" and query.get("alt") == "media"):
                return await self._download(headers, query, tenant, bucket, name)
            return await self._object_call(method, receive, query, tenant, bucket, name, base)
        if (
            method == "POST"
            and len(rest) == 8
            and rest[3] in ("copyTo", "rewriteTo")
            and rest[4] == "b"
            and rest[6] == "o"
        ):
            return await self._copy(
                receive,
                query,
                tenant,
                bucket,
                name,
                rest[5],
                check_object_name(rest[7]),
                base,
                rewrite=rest[3] == "rewriteTo",
            )
        if method == "POST" and len(rest) == 4 and rest[3] == "compose":
            return await self._compose(receive, query, tenant, bucket, name, base)
        raise GcsError(404, "notFound", "Not Found")

    # -- buckets ------------------------------------------------------------------------------------

    async def _list_buckets(self, tenant: str, query: dict[str, str], base: str) -> Response:
        names = await self.context.runtime.get(GcsAccount, tenant).names(query.get("prefix", ""))
        items = []
        for name in names:
            try:
                items.append(_bucket_resource(await self._bucket(tenant, name).info(), base))
            except GcsError:
                continue
        return _json({"kind": "storage#buckets", "items": items})

    async def _insert_bucket(self, receive: Receive, tenant: str, base: str) -> Response:
        body = await _json_body(receive)
        name = check_bucket_name(str(body.get("name", "")))
        versioning = bool((body.get("versioning") or {}).get("enabled", False))
        labels = {str(k): str(v) for k, v in (body.get("labels") or {}).items()}
        blobs, places = str(self.blobs.root), self._places(tenant, name)
        if self.bucket_shards > 1:  # the shards first: the bucket answers only once they all exist
            await asyncio.gather(
                *(
                    places.stub(index).create(tenant, name, blobs, versioning, labels, self.garbage_grace, shard=True)
                    for index in range(self.bucket_shards)
                )
            )
        created = await places.stub(OWN_OBJECT).create(
            tenant, name, blobs, versioning, labels, self.garbage_grace, shards=self.bucket_shards
        )
        if not created:
            raise GcsError(
                409, "conflict", "Your previous request to create the named bucket succeeded and you already own it."
            )
        await self.context.runtime.get(GcsAccount, tenant).add(name)
        return _json(_bucket_resource(await self._bucket(tenant, name).info(), base))

    async def _bucket_call(
        self, method: str, receive: Receive, query: dict[str, str], tenant: str, bucket: str, base: str
    ) -> Response:
        stub = self._bucket(tenant, bucket)
        if method == "GET":
            return _json(_bucket_resource(await stub.info(), base))
        if method in ("PATCH", "PUT"):
            body = await _json_body(receive)
            versioning = body.get("versioning")
            info = await stub.update_bucket(
                None if versioning is None else bool(versioning.get("enabled")),
                None if "labels" not in body else {str(k): str(v) for k, v in (body["labels"] or {}).items()},
                _int(query, "ifMetagenerationMatch"),
            )
            if versioning is not None and len(layout_places(info)) > 1:
                # Every shard writes generations itself; a shard a running reshard has not made yet is left out.
                await self._places(tenant, bucket).each(info, "set_versioning", enabled=bool(info["versioning"]))
            return _json(_bucket_resource(info, base))
        if method == "DELETE":
            await self._delete_bucket(tenant, bucket)
            await self.context.runtime.get(GcsAccount, tenant).remove(bucket)
            return Response(status_code=204)
        raise GcsError(405, "methodNotAllowed", "Method not allowed")

    async def _delete_bucket(self, tenant: str, bucket: str) -> None:
        places = self._places(tenant, bucket)
        root = places.stub(OWN_OBJECT)
        info = await root.info()
        if info["reshard"]:
            raise GcsError(409, "conflict", "The bucket is being resharded; delete it once that is done.")
        if int(info["shards"]) > 1:
            shards = [places.stub(place) for place in layout_places(info)]
            if not all(await asyncio.gather(*(shard.is_empty() for shard in shards))):
                raise GcsError(409, "conflict", "The bucket you tried to delete is not empty.")
            await asyncio.gather(*(shard.delete_bucket(shard=True) for shard in shards))
        await root.delete_bucket()

    async def _reshard(self, method: str, query: dict[str, str], tenant: str, bucket: str) -> Response:
        """dotdo's own: start a reshard of the bucket to `?shards=N` (POST), or see how far it got (GET)."""
        stub = self._bucket(tenant, bucket)
        if method == "GET":
            return _json(await stub.reshard_status())
        if method != "POST":
            raise GcsError(405, "methodNotAllowed", "Method not allowed")
        shards = _int(query, "shards")
        if shards is None:
            raise GcsError(400, "required", "Required parameter: shards")
        return _json(await stub.reshard(shards))

    # -- objects ------------------------------------------------------------------------------------

    async def _list_objects(self, tenant: str, bucket: str, query: dict[str, str], base: str) -> Response:
        max_results = min(_int(query, "maxResults") or 1000, 1000)
        token = query.get("pageToken", "")
        after = _untoken(token) if token else ""
        stub = self._bucket(tenant, bucket)
        info = await stub.info()
        listing = {
            "prefix": query.get("prefix", ""),
            "delimiter": query.get("delimiter", ""),
            "after": after,
            "max_results": max(max_results, 1),
            "versions": query.get("versions", "").lower() == "true",
            "start_offset": query.get("startOffset", ""),
            "end_offset": query.get("endOffset", ""),
            "include_trailing_delimiter": query.get("includeTrailingDelimiter", "").lower() == "true",
        }
        if len(layout_places(info)) <= 1:
            items, prefixes, next_after = await stub.list_objects(**listing)
        else:
            pages = await self._places(tenant, bucket).each(info, "list_objects", **listing)
            items, prefixes, next_after = merge_pages(pages, listing["max_results"])
        answer: dict[str, Any] = {
            "kind": "storage#objects",
            "items": [_object_resource(o, bucket, base) for o in items],
        }
        if prefixes:
            answer["prefixes"] = prefixes
        if next_after is not None:
            answer["nextPageToken"] = base64.urlsafe_b64encode(next_after.encode()).decode()
        return _json(answer)

    async def _object_call(
        self, method: str, receive: Receive, query: dict[str, str], tenant: str, bucket: str, name: str, base: str
    ) -> Response:
        if method not in ("GET", "PATCH", "PUT", "DELETE"):
            raise GcsError(405, "methodNotAllowed", "Method not allowed")
        conditions = _conditions(query)
        place = await self._key(tenant, bucket, name)
        if method == "GET":
            found = await place.call("get", name, _int(query, "generation"), conditions)
            return _json(_object_resource(found, bucket, base))
        if method in ("PATCH", "PUT"):
            body = await _json_body(receive)
            updated = await place.call("patch", name, body, conditions, replace=method == "PUT")
            return _json(_object_resource(updated, bucket, base))
        if method == "DELETE":
            await place.call("delete", name, _int(query, "generation"), conditions)
            return Response(status_code=204)
        raise GcsError(405, "methodNotAllowed", "Method not allowed")

    async def _download(
        self, headers: dict[str, str], query: dict[str, str], tenant: str, bucket: str, name: str
    ) -> Response:
        place = await self._key(tenant, bucket, name)
        obj: GcsObject = await place.call("get", name, _int(query, "generation"), _conditions(query))
        start, end, status = 0, obj.size, 200
        answer_headers = {
            "x-goog-generation": str(obj.generation),
            "x-goog-metageneration": str(obj.metageneration),
            "x-goog-stored-content-length": str(obj.size),
            "x-goog-hash": f"crc32c={obj.crc32c},md5={obj.md5}",
            "ETag": _etag(obj),
            "Accept-Ranges": "bytes",
        }
        for key, header in (
            ("contentEncoding", "Content-Encoding"),
            ("contentDisposition", "Content-Disposition"),
            ("cacheControl", "Cache-Control"),
            ("contentLanguage", "Content-Language"),
        ):
            if key in obj.headers:
                answer_headers[header] = obj.headers[key]
        match = _RANGE.fullmatch(headers.get("range", "").strip())
        if match and match.group(0) != "bytes=-":
            first, last = match.groups()
            if first == "":
                start = max(0, obj.size - int(last))
            else:
                start = int(first)
                end = obj.size if last == "" else min(obj.size, int(last) + 1)
            if start >= obj.size and obj.size > 0:
                raise GcsError(416, "requestedRangeNotSatisfiable", "Request range not satisfiable")
            status = 206
            answer_headers["Content-Range"] = f"bytes {start}-{max(start, end - 1)}/{obj.size}"
        answer_headers["Content-Length"] = str(max(0, end - start))
        pieces = read_range(self.blobs, place.info["namespace"], obj.parts, start, end, obj.inline)
        return StreamingResponse(
            pieces,
            status_code=status,
            headers=answer_headers,
            media_type=obj.content_type or "application/octet-stream",
        )

    async def _store(self, pieces: Any, namespace: str) -> tuple[int, str, str, list[tuple[str, int]], bytes | None]:
        """Bytes from `pieces` into the blob store (or inline when small): size, md5, crc32c, parts, inline."""
        hasher = Hasher()
        held = bytearray()
        upload = None
        size = 0
        try:
            async for piece in pieces:
                size += len(piece)
                if size > 5 * 1024**4:
                    raise GcsError(400, "invalid", "the object is larger than 5 TiB")
                hasher.update(piece)
                if upload is None and size <= INLINE_MAX:
                    held += piece
                    continue
                if upload is None:
                    upload = self.blobs.open_upload()
                    upload.write(held)
                upload.write(piece)
            md5, crc = hasher.digests()
            if upload is None:
                return size, md5, crc, [], bytes(held)
            sha = upload.finish()
            upload.publish(namespace=namespace)
        except BaseException:
            if upload is not None:
                upload.discard()
            raise
        return size, md5, crc, [(sha, size)], None

    async def _upload(
        self,
        method: str,
        receive: Receive,
        headers: dict[str, str],
        query: dict[str, str],
        tenant: str,
        bucket: str,
        base: str,
    ) -> Response:
        await self._bucket(tenant, bucket).info()
        kind = query.get("uploadType", "media")
        if method == "PUT" and kind == "resumable":
            return await self._resumable_chunk(receive, headers, query, tenant, bucket, base)
        if method != "POST":
            raise GcsError(405, "methodNotAllowed", "Method not allowed")
        conditions = _conditions(query)
        if kind == "media":
            name = check_object_name(query.get("name", ""))
            place = await self._key(tenant, bucket, name)
            size, md5, crc, parts, inline = await self._store(raw_pieces(receive), place.info["namespace"])
            new = NewGcsObject(name, size, md5, crc, parts, inline, headers.get("content-type"))
        elif kind == "multipart":
            metadata, media, media_type = _split_multipart(
                headers.get("content-type", ""), await _bounded_body(receive, MAX_SIMPLE_BODY)
            )
            name = check_object_name(str(metadata.get("name") or query.get("name", "")))
            place = await self._key(tenant, bucket, name)

            async def once() -> Any:
                yield media

            size, md5, crc, parts, inline = await self._store(once(), place.info["namespace"])
            _check_declared(metadata, md5, crc)
            new = _new_object(name, size, md5, crc, parts, inline, metadata, media_type)
        elif kind == "resumable":
            metadata = await _json_body(receive)
            name = check_object_name(str(metadata.get("name") or query.get("name", "")))
            if headers.get("x-upload-content-type"):
                metadata.setdefault("contentType", headers["x-upload-content-type"])
            place = await self._key(tenant, bucket, name)
            upload_id = await place.call("start_upload", name, metadata, conditions)
            location = f"{base}/upload/storage/v1/b/{quote(bucket)}/o?uploadType=resumable&upload_id={upload_id}"
            return Response(status_code=200, headers={"Location": location, "X-GUploader-UploadID": upload_id})
        else:
            raise GcsError(400, "invalid", f"unknown uploadType {kind!r}: use media, multipart or resumable")
        stored = await place.call("put", new, conditions, carry=[sha for sha, _ in new.parts])
        self._wrote(tenant, bucket)
        return _json(_object_resource(stored, bucket, base))

    async def _resumable_chunk(
        self,
        receive: Receive,
        headers: dict[str, str],
        query: dict[str, str],
        tenant: str,
        bucket: str,
        base: str,
    ) -> Response:
        upload_id = query.get("upload_id", "")
        name = session_object_name(upload_id)
        if name is None:
            raise GcsError(404, "notFound", "No such upload session.")
        place = await self._key(tenant, bucket, check_object_name(name))
        session = await place.call("upload", upload_id, name)
        match = _CONTENT_RANGE.fullmatch(headers.get("content-range", "bytes */*").strip())
        if match is None:
            raise GcsError(400, "invalid", "Content-Range must be bytes FIRST-LAST/TOTAL, bytes */TOTAL or bytes */*")
        first, _, total_text = match.groups()
        total = None if total_text == "*" else int(total_text)
        held = session["received"]
        if first is not None:
            size, _, _, parts, inline = await self._store(raw_pieces(receive), place.info["namespace"])
            if inline is not None:
                parts = [(self._publish(inline, place.info["namespace"]), size)]
            if size:
                sha = parts[0][0]
                held = await place.call("add_chunk", upload_id, name, int(first), sha, size, carry=[sha])
        if total is not None and held >= total:
            return await self._finish_resumable(place, upload_id, name, tenant, bucket, base)
        answer = {"Range": f"bytes=0-{held - 1}"} if held else {}
        return Response(status_code=308, headers=answer)

    def _publish(self, data: bytes, namespace: str) -> str:
        """`data` as one blob of `namespace`; its sha."""
        upload = self.blobs.open_upload()
        upload.write(data)
        sha = upload.finish()
        upload.publish(namespace=namespace)
        return sha

    async def _finish_resumable(
        self, place: KeyPlace, upload_id: str, name: str, tenant: str, bucket: str, base: str
    ) -> Response:
        session = await place.call("upload", upload_id, name)
        hasher = Hasher()
        size = sum(n for _, n in session["parts"])
        for piece in read_range(self.blobs, place.info["namespace"], session["parts"], 0, size):
            hasher.update(piece)
        md5, crc = hasher.digests()
        metadata = session["resource"]
        _check_declared(metadata, md5, crc)
        new = _new_object(
            session["name"], size, md5, crc, session["parts"], None, metadata, metadata.get("contentType")
        )
        stored = await place.call("finish_upload", upload_id, new)
        self._wrote(tenant, bucket)
        return _json(_object_resource(stored, bucket, base))

    async def _copy(
        self,
        receive: Receive,
        query: dict[str, str],
        tenant: str,
        bucket: str,
        name: str,
        target_bucket: str,
        target_name: str,
        base: str,
        *,
        rewrite: bool,
    ) -> Response:
        source_place = await self._key(tenant, bucket, name)
        source: GcsObject = await source_place.call(
            "get",
            name,
            _int(query, "sourceGeneration"),
            Conditions(
                _int(query, "ifSourceGenerationMatch"),
                _int(query, "ifSourceGenerationNotMatch"),
                _int(query, "ifSourceMetagenerationMatch"),
                _int(query, "ifSourceMetagenerationNotMatch"),
            ),
        )
        target_place = await self._key(tenant, target_bucket, target_name)
        overrides = await _json_body(receive)
        parts = await self._carry(source.parts, source_place.info["namespace"], target_place.info["namespace"])
        resource = {"contentType": source.content_type, "metadata": source.metadata, **source.headers, **overrides}
        new = _new_object(
            target_name,
            source.size,
            source.md5,
            source.crc32c,
            parts,
            source.inline,
            resource,
            resource.get("contentType"),
        )
        stored = await target_place.call("put", new, _conditions(query), carry=[sha for sha, _ in parts])
        self._wrote(tenant, target_bucket)
        resource_out = _object_resource(stored, target_bucket, base)
        if rewrite:
            return _json(
                {
                    "kind": "storage#rewriteResponse",
                    "totalBytesRewritten": str(source.size),
                    "objectSize": str(source.size),
                    "done": True,
                    "resource": resource_out,
                }
            )
        return _json(resource_out)

    async def _carry(
        self, parts: list[tuple[str, int]], source_namespace: str, target_namespace: str
    ) -> list[tuple[str, int]]:
        """`parts` of an object of one namespace, now in `target_namespace` too (the same blobs)."""
        if source_namespace != target_namespace:
            for sha, _ in parts:
                await asyncio.to_thread(self.blobs.copy, sha, source=source_namespace, destination=target_namespace)
        return parts

    async def _compose(
        self, receive: Receive, query: dict[str, str], tenant: str, bucket: str, name: str, base: str
    ) -> Response:
        body = await _json_body(receive)
        sources = body.get("sourceObjects") or []
        if not 1 <= len(sources) <= 32:
            raise GcsError(400, "invalid", "compose takes 1 to 32 source objects")
        target = await self._key(tenant, bucket, name)
        namespace = target.info["namespace"]
        hasher = Hasher()
        parts: list[tuple[str, int]] = []
        size = 0
        for source in sources:
            source_name = check_object_name(str(source.get("name", "")))
            place = await self._key(tenant, bucket, source_name)
            obj: GcsObject = await place.call("get", source_name, _int(source, "generation"))
            for piece in read_range(self.blobs, place.info["namespace"], obj.parts, 0, obj.size, obj.inline):
                hasher.update(piece)
            if obj.inline is not None and obj.size:
                parts.append((self._publish(obj.inline, namespace), obj.size))
            else:
                parts += await self._carry(obj.parts, place.info["namespace"], namespace)
            size += obj.size
        md5, crc = hasher.digests()
        destination = body.get("destination") or {}
        new = _new_object(name, size, md5, crc, parts, None, destination, destination.get("contentType"))
        stored = await target.call("put", new, _conditions(query), carry=[sha for sha, _ in parts])
        self._wrote(tenant, bucket)
        return _json(_object_resource(stored, bucket, base))


def _json(body: dict[str, Any], status: int = 200) -> Response:
    return Response(json.dumps(body), status_code=status, media_type="application/json")


def _int(values: dict[str, Any], name: str) -> int | None:
    value = values.get(name)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise GcsError(400, "invalid", f"Invalid value for {name}: {str(value)[:40]!r}") from None


def _untoken(token: str) -> str:
    try:
        return base64.b64decode(token.encode(), altchars=b"-_", validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise GcsError(400, "invalid", "The page token is not valid.") from None


def _conditions(query: dict[str, str]) -> Conditions:
    return Conditions(
        _int(query, "ifGenerationMatch"),
        _int(query, "ifGenerationNotMatch"),
        _int(query, "ifMetagenerationMatch"),
        _int(query, "ifMetagenerationNotMatch"),
    )


async def _bounded_body(receive: Receive, limit: int) -> bytes:
    body = bytearray()
    async for piece in raw_pieces(receive):
        body += piece
        if len(body) > limit:
            raise GcsError(
                413, "uploadTooLarge", f"the request body is larger than {limit} bytes; use a resumable upload"
            )
    return bytes(body)


async def _json_body(receive: Receive) -> dict[str, Any]:
    body = await _bounded_body(receive, MAX_JSON_BODY)
    if not body.strip():
        return {}
    try:
        value = json.loads(body)
    except ValueError:
        raise GcsError(400, "parseError", "Parse Error") from None
    if not isinstance(value, dict):
        raise GcsError(400, "invalid", "the request body must be a JSON object")
    return value


def _split_multipart(content_type: str, body: bytes) -> tuple[dict[str, Any], bytes, str | None]:
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if not content_type.startswith("multipart/related") or match is None:
        raise GcsError(400, "invalid", "a multipart upload needs Content-Type multipart/related with a boundary")
    boundary = b"--" + match.group(1).encode()
    sections = body.split(boundary)
    parts = [s for s in sections[1:] if not s.startswith(b"--")]
    if len(parts) != 2:
        raise GcsError(400, "invalid", "a multipart upload has exactly two parts: metadata, then media")
    decoded = []
    for section in parts:
        head, separator, content = section.partition(b"\r\n\r\n")
        if not separator:
            raise GcsError(400, "invalid", "a multipart section lacks its headers")
        if content.endswith(b"\r\n"):
            content = content[:-2]
        section_type = None
        for line in head.decode("latin-1").split("\r\n"):
            if line.lower().startswith("content-type:"):
                section_type = line.split(":", 1)[1].strip()
        decoded.append((section_type, content))
    try:
        metadata = json.loads(decoded[0][1] or b"{}")
    except ValueError:
        raise GcsError(400, "parseError", "the metadata part is not valid JSON") from None
    if not isinstance(metadata, dict):
        raise GcsError(400, "invalid", "the metadata part must be a JSON object")
    return metadata, decoded[1][1], decoded[1][0]


def _check_declared(metadata: dict[str, Any], md5: str, crc: str) -> None:
    if metadata.get("md5Hash") and metadata["md5Hash"] != md5:
        raise GcsError(400, "invalid", "Provided MD5 hash doesn't match calculated MD5 hash.")
    if metadata.get("crc32c") and metadata["crc32c"] != crc:
        raise GcsError(400, "invalid", "Provided CRC32C doesn't match calculated CRC32C.")


def _new_object(
    name: str,
    size: int,
    md5: str,
    crc: str,
    parts: list[tuple[str, int]],
    inline: bytes | None,
    resource: dict[str, Any],
    content_type: str | None,
) -> NewGcsObject:
    metadata = {str(k): str(v) for k, v in (resource.get("metadata") or {}).items() if v is not None}
    headers = {key: str(resource[key]) for key in HEADER_FIELDS if resource.get(key) is not None}
    return NewGcsObject(
        name, size, md5, crc, parts, inline, resource.get("contentType") or content_type, metadata, headers
    )


def _etag(obj: GcsObject) -> str:
    return base64.b64encode(f"{obj.generation}/{obj.metageneration}".encode()).decode().rstrip("=")


def _object_resource(obj: GcsObject, bucket: str, base: str) -> dict[str, Any]:
    encoded = quote(obj.name, safe="")
    resource: dict[str, Any] = {
        "kind": "storage#object",
        "id": f"{bucket}/{obj.name}/{obj.generation}",
        "selfLink": f"{base}/storage/v1/b/{bucket}/o/{encoded}",
        "mediaLink": f"{base}/download/storage/v1/b/{bucket}/o/{encoded}?generation={obj.generation}&alt=media",
        "name": obj.name,
        "bucket": bucket,
        "generation": str(obj.generation),
        "metageneration": str(obj.metageneration),
        "contentType": obj.content_type or "application/octet-stream",
        "storageClass": "STANDARD",
        "size": str(obj.size),
        "md5Hash": obj.md5,
        "crc32c": obj.crc32c,
        "etag": _etag(obj),
        "timeCreated": iso_time(obj.created_at),
        "updated": iso_time(obj.updated_at),
        "timeStorageClassUpdated": iso_time(obj.created_at),
        **obj.headers,
    }
    if obj.metadata:
        resource["metadata"] = obj.metadata
    return resource


def _bucket_resource(info: dict[str, Any], base: str) -> dict[str, Any]:
    return {
        "kind": "storage#bucket",
        "id": info["name"],
        "selfLink": f"{base}/storage/v1/b/{info['name']}",
        "name": info["name"],
        "projectNumber": "0",
        "metageneration": str(info["metageneration"]),
        "location": "US",
        "storageClass": "STANDARD",
        "etag": base64.b64encode(str(info["metageneration"]).encode()).decode().rstrip("="),
        "timeCreated": iso_time(info["created_at"]),
        "updated": iso_time(info["updated_at"]),
        "versioning": {"enabled": bool(info["versioning"])},
        "labels": info["labels"],
    }


def build(context: CompatContext) -> GcsApp:
    """The Cloud Storage app of a compat server."""
    return GcsApp(context)
