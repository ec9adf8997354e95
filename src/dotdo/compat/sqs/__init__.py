"""SQS that boto3 cannot tell apart from the real one: JSON and query protocols, standard and FIFO queues.

dotdo compat serve sqs --port 9000
sqs = dotdo.compat.sqs.client()        # boto3, pointed at it with the data folder's default key
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..layer import Service
from .account import SqsAccount
from .admin import reshard, reshard_status
from .app import build
from .queue import SqsQueue

if TYPE_CHECKING:
    from starlette.types import Scope

OPERATIONS = frozenset(
    {
        "CreateQueue",
        "GetQueueUrl",
        "ListQueues",
        "DeleteQueue",
        "GetQueueAttributes",
        "SetQueueAttributes",
        "PurgeQueue",
        "SendMessage",
        "SendMessageBatch",
        "ReceiveMessage",
        "DeleteMessage",
        "DeleteMessageBatch",
        "ChangeMessageVisibility",
        "ChangeMessageVisibilityBatch",
        "ListDeadLetterSourceQueues",
    }
)


def claims(scope: Scope) -> bool:
    """SQS requests: the JSON protocol's target header, or a SigV4 credential scoped to `sqs`."""
    for name, value in scope["headers"]:
        if name == b"x-amz-target" and value.startswith(b"AmazonSQS."):
            return True
        if name == b"authorization" and b"/sqs/aws4_request" in value:
            return True
    return False


def client(
    endpoint_url: str = "http://127.0.0.1:9000",
    *,
    data_dir: str = ".dotdo",
    access_key_id: str | None = None,
    secret: str | None = None,
    **options: Any,
) -> Any:
    """A boto3 SQS client pointed at dotdo (the data folder's default key unless a key is given)."""
    import boto3

    from ..credentials import client_key

    access_key_id, secret = client_key(data_dir, access_key_id, secret)
    return boto3.client(
        "sqs",
        endpoint_url=endpoint_url,
        aws_access_key_id=access_key_id,
        aws_secret_access_key=secret,
        region_name=options.pop("region_name", "us-east-1"),
        **options,
    )


service = Service(
    name="sqs",
    title="Amazon SQS",
    operations=OPERATIONS,
    build=build,
    objects=(SqsQueue, SqsAccount),
    claims=claims,
    client=client,
)
"""The SQS layer as the registry lists it."""

__all__ = ["OPERATIONS", "SqsAccount", "SqsQueue", "client", "reshard", "reshard_status", "service"]
