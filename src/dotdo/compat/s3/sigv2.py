"""S3's legacy Signature Version 2, which boto3 still uses for presigned URLs unless told `s3v4`.

`Authorization: AWS <key id>:<signature>` headers and `?AWSAccessKeyId=&Expires=&Signature=` URLs:
an HMAC-SHA1 over the method, two content headers, the date (or expiry), the `x-amz-*` headers
and the path with its S3 subresources.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable, Mapping
from email.utils import parsedate_to_datetime

from ..aws_sigv4 import MAX_CLOCK_SKEW, SignatureError

SUBRESOURCES = frozenset(
    {
        "acl",
        "cors",
        "delete",
        "lifecycle",
        "location",
        "logging",
        "notification",
        "partNumber",
        "policy",
        "requestPayment",
        "response-cache-control",
        "response-content-disposition",
        "response-content-encoding",
        "response-content-language",
        "response-content-type",
        "response-expires",
        "restore",
        "tagging",
        "torrent",
        "uploadId",
        "uploads",
        "versionId",
        "versioning",
        "versions",
        "website",
    }
)


def is_v2(headers: Mapping[str, str], query: Mapping[str, str]) -> bool:
    """Whether a request is signed with Signature Version 2."""
    return "AWSAccessKeyId" in query or headers.get("authorization", "").startswith("AWS ")


def verify_v2(
    *,
    method: str,
    raw_path: str,
    query: Mapping[str, str],
    headers: Mapping[str, str],
    secret_for: Callable[[str], str | None],
    now: float | None = None,
) -> str:
    """Check a SigV2 request; its access key id, or `SignatureError`."""
    now = time.time() if now is None else now
    if "AWSAccessKeyId" in query:
        key_id, signature, expires = query.get("AWSAccessKeyId", ""), query.get("Signature", ""), query.get("Expires")
        if not expires or not expires.isdigit():
            raise SignatureError("AccessDenied", "a presigned URL needs a numeric Expires")
        if now > int(expires):
            raise SignatureError("AccessDenied", "Request has expired")
        date_line = expires
    else:
        key_id, _, signature = headers["authorization"][4:].partition(":")
        stamp = headers.get("x-amz-date") or headers.get("date")
        if not stamp:
            raise SignatureError("AccessDenied", "AWS authentication requires a valid Date or x-amz-date header")
        try:
            signed_at = parsedate_to_datetime(stamp).timestamp()
        except (TypeError, ValueError):
            raise SignatureError(
                "AccessDenied", "AWS authentication requires a valid Date or x-amz-date header"
            ) from None
        if abs(now - signed_at) > MAX_CLOCK_SKEW.total_seconds():
            raise SignatureError(
                "RequestTimeTooSkewed", "the difference between the request time and the server's time is too large"
            )
        date_line = "" if "x-amz-date" in headers else headers.get("date", "")
    secret = secret_for(key_id)
    if secret is None:
        raise SignatureError("InvalidAccessKeyId", "the AWS access key id you provided does not exist in our records")
    amz = sorted((name, value.strip()) for name, value in headers.items() if name.startswith("x-amz-"))
    resource = raw_path + _subresources(query)
    text = "\n".join(
        [
            method,
            headers.get("content-md5", ""),
            headers.get("content-type", ""),
            date_line,
            *(f"{name}:{value}" for name, value in amz),
            resource,
        ]
    )
    expected = base64.b64encode(hmac.new(secret.encode(), text.encode(), hashlib.sha1).digest()).decode()
    if not hmac.compare_digest(expected, signature):
        raise SignatureError(
            "SignatureDoesNotMatch",
            "the request signature we calculated does not match the "
            "signature you provided; check your key and signing method",
        )
    return key_id


def _subresources(query: Mapping[str, str]) -> str:
    chosen = sorted(name for name in query if name in SUBRESOURCES)
    if not chosen:
        return ""
    return "?" + "&".join(f"{name}={query[name]}" if query[name] else name for name in chosen)
