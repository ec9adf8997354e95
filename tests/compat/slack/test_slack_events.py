"""Events API deliveries from the Slack layer: the URL handshake, Slack's signatures, retries, one delivery each."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier

import dotdo.compat.slack
from dotdo.compat.openapi import bearer_tokens
from tests.compat.conftest import CompatServer


class Receiver:
    """An app's request URL on 127.0.0.1: answers the challenge, fails its first `failures` events, then acks."""

    def __init__(self, *, echo_challenge: bool = True) -> None:
        self.failures = 0
        self.received: list[tuple[bytes, dict[str, str], int]] = []
        receiver = self

        class Handle(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                payload = json.loads(body)
                answer = b""
                if payload.get("type") == "url_verification":
                    status = 200
                    answer = json.dumps({"challenge": payload["challenge"] if echo_challenge else "wrong"}).encode()
                else:
                    status = 500 if receiver.failures > 0 else 200
                    receiver.failures -= 1
                receiver.received.append((body, dict(self.headers), status))
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handle)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/slack/events"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self, status: int | None = 200) -> list[tuple[dict[str, Any], bytes, dict[str, str]]]:
        return [
            (json.loads(body), body, headers)
            for body, headers, answered in self.received
            if json.loads(body)["type"] == "event_callback" and (status is None or answered == status)
        ]

    def wait_for(self, count: int, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.events()) < count and time.monotonic() < deadline:
            time.sleep(0.05)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.server.shutdown()
    found.server.server_close()


@pytest.fixture(scope="module")
def client(slack_server: CompatServer) -> WebClient:
    return dotdo.compat.slack.client(slack_server.url, token=bearer_tokens.mint(slack_server.key, "xoxb-"))


def manifest(url: str, *events: str) -> dict[str, Any]:
    return {
        "display_information": {"name": "Receiver"},
        "settings": {"event_subscriptions": {"request_url": url, "bot_events": list(events)}},
    }


def test_events_reach_the_request_url_signed_with_the_signing_secret(client: WebClient, receiver: Receiver) -> None:
    created = client.apps_manifest_create(
        manifest=manifest(receiver.url, "message.channels", "reaction_added", "channel_created")
    )
    handshake = json.loads(receiver.received[0][0])
    assert (
        handshake["type"] == "url_verification" and handshake["token"] == created["credentials"]["verification_token"]
    )
    secret = created["credentials"]["signing_secret"]
    channel = client.conversations_create(name="events")["channel"]["id"]
    ts = client.chat_postMessage(channel=channel, text="hello events")["ts"]
    client.reactions_add(channel=channel, timestamp=ts, name="wave")
    client.conversations_archive(channel=channel)
    receiver.wait_for(3)
    delivered = receiver.events()
    assert [payload["event"]["type"] for payload, _, _ in delivered] == ["channel_created", "message", "reaction_added"]
    verifier = SignatureVerifier(secret)
    for payload, body, headers in delivered:
        assert verifier.is_valid(body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"])
        assert payload["api_app_id"] == created["app_id"] and payload["team_id"] == client.auth_test()["team_id"]
        assert payload["event_id"].startswith("Ev") and "X-Slack-Retry-Num" not in headers
    message = delivered[1][0]["event"]
    assert (message["channel"], message["ts"], message["text"], message["channel_type"]) == (
        channel,
        ts,
        "hello events",
        "channel",
    )
    assert delivered[2][0]["event"]["item"] == {"type": "message", "channel": channel, "ts": ts}
    forged = SignatureVerifier("not-the-secret")
    _, body, headers = delivered[1]
    assert not forged.is_valid(body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"])
    assert not verifier.is_valid(body + b" ", headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"])
    client.apps_manifest_delete(app_id=created["app_id"])


def test_a_failing_request_url_is_retried_and_an_acknowledged_event_is_not_sent_again(
    client: WebClient, receiver: Receiver
) -> None:
    created = client.apps_manifest_create(manifest=manifest(receiver.url, "message.channels"))
    channel = client.conversations_create(name="retried")["channel"]["id"]
    receiver.failures = 2
    client.chat_postMessage(channel=channel, text="eventually")
    receiver.wait_for(1)
    attempts = receiver.events(status=None)
    assert [headers.get("X-Slack-Retry-Num") for _, _, headers in attempts] == [None, "1", "2"]
    assert len({payload["event_id"] for payload, _, _ in attempts}) == 1
    verifier = SignatureVerifier(created["credentials"]["signing_secret"])
    assert all(
        verifier.is_valid(body, h["X-Slack-Request-Timestamp"], h["X-Slack-Signature"]) for _, body, h in attempts
    )
    client.apps_manifest_delete(app_id=created["app_id"])
    client.chat_postMessage(channel=channel, text="after the app is gone")
    time.sleep(1.5)
    assert len(receiver.events(status=None)) == 3
    with pytest.raises(SlackApiError, match="app_not_found"):
        client.apps_manifest_delete(app_id=created["app_id"])


def test_a_request_url_that_does_not_echo_the_challenge_is_refused(client: WebClient) -> None:
    impostor = Receiver(echo_challenge=False)
    try:
        with pytest.raises(SlackApiError) as refused:
            client.apps_manifest_create(manifest=manifest(impostor.url, "message.channels"))
        assert refused.value.response["error"] == "invalid_manifest"
        assert refused.value.response["errors"][0]["pointer"] == "/settings/event_subscriptions/request_url"
    finally:
        impostor.server.shutdown()
        impostor.server.server_close()
    with pytest.raises(SlackApiError) as unreachable:
        client.apps_manifest_create(manifest=manifest("http://127.0.0.1:9/nothing", "message.channels"))
    assert unreachable.value.response["error"] == "invalid_manifest"
    with pytest.raises(SlackApiError) as nameless:
        client.apps_manifest_create(manifest={"settings": {}})
    assert nameless.value.response["errors"][0]["pointer"] == "/display_information/name"
