"""Resharding a standard queue while it serves: sends switch at once, dropped shards drain, receipts handed out
before the reshard keep working, and no message is delivered twice or lost."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import dotdo.compat
from dotdo.cli import cli
from dotdo.compat.sharding import ReshardError
from tests.compat.conftest import CompatServer, start_server, stop_server

runner = CliRunner()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CompatServer]:
    running = start_server(tmp_path_factory.mktemp("queue-reshard"), ["sqs"], None, "--queue-split-messages", "0")
    yield running
    stop_server(running)


@pytest.fixture(scope="module")
def sqs(server: CompatServer) -> Any:
    return dotdo.compat.sqs.client(server.url, access_key_id=server.key.access_key_id, secret=server.key.secret)


def reshard(server: CompatServer, queue: str, shards: Any, *, wait: bool = True) -> dict[str, Any]:
    return dotdo.compat.sqs.reshard(
        queue,
        shards,
        endpoint_url=server.url,
        access_key_id=server.key.access_key_id,
        secret=server.key.secret,
        wait=wait,
        poll=0.05,
    )


def status(server: CompatServer, queue: str) -> dict[str, Any]:
    return dotdo.compat.sqs.reshard_status(
        queue, endpoint_url=server.url, access_key_id=server.key.access_key_id, secret=server.key.secret
    )


def wait_until_done(server: CompatServer, queue: str) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    found = status(server, queue)
    while found["running"] and time.monotonic() < deadline:
        time.sleep(0.05)
        found = status(server, queue)
    return found


def receive_all(sqs: Any, url: str) -> list[dict[str, Any]]:
    """Receive (hiding each for a minute) until a few receives in a row find nothing."""
    found: list[dict[str, Any]] = []
    empty = 0
    while empty < 3:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=60).get("Messages", [])
        found += got
        empty = 0 if got else empty + 1
    return found


def send(sqs: Any, url: str, bodies: list[str]) -> set[str]:
    ids = set()
    for start in range(0, len(bodies), 10):
        entries = [{"Id": str(i), "MessageBody": body} for i, body in enumerate(bodies[start : start + 10])]
        ids |= {entry["MessageId"] for entry in sqs.send_message_batch(QueueUrl=url, Entries=entries)["Successful"]}
    return ids


@pytest.mark.parametrize(("first", "then"), [(3, 1), (2, 5)])
def test_a_queue_resharded_with_messages_in_flight_delivers_each_message_once(
    server: CompatServer, sqs: Any, first: int, then: int
) -> None:
    name = f"jobs-{first}-{then}"
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sent = send(sqs, url, [f"before {i}" for i in range(60)])
    for count in (first, then):
        in_flight = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=60)["Messages"]
        assert reshard(server, name, count, wait=False)["running"]
        sent |= send(sqs, url, [f"during {count} {i}" for i in range(20)])
        # Receipts handed out before the reshard keep working while their shard drains.
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=in_flight[0]["ReceiptHandle"], VisibilityTimeout=120)
        for message in in_flight:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        sent -= {message["MessageId"] for message in in_flight}
        done = wait_until_done(server, name)
        assert done == {"queue": name, "shards": count, "running": False}
    received = receive_all(sqs, url)
    assert sorted(m["MessageId"] for m in received) == sorted(sent)
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert counts["ApproximateNumberOfMessages"] == "0"
    assert counts["ApproximateNumberOfMessagesNotVisible"] == str(len(sent))
    stale = in_flight[0]["ReceiptHandle"]
    with pytest.raises(sqs.exceptions.ReceiptHandleIsInvalid):
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle="7." + stale.rsplit(".", 1)[-1], VisibilityTimeout=1)


def test_fifo_queues_and_bad_counts_are_refused_with_clear_errors(server: CompatServer, sqs: Any) -> None:
    sqs.create_queue(QueueName="orders.fifo", Attributes={"FifoQueue": "true"})
    with pytest.raises(ReshardError, match="FIFO queue: it stays in one object"):
        reshard(server, "orders.fifo", 2)
    sqs.create_queue(QueueName="plain")
    with pytest.raises(ReshardError, match="at least 1"):
        reshard(server, "plain", 0)
    with pytest.raises(ReshardError, match="whole number"):
        reshard(server, "plain", "two")
    with pytest.raises(ReshardError, match="QueueDoesNotExist"):
        reshard(server, "no-such-queue", 2)
    assert status(server, "plain") == {"queue": "plain", "shards": 1, "running": False}


def test_the_reshard_command_spreads_a_queue(server: CompatServer, sqs: Any) -> None:
    url = sqs.create_queue(QueueName="by-command")["QueueUrl"]
    sent = send(sqs, url, [f"m{i}" for i in range(25)])
    options = ["--endpoint", server.url, "--access-key-id", server.key.access_key_id, "--secret", server.key.secret]
    done = runner.invoke(cli, ["compat", "reshard", "sqs", "by-command", "--shards", "4", *options])
    assert done.exit_code == 0, done.output
    assert "4 shard(s)" in done.output
    assert {m["MessageId"] for m in receive_all(sqs, url)} == sent
    refused = runner.invoke(cli, ["compat", "reshard", "sqs", "by-command", "--shards", "0", *options])
    assert refused.exit_code == 2 and "at least 1" in refused.output


def test_a_queue_that_grows_past_the_split_threshold_is_split_while_it_serves(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    small = start_server(tmp_path_factory.mktemp("queue-split"), ["sqs"], None, "--queue-split-messages", "40")
    try:
        sqs = dotdo.compat.sqs.client(small.url, access_key_id=small.key.access_key_id, secret=small.key.secret)
        url = sqs.create_queue(QueueName="filling")["QueueUrl"]
        sent = send(sqs, url, [f"m{i}" for i in range(300)])
        deadline = time.monotonic() + 20
        found = wait_until_done(small, "filling")
        while found["shards"] == 1 and time.monotonic() < deadline:  # the split starts in the background
            time.sleep(0.05)
            found = wait_until_done(small, "filling")
        assert found["shards"] > 1 and not found["running"]
        assert sorted(m["MessageId"] for m in receive_all(sqs, url)) == sorted(sent)
    finally:
        stop_server(small)


def test_a_server_killed_during_a_queue_reshard_finishes_it_after_a_restart(tmp_path: Path) -> None:
    first = start_server(tmp_path, ["sqs"], None, "--queue-split-messages", "0")
    try:
        sqs = dotdo.compat.sqs.client(first.url, access_key_id=first.key.access_key_id, secret=first.key.secret)
        url = sqs.create_queue(QueueName="crashing")["QueueUrl"]
        sent = send(sqs, url, [f"m{i}" for i in range(300)])
        assert reshard(first, "crashing", 3, wait=False)["running"]
    finally:
        first.process.kill()  # SIGKILL while messages move
        first.process.wait()
    again = start_server(tmp_path, ["sqs"], None, "--queue-split-messages", "0")
    try:
        sqs = dotdo.compat.sqs.client(again.url, access_key_id=again.key.access_key_id, secret=again.key.secret)
        assert wait_until_done(again, "crashing") == {"queue": "crashing", "shards": 3, "running": False}
        assert sorted(m["MessageId"] for m in receive_all(sqs, url)) == sorted(sent)
    finally:
        stop_server(again)
