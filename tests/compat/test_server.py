"""The compat layers mounted in an app (`API(..., compat=["s3"])`), the registry, and events of compat data."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

import dotdo.compat
from dotdo import DO, Runtime
from dotdo.compat import Credentials, UnknownServiceError, compat_app
from dotdo.compat.s3 import S3Bucket
from dotdo.compat.s3.bucket import NewObject
from tests.conftest import free_port

APP = """
from starlette.responses import PlainTextResponse
from dotdo import API, DO

class Counter(DO):
    async def fetch(self, request):
        return PlainTextResponse("counter " + self.id.name)

app = API(Counter, ns="/:name", compat=["s3"])
"""


def test_an_app_serves_s3_under_its_mount_beside_its_objects(tmp_path: Path) -> None:
    (tmp_path / "mounted_app.py").write_text(APP)
    key = Credentials(tmp_path / ".dotdo" / "compat").default_key()
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "mounted_app:app", "--port", str(port), "--log-level", "warning"],
        cwd=tmp_path,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("the app did not start") from None
                time.sleep(0.1)
        s3 = dotdo.compat.s3.client(
            f"http://127.0.0.1:{port}/_compat/s3", access_key_id=key.access_key_id, secret=key.secret
        )
        s3.create_bucket(Bucket="mounted")
        s3.put_object(Bucket="mounted", Key="a b/c", Body=b"through the app")
        assert s3.get_object(Bucket="mounted", Key="a b/c")["Body"].read() == b"through the app"
        assert httpx.get(f"http://127.0.0.1:{port}/acme/").text == "counter acme"
    finally:
        server.terminate()
        server.wait(10)


def test_unknown_layers_are_named_with_the_available_ones(tmp_path: Path) -> None:
    with pytest.raises(
        UnknownServiceError,
        match="available: algolia, chroma, elasticsearch, gcs, github, meilisearch, pinecone, qdrant, resend, s3, "
        "sendgrid, slack, sqs, stripe, twilio, typesense",
    ):
        compat_app(["s4"], runtime=Runtime(tmp_path))
    assert "s3" in [layer.name for layer in dotdo.compat.services()]
    assert {"PutObject", "CompleteMultipartUpload"} <= dotdo.compat.service("s3").operations


class Watcher(DO):
    """A user's object notified of every object created in a bucket."""

    async def on_start(self) -> None:
        self.storage.sql.exec("CREATE TABLE IF NOT EXISTS uploads (key TEXT)")

    async def seen(self) -> list[str]:
        return [row["key"] for row in self.storage.sql.exec("SELECT key FROM uploads ORDER BY rowid").to_list()]

    async def on_upload(self, event) -> None:
        self.storage.sql.exec("INSERT INTO uploads VALUES (?)", event.data["key"])


async def test_compat_changes_are_events_other_objects_subscribe_to(tmp_path: Path) -> None:
    async with Runtime(tmp_path, objects=[S3Bucket, Watcher]) as rt:
        bucket = rt.get(S3Bucket, "default/photos")
        await bucket.create("default", "photos", str(tmp_path / "blobs"))
        await rt.run_in(Watcher, "w", lambda w: w.ctx.subscribe(bucket, "S3Object.created", "on_upload"))
        await bucket.put(NewObject(key="cat.jpg", size=0, etag='"d41d8cd98f00b204e9800998ecf8427e"', parts=[]))
        for _ in range(100):
            if await rt.get(Watcher, "w").seen() == ["cat.jpg"]:
                break
            await asyncio.sleep(0.05)
        assert await rt.get(Watcher, "w").seen() == ["cat.jpg"]
