"""SigV4 checked the way AWS checks it, against requests signed by botocore itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials as BotoCredentials

from dotdo.compat.aws_sigv4 import Credential, SignatureError, SignedRequest, chunk_signature, signing_key, verify

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def secret_for(key_id: str) -> str | None:
    return SECRET if key_id == "AKIDEXAMPLE" else None


def signed(url: str, *, method: str = "GET", query: bool = False, expires: int = 60) -> AWSRequest:
    request = AWSRequest(
        method=method, url=url, headers={"x-amz-content-sha256": "UNSIGNED-PAYLOAD"} if not query else {}
    )
    creds = BotoCredentials("AKIDEXAMPLE", SECRET)
    if query:
        S3SigV4QueryAuth(creds, "s3", "us-east-1", expires=expires).add_auth(request)
    else:
        S3SigV4Auth(creds, "s3", "us-east-1").add_auth(request)
    return request


def check(request: AWSRequest, *, now: datetime | None = None, url: str | None = None):
    parts = urlsplit(url or request.url)
    headers = {k.lower(): v for k, v in request.headers.items()}
    headers["host"] = parts.netloc
    return verify(
        method=request.method,
        raw_path=parts.path,
        query_string=parts.query,
        headers=headers,
        secret_for=secret_for,
        service="s3",
        now=now,
    )


def test_a_header_signed_request_verifies() -> None:
    request = signed("http://127.0.0.1:9000/bucket/some%20key/with~odd%2Bchars?list-type=2&prefix=a%2Fb")
    assert check(request).access_key_id == "AKIDEXAMPLE"


def test_a_tampered_request_is_refused() -> None:
    request = signed("http://127.0.0.1:9000/bucket/key")
    with pytest.raises(SignatureError) as raised:
        check(request, url="http://127.0.0.1:9000/bucket/other")
    assert raised.value.code == "SignatureDoesNotMatch"


def test_an_unknown_key_and_an_unsigned_request_are_refused() -> None:
    request = signed("http://127.0.0.1:9000/bucket/key")
    request.headers["Authorization"] = request.headers["Authorization"].replace("AKIDEXAMPLE", "AKIDOTHER")
    with pytest.raises(SignatureError) as raised:
        check(request)
    assert raised.value.code == "InvalidAccessKeyId"
    with pytest.raises(SignatureError) as raised:
        verify(method="GET", raw_path="/b", query_string="", headers={}, secret_for=secret_for, service="s3")
    assert raised.value.code == "AccessDenied"


def test_a_skewed_clock_is_refused() -> None:
    request = signed("http://127.0.0.1:9000/bucket/key")
    with pytest.raises(SignatureError) as raised:
        check(request, now=datetime.now(UTC) + timedelta(minutes=16))
    assert raised.value.code == "RequestTimeTooSkewed"


def test_presigned_urls_verify_until_they_expire() -> None:
    request = signed("http://127.0.0.1:9000/bucket/key", query=True, expires=60)
    assert check(request).presigned
    with pytest.raises(SignatureError, match="expired"):
        check(request, now=datetime.now(UTC) + timedelta(seconds=61))


def test_a_credential_for_another_service_is_refused() -> None:
    request = AWSRequest(method="GET", url="http://127.0.0.1:9000/b/k", headers={"x-amz-content-sha256": "x"})
    S3SigV4Auth(BotoCredentials("AKIDEXAMPLE", SECRET), "sqs", "us-east-1").add_auth(request)
    with pytest.raises(SignatureError) as raised:
        check(request)
    assert raised.value.code == "AuthorizationHeaderMalformed"


def test_chunk_signatures_match_the_example_aws_publishes() -> None:
    # "Signature Calculations for the Authorization Header: Transferring Payload in Multiple Chunks"
    # in the Amazon S3 API reference: 65 KiB of 'a' and 1 KiB of 'a', then the final empty chunk.
    credential = Credential("AKIAIOSFODNN7EXAMPLE", "20130524", "us-east-1", "s3")
    seed = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
    request = SignedRequest(
        credential,
        seed,
        "20130524T000000Z",
        "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
        signing_key(SECRET, credential),
        presigned=False,
    )
    first = chunk_signature(request, seed, b"a" * 65536)
    assert first == "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648"
    second = chunk_signature(request, first, b"a" * 1024)
    assert second == "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497"
    assert chunk_signature(request, second, b"") == "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"
