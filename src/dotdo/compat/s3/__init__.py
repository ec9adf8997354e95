"""S3 that boto3, s3fs, obstore and the `aws` CLI cannot tell apart from the real one (path-style).

dotdo compat serve s3 --port 9000
s3 = dotdo.compat.s3.client()          # boto3, pointed at it with the data folder's default key
"""

from __future__ import annotations

from typing import Any

from ..layer import Service
from .account import S3Account
from .admin import ReshardError, reshard, reshard_status
from .app import build
from .bucket import S3Bucket

OPERATIONS = frozenset(
    {
        "ListBuckets",
        "CreateBucket",
        "HeadBucket",
        "DeleteBucket",
        "GetBucketLocation",
        "GetBucketVersioning",
        "PutBucketVersioning",
        "GetBucketCors",
        "PutBucketCors",
        "DeleteBucketCors",
        "ListObjects",
        "ListObjectsV2",
        "ListObjectVersions",
        "ListMultipartUploads",
        "DeleteObjects",
        "PutObject",
        "GetObject",
        "HeadObject",
        "DeleteObject",
        "CopyObject",
        "CreateMultipartUpload",
        "UploadPart",
        "UploadPartCopy",
        "ListParts",
        "CompleteMultipartUpload",
        "AbortMultipartUpload",
    }
)


def client(
    endpoint_url: str = "http://127.0.0.1:9000",
    *,
    data_dir: str = ".dotdo",
    access_key_id: str | None = None,
    secret: str | None = None,
    **options: Any,
) -> Any:
    """A boto3 S3 client pointed at dotdo (the data folder's default key unless a key is given)."""
    import boto3
    from botocore.config import Config

    from ..credentials import client_key

    access_key_id, secret = client_key(data_dir, access_key_id, secret)
    config = options.pop("config", None) or Config(s3={"addressing_style": "path"}, retries={"max_attempts": 2})
    return boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        aws_access_key_id=access_key_id,
        aws_secret_access_key=secret,
        region_name=options.pop("region_name", "us-east-1"),
        config=config,
        **options,
    )


service = Service(
    name="s3",
    title="Amazon S3",
    operations=OPERATIONS,
    build=build,
    objects=(S3Bucket, S3Account),
    claims=lambda scope: True,
    client=client,
    catch_all=True,
)
"""The S3 layer as the registry lists it."""

__all__ = ["OPERATIONS", "ReshardError", "S3Account", "S3Bucket", "client", "reshard", "reshard_status", "service"]
