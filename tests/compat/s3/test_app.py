"""S3 through boto3, the official SDK, against `dotdo compat serve s3` on 127.0.0.1."""

from __future__ import annotations

import base64
import hashlib
import time
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import botocore.exceptions
import httpx
import pytest
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials as BotoCredentials

import dotdo.compat
from dotdo.compat.aws_sigv4 import Credential, SignedRequest, chunk_signature, signing_key
from tests.compat.conftest import CompatServer, start_server, stop_server

MiB = 1024 * 1024


def client(server: CompatServer, *, key_id: str | None = None, secret: str | None = None, **config: Any) -> Any:
    return dotdo.compat.s3.client(
        server.url,
        access_key_id=key_id or server.key.access_key_id,
        secret=secret or server.key.secret,
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}, **config),
    )


def error_code(raised: pytest.ExceptionInfo[botocore.exceptions.ClientError]) -> str:
    return raised.value.response["Error"]["Code"]


@pytest.fixture(scope="module")
def s3(s3_server: CompatServer) -> Any:
    return client(s3_server)


@pytest.fixture
def bucket(s3: Any, request: pytest.FixtureRequest) -> str:
    name = "t-" + hashlib.md5(request.node.name.encode()).hexdigest()[:12]
    s3.create_bucket(Bucket=name)
    return name


def test_buckets_are_created_listed_and_deleted_when_empty(s3: Any) -> None:
    s3.create_bucket(Bucket="photos")
    assert "photos" in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    s3.head_bucket(Bucket="photos")
    s3.create_bucket(Bucket="photos")  # again: S3's us-east-1 answers 200 to the bucket's owner
    s3.put_object(Bucket="photos", Key="a", Body=b"1")
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        s3.delete_bucket(Bucket="photos")
    assert error_code(raised) == "BucketNotEmpty"
    s3.delete_object(Bucket="photos", Key="a")
    s3.delete_bucket(Bucket="photos")
    assert "photos" not in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        s3.list_objects_v2(Bucket="photos")
    assert error_code(raised) == "NoSuchBucket"


def test_objects_round_trip_with_metadata_and_content_headers(s3: Any, bucket: str) -> None:
    body = bytes(range(256)) * 100
    put = s3.put_object(
        Bucket=bucket,
        Key="dir/file.bin",
        Body=body,
        ContentType="application/x-test",
        Metadata={"owner": "alice"},
        CacheControl="max-age=60",
        ContentDisposition="inline",
    )
    assert put["ETag"] == f'"{hashlib.md5(body).hexdigest()}"'
    got = s3.get_object(Bucket=bucket, Key="dir/file.bin")
    assert got["Body"].read() == body
    assert got["ContentType"] == "application/x-test"
    assert got["Metadata"] == {"owner": "alice"}
    assert (got["CacheControl"], got["ContentDisposition"]) == ("max-age=60", "inline")
    head = s3.head_object(Bucket=bucket, Key="dir/file.bin")
    assert head["ContentLength"] == len(body) and head["ETag"] == put["ETag"]
    s3.delete_object(Bucket=bucket, Key="dir/file.bin")
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        s3.get_object(Bucket=bucket, Key="dir/file.bin")
    assert error_code(raised) == "NoSuchKey"


def test_ranges(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="r", Body=b"0123456789")
    assert s3.get_object(Bucket=bucket, Key="r", Range="bytes=2-4")["Body"].read() == b"234"
    assert s3.get_object(Bucket=bucket, Key="r", Range="bytes=7-")["Body"].read() == b"789"
    part = s3.get_object(Bucket=bucket, Key="r", Range="bytes=-3")
    assert part["Body"].read() == b"789" and part["ContentRange"] == "bytes 7-9/10"
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        s3.get_object(Bucket=bucket, Key="r", Range="bytes=20-30")
    assert error_code(raised) == "InvalidRange"


