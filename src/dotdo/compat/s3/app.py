"""The S3 REST API as an ASGI app: authenticate (SigV4), route by method and subresource, answer S3's shapes.

Requests are path-style (`/bucket/key`); a key keeps every character S3 allows, including `..` and
`/` runs, because it never becomes a path of this machine: it is a row of the bucket's object.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING
from urllib.parse import unquote_to_bytes

from starlette.responses import Response

from ...primitives.blob_store import BlobStore
from ..aws_sigv4 import SignatureError, verify
from ..blob_references import GARBAGE_GRACE
from ..bucket_splits import SplitWatcher
from ..credentials import CredentialsError
from ..key_layout import DEFAULT_SPLIT_KEYS
from ..settings import non_negative
from ..sharding import check_shard_count
from . import bucket_operations as buckets
from . import object_operations as objects
from . import reshard_operations as reshards
from .account import S3Account
from .bucket import S3Bucket
from .cors import cors_headers, matching_rule
from .errors import S3Error
from .request import S3Request, header_dict, new_request_id, parse_query
from .sigv2 import is_v2, verify_v2

if TYPE_CHECKING:
    from starlette.types import Receive, Scope, Send

    from ..layer import CompatContext

log = logging.getLogger("dotdo.compat.s3")

Operation = Callable[[S3Request], Awaitable[Response]]
MAX_HEADER_BYTES = 16 * 1024
UNSUPPORTED_SUBRESOURCES = (
    "acl",
    "policy",
    "tagging",
    "lifecycle",
    "encryption",
    "replication",
    "website",
    "logging",
    "notification",
    "requestPayment",
    "object-lock",
    "retention",
    "legal-hold",
    "accelerate",
    "analytics",
    "inventory",
    "metrics",
    "ownershipControls",
    "publicAccessBlock",
    "intelligent-tiering",
    "torrent",
    "restore",
    "select",
    "attributes",
)


def route(request: S3Request) -> Operation:
    """The operation a request asks for; `NotImplemented` or `MethodNotAllowed` otherwise."""
    method = request.method
    for name in UNSUPPORTED_SUBRESOURCES:
        if request.has(name):
            raise S3Error("NotImplemented", f"the ?{name} subresource is not implemented by this S3 layer")
    if not request.bucket:
        if method == "GET":
            return buckets.list_buckets
        raise S3Error("MethodNotAllowed")
    if not request.key:
        return _bucket_route(request)
    if request.has("uploadId"):
        table: dict[str, Operation] = {
            "PUT": objects.upload_part,
            "GET": objects.list_parts,
            "POST": objects.complete_upload,
            "DELETE": objects.abort_upload,
        }
    elif method == "POST" and request.has("uploads"):
        return objects.create_upload
    else:
        table = {
            "PUT": objects.copy_object if "x-amz-copy-source" in request.headers else objects.put_object,
            "GET": objects.get_object,
            "HEAD": _head_object,
            "DELETE": objects.delete_object,
        }
    operation = table.get(method)
    if operation is None:
        raise S3Error("MethodNotAllowed")
    return operation


def _bucket_route(request: S3Request) -> Operation:
    method = request.method
    if request.has("reshard"):
        if method == "POST":
            return reshards.start_reshard
        if method == "GET":
            return reshards.reshard_status
        raise S3Error("MethodNotAllowed")
    if method == "GET":
        for name, operation in (
            ("versioning", buckets.get_versioning),
            ("cors", buckets.get_cors),
            ("location", buckets.get_location),
            ("uploads", buckets.list_uploads),
            ("versions", buckets.list_versions),
        ):
            if request.has(name):
                return operation
        return buckets.list_objects_v2 if request.query.get("list-type") == "2" else buckets.list_objects
    if method == "PUT":
        if request.has("versioning"):
            return buckets.put_versioning
        if request.has("cors"):
            return buckets.put_cors
        return buckets.create_bucket
    if method == "DELETE":
        return buckets.delete_cors if request.has("cors") else buckets.delete_bucket
    if method == "HEAD":
        return buckets.head_bucket
    if method == "POST" and request.has("delete"):
        return buckets.delete_objects
    raise S3Error("MethodNotAllowed")


async def _head_object(request: S3Request) -> Response:
    return await objects.get_object(request, head=True)


class S3App:
    """S3 on dotdo objects: one `S3Bucket` per bucket, one `S3Account` per tenant, bytes in the blob store."""

    def __init__(self, context: CompatContext) -> None:
        self.context = context
        self.blobs = BlobStore(context.folder / "blobs")
        self.bucket_shards = check_shard_count("bucket_shards", context.options.get("bucket_shards", 1))
        options = context.options
        self.split_keys = int(non_negative("bucket_split_keys", options.get("bucket_split_keys", DEFAULT_SPLIT_KEYS)))
        self.garbage_grace = non_negative("garbage_grace", context.options.get("garbage_grace", GARBAGE_GRACE))
        self.splits = SplitWatcher(self.split_keys, S3Error)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        request_id = new_request_id()
        headers = header_dict(scope)
        raw_path: bytes = scope.get("compat.raw_path") or scope.get("raw_path") or scope["path"].encode()
        inner: bytes = scope.get("raw_path") or scope["path"].encode()
        try:
            path, utf8 = unquote_to_bytes(inner.decode("latin-1")).decode("utf-8"), True
        except UnicodeDecodeError:
            path, utf8 = scope["path"], False
        bucket, _, key = path.lstrip("/").partition("/")
        request = S3Request(
            scope=scope,
            receive=receive,
            headers=headers,
            query=parse_query(scope.get("query_string", b"")),
            bucket=bucket,
            key=key,
            tenant="",
            signed=None,
            request_id=request_id,
            runtime=self.context.runtime,
            blobs=self.blobs,
            bucket_class=S3Bucket,
            account_class=S3Account,
            bucket_shards=self.bucket_shards,
            garbage_grace=self.garbage_grace,
        )
        try:
            if sum(len(n) + len(v) for n, v in scope["headers"]) > MAX_HEADER_BYTES:
                raise S3Error("RequestHeaderSectionTooLarge")
            if not utf8:
                raise S3Error("InvalidArgument", "bucket names and object keys must be valid UTF-8")
            if scope["method"] == "OPTIONS":
                response = await self._preflight(request)
            else:
                self._authenticate(request, raw_path.decode("latin-1"))
                response = await route(request)(request)
                await self._add_cors(request, response)
                if request.key and scope["method"] in ("PUT", "POST") and response.status_code < 300:
                    self.splits.count_write(f"{request.tenant}/{request.bucket}", request.bucket_stub())
        except S3Error as exc:
            if exc.bucket is None and exc.code in ("NoSuchBucket", "BucketNotEmpty"):
                exc.bucket = request.bucket
            response = request.error_response(exc)
        except Exception:
            log.exception("S3 %s %s failed", scope["method"], scope["path"])
            response = request.error_response(S3Error("InternalError"))
        await response(scope, receive, send)

    def _authenticate(self, request: S3Request, raw_path: str) -> None:
        credentials = self.context.credentials

        def secret_for(access_key_id: str) -> str | None:
            key = credentials.lookup(access_key_id)
            return None if key is None else key.secret

        try:
            if is_v2(request.headers, request.query):
                access_key_id = verify_v2(
                    method=request.method,
                    raw_path=raw_path,
                    query=request.query,
                    headers=request.headers,
                    secret_for=secret_for,
                )
                signed = None
            else:
                signed = verify(
                    method=request.method,
                    raw_path=raw_path,
                    query_string=request.scope.get("query_string", b"").decode("latin-1"),
                    headers=request.headers,
                    secret_for=secret_for,
                    service="s3",
                )
                access_key_id = signed.access_key_id
        except SignatureError as exc:
            raise S3Error(exc.code, exc.message) from None
        except CredentialsError as exc:
            raise S3Error("InvalidAccessKeyId", str(exc)) from None
        key = credentials.lookup(access_key_id)
        if key is None or not key.allows("s3"):
            raise S3Error("AccessDenied", "this access key may not use S3")
        request.signed = signed
        request.tenant = key.tenant

    async def _preflight(self, request: S3Request) -> Response:
        origin = request.headers.get("origin")
        method = request.headers.get("access-control-request-method")
        if not origin or not method or not request.bucket:
            raise S3Error("BadRequest", "Insufficient information. Origin request header needed.")
        requested = [
            h.strip() for h in request.headers.get("access-control-request-headers", "").split(",") if h.strip()
        ]
        rule = await self._cors_rule(request, origin, method, requested)
        if rule is None:
            raise S3Error("AccessDenied", "CORSResponse: This CORS request is not allowed.")
        return Response(
            b"",
            headers={
                **cors_headers(rule, origin, preflight=True, requested_headers=requested),
                "x-amz-request-id": request.request_id,
            },
        )

    async def _add_cors(self, request: S3Request, response: Response) -> None:
        origin = request.headers.get("origin")
        if not origin or not request.bucket:
            return
        rule = await self._cors_rule(request, origin, request.method, [])
        if rule is not None:
            response.headers.update(cors_headers(rule, origin, preflight=False, requested_headers=[]))

    async def _cors_rule(self, request: S3Request, origin: str, method: str, requested: list[str]) -> dict | None:
        # CORS rules are the bucket owner's: a preflight carries no signature, so rules are looked up by
        # bucket across tenants only through a signed request's tenant, else the default tenant's.
        if not request.tenant:
            request.tenant = "default"
        try:
            info = await request.bucket_stub().info()
        except S3Error:
            return None
        return matching_rule(info["cors"], origin, method, requested)


def build(context: CompatContext) -> S3App:
    """The S3 app of a compat server."""
    return S3App(context)
