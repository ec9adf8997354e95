"""SQS through boto3 (JSON protocol) and signed form posts (query protocol) against `dotdo compat serve sqs`."""

from __future__ import annotations

import hashlib
import json
import threading
import time
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import urlencode

import botocore.exceptions
import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials as BotoCredentials

import dotdo.compat
from tests.compat.conftest import CompatServer


@pytest.fixture(scope="module")
def sqs(sqs_server: CompatServer) -> Any:
    return dotdo.compat.sqs.client(
        sqs_server.url, access_key_id=sqs_server.key.access_key_id, secret=sqs_server.key.secret
    )


def queue(sqs: Any, request: pytest.FixtureRequest, *, fifo: bool = False, **attributes: str) -> str:
    name = "q-" + hashlib.md5(request.node.name.encode()).hexdigest()[:10] + (".fifo" if fifo else "")
    if fifo:
        attributes["FifoQueue"] = "true"
    return sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]


def test_queues_are_created_found_listed_and_deleted(sqs: Any, request: pytest.FixtureRequest) -> None:
    url = queue(sqs, request)
    name = url.rsplit("/", 1)[1]
    assert sqs.get_queue_url(QueueName=name)["QueueUrl"] == url
    assert url in sqs.list_queues(QueueNamePrefix="q-")["QueueUrls"]
    assert sqs.create_queue(QueueName=name)["QueueUrl"] == url
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "99"})
    assert raised.value.response["Error"]["Code"] == "QueueAlreadyExists"  # the code AWS sends (query compat)
    sqs.delete_queue(QueueUrl=url)
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.get_queue_url(QueueName=name)


def test_send_receive_delete_with_attributes(sqs: Any, request: pytest.FixtureRequest) -> None:
    url = queue(sqs, request)
    sent = sqs.send_message(
        QueueUrl=url,
        MessageBody="hello",
        MessageAttributes={
            "kind": {"DataType": "String", "StringValue": "greeting"},
            "count": {"DataType": "Number", "StringValue": "3"},
            "raw": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
        },
    )
    assert sent["MD5OfMessageBody"] == hashlib.md5(b"hello").hexdigest()
    got = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"], MessageSystemAttributeNames=["All"])
    [message] = got["Messages"]
    assert message["Body"] == "hello" and message["MessageId"] == sent["MessageId"]
    assert message["MessageAttributes"]["raw"]["BinaryValue"] == b"\x00\x01"
    assert message["Attributes"]["ApproximateReceiveCount"] == "1"
    assert sqs.receive_message(QueueUrl=url).get("Messages", []) == []
    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == "0"
    assert attributes["ApproximateNumberOfMessagesNotVisible"] == "0"


def test_visibility_timeout_returns_unacknowledged_messages(sqs: Any, request: pytest.FixtureRequest) -> None:
    url = queue(sqs, request)
    sqs.send_message(QueueUrl=url, MessageBody="retry me")
    first = sqs.receive_message(QueueUrl=url, VisibilityTimeout=1)["Messages"][0]
    assert sqs.receive_message(QueueUrl=url).get("Messages", []) == []
    again = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=3)["Messages"][0]
    assert again["MessageId"] == first["MessageId"] and again["ReceiptHandle"] != first["ReceiptHandle"]
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=again["ReceiptHandle"], VisibilityTimeout=0)
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["MessageId"] == first["MessageId"]


def test_delay_and_long_polling(sqs: Any, request: pytest.FixtureRequest) -> None:
    url = queue(sqs, request)
    sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=1)
    assert sqs.receive_message(QueueUrl=url).get("Messages", []) == []
    assert sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5)["Messages"][0]["Body"] == "later"
    threading.Timer(0.5, lambda: sqs.send_message(QueueUrl=url, MessageBody="woken")).start()
    started = time.monotonic()
    got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10)
    assert got["Messages"][0]["Body"] == "woken"
    assert time.monotonic() - started < 9


def test_a_long_poll_does_not_hold_the_queue(sqs: Any, request: pytest.FixtureRequest) -> None:
    url = queue(sqs, request)
    results: list[Any] = []
    waiter = threading.Thread(target=lambda: results.append(sqs.receive_message(QueueUrl=url, WaitTimeSeconds=4)))
    waiter.start()
    time.sleep(0.3)
    started = time.monotonic()
    sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
    assert time.monotonic() - started < 2
    waiter.join()
    assert results == [{"ResponseMetadata": results[0]["ResponseMetadata"]}]


def test_batches_report_each_entry(sqs: Any, request: pytest.FixtureRequest) -> None:
    url = queue(sqs, request)
    sent = sqs.send_message_batch(
        QueueUrl=url,
        Entries=[
            {"Id": "a", "MessageBody": "one"},
            {"Id": "b", "MessageBody": "two"},
            {"Id": "c", "MessageBody": "bad", "DelaySeconds": 901},
        ],
    )
    assert sorted(s["Id"] for s in sent["Successful"]) == ["a", "b"]
    assert [f["Id"] for f in sent["Failed"]] == ["c"]
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    deleted = sqs.delete_message_batch(
        QueueUrl=url,
        Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)]
        + [{"Id": "junk", "ReceiptHandle": "not-a-receipt"}],
    )
    assert len(deleted["Successful"]) == 2 and deleted["Failed"][0]["Code"] == "ReceiptHandleIsInvalid"
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "x", "MessageBody": "1"}] * 2)
    assert raised.value.response["Error"]["Code"] == "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": "1"} for i in range(11)])
    assert raised.value.response["Error"]["Code"] == "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"


