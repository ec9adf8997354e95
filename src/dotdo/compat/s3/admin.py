"""Operator calls on a running S3 layer: reshard a bucket, and watch the reshard (signed with a tenant's key).

dotdo.compat.s3.reshard("photos", 8)                      # waits until the keys have moved
dotdo.compat.s3.reshard_status("photos")                  # {"shards": 8, "running": False, ...}
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import httpx

from ..credentials import client_key
from ..sharding import ReshardError, follow_reshard

_EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def _signed(
    method: str, endpoint_url: str, bucket: str, query: str, data_dir: str, key_id: str | None, secret: str | None
) -> httpx.Response:
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    access_key_id, secret_key = client_key(data_dir, key_id, secret)
    url = f"{endpoint_url.rstrip('/')}/{bucket}?{query}"
    request = AWSRequest(
        method=method,
        url=url,
        data=b"",
        headers={"x-amz-content-sha256": _EMPTY_SHA256},
    )
    S3SigV4Auth(Credentials(access_key_id, secret_key), "s3", "us-east-1").add_auth(request)
    response = httpx.request(method, url, headers=dict(request.headers.items()), content=b"", timeout=60)
    if response.status_code >= 300:
        raise ReshardError(_error_text(response))
    return response


def _error_text(response: httpx.Response) -> str:
    import xml.etree.ElementTree as ET

    try:
        root = ET.fromstring(response.content)
    except ET.ParseError:
        return f"HTTP {response.status_code}: {response.text[:200]}"
    return f"{root.findtext('Code')}: {root.findtext('Message')}"


def reshard_status(
    bucket: str,
    *,
    endpoint_url: str = "http://127.0.0.1:9000",
    data_dir: str = ".dotdo",
    access_key_id: str | None = None,
    secret: str | None = None,
) -> dict[str, Any]:
    """The bucket's shard count, and while a reshard runs: its source and target counts and keys moved."""
    return _signed("GET", endpoint_url, bucket, "reshard=", data_dir, access_key_id, secret).json()


def reshard(
    bucket: str,
    shards: int,
    *,
    endpoint_url: str = "http://127.0.0.1:9000",
    data_dir: str = ".dotdo",
    access_key_id: str | None = None,
    secret: str | None = None,
    wait: bool = True,
    on_progress: Callable[[dict[str, Any]], None] | None = None,
    poll: float = 0.2,
) -> dict[str, Any]:
    """Move a bucket's keys to `shards` shard objects (1: back into one) while the server keeps serving it.

    With `wait`, returns once the move is done (`on_progress(status)` is told along the way);
    `ReshardError` says why the server refused (bad count, unknown bucket, a reshard already running).
    """
    started = _signed("POST", endpoint_url, bucket, f"reshard=&shards={shards}", data_dir, access_key_id, secret).json()
    return follow_reshard(
        started,
        lambda: reshard_status(
            bucket, endpoint_url=endpoint_url, data_dir=data_dir, access_key_id=access_key_id, secret=secret
        ),
        wait=wait,
        on_progress=on_progress,
        poll=poll,
    )
