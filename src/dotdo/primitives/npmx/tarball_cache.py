"""Package tarballs cached once per content in a blob store shared by every object.

Tarballs are blobs named by their sha256 (namespace ``npm``); a small index maps an integrity
string (what a lockfile or packument names) to that sha256, so a warm install reads the bytes
without asking the registry. Every read is checked against the integrity again: a damaged cache
fails like a damaged download, and is refetched.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import obstore
from obstore.exceptions import NotFoundError

from dotdo.primitives.blob_store import BlobStore
from dotdo.primitives.npmx.errors import NpmIntegrityError
from dotdo.primitives.npmx.integrity import check, strongest

NAMESPACE = "npm"
INDEX = "npm-index"


def default_cache_root() -> Path:
    """``$DOTDO_NPMX_CACHE``, else ``$XDG_CACHE_HOME/dotdo/npmx``, else ``~/.cache/dotdo/npmx``."""
    configured = os.environ.get("DOTDO_NPMX_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "dotdo" / "npmx"


class TarballCache:
    """Tarballs by integrity over a ``BlobStore`` (a local folder by default, any obstore store when given)."""

    def __init__(self, blobs: BlobStore | None = None) -> None:
        self.blobs = blobs if blobs is not None else BlobStore(default_cache_root())

    def _index_key(self, integrity: str) -> str:
        algorithm, digest = strongest(integrity)
        name = hashlib.sha256(f"{algorithm}-{digest.hex()}".encode()).hexdigest()
        return f"{self.blobs.prefix}{INDEX}/{name[:2]}/{name}"

    def get(self, integrity: str) -> bytes | None:
        """The cached tarball with ``integrity``, or None (missing, or no longer matching)."""
        try:
            sha = bytes(obstore.get(self.blobs.store, self._index_key(integrity)).bytes()).decode()
            data = self.blobs.get(sha, namespace=NAMESPACE)
        except (NotFoundError, FileNotFoundError, ValueError):
            return None
        try:
            check(data, integrity, what="cached tarball")
        except NpmIntegrityError:
            return None
        return data

    def put(self, integrity: str, data: bytes) -> str:
        """Cache ``data`` (already checked against ``integrity``); returns its sha256."""
        sha = self.blobs.put(data, namespace=NAMESPACE)
        obstore.put(self.blobs.store, self._index_key(integrity), sha.encode())
        return sha
