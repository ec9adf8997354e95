"""A real npm registry for the npmx tests: verdaccio (from npm, installed once into the test cache)
on 127.0.0.1, and a publisher that puts fixture packages into it the way `npm publish` does.

Publishing is one HTTP PUT per version (the registry's publish protocol: the packument with the
new version and the tarball attached), written here so a fixture set of dozens of versions
publishes in a second rather than one `npm publish` process each.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import hashlib
import io
import json
import os
import shutil
import socket
import subprocess
import tarfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.rpc.js_peer import installed_modules

REGISTRY_PACKAGE = Path(__file__).resolve().parent / "registry"
CONFIG = """\
storage: {storage}
auth:
  htpasswd:
    file: {root}/htpasswd
uplinks: {{}}
packages:
  '@private/*':
    access: $authenticated
    publish: $all
  '**':
    access: $all
    publish: $all
    unpublish: $all
server:
  keepAliveTimeout: 60
max_body_size: 100mb
log: {{ type: file, path: {root}/verdaccio.log, level: warn }}
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def pack(manifest: Mapping[str, Any], files: Mapping[str, bytes | str] | None = None, *, raw: bool = False) -> bytes:
    """A package tarball: `package/package.json` and `files` (names under `package/` unless `raw`)."""
    buffer = io.BytesIO()
    entries: dict[str, bytes] = {"package.json": json.dumps(manifest, indent=2).encode()}
    for name, data in (files or {}).items():
        entries[name] = data.encode() if isinstance(data, str) else data
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for name, data in entries.items():
            info = tarfile.TarInfo(name if raw and name != "package.json" else f"package/{name}")
            info.size = len(data)
            info.mode = 0o755 if name.startswith("bin/") or name.endswith(".sh") else 0o644
            info.mtime = 499162500
            archive.addfile(info, io.BytesIO(data))
    return gzip.compress(buffer.getvalue(), mtime=0)


def integrity_of(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


@dataclass
class LocalRegistry:
    """A running verdaccio: its URL (ending in `/`) and its storage folder."""

    url: str
    storage: Path
    process: subprocess.Popen[bytes]

    def publish(
        self,
        manifest: Mapping[str, Any],
        files: Mapping[str, bytes | str] | None = None,
        *,
        tag: str = "latest",
        tarball: bytes | None = None,
    ) -> None:
        """Publish one version (its `package.json` is `manifest`) under dist-tag `tag`."""
        name, version = manifest["name"], manifest["version"]
        data = tarball if tarball is not None else pack(manifest, files)
        filename = f"{name.split('/')[-1]}-{version}.tgz"
        url = f"{self.url}{name.replace('/', '%2f')}"
        document = {
            "_id": name,
            "name": name,
            "dist-tags": {tag: version},
            "versions": {
                version: {
                    **manifest,
                    "_id": f"{name}@{version}",
                    "dist": {
                        "integrity": integrity_of(data),
                        "shasum": hashlib.sha1(data).hexdigest(),
                        "tarball": f"{self.url}{name}/-/{filename}",
                    },
                }
            },
            "_attachments": {
                filename: {
                    "content_type": "application/octet-stream",
                    "data": base64.b64encode(data).decode(),
                    "length": len(data),
                }
            },
        }
        response = httpx.put(url, json=document, timeout=30)
        if response.status_code not in (200, 201):
            raise RuntimeError(f"publishing {name}@{version} failed: {response.status_code} {response.text}")

    def add_user(self, name: str, password: str) -> str:
        """Create a registry user (as `npm adduser` does) and return its token."""
        response = httpx.put(
            f"{self.url}-/user/org.couchdb.user:{name}",
            json={"name": name, "password": password, "type": "user", "roles": []},
            timeout=30,
        )
        if response.status_code not in (200, 201):
            raise RuntimeError(f"adding user {name} failed: {response.status_code} {response.text}")
        return str(response.json()["token"])

    def tamper(self, name: str, version: str) -> None:
        """Replace the stored tarball of `name@version` with other bytes (its packument keeps the old integrity)."""
        path = self.storage / name / f"{name.split('/')[-1]}-{version}.tgz"
        path.write_bytes(pack({"name": name, "version": version}, {"index.js": "module.exports = 'tampered'\n"}))


@contextlib.contextmanager
def local_registry(root: Path) -> Iterator[LocalRegistry]:
    """Start verdaccio in `root` on a free port; stop it (and wait for it) on exit."""
    modules = installed_modules(REGISTRY_PACKAGE)
    root.mkdir(parents=True, exist_ok=True)
    storage = root / "storage"
    storage.mkdir(exist_ok=True)
    config = root / "config.yaml"
    config.write_text(CONFIG.format(storage=storage, root=root))
    port = free_port()
    process = subprocess.Popen(
        [
            "node",
            str(modules / "verdaccio" / "bin" / "verdaccio"),
            "--config",
            str(config),
            "--listen",
            f"127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "NODE_ENV": "production"},
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"verdaccio exited: {process.stderr.read().decode() if process.stderr else ''}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}-/ping", timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("verdaccio did not answer within 60 s")
            time.sleep(0.1)
        yield LocalRegistry(url, storage, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(storage, ignore_errors=True)
