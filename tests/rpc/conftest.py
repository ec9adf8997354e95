"""Fixtures of the RPC tests: the project's interop peer (`js/`: the official `capnweb` npm package
installed with `npm ci`, cached between runs), and real servers (uvicorn serving Python, node
serving JavaScript) on 127.0.0.1."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from process_control import free_port, stop, wait_listening  # noqa: E402


def _python_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), str(HERE), env.get("PYTHONPATH", "")])
    return env


@pytest.fixture(scope="session")
def py_server() -> Iterator[str]:
    """URL of the interop `Api` served by dotdo.rpc under uvicorn (HTTP batch and WebSocket)."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "interop_app:app",
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
def js_server(js_peer: Path) -> Iterator[str]:
    """URL of the official JavaScript server (`js/interop_server.mjs`) exposing the same `Api`."""
    port = free_port()
    process = subprocess.Popen(
        ["node", "interop_server.mjs"],
        cwd=js_peer,
        env={**os.environ, "PORT": str(port), "HOST": "127.0.0.1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    wait_listening(port, process, "interop_server.mjs")
    yield f"http://127.0.0.1:{port}/rpc"
    stop(process)


@pytest.fixture
def batch():
    """Post raw wire messages to the interop `Api` served in-process; returns the parsed replies."""
    import json

    import httpx
    from interop_api import Api

    from dotdo.rpc import Limits, rpc_app

    async def post(*messages: object, raw: str | None = None, limits: Limits | None = None) -> list:
        app = rpc_app(Api, limits=limits)
        body = raw if raw is not None else "\n".join(json.dumps(m) for m in messages)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            response = await client.post("/rpc", content=body)
        assert response.status_code == 200, response.text
        return [json.loads(line) for line in response.text.split("\n") if line]

    return post
