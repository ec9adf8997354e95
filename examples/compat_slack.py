"""Slack on dotdo, used through the official `slack_sdk` WebClient: only the base URL changes.

    python examples/compat_slack.py

The script serves `compat_app(["slack"])` with uvicorn on a free port of 127.0.0.1 (what `dotdo
compat serve slack` does), makes a bot token for tenant `acme`, creates an app whose request URL is a
small receiver here (the URL answers Slack's challenge first), provisions a user through SCIM,
opens a channel, invites her, starts a thread and reacts to it, pages through the history, and
checks the signature of the message event the receiver got with `slack_sdk`'s `SignatureVerifier`.
"""

from __future__ import annotations

import json
import socket
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import uvicorn
from slack_sdk.signature import SignatureVerifier

import dotdo.compat.slack
from dotdo.compat import compat_app

received: list[tuple[bytes, dict[str, str]]] = []


class EventsReceiver(BaseHTTPRequestHandler):
    """Your app's request URL: answers the `url_verification` challenge, keeps the events."""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        payload = json.loads(body)
        answer = json.dumps({"challenge": payload.get("challenge", "")}).encode()
        if payload["type"] == "event_callback":
            received.append((body, dict(self.headers)))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: object) -> None:
        pass


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="slack-example-"))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(compat_app(["slack"], data_dir=data_dir), port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), EventsReceiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    try:
        url = f"http://127.0.0.1:{port}"
        token = dotdo.compat.slack.token(str(data_dir), tenant="acme")
        client = dotdo.compat.slack.client(url, token=token)
        app = client.apps_manifest_create(
            manifest={
                "display_information": {"name": "Standup"},
                "settings": {
                    "event_subscriptions": {
                        "request_url": f"http://127.0.0.1:{receiver.server_address[1]}/slack/events",
                        "bot_events": ["message.channels"],
                    }
                },
            }
        )
        dotdo.compat.slack.scim_client(url, token=token).create_user(
            {"userName": "ada", "emails": [{"value": "ada@example.com", "primary": True}]}
        )
        ada = client.users_lookupByEmail(email="ada@example.com")["user"]
        channel = client.conversations_create(name="standup")["channel"]
        client.conversations_invite(channel=channel["id"], users=ada["id"])
        head = client.chat_postMessage(channel="#standup", text="What did you ship today?")
        client.chat_postMessage(channel=channel["id"], text="The Slack layer", thread_ts=head["ts"])
        client.reactions_add(channel=channel["id"], timestamp=head["ts"], name="rocket")
        thread = client.conversations_replies(channel=channel["id"], ts=head["ts"])["messages"]
        members = client.conversations_members(channel=channel["id"])["members"]
        print(f"#{channel['name']} ({channel['id']}), members {members}")
        print("thread:", [m["text"] for m in thread], "reactions:", [r["name"] for r in thread[0]["reactions"]])
        for page in client.conversations_history(channel=channel["id"], limit=1):
            print("history page:", [m["ts"] for m in page["messages"]])
        deadline = time.monotonic() + 10
        while len(received) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        body, headers = received[0]
        verifier = SignatureVerifier(app["credentials"]["signing_secret"])
        assert verifier.is_valid(body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"])
        event = json.loads(body)["event"]
        print(f"event {event['type']} {event['text']!r} in {event['channel']}, signature verified")
    finally:
        server.should_exit = True
        receiver.shutdown()


if __name__ == "__main__":
    main()
