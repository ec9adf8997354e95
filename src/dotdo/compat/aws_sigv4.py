"""AWS Signature Version 4, checked on the server side: headers, presigned URLs and signed chunks.

Every AWS SDK signs its requests the same way: a canonical form of the request (method, path,
sorted query, the headers it chose to sign, the payload's sha256) is hashed and signed with a key
derived from the secret, the date, the region and the service. The server rebuilds the canonical
request from what it received and compares signatures, so a request altered in transit, signed with
another secret, too old, or replayed after its presigned URL expired is refused. The AWS layers (S3,
SQS) share this module; each turns `SignatureError` into its own error shape.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, quote, unquote

ALGORITHM = "AWS4-HMAC-SHA256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
STREAMING_PAYLOAD = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
STREAMING_UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
STREAMING_SIGNED_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
MAX_CLOCK_SKEW = timedelta(minutes=15)
MAX_PRESIGNED_EXPIRY = 7 * 24 * 3600
_AUTH_HEADER = re.compile(
    r"AWS4-HMAC-SHA256\s+Credential=(?P<credential>[^,\s]+)\s*,\s*SignedHeaders=(?P<signed>[^,\s]+)\s*,"
    r"\s*Signature=(?P<signature>[0-9a-f]{64})\s*$"
)
_SPACES = re.compile(r"\s+")

SecretLookup = Callable[[str], str | None]
"""The secret of an access key id, or None when there is no such key."""


class SignatureError(Exception):
    """A request whose signature cannot be accepted; `code` names the AWS error it maps to."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Credential:
    """The scope a request was signed for: `AKID/20261207/us-east-1/s3/aws4_request`."""

    access_key_id: str
    date: str
    region: str
    service: str

    @property
    def scope(self) -> str:
        """The credential scope string that goes into the string to sign."""
        return f"{self.date}/{self.region}/{self.service}/aws4_request"

    @classmethod
    def parse(cls, text: str) -> Credential:
        """Parse `AKID/date/region/service/aws4_request`; a malformed credential is refused."""
        parts = text.split("/")
        if len(parts) != 5 or parts[4] != "aws4_request" or not re.fullmatch(r"\d{8}", parts[1]):
            raise SignatureError("AuthorizationHeaderMalformed", f"malformed credential {text!r}")
        return cls(*parts[:4])


@dataclass(frozen=True)
class SignedRequest:
    """What a verified request was signed with: who, when, and how its payload is covered."""

    credential: Credential
    signature: str
    amz_date: str
    payload_hash: str
    signing_key: bytes
    presigned: bool

    @property
    def access_key_id(self) -> str:
        """The access key id that signed the request."""
        return self.credential.access_key_id


def signing_key(secret: str, credential: Credential) -> bytes:
    """The key derived from the secret for one day, region and service."""
    key = _hmac(f"AWS4{secret}".encode(), credential.date)
    for part in (credential.region, credential.service, "aws4_request"):
        key = _hmac(key, part)
    return key


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def _uri_encode(text: str, *, keep_slash: bool) -> str:
    return quote(text, safe="/-_.~" if keep_slash else "-_.~")


def canonical_path(raw_path: str, *, double_encode: bool) -> str:
    """The canonical URI: the path URI-encoded once (S3) or twice (every other service)."""
    encoded = _uri_encode(unquote(raw_path) or "/", keep_slash=True)
    return _uri_encode(encoded, keep_slash=True) if double_encode else encoded


def canonical_query(pairs: Iterable[tuple[str, str]]) -> str:
    """Query pairs URI-encoded, sorted by name then value, joined with `&`."""
    encoded = sorted((_uri_encode(k, keep_slash=False), _uri_encode(v, keep_slash=False)) for k, v in pairs)
    return "&".join(f"{k}={v}" for k, v in encoded)


def query_pairs(query_string: str) -> list[tuple[str, str]]:
    """The request's query as decoded (name, value) pairs, blank values kept."""
    return parse_qsl(query_string, keep_blank_values=True)