def test_conditional_reads_and_writes(s3: Any, bucket: str) -> None:
    etag = s3.put_object(Bucket=bucket, Key="c", Body=b"v1")["ETag"]
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        s3.get_object(Bucket=bucket, Key="c", IfMatch='"nope"')
    assert error_code(raised) == "PreconditionFailed"
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        s3.get_object(Bucket=bucket, Key="c", IfNoneMatch=etag)
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 304
    later = datetime.now(UTC) + timedelta(hours=1)
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        s3.get_object(Bucket=bucket, Key="c", IfModifiedSince=later)
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 304
    assert s3.get_object(Bucket=bucket, Key="c", IfMatch=etag)["Body"].read() == b"v1"
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        s3.put_object(Bucket=bucket, Key="c", Body=b"v2", IfNoneMatch="*")
    assert error_code(raised) == "PreconditionFailed"
    s3.put_object(Bucket=bucket, Key="fresh", Body=b"new", IfNoneMatch="*")
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        s3.put_object(Bucket=bucket, Key="c", Body=b"v2", IfMatch='"0000"')
    assert error_code(raised) == "PreconditionFailed"
    s3.put_object(Bucket=bucket, Key="c", Body=b"v2", IfMatch=etag)
    assert s3.get_object(Bucket=bucket, Key="c")["Body"].read() == b"v2"


def test_copy_within_and_across_buckets(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="src", Body=b"payload", Metadata={"a": "1"})
    s3.copy_object(Bucket=bucket, Key="same", CopySource={"Bucket": bucket, "Key": "src"})
    assert s3.get_object(Bucket=bucket, Key="same")["Metadata"] == {"a": "1"}
    s3.create_bucket(Bucket=f"{bucket}-other")
    s3.copy_object(
        Bucket=f"{bucket}-other",
        Key="copied",
        CopySource={"Bucket": bucket, "Key": "src"},
        MetadataDirective="REPLACE",
        Metadata={"b": "2"},
    )
    copied = s3.get_object(Bucket=f"{bucket}-other", Key="copied")
    assert copied["Body"].read() == b"payload" and copied["Metadata"] == {"b": "2"}
    s3.delete_object(Bucket=bucket, Key="src")
    assert s3.get_object(Bucket=bucket, Key="same")["Body"].read() == b"payload"
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        s3.copy_object(Bucket=bucket, Key="same", CopySource={"Bucket": bucket, "Key": "same"})
    assert error_code(raised) == "InvalidRequest"


def test_multipart_upload(s3: Any, bucket: str) -> None:
    upload = s3.create_multipart_upload(Bucket=bucket, Key="big", ContentType="video/mp4")["UploadId"]
    first, second = b"a" * (5 * MiB), b"b" * 1000
    etags = [
        s3.upload_part(Bucket=bucket, Key="big", UploadId=upload, PartNumber=n, Body=body)["ETag"]
        for n, body in ((1, first), (2, second))
    ]
    listed = s3.list_parts(Bucket=bucket, Key="big", UploadId=upload)["Parts"]
    assert [(p["PartNumber"], p["Size"]) for p in listed] == [(1, 5 * MiB), (2, 1000)]
    assert [u["UploadId"] for u in s3.list_multipart_uploads(Bucket=bucket)["Uploads"]] == [upload]
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        s3.complete_multipart_upload(
            Bucket=bucket,
            Key="big",
            UploadId=upload,
            MultipartUpload={"Parts": [{"PartNumber": 2, "ETag": etags[1]}, {"PartNumber": 1, "ETag": etags[0]}]},
        )
    assert error_code(raised) == "InvalidPartOrder"
    done = s3.complete_multipart_upload(
        Bucket=bucket,
        Key="big",
        UploadId=upload,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etags[0]}, {"PartNumber": 2, "ETag": etags[1]}]},
    )
    md5s = b"".join(hashlib.md5(p).digest() for p in (first, second))
    assert done["ETag"] == f'"{hashlib.md5(md5s).hexdigest()}-2"'
    got = s3.get_object(Bucket=bucket, Key="big", Range=f"bytes={5 * MiB - 2}-{5 * MiB + 1}")
    assert got["Body"].read() == b"aabb"
    assert s3.head_object(Bucket=bucket, Key="big")["ContentType"] == "video/mp4"
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def test_multipart_rules_and_abort(s3: Any, bucket: str) -> None:
    upload = s3.create_multipart_upload(Bucket=bucket, Key="small")["UploadId"]
    etags = [
        s3.upload_part(Bucket=bucket, Key="small", UploadId=upload, PartNumber=n, Body=b"x")["ETag"] for n in (1, 2)
    ]
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        s3.complete_multipart_upload(
            Bucket=bucket,
            Key="small",
            UploadId=upload,
            MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etags[0]}, {"PartNumber": 2, "ETag": etags[1]}]},
        )
    assert error_code(raised) == "EntityTooSmall"
    s3.abort_multipart_upload(Bucket=bucket, Key="small", UploadId=upload)
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        s3.list_parts(Bucket=bucket, Key="small", UploadId=upload)
    assert error_code(raised) == "NoSuchUpload"


