"""Entity REST under a real uvicorn process on 127.0.0.1: served, stopped, restarted, data intact."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

HERE = Path(__file__).parent
SOURCE = HERE.parent.parent / "src"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {**os.environ, "DOTDO_DATA_DIR": str(self.data_dir)}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SOURCE), env.get("PYTHONPATH")]))
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "uvicorn", "entity_server:app", "--app-dir", str(HERE)),
                *("--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning"),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"uvicorn exited: {self.process.stderr.read().decode()}")  # type: ignore[union-attr]
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("uvicorn did not start listening within 30 s")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    running = Server(tmp_path / "data")
    running.start()
    yield running
    running.kill()


def test_rest_over_a_real_server_survives_kill_9(server: Server) -> None:
    with httpx.Client(base_url=server.url, timeout=10) as http:
        for i in range(5):
            created = http.post("/customers", json={"id": f"c{i}", "name": f"C{i}", "email": "x@y", "age": i})
            assert created.status_code == 201
        assert http.patch("/customers/c1", json={"age": 10}).status_code == 200
        assert http.delete("/customers/c4").status_code == 204
        assert http.post("/customers", json={"id": "c0", "name": "dup", "email": "x"}).status_code == 409
        assert http.post("/customers", json={"name": 1}).status_code == 422
        assert http.get("/openapi.json").json()["openapi"] == "3.1.0"
    server.kill()
    server.start()
    with httpx.Client(base_url=server.url, timeout=10) as http:
        listing = http.get("/customers", params={"order_by": "-age"}).json()
        assert [(c["id"], c["age"]) for c in listing["items"]] == [("c1", 10), ("c3", 3), ("c2", 2), ("c0", 0)]
        assert http.get("/customers/c4").status_code == 404
