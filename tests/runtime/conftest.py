"""Fixtures of the runtime tests: a real S3 API server (moto's) on 127.0.0.1 for the change log."""

from __future__ import annotations

import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator

import pytest


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """The address of a moto S3 server started for this test session (stopped after it)."""
    pytest.importorskip("moto", reason="the S3 tests run moto's S3 server (dev dependency)")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    try:
        while True:
            try:
                urllib.request.urlopen(endpoint, timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto's S3 server did not start") from None
                time.sleep(0.1)
        yield endpoint
    finally:
        server.terminate()
        server.wait(10)


@pytest.fixture
def s3_bucket(s3_endpoint: str) -> tuple[str, dict[str, str]]:
    """A fresh bucket on the S3 server: its s3:// URL and the options to reach it."""
    bucket = f"log-{secrets.token_hex(4)}"
    urllib.request.urlopen(urllib.request.Request(f"{s3_endpoint}/{bucket}", method="PUT"), timeout=10).close()
    options = {"endpoint": s3_endpoint, "access_key_id": "test", "secret_access_key": "test", "region": "us-east-1"}
    return f"s3://{bucket}/dotdo", options