def test_upload_part_copy(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="source", Body=b"0123456789")
    upload = s3.create_multipart_upload(Bucket=bucket, Key="assembled")["UploadId"]
    part = s3.upload_part_copy(
        Bucket=bucket,
        Key="assembled",
        UploadId=upload,
        PartNumber=1,
        CopySource={"Bucket": bucket, "Key": "source"},
        CopySourceRange="bytes=2-5",
    )
    s3.complete_multipart_upload(
        Bucket=bucket,
        Key="assembled",
        UploadId=upload,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["CopyPartResult"]["ETag"]}]},
    )
    assert s3.get_object(Bucket=bucket, Key="assembled")["Body"].read() == b"2345"


def test_listing_v1_and_v2_with_prefixes_and_pages(s3: Any, bucket: str) -> None:
    keys = ["a/1", "a/2", "a/b/3", "b", "c/4", "c/5", "d"]
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=b"")
    v2 = s3.list_objects_v2(Bucket=bucket, Delimiter="/")
    assert [o["Key"] for o in v2["Contents"]] == ["b", "d"]
    assert [p["Prefix"] for p in v2["CommonPrefixes"]] == ["a/", "c/"]
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="a/")["Contents"]] == ["a/1", "a/2", "a/b/3"]
    seen = [
        o["Key"]
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, PaginationConfig={"PageSize": 2})
        for o in page.get("Contents", [])
    ]
    assert seen == keys
    seen = [
        o["Key"]
        for page in s3.get_paginator("list_objects").paginate(Bucket=bucket, PaginationConfig={"PageSize": 3})
        for o in page.get("Contents", [])
    ]
    assert seen == keys
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, StartAfter="b")["Contents"]] == keys[4:]


def test_delete_objects_reports_each_key(s3: Any, bucket: str) -> None:
    for key in ("x", "y"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"1")
    result = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "x"}, {"Key": "y"}, {"Key": "absent"}]})
    assert sorted(d["Key"] for d in result["Deleted"]) == ["absent", "x", "y"]
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_versioning_keeps_every_version(s3: Any, bucket: str) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    first = s3.put_object(Bucket=bucket, Key="doc", Body=b"one")["VersionId"]
    second = s3.put_object(Bucket=bucket, Key="doc", Body=b"two")["VersionId"]
    assert s3.get_object(Bucket=bucket, Key="doc")["Body"].read() == b"two"
    assert s3.get_object(Bucket=bucket, Key="doc", VersionId=first)["Body"].read() == b"one"
    deleted = s3.delete_object(Bucket=bucket, Key="doc")
    assert deleted["DeleteMarker"] is True
    with pytest.raises(botocore.exceptions.ClientError):
        s3.get_object(Bucket=bucket, Key="doc")
    versions = s3.list_object_versions(Bucket=bucket)
    assert [v["VersionId"] for v in versions["Versions"]] == [second, first]
    assert len(versions["DeleteMarkers"]) == 1
    s3.delete_object(Bucket=bucket, Key="doc", VersionId=versions["DeleteMarkers"][0]["VersionId"])
    assert s3.get_object(Bucket=bucket, Key="doc")["Body"].read() == b"two"


