"""Fixtures of the RPC tests: the interop harness (official `capnweb` npm package) installed in a
temporary copy, and real servers (uvicorn serving Python, node serving JavaScript) on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from process_control import free_port, stop, wait_listening  # noqa: E402


def _harness_source() -> Path:
    configured = os.environ.get("CAPNWEB_HARNESS")
    if configured:
        return Path(configured)
    # The harness lives next to the repository (and next to a worktree's repository).
    for base in (REPO, *REPO.parents):
        candidate = base / "shared" / "harness" / "capnweb"
        if candidate.is_dir():
            return candidate
    return REPO.parent / "shared" / "harness" / "capnweb"


@pytest.fixture(scope="session")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A writable copy of the capnweb interop harness with its npm packages installed."""
    source = _harness_source()
    if not (source / "js-client.mjs").is_file():
        pytest.fail(
            f"Cap'n Web harness not found at {source}; set CAPNWEB_HARNESS to the harness folder "
            "(the one holding js-client.mjs and js-server.mjs)"
        )
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            pytest.fail(f"`{tool}` is needed for the Cap'n Web interop tests; install Node.js 20+")
    target = tmp_path_factory.mktemp("capnweb") / "harness"
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("node_modules"))
    for path in target.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    target.chmod(0o755)
    result = subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund"], cwd=target, capture_output=True, text=True, timeout=300
    )
    if result.returncode != 0:
        pytest.fail(f"npm ci failed in the harness copy:\n{result.stdout}\n{result.stderr}")
    return target


def _python_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), str(HERE), env.get("PYTHONPATH", "")])
    return env


@pytest.fixture(scope="session")
def py_server() -> Iterator[str]:
    """URL of the harness `Api` served by dotdo.rpc under uvicorn (HTTP batch and WebSocket)."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "harness_app:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=_python_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    wait_listening(port, process, "uvicorn")
    yield f"http://127.0.0.1:{port}/rpc"
    stop(process)


@pytest.fixture(scope="session")
def js_server(harness: Path) -> Iterator[str]:
    """URL of the official JavaScript server (js-server.mjs) exposing the same `Api`."""
    port = free_port()
    process = subprocess.Popen(
        ["node", "js-server.mjs"],
        cwd=harness,
        env={**os.environ, "PORT": str(port), "HOST": "127.0.0.1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    wait_listening(port, process, "js-server.mjs")
    yield f"http://127.0.0.1:{port}/rpc"
    stop(process)


@pytest.fixture
def batch():
    """Post raw wire messages to the harness `Api` served in-process; returns the parsed replies."""
    import json

    import httpx
    from harness_api import Api

    from dotdo.rpc import Limits, rpc_app

    async def post(*messages: object, raw: str | None = None, limits: Limits | None = None) -> list:
        app = rpc_app(Api, limits=limits)
        body = raw if raw is not None else "\n".join(json.dumps(m) for m in messages)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            response = await client.post("/rpc", content=body)
        assert response.status_code == 200, response.text
        return [json.loads(line) for line in response.text.split("\n") if line]

    return post
