"""Webhooks of the GitHub layer: signed with X-Hub-Signature-256, retried while the receiver fails, sent once."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote

import pytest
from github import Github

import dotdo.compat.github
from dotdo.compat.openapi import bearer_tokens
from tests.compat.conftest import CompatServer

SECRET = "it's a secret to everybody"


class Receiver:
    """A webhook endpoint on 127.0.0.1 that fails its first `failures` requests, then acknowledges."""

    def __init__(self) -> None:
        self.failures = 0
        self.received: list[tuple[dict[str, str], bytes, int]] = []
        receiver = self

        class Handle(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = 500 if receiver.failures > 0 else 200
                receiver.failures -= 1
                receiver.received.append((dict(self.headers.items()), body, status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handle)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/github"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def acknowledged(self, event: str) -> list[tuple[dict[str, str], bytes, int]]:
        return [e for e in self.received if e[2] == 200 and e[0]["X-GitHub-Event"] == event]

    def wait_for(self, event: str, count: int = 1, timeout: float = 60.0) -> list[tuple[dict[str, str], bytes, int]]:
        deadline = time.monotonic() + timeout
        while len(self.acknowledged(event)) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.acknowledged(event)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.server.shutdown()
    found.server.server_close()


@pytest.fixture(scope="module")
def token(github_server: CompatServer) -> str:
    return bearer_tokens.mint(github_server.key, "ghp_")


@pytest.fixture(scope="module")
def gh(github_server: CompatServer, token: str) -> Github:
    return dotdo.compat.github.client(github_server.url, token=token)


def verified(headers: dict[str, str], body: bytes, secret: str = SECRET) -> bool:
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers["X-Hub-Signature-256"])


def test_issue_events_are_signed_and_a_ping_follows_the_hook(gh: Github, receiver: Receiver) -> None:
    repo = gh.get_user().create_repo("hooked")
    hook = repo.create_hook("web", {"url": receiver.url, "content_type": "json", "secret": SECRET}, ["issues"])
    assert hook.config["secret"] == "********" and repo.get_hook(hook.id).events == ["issues"]
    (ping_headers, ping_body, _), *_ = receiver.wait_for("ping")
    assert verified(ping_headers, ping_body) and json.loads(ping_body)["hook_id"] == hook.id
    issue = repo.create_issue("hooks work")
    repo.create_label("noise", "ededed")
    (headers, body, _), *others = receiver.wait_for("issues")
    assert verified(headers, body)
    assert not verified(headers, body, "a forged secret")
    payload = json.loads(body)
    assert payload["action"] == "opened" and payload["issue"]["number"] == issue.number
    assert payload["repository"]["full_name"] == "default/hooked" and payload["sender"]["login"] == "default"
    assert headers["X-GitHub-Delivery"] and others == []
    issue.edit(state="closed")
    closed = receiver.wait_for("issues", 2)
    assert json.loads(closed[1][1])["action"] == "closed"


def test_a_failing_receiver_is_retried_and_an_acknowledged_delivery_is_not_sent_again(
    gh: Github, receiver: Receiver
) -> None:
    repo = gh.get_user().create_repo("retried", auto_init=True)
    repo.create_hook("web", {"url": receiver.url, "content_type": "json", "secret": SECRET}, ["push"])
    receiver.wait_for("ping")
    receiver.failures = 2
    created = repo.create_file("notes.txt", "a commit through the API", "notes\n")
    (headers, body, _), *_ = receiver.wait_for("push")
    pushes = [entry for entry in receiver.received if entry[0]["X-GitHub-Event"] == "push"]
    assert [status for _, _, status in pushes] == [500, 500, 200]
    assert len({entry[0]["X-GitHub-Delivery"] for entry in pushes}) == 1
    assert verified(headers, body)
    payload = json.loads(body)
    assert payload["ref"] == "refs/heads/main" and payload["after"] == created["commit"].sha
    time.sleep(1.5)
    assert len([entry for entry in receiver.received if entry[0]["X-GitHub-Event"] == "push"]) == 3


def test_a_git_push_sends_the_push_event_with_its_commits(
    gh: Github, token: str, receiver: Receiver, tmp_path: Path
) -> None:
    repo = gh.get_user().create_repo("pushed", auto_init=True)
    repo.create_hook("web", {"url": receiver.url, "content_type": "form", "secret": SECRET}, ["push"])
    env = {**os.environ, "HOME": str(tmp_path), "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0"}
    identity = ["-c", "user.name=Ada", "-c", "user.email=ada@example.com"]
    url = repo.clone_url.replace("http://", f"http://x-access-token:{quote(token, safe='')}@")
    subprocess.run(["git", "clone", "--quiet", url, "work"], cwd=tmp_path, env=env, check=True, timeout=60)
    work = tmp_path / "work"
    for name in ("one", "two"):
        (work / f"{name}.txt").write_text(name)
        subprocess.run(["git", "add", "."], cwd=work, env=env, check=True)
        subprocess.run(["git", *identity, "commit", "-qm", f"add {name}"], cwd=work, env=env, check=True)
    subprocess.run(["git", "push", "--quiet", "origin", "main"], cwd=work, env=env, check=True, timeout=60)
    (headers, body, _), *_ = receiver.wait_for("push")
    assert headers["Content-Type"] == "application/x-www-form-urlencoded" and verified(headers, body)
    payload = json.loads(parse_qs(body.decode())["payload"][0])
    assert [c["message"] for c in payload["commits"]] == ["add one", "add two"]
    assert payload["head_commit"]["id"] == payload["after"] == repo.get_branch("main").commit.sha