def canonical_request(
    method: str,
    path: str,
    query: Iterable[tuple[str, str]],
    headers: Mapping[str, str],
    signed_headers: list[str],
    payload_hash: str,
) -> str:
    """The canonical request of SigV4 (headers given lowercase-keyed)."""
    lines = [method, path, canonical_query(query)]
    for name in signed_headers:
        value = headers.get(name)
        if value is None:
            raise SignatureError("AccessDenied", f"signed header {name!r} is missing from the request")
        lines.append(f"{name}:{_SPACES.sub(' ', value.strip())}")
    return "\n".join([*lines, "", ";".join(signed_headers), payload_hash])


def string_to_sign(amz_date: str, credential: Credential, canonical: str) -> str:
    """The string the signature covers."""
    return "\n".join([ALGORITHM, amz_date, credential.scope, hashlib.sha256(canonical.encode()).hexdigest()])


def parse_amz_date(text: str) -> datetime:
    """`20261207T152530Z` as an aware datetime; anything else is refused."""
    try:
        return datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise SignatureError("AccessDenied", f"X-Amz-Date {text!r} is not a valid ISO 8601 basic date") from None


def verify(
    *,
    method: str,
    raw_path: str,
    query_string: str,
    headers: Mapping[str, str],
    secret_for: SecretLookup,
    service: str,
    body: bytes | None = None,
    now: datetime | None = None,
    double_encode_path: bool = False,
) -> SignedRequest:
    """Check a request's SigV4 signature (header or presigned URL); raise `SignatureError` otherwise.

    `headers` are keyed lowercase. S3 sends the payload's hash in `x-amz-content-sha256` and streams
    the body: when that hash is a hex digest, the caller checks the body against `payload_hash` as it
    reads it. Other services sign the hash of a body they do not send it with: pass `body`.
    """
    now = now or datetime.now(UTC)
    pairs = query_pairs(query_string)
    query = dict(pairs)
    if "X-Amz-Signature" in query or "X-Amz-Algorithm" in query:
        return _verify_presigned(method, raw_path, pairs, query, headers, secret_for, service, now, double_encode_path)
    authorization = headers.get("authorization")
    if authorization is None:
        raise SignatureError("AccessDenied", "the request is not signed: sign it with AWS Signature Version 4")
    if not authorization.startswith(ALGORITHM):
        raise SignatureError(
            "InvalidRequest", "only AWS4-HMAC-SHA256 (Signature Version 4) is supported; configure your SDK for it"
        )
    match = _AUTH_HEADER.match(authorization)
    if match is None:
        raise SignatureError("AuthorizationHeaderMalformed", "the Authorization header is malformed")
    credential = Credential.parse(match["credential"])
    _check_scope(credential, service)
    amz_date = headers.get("x-amz-date") or ""
    signed_at = parse_amz_date(amz_date)
    if abs(now - signed_at) > MAX_CLOCK_SKEW:
        raise SignatureError(
            "RequestTimeTooSkewed", "the difference between the request time and the server's time is too large"
        )
    if credential.date != amz_date[:8]:
        raise SignatureError("AuthorizationHeaderMalformed", "the credential date does not match X-Amz-Date")
    signed_headers = match["signed"].split(";")
    if "host" not in signed_headers:
        raise SignatureError("AccessDenied", "the host header must be signed")
    payload_hash = headers.get("x-amz-content-sha256")
    if payload_hash is None:
        if body is None:
            raise SignatureError("InvalidRequest", "missing required header for this request: x-amz-content-sha256")
        payload_hash = hashlib.sha256(body).hexdigest()
    key = _key_for(credential, secret_for)
    _compare(
        method,
        raw_path,
        pairs,
        headers,
        signed_headers,
        payload_hash,
        amz_date,
        credential,
        key,
        match["signature"],
        double_encode_path,
    )
    return SignedRequest(credential, match["signature"], amz_date, payload_hash, key, presigned=False)