def test_presigned_urls_v2_and_v4_and_their_expiry(s3_server: CompatServer, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="shared", Body=b"secret data")
    v4 = client(s3_server, signature_version="s3v4")
    for signer in (s3, v4):
        url = signer.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "shared"}, ExpiresIn=60)
        assert httpx.get(url).content == b"secret data"
        assert httpx.get(url.replace(bucket, bucket + "x", 1)).status_code == 403
    put_url = v4.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "uploaded"}, ExpiresIn=60)
    assert httpx.put(put_url, content=b"via url").status_code == 200
    assert s3.get_object(Bucket=bucket, Key="uploaded")["Body"].read() == b"via url"
    expired = v4.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "shared"}, ExpiresIn=1)
    time.sleep(2)
    answer = httpx.get(expired)
    assert answer.status_code == 403 and b"expired" in answer.content


def test_wrong_secret_and_unknown_key_are_refused(s3_server: CompatServer, bucket: str) -> None:
    wrong = client(s3_server, secret="x" * 40)
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        wrong.list_objects_v2(Bucket=bucket)
    assert error_code(raised) == "SignatureDoesNotMatch"
    unknown = client(s3_server, key_id="DOTDOAAAAAAAAAAAAAAA")
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        unknown.list_buckets()
    assert error_code(raised) == "InvalidAccessKeyId"
    assert httpx.get(f"{s3_server.url}/{bucket}").status_code == 403


def test_tenants_never_see_each_other(s3_server: CompatServer, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="private", Body=b"first tenant")
    other_key = s3_server.credentials().create("other", ["s3"])
    other = client(s3_server, key_id=other_key.access_key_id, secret=other_key.secret)
    assert bucket not in [b["Name"] for b in other.list_buckets()["Buckets"]]
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        other.get_object(Bucket=bucket, Key="private")
    assert error_code(raised) == "NoSuchBucket"
    other.create_bucket(Bucket=bucket)
    assert other.list_objects_v2(Bucket=bucket)["KeyCount"] == 0
    assert s3.get_object(Bucket=bucket, Key="private")["Body"].read() == b"first tenant"


def test_a_key_scoped_to_another_service_is_refused(s3_server: CompatServer) -> None:
    scoped = s3_server.credentials().create("default", ["sqs"])
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        client(s3_server, key_id=scoped.access_key_id, secret=scoped.secret).list_buckets()
    assert error_code(raised) == "AccessDenied"


def test_hostile_names_and_bodies_get_s3_errors(s3: Any, bucket: str) -> None:
    for name in ("a..b", "UPPER", "ab", "-lead", "192.168.1.1"):
        with pytest.raises((botocore.exceptions.ClientError, botocore.exceptions.ParamValidationError)):
            s3.create_bucket(Bucket=name)
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        s3.put_object(Bucket=bucket, Key="k" * 2048, Body=b"")
    assert error_code(raised) == "KeyTooLongError"
    s3.put_object(Bucket=bucket, Key="../../etc/passwd", Body=b"just a key")
    assert s3.get_object(Bucket=bucket, Key="../../etc/passwd")["Body"].read() == b"just a key"
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        s3.head_object(Bucket=bucket, Key="../../etc/hostname")
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_malformed_xml_is_malformed_xml(s3: Any, bucket: str) -> None:
    def corrupt(request: Any, **_: Any) -> None:
        request.data = b"<Delete><Object><Key>x</Key>"
        for name in [n for n in request.headers if n.lower().startswith(("content-md5", "x-amz-checksum"))]:
            del request.headers[name]

    s3.meta.events.register_first("before-sign.s3.DeleteObjects", corrupt)
    try:
        with pytest.raises(botocore.exceptions.ClientError) as raised:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "x"}]})
    finally:
        s3.meta.events.unregister("before-sign.s3.DeleteObjects", corrupt)
    assert error_code(raised) == "MalformedXML"


def test_unimplemented_operations_answer_not_implemented(s3: Any, bucket: str) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        s3.get_bucket_policy(Bucket=bucket)
    assert error_code(raised) == "NotImplemented"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501


