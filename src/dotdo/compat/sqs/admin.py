"""Operator calls on a running SQS layer: reshard a standard queue, and watch it (signed with a tenant's key).

    dotdo.compat.sqs.reshard("jobs", 4)                       # waits until dropped shards are drained
    dotdo.compat.sqs.reshard_status("jobs")                   # {"shards": 4, "running": False, ...}

They are dotdo's own JSON operations (`DotdoReshardQueue`, `DotdoGetReshardStatus`); AWS has none.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

from ..credentials import client_key
from ..sharding import ReshardError, follow_reshard


def _call(
    operation: str, params: dict[str, Any], endpoint_url: str, data_dir: str, key_id: str | None, secret: str | None
) -> dict[str, Any]:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    access_key_id, secret_key = client_key(data_dir, key_id, secret)
    body = json.dumps(params).encode()
    url = endpoint_url.rstrip("/") + "/"
    request = AWSRequest(
        method="POST",
        url=url,
        data=body,
        headers={"X-Amz-Target": f"AmazonSQS.{operation}", "Content-Type": "application/x-amz-json-1.0"},
    )
    SigV4Auth(Credentials(access_key_id, secret_key), "sqs", "us-east-1").add_auth(request)
    response = httpx.post(url, headers=dict(request.headers.items()), content=body, timeout=60)
    answer = response.json() if response.content else {}
    if response.status_code >= 300:
        kind = str(answer.get("__type", f"HTTP {response.status_code}")).rsplit("#", 1)[-1]
        raise ReshardError(f"{kind}: {answer.get('message', response.text[:200])}")
    return answer


def reshard_status(
    queue: str,
    *,
    endpoint_url: str = "http://127.0.0.1:9000",
    data_dir: str = ".dotdo",
    access_key_id: str | None = None,
    secret: str | None = None,
) -> dict[str, Any]:
    """The queue's shard count, and while a reshard runs: its target, messages moved, objects still draining."""
    return _call("DotdoGetReshardStatus", {"QueueName": queue}, endpoint_url, data_dir, access_key_id, secret)


def reshard(
    queue: str,
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
    """Spread a standard queue's messages over `shards` objects while the server keeps serving it.

    Sends switch to the new layout at once; with `wait`, returns once the objects it drops are drained
    (in-flight messages there stay until deleted or visible again). `ReshardError` says why the server
    refused (a FIFO queue, a bad count, an unknown queue, a reshard already running).
    """
    params = {"QueueName": queue, "Shards": shards}
    started = _call("DotdoReshardQueue", params, endpoint_url, data_dir, access_key_id, secret)
    return follow_reshard(
        started,
        lambda: reshard_status(
            queue, endpoint_url=endpoint_url, data_dir=data_dir, access_key_id=access_key_id, secret=secret
        ),
        wait=wait,
        on_progress=on_progress,
        poll=poll,
    )
