"""One S3 request as the operations see it: who signed it, which bucket and key, its query, its objects."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from starlette.responses import Response

from ...primitives.blob_store import BlobStore
from .errors import S3Error

if TYPE_CHECKING:
    from starlette.types import Receive, Scope

    from ...runtime.runtime import Runtime
    from ...runtime.stub import Stub
    from ..aws_sigv4 import SignedRequest

_BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_IP_ADDRESS = re.compile(r"\d+\.\d+\.\d+\.\d+")
MAX_KEY_BYTES = 1024


def check_bucket_name(name: str) -> str:
    """`name` if S3 would accept it as a bucket name; `InvalidBucketName` otherwise."""
    if not _BUCKET_NAME.fullmatch(name) or ".." in name or _IP_ADDRESS.fullmatch(name) or ".-" in name or "-." in name:
        raise S3Error(
            "InvalidBucketName",
            "bucket names are 3-63 lowercase letters, digits, dots and dashes, start and end with a letter or digit",
            bucket=name,
        )
    return name


def check_key(key: str) -> str:
    """`key` if S3 would store it: valid UTF-8 of at most 1,024 bytes, no NUL."""
    try:
        key.encode("utf-8")
    except UnicodeEncodeError:
        raise S3Error("InvalidArgument", "object keys must be valid UTF-8") from None
    if len(key.encode("utf-8", "surrogatepass")) > MAX_KEY_BYTES:
        raise S3Error("KeyTooLongError", key=key[:64] + "...")
    if "\x00" in key:
        raise S3Error("InvalidArgument", "object keys cannot contain NUL characters")
    return key


def new_request_id() -> str:
    """A request id in the shape S3 gives them."""
    return uuid.uuid4().hex[:16].upper()


@dataclass
class S3Request:
    """The request, its signer's tenant, the bucket and key it names, and the stubs to reach them."""

    scope: Scope
    receive: Receive
    headers: dict[str, str]
    query: dict[str, str]
    bucket: str
    key: str
    tenant: str
    signed: SignedRequest | None
    request_id: str
    runtime: Runtime
    blobs: BlobStore
    bucket_class: type
    account_class: type
    bucket_shards: int = 1
    """Over how many objects a bucket this request creates spreads its keys."""
    garbage_grace: float = 3600.0
    """Seconds a bucket this request creates keeps an unreferenced blob before its sweep deletes it."""

    @property
    def method(self) -> str:
        """The HTTP method."""
        return self.scope["method"]

    @property
    def resource(self) -> str:
        """What an error names as its resource: `/bucket/key`."""
        return "/" + "/".join(part for part in (self.bucket, self.key) if part)

    def bucket_stub(self, bucket: str | None = None) -> Stub:
        """The object of a bucket of this tenant (this request's by default)."""
        return self.runtime.get(self.bucket_class, f"{self.tenant}/{bucket or self.bucket}")

    def account_stub(self) -> Stub:
        """The object holding this tenant's bucket list."""
        return self.runtime.get(self.account_class, self.tenant)

    def has(self, name: str) -> bool:
        """Whether the query names subresource `name` (`?uploads`, `?versioning`…)."""
        return name in self.query

    def int_query(self, name: str, default: int, *, low: int = 0, high: int = 1000) -> int:
        """An integer query parameter within [low, high] (clamped above, refused below or malformed)."""
        value = self.query.get(name)
        if value is None or value == "":
            return default
        try:
            number = int(value)
        except ValueError:
            raise S3Error("InvalidArgument", f"{name} must be an integer") from None
        if number < low:
            raise S3Error("InvalidArgument", f"{name} must be at least {low}")
        return min(number, high)

    def metadata(self) -> dict[str, str]:
        """The `x-amz-meta-*` headers, names lowercased without the prefix."""
        return {
            name[len("x-amz-meta-") :]: value for name, value in self.headers.items() if name.startswith("x-amz-meta-")
        }

    def error_response(self, error: S3Error) -> Response:
        """`error` as S3 answers it (no body for HEAD)."""
        body = b"" if self.method == "HEAD" else error.to_xml(resource=self.resource, request_id=self.request_id)
        return Response(
            body,
            status_code=error.status,
            media_type="application/xml",
            headers={"x-amz-request-id": self.request_id, **error.headers},
        )


def parse_query(query_string: bytes) -> dict[str, str]:
    """The query string's parameters (the last value of a repeated name wins)."""
    return dict(parse_qsl(query_string.decode("latin-1"), keep_blank_values=True))


def header_dict(scope: Scope) -> dict[str, Any]:
    """Request headers, lowercase names, repeated headers joined with commas."""
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope["headers"]:
        name = raw_name.decode("latin-1").lower()
        value = raw_value.decode("latin-1")
        headers[name] = f"{headers[name]},{value}" if name in headers else value
    return headers