def test_cors_configuration_and_preflight(s3_server: CompatServer, s3: Any, bucket: str) -> None:
    s3.put_bucket_cors(
        Bucket=bucket,
        CORSConfiguration={
            "CORSRules": [
                {
                    "AllowedOrigins": ["https://app.example"],
                    "AllowedMethods": ["GET", "PUT"],
                    "AllowedHeaders": ["*"],
                    "MaxAgeSeconds": 300,
                }
            ]
        },
    )
    assert s3.get_bucket_cors(Bucket=bucket)["CORSRules"][0]["AllowedMethods"] == ["GET", "PUT"]
    allowed = httpx.options(
        f"{s3_server.url}/{bucket}/k", headers={"Origin": "https://app.example", "Access-Control-Request-Method": "PUT"}
    )
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://app.example"
    refused = httpx.options(
        f"{s3_server.url}/{bucket}/k",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "PUT"},
    )
    assert refused.status_code == 403
    s3.delete_bucket_cors(Bucket=bucket)
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        s3.get_bucket_cors(Bucket=bucket)
    assert error_code(raised) == "NoSuchCORSConfiguration"


def test_obstore_as_a_client(s3_server: CompatServer, s3: Any, bucket: str) -> None:
    import obstore
    from obstore.store import S3Store

    store = S3Store(
        bucket,
        endpoint=s3_server.url,
        access_key_id=s3_server.key.access_key_id,
        secret_access_key=s3_server.key.secret,
        region="us-east-1",
        client_options={"allow_http": True},
        virtual_hosted_style_request=False,
    )
    obstore.put(store, "docs/a.txt", b"from obstore")
    big = bytes(range(256)) * (12 * MiB // 256)
    obstore.put(store, "docs/big.bin", big, chunk_size=5 * MiB)
    assert bytes(obstore.get(store, "docs/a.txt").bytes()) == b"from obstore"
    assert bytes(obstore.get_range(store, "docs/big.bin", start=MiB, end=MiB + 10)) == big[MiB : MiB + 10]
    listed = sorted(meta["path"] for batch in obstore.list(store, prefix="docs/") for meta in batch)
    assert listed == ["docs/a.txt", "docs/big.bin"]
    obstore.put(store, "docs/a.txt", b"second", mode="overwrite")
    with pytest.raises(Exception, match=r"(?i)already exists|precondition"):
        obstore.put(store, "docs/a.txt", b"third", mode="create")
    obstore.delete(store, "docs/a.txt")
    assert s3.head_object(Bucket=bucket, Key="docs/big.bin")["ContentLength"] == len(big)


class StreamingAuth(S3SigV4Auth):
    """botocore's own SigV4 signing of a request whose payload follows in signed (or unsigned) chunks."""

    def __init__(self, credentials: Any, payload: str) -> None:
        super().__init__(credentials, "s3", "us-east-1")
        self.streaming_payload = payload

    def payload(self, request: Any) -> str:
        return self.streaming_payload

    def _modify_request_before_signing(self, request: Any) -> None:
        super()._modify_request_before_signing(request)
        request.headers.replace_header("X-Amz-Content-SHA256", self.streaming_payload)


def chunked_put(
    server: CompatServer,
    url: str,
    chunks: list[bytes],
    *,
    payload: str,
    tamper: bool = False,
    trailer: str | None = None,
) -> httpx.Response:
    headers = {
        "Content-Encoding": "aws-chunked",
        "x-amz-decoded-content-length": str(sum(map(len, chunks))),
        "x-amz-content-sha256": payload,
    }
    if trailer:
        headers["x-amz-trailer"] = "x-amz-checksum-crc32"
    request = AWSRequest(method="PUT", url=url, headers=headers)
    StreamingAuth(BotoCredentials(server.key.access_key_id, server.key.secret), payload).add_auth(request)
    signed = dict(request.headers)
    seed = signed["Authorization"].rsplit("Signature=", 1)[1]
    credential = Credential(server.key.access_key_id, signed["X-Amz-Date"][:8], "us-east-1", "s3")
    signer = SignedRequest(
        credential,
        seed,
        signed["X-Amz-Date"],
        payload,
        signing_key(server.key.secret or "", credential),
        presigned=False,
    )
    body, previous = b"", seed
    for chunk in [*chunks, b""]:
        if payload == "STREAMING-UNSIGNED-PAYLOAD-TRAILER":
            body += f"{len(chunk):x}\r\n".encode() + chunk + (b"\r\n" if chunk else b"")
            continue
        previous = chunk_signature(signer, previous, chunk)
        sent = chunk[:-1] + b"!" if tamper and chunk else chunk
        body += f"{len(chunk):x};chunk-signature={previous}\r\n".encode() + sent + b"\r\n"
    if trailer:
        body += f"x-amz-checksum-crc32:{trailer}\r\n\r\n".encode()
    return httpx.put(url, content=body, headers=signed)


def test_aws_chunked_uploads_with_signed_chunks_and_trailing_checksums(
    s3_server: CompatServer, s3: Any, bucket: str
) -> None:
    chunks = [b"a" * 65536, b"b" * 1024]
    url = f"{s3_server.url}/{bucket}/streamed"
    answer = chunked_put(s3_server, url, chunks, payload="STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
    assert answer.status_code == 200, answer.text
    got = s3.get_object(Bucket=bucket, Key="streamed")
    assert got["Body"].read() == b"".join(chunks) and "ContentEncoding" not in got
    tampered = chunked_put(s3_server, f"{url}-2", chunks, payload="STREAMING-AWS4-HMAC-SHA256-PAYLOAD", tamper=True)
    assert tampered.status_code == 403 and b"SignatureDoesNotMatch" in tampered.content
    with pytest.raises(botocore.exceptions.ClientError):
        s3.head_object(Bucket=bucket, Key="streamed-2")
    crc = base64.b64encode(zlib.crc32(b"".join(chunks)).to_bytes(4, "big")).decode()
    trailed = chunked_put(s3_server, f"{url}-3", chunks, payload="STREAMING-UNSIGNED-PAYLOAD-TRAILER", trailer=crc)
    assert trailed.status_code == 200, trailed.text
    assert s3.get_object(Bucket=bucket, Key="streamed-3")["Body"].read() == b"".join(chunks)
    wrong = chunked_put(s3_server, f"{url}-4", chunks, payload="STREAMING-UNSIGNED-PAYLOAD-TRAILER", trailer="AAAAAA==")
    assert wrong.status_code == 400 and b"BadDigest" in wrong.content


def test_a_served_bucket_sweeps_the_blobs_of_overwritten_and_deleted_objects_from_disk(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    server = start_server(tmp_path_factory.mktemp("sweep"), ["s3"], None, "--garbage-grace", "0.2")
    try:
        s3 = dotdo.compat.s3.client(server.url, access_key_id=server.key.access_key_id, secret=server.key.secret)
        s3.create_bucket(Bucket="sweep")
        large = {name: name.encode() * 70_000 for name in ("first", "second", "kept")}
        s3.put_object(Bucket="sweep", Key="photo", Body=large["first"])
        first = blob_files(server, large["first"])
        s3.put_object(Bucket="sweep", Key="photo", Body=large["second"])  # overwrites: "first" is unused
        second = blob_files(server, large["second"])
        s3.put_object(Bucket="sweep", Key="other", Body=large["kept"])
        kept = blob_files(server, large["kept"])
        s3.delete_object(Bucket="sweep", Key="photo")  # "second" is unused too
        assert len(first) == len(second) == len(kept) == 1
        deadline = time.monotonic() + 10
        while (first[0].exists() or second[0].exists()) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not first[0].exists() and not second[0].exists()
        assert kept[0].exists()
        assert s3.get_object(Bucket="sweep", Key="other")["Body"].read() == large["kept"]
    finally:
        stop_server(server)


def blob_files(server: CompatServer, body: bytes) -> list[Path]:
    """The files of the blob store holding `body` (in any bucket's namespace)."""
    sha = hashlib.sha256(body).hexdigest()
    return sorted((server.data_dir / "compat" / "s3" / "blobs").glob(f"*/{sha[:2]}/{sha}"))
