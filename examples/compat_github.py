"""GitHub on dotdo: PyGithub for the API and the real `git` for the repository, against one local server.

    python examples/compat_github.py

The script serves `compat_app(["github"])` with uvicorn on a free port of 127.0.0.1 (what `dotdo
compat serve github` does), makes a token for tenant `acme`, creates a repository with a webhook,
clones it with `git`, pushes a branch, opens a pull request from it and merges it through the API,
pulls the merge back with `git`, and checks the signatures of the webhooks it received.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import socket
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import uvicorn

import dotdo.compat.github
from dotdo.compat import compat_app

SECRET = "webhook secret"
received: list[tuple[str, bytes, str]] = []


class WebhookReceiver(BaseHTTPRequestHandler):
    """Your app's webhook endpoint: keeps what GitHub (here, dotdo) posts."""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        received.append((self.headers["X-GitHub-Event"], body, self.headers["X-Hub-Signature-256"]))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def git(cwd: Path, *args: str) -> str:
    """Run the real git, with its own empty configuration."""
    env = {**os.environ, "HOME": str(cwd), "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0"}
    identity = ["-c", "user.name=Ada", "-c", "user.email=ada@example.com"]
    return subprocess.run(
        ["git", *identity, *args], cwd=cwd, env=env, check=True, capture_output=True, text=True
    ).stdout


def main() -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="github-example-"))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(compat_app(["github"], data_dir=data_dir), port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), WebhookReceiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    try:
        token = dotdo.compat.github.token(str(data_dir), tenant="acme")
        gh = dotdo.compat.github.client(f"http://127.0.0.1:{port}", token=token)
        repo = gh.get_user().create_repo("rockets", auto_init=True, private=True)
        hook_url = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
        repo.create_hook("web", {"url": hook_url, "content_type": "json", "secret": SECRET}, ["push", "pull_request"])
        print(f"created {repo.full_name}, clone URL {repo.clone_url}")

        work = data_dir / "work"
        git(
            data_dir,
            "clone",
            "--quiet",
            repo.clone_url.replace("http://", f"http://acme:{quote(token, safe='')}@"),
            "work",
        )
        git(work, "checkout", "--quiet", "-b", "engine")
        (work / "engine.txt").write_text("a bigger engine\n")
        git(work, "add", "engine.txt")
        git(work, "commit", "--quiet", "-m", "A bigger engine")
        git(work, "push", "--quiet", "origin", "engine")
        print("pushed branches:", sorted(branch.name for branch in repo.get_branches()))

        pull = repo.create_pull(base="main", head="engine", title="A bigger engine")
        print(f"pull request #{pull.number}: mergeable={pull.mergeable}, {pull.commits} commit")
        merged = pull.merge(merge_method="merge")
        git(work, "checkout", "--quiet", "main")
        git(work, "pull", "--quiet", "--ff-only", "origin", "main")
        print("git pulled the merge:", git(work, "log", "-1", "--format=%s").strip())
        assert git(work, "rev-parse", "HEAD").strip() == merged.sha

        deadline = time.monotonic() + 15
        while len([e for e in received if e[0] != "ping"]) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        for event, body, signature in received:
            expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
            assert hmac.compare_digest(signature, expected)
            payload = json.loads(body)
            print(f"webhook {event} {payload.get('action') or payload.get('ref') or ''}".rstrip())
        print("every webhook signature verified")
    finally:
        server.should_exit = True
        receiver.shutdown()


if __name__ == "__main__":
    main()
