"""A compat server started for the tests of this folder: `dotdo compat serve s3` on a free port."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from dotdo.compat import AccessKey, Credentials
from tests.conftest import free_port


@dataclass
class CompatServer:
    """A running `dotdo compat serve`: where it listens, its data folder, its default key."""

    url: str
    data_dir: Path
    key: AccessKey
    process: subprocess.Popen[bytes]

    def credentials(self) -> Credentials:
        """The server's key table (keys made here are accepted within seconds)."""
        return Credentials(self.data_dir / "compat")


def start_server(data_dir: Path, layers: list[str], port: int | None = None, *options: str) -> CompatServer:
    """Start `dotdo compat serve LAYERS [OPTIONS]` on 127.0.0.1 (a free port by default) and wait until it answers."""
    key = Credentials(data_dir / "compat").default_key()
    port = port or free_port()
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "dotdo", "compat", "serve", *layers, *options),
            *("--port", str(port), "--data-dir", str(data_dir)),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"compat server exited: {process.stderr.read().decode() if process.stderr else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        raise RuntimeError("compat server did not start within 30 s")
    return CompatServer(f"http://127.0.0.1:{port}", data_dir, key, process)


def stop_server(server: CompatServer) -> None:
    """Stop a server started by `start_server`."""
    server.process.terminate()
    try:
        server.process.wait(10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@contextlib.contextmanager
def running_server(data_dir: Path, layers: list[str]) -> Iterator[CompatServer]:
    """`start_server` for the length of a `with` block, stopped however the block ends."""
    server = start_server(data_dir, layers)
    try:
        yield server
    finally:
        stop_server(server)


@pytest.fixture(scope="module")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CompatServer]:
    """`dotdo compat serve s3` for one test module."""
    with running_server(tmp_path_factory.mktemp("compat-s3"), ["s3"]) as server:
        yield server


@pytest.fixture(scope="module")
def sqs_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CompatServer]:
    """`dotdo compat serve sqs s3` for one test module (SQS beside S3 on one port)."""
    with running_server(tmp_path_factory.mktemp("compat-sqs"), ["sqs", "s3"]) as server:
        yield server


@pytest.fixture(scope="module")
def gcs_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CompatServer]:
    """`dotdo compat serve gcs` for one test module."""
    with running_server(tmp_path_factory.mktemp("compat-gcs"), ["gcs"]) as server:
        yield server


@pytest.fixture(scope="module")
def stripe_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CompatServer]:
    """`dotdo compat serve stripe` for one test module."""
    with running_server(tmp_path_factory.mktemp("compat-stripe"), ["stripe"]) as server:
        yield server


@pytest.fixture(scope="module")
def messaging_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CompatServer]:
    """`dotdo compat serve resend twilio sendgrid` for one test module (three layers on one port)."""
    with running_server(tmp_path_factory.mktemp("compat-messaging"), ["resend", "twilio", "sendgrid"]) as server:
        yield server


@pytest.fixture(scope="module")
def slack_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CompatServer]:
    """`dotdo compat serve slack` for one test module."""
    with running_server(tmp_path_factory.mktemp("compat-slack"), ["slack"]) as server:
        yield server


@pytest.fixture(scope="module")
def meilisearch_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CompatServer]:
    """`dotdo compat serve meilisearch` for one test module."""
    with running_server(tmp_path_factory.mktemp("compat-meilisearch"), ["meilisearch"]) as server:
        yield server


@pytest.fixture(scope="module")
def typesense_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CompatServer]:
    """`dotdo compat serve typesense` for one test module."""
    with running_server(tmp_path_factory.mktemp("compat-typesense"), ["typesense"]) as server:
        yield server


@pytest.fixture(scope="module")
def qdrant_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CompatServer]:
    """`dotdo compat serve qdrant` for one test module."""
    with running_server(tmp_path_factory.mktemp("compat-qdrant"), ["qdrant"]) as server:
        yield server


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CompatServer]:
    """`dotdo compat serve chroma` for one test module."""
    with running_server(tmp_path_factory.mktemp("compat-chroma"), ["chroma"]) as server:
        yield server


@pytest.fixture(scope="module")
def pinecone_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CompatServer]:
    """`dotdo compat serve pinecone` for one test module."""
    with running_server(tmp_path_factory.mktemp("compat-pinecone"), ["pinecone"]) as server:
        yield server


@pytest.fixture(scope="module")
def algolia_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CompatServer]:
    """`dotdo compat serve algolia` for one test module."""
    with running_server(tmp_path_factory.mktemp("compat-algolia"), ["algolia"]) as server:
        yield server


@pytest.fixture(scope="module")
def github_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CompatServer]:
    """`dotdo compat serve github` for one test module."""
    with running_server(tmp_path_factory.mktemp("compat-github"), ["github"]) as server:
        yield server


@pytest.fixture(scope="module")
def elasticsearch_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CompatServer]:
    """`dotdo compat serve elasticsearch` for one test module."""
    with running_server(tmp_path_factory.mktemp("compat-elasticsearch"), ["elasticsearch"]) as server:
        yield server


class ReshardTraffic:
    """A writer (new keys and overwrites of settled ones) and a lister (every page, then one read) running
    against a bucket until stopped; what the lister saw wrong is in `problems`.

    `write(key, round)` stores a key and returns the bytes acknowledged, `list_keys()` lists every key in
    the order served, `read(key)` fetches one.
    """

    def __init__(
        self,
        settled: list[str],
        write: Callable[[str, int], bytes],
        list_keys: Callable[[], list[str]],
        read: Callable[[str], object],
    ) -> None:
        self.settled, self._write, self._list, self._read = settled, write, list_keys, read
        self.acknowledged: dict[str, bytes] = {}
        self.problems: list[str] = []
        self.listings = 0
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self.write), threading.Thread(target=self.read)]

    def __enter__(self) -> ReshardTraffic:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()

    def write(self) -> None:
        """Write a new key and overwrite a settled one, round after round."""
        round = 0
        while not self.stop.is_set():
            round += 1
            for key in (f"new/{round:05}", self.settled[round % len(self.settled)]):
                self.acknowledged[key] = self._write(key, round)

    def read(self) -> None:
        """List every page, checking order, duplicates and settled keys; read one settled key."""
        while not self.stop.is_set():
            keys = self._list()
            self.listings += 1
            if keys != sorted(set(keys)):
                self.problems.append("a listing was out of order or named a key twice")
            missing = set(self.settled) - set(keys)
            if missing:
                self.problems.append(f"a listing missed {sorted(missing)[:3]}")
            self._read(self.settled[self.listings % len(self.settled)])