def _verify_presigned(
    method: str,
    raw_path: str,
    pairs: list[tuple[str, str]],
    query: dict[str, str],
    headers: Mapping[str, str],
    secret_for: SecretLookup,
    service: str,
    now: datetime,
    double_encode_path: bool,
) -> SignedRequest:
    missing = [
        name
        for name in ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Signature")
        if name not in query
    ]
    if missing:
        raise SignatureError("AuthorizationQueryParametersError", f"presigned URL lacks {', '.join(missing)}")
    if query["X-Amz-Algorithm"] != ALGORITHM:
        raise SignatureError("AuthorizationQueryParametersError", "X-Amz-Algorithm must be AWS4-HMAC-SHA256")
    credential = Credential.parse(query["X-Amz-Credential"])
    _check_scope(credential, service)
    signed_at = parse_amz_date(query["X-Amz-Date"])
    try:
        expires = int(query.get("X-Amz-Expires", "3600"))
    except ValueError:
        raise SignatureError("AuthorizationQueryParametersError", "X-Amz-Expires must be a number") from None
    if not 0 < expires <= MAX_PRESIGNED_EXPIRY:
        raise SignatureError("AccessDenied", "X-Amz-Expires must be between 1 and 604800 seconds (7 days)")
    if now > signed_at + timedelta(seconds=expires):
        raise SignatureError("AccessDenied", "Request has expired")
    if signed_at - now > MAX_CLOCK_SKEW:
        raise SignatureError("AccessDenied", "Request is not valid yet")
    signed_headers = query["X-Amz-SignedHeaders"].split(";")
    signature = query["X-Amz-Signature"]
    unsigned = [(k, v) for k, v in pairs if k != "X-Amz-Signature"]
    key = _key_for(credential, secret_for)
    payload_hash = headers.get("x-amz-content-sha256") or UNSIGNED_PAYLOAD
    _compare(
        method,
        raw_path,
        unsigned,
        headers,
        signed_headers,
        payload_hash,
        query["X-Amz-Date"],
        credential,
        key,
        signature,
        double_encode_path,
    )
    return SignedRequest(credential, signature, query["X-Amz-Date"], payload_hash, key, presigned=True)


def _check_scope(credential: Credential, service: str) -> None:
    if credential.service != service:
        raise SignatureError(
            "AuthorizationHeaderMalformed", f"the credential is scoped to {credential.service!r}, not {service!r}"
        )


def _key_for(credential: Credential, secret_for: SecretLookup) -> bytes:
    secret = secret_for(credential.access_key_id)
    if secret is None:
        raise SignatureError("InvalidAccessKeyId", "the AWS access key id you provided does not exist in our records")
    return signing_key(secret, credential)


def _compare(
    method: str,
    raw_path: str,
    pairs: Iterable[tuple[str, str]],
    headers: Mapping[str, str],
    signed_headers: list[str],
    payload_hash: str,
    amz_date: str,
    credential: Credential,
    key: bytes,
    signature: str,
    double_encode_path: bool,
) -> None:
    canonical = canonical_request(
        method,
        canonical_path(raw_path, double_encode=double_encode_path),
        pairs,
        headers,
        signed_headers,
        payload_hash,
    )
    expected = hmac.new(key, string_to_sign(amz_date, credential, canonical).encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        raise SignatureError(
            "SignatureDoesNotMatch",
            "the request signature we calculated does not match the signature you provided; check your key and "
            "signing method",
        )


def chunk_signature(request: SignedRequest, previous: str, chunk: bytes) -> str:
    """The signature of one `aws-chunked` chunk, chained to the previous one (the seed is the header's)."""
    text = "\n".join(
        [
            "AWS4-HMAC-SHA256-PAYLOAD",
            request.amz_date,
            request.credential.scope,
            previous,
            EMPTY_SHA256,
            hashlib.sha256(chunk).hexdigest(),
        ]
    )
    return hmac.new(request.signing_key, text.encode(), hashlib.sha256).hexdigest()
