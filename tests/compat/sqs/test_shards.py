"""Standard queues whose messages are spread over shard objects (`--queue-shards`): one queue to boto3."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import botocore.exceptions
import pytest

import dotdo.compat
from tests.compat.conftest import CompatServer, start_server, stop_server

SHARDS = 3


@pytest.fixture(scope="module")
def sqs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    server: CompatServer = start_server(
        tmp_path_factory.mktemp("compat-queue-shards"), ["sqs"], None, "--queue-shards", str(SHARDS)
    )
    yield dotdo.compat.sqs.client(server.url, access_key_id=server.key.access_key_id, secret=server.key.secret)
    stop_server(server)


def drain(sqs: Any, url: str, wanted: int) -> list[dict[str, Any]]:
    """Receive until `wanted` messages came (each receive asks the shards in turn)."""
    found: list[dict[str, Any]] = []
    for _ in range(4 * wanted):
        found += sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=60).get("Messages", [])
        if len(found) >= wanted:
            break
    return found


def test_messages_spread_over_the_shards_are_each_received_once_and_deleted(sqs: Any) -> None:
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    for i in range(6):
        sqs.send_message(QueueUrl=url, MessageBody=f"single {i}")
    entries = [{"Id": str(i), "MessageBody": f"batch {i}"} for i in range(10)]
    for _ in range(3):  # whole batches go to one shard each, in turn
        assert len(sqs.send_message_batch(QueueUrl=url, Entries=entries)["Successful"]) == 10
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    assert counts["Attributes"]["ApproximateNumberOfMessages"] == "36"
    received = drain(sqs, url, 36)
    assert len(received) == 36 and len({m["MessageId"] for m in received}) == 36
    assert {m["ReceiptHandle"].split(".")[0] for m in received} == {str(i) for i in range(SHARDS)}
    assert sqs.receive_message(QueueUrl=url).get("Messages", []) == []  # all in flight
    first, rest = received[0], received[1:]
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"], VisibilityTimeout=0)
    [again] = drain(sqs, url, 1)
    assert again["MessageId"] == first["MessageId"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=again["ReceiptHandle"])
    for start in range(0, len(rest), 10):
        batch = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(rest[start : start + 10])]
        assert len(sqs.delete_message_batch(QueueUrl=url, Entries=batch)["Successful"]) == len(batch)
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == attributes["ApproximateNumberOfMessagesNotVisible"] == "0"


@pytest.mark.parametrize("receipt", ["nonsense", "7." + "a" * 64, "0." + "a" * 63])
def test_receipts_not_naming_a_shard_are_refused(sqs: Any, receipt: str) -> None:
    url = sqs.create_queue(QueueName="receipts")["QueueUrl"]
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=receipt)
    assert raised.value.response["Error"]["Code"] == "ReceiptHandleIsInvalid"


def test_redrive_settings_reach_every_shard_and_purge_empties_them(sqs: Any) -> None:
    dead = sqs.create_queue(QueueName="dead")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=dead, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    url = sqs.create_queue(QueueName="work")["QueueUrl"]
    sqs.set_queue_attributes(
        QueueUrl=url, Attributes={"RedrivePolicy": f'{{"deadLetterTargetArn": "{arn}", "maxReceiveCount": "1"}}'}
    )
    for i in range(SHARDS):
        sqs.send_message(QueueUrl=url, MessageBody=f"poison {i}")
    for message in drain(sqs, url, SHARDS):
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
    assert drain(sqs, url, 1) == []  # over the limit in every shard: moved, not delivered
    assert sorted(m["Body"] for m in drain(sqs, dead, SHARDS)) == [f"poison {i}" for i in range(SHARDS)]
    for i in range(5):
        sqs.send_message(QueueUrl=url, MessageBody=f"later {i}")
    sqs.purge_queue(QueueUrl=url)
    assert (
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]["ApproximateNumberOfMessages"]
        == "0"
    )
    sqs.delete_queue(QueueUrl=url)
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.get_queue_url(QueueName="work")


def test_fifo_queues_stay_in_one_object_and_keep_their_order(sqs: Any) -> None:
    url = sqs.create_queue(QueueName="ordered.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    for i in range(5):
        sqs.send_message(QueueUrl=url, MessageBody=f"m{i}", MessageGroupId="g", MessageDeduplicationId=str(i))
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in got] == [f"m{i}" for i in range(5)]
    assert all("." not in m["ReceiptHandle"] for m in got)
