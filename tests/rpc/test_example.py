"""The example of the README's Cap'n Web section works: the official JS client and our Python client against
examples/rpc/server.py served by uvicorn."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from process_control import REPO, free_port, stop, wait_listening

EXAMPLE = REPO / "examples" / "rpc"


@pytest.fixture(scope="module")
def example_server() -> str:
    port = free_port()
    env = {**os.environ, "PORT": str(port), "PYTHONPATH": str(REPO / "src")}
    process = subprocess.Popen(
        [sys.executable, str(EXAMPLE / "server.py")], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    wait_listening(port, process, "examples/rpc/server.py")
    yield f"http://127.0.0.1:{port}/rpc"
    stop(process)


def test_js_client_example(js_peer: Path, example_server: str) -> None:
    shutil.copy(EXAMPLE / "client.mjs", js_peer / "example-client.mjs")
    result = subprocess.run(
        ["node", "example-client.mjs", example_server], cwd=js_peer, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "Hello, JavaScript! 1 2 [ { text: 'apples', done: false }, { text: 'pears', done: false } ]",
        "{ text: 'dishes', done: true }",
        '"[x] dishes\\n"',
        "[ 10, 20, 30 ]",
    ]


def test_python_client_example(example_server: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    result = subprocess.run(
        [sys.executable, str(EXAMPLE / "client.py"), example_server],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "Hello, Python! ['apples', 'pears']",
        "[10, 20, 30]",
        "['[x] dishes\\n']",
    ]