def test_dead_letter_queue_redrive(sqs: Any, request: pytest.FixtureRequest) -> None:
    dead = sqs.create_queue(QueueName="dlq-" + hashlib.md5(request.node.name.encode()).hexdigest()[:8])["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=dead, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    url = queue(sqs, request, RedrivePolicy=json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": 2}))
    sqs.send_message(QueueUrl=url, MessageBody="poison")
    for _ in range(2):
        message = sqs.receive_message(QueueUrl=url)["Messages"][0]
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
    assert sqs.receive_message(QueueUrl=url).get("Messages", []) == []
    moved = sqs.receive_message(QueueUrl=dead, WaitTimeSeconds=2)["Messages"]
    assert [m["Body"] for m in moved] == ["poison"]
    assert sqs.list_dead_letter_source_queues(QueueUrl=dead)["queueUrls"] == [url]


def test_fifo_order_groups_and_deduplication(sqs: Any, request: pytest.FixtureRequest) -> None:
    url = queue(sqs, request, fifo=True, ContentBasedDeduplication="true")
    for i in range(3):
        sqs.send_message(QueueUrl=url, MessageBody=f"a{i}", MessageGroupId="a")
    sqs.send_message(QueueUrl=url, MessageBody="b0", MessageGroupId="b")
    duplicate = sqs.send_message(QueueUrl=url, MessageBody="a0", MessageGroupId="a")
    assert duplicate["SequenceNumber"]
    first = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2)["Messages"]
    assert [m["Body"] for m in first] == ["a0", "a1"]
    second = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in second] == ["b0"]
    for message in first:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]] == ["a2"]
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        sqs.send_message(QueueUrl=url, MessageBody="no group")
    assert raised.value.response["Error"]["Code"] == "MissingParameter"


def test_purge_and_attributes(sqs: Any, request: pytest.FixtureRequest) -> None:
    url = queue(sqs, request, VisibilityTimeout="45")
    sqs.send_message(QueueUrl=url, MessageBody="x")
    sqs.purge_queue(QueueUrl=url)
    assert sqs.receive_message(QueueUrl=url).get("Messages", []) == []
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "5"})
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout", "DelaySeconds"])
    assert attributes["Attributes"] == {"VisibilityTimeout": "45", "DelaySeconds": "5"}
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "-1"})
    assert raised.value.response["Error"]["Code"] == "InvalidAttributeValue"


def test_tenants_and_bad_input(sqs_server: CompatServer, sqs: Any, request: pytest.FixtureRequest) -> None:
    url = queue(sqs, request)
    other_key = sqs_server.credentials().create("other", ["sqs"])
    other = dotdo.compat.sqs.client(sqs_server.url, access_key_id=other_key.access_key_id, secret=other_key.secret)
    with pytest.raises(other.exceptions.QueueDoesNotExist):
        other.send_message(QueueUrl=url, MessageBody="intrusion")
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        sqs.create_queue(QueueName="../etc/passwd")
    assert raised.value.response["Error"]["Code"] == "InvalidParameterValue"
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        sqs.send_message(QueueUrl=url, MessageBody="bad \x00 char")
    assert raised.value.response["Error"]["Code"] == "InvalidMessageContents"
    wrong = dotdo.compat.sqs.client(sqs_server.url, access_key_id=sqs_server.key.access_key_id, secret="y" * 40)
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        wrong.list_queues()
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    malformed = httpx.post(sqs_server.url, content=b"{not json", headers={"X-Amz-Target": "AmazonSQS.ListQueues"})
    assert malformed.status_code in (400, 403)


def signed_form(server: CompatServer, path: str, form: dict[str, str]) -> httpx.Response:
    body = urlencode(form)
    request = AWSRequest(
        method="POST",
        url=server.url + path,
        data=body.encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    SigV4Auth(BotoCredentials(server.key.access_key_id, server.key.secret), "sqs", "us-east-1").add_auth(request)
    return httpx.post(server.url + path, content=body.encode(), headers=dict(request.headers))


def test_the_query_protocol(sqs_server: CompatServer) -> None:
    xmlns = "{http://queue.amazonaws.com/doc/2012-11-05/}"
    created = signed_form(
        sqs_server,
        "/",
        {
            "Action": "CreateQueue",
            "QueueName": "query-q",
            "Version": "2012-11-05",
            "Attribute.1.Name": "VisibilityTimeout",
            "Attribute.1.Value": "40",
        },
    )
    assert created.status_code == 200, created.text
    url = ET.fromstring(created.content).find(f".//{xmlns}QueueUrl").text
    sent = signed_form(
        sqs_server,
        "/",
        {
            "Action": "SendMessage",
            "QueueUrl": url,
            "MessageBody": "via form",
            "MessageAttribute.1.Name": "k",
            "MessageAttribute.1.Value.DataType": "String",
            "MessageAttribute.1.Value.StringValue": "v",
        },
    )
    assert sent.status_code == 200, sent.text
    got = signed_form(sqs_server, "/", {"Action": "ReceiveMessage", "QueueUrl": url, "MessageAttributeName.1": "All"})
    root = ET.fromstring(got.content)
    assert root.find(f".//{xmlns}Body").text == "via form"
    assert root.find(f".//{xmlns}MessageAttribute/{xmlns}Value/{xmlns}StringValue").text == "v"
    missing = signed_form(sqs_server, "/", {"Action": "GetQueueUrl", "QueueName": "never-made"})
    assert missing.status_code == 400
    assert ET.fromstring(missing.content).find(f".//{xmlns}Code").text == "AWS.SimpleQueueService.NonExistentQueue"
