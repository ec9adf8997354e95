"""A content-addressed blob store on obstore: blobs are named by the sha256 of their bytes.

The store is a local folder by default and any obstore store (S3, GCS, Azure, memory) when one is
given. Blobs live under `<namespace>/<first two hex digits>/<sha256>`, so identical bytes are stored
once per namespace and a `put` of bytes already present is a no-op (a conditional create: it never
rewrites an existing blob). Namespaces let one store hold tiers (`warm`, `cold`) or kinds of data.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import obstore
from obstore.exceptions import AlreadyExistsError, NotFoundError, PreconditionError
from obstore.store import LocalStore

_SHA256 = re.compile(r"[0-9a-f]{64}")
_NAMESPACE = re.compile(r"[A-Za-z0-9_.-]+")


def sha256_hex(data: bytes | bytearray | memoryview) -> str:
    """The sha256 of `data` as 64 lowercase hex digits: the name of that blob."""
    return hashlib.sha256(data).hexdigest()


def _check_sha(sha: str) -> str:
    if not isinstance(sha, str) or not _SHA256.fullmatch(sha):
        raise ValueError(f"A blob is named by its sha256 as 64 lowercase hex digits, not {sha!r}")
    return sha


def _check_namespace(namespace: str) -> str:
    if not isinstance(namespace, str) or not _NAMESPACE.fullmatch(namespace) or namespace in (".", ".."):
        raise ValueError(f"A blob namespace is letters, digits, '_', '-' or '.', not {namespace!r}")
    return namespace


class BlobStore:
    """Content-addressed blobs (put/get/delete/exists by sha256) in a folder or any obstore store.

    `BlobStore("path/to/folder")` keeps blobs in a local folder (created on first write);
    `BlobStore(obstore.store.S3Store(...), prefix="objects/abc")` keeps them in a bucket under a prefix.
    """

    def __init__(self, store: Any, *, prefix: str = "") -> None:
        if isinstance(store, str | os.PathLike):
            self.root: Path | None = Path(store)
            store = None
        else:
            self.root = None
        self._store = store
        prefix = prefix.strip("/")
        if prefix and any(part in ("", ".", "..") for part in prefix.split("/")):
            raise ValueError(
                f"prefix must be a plain relative key prefix such as 'objects/abc', not {prefix!r}"
            )
        self.prefix = prefix + "/" if prefix else ""

    @property
    def store(self) -> Any:
        """The obstore store underneath (a `LocalStore` on the folder, created on first use)."""
        if self._store is None:
            assert self.root is not None
            self.root.mkdir(parents=True, exist_ok=True)
            self._store = LocalStore(self.root)
        return self._store

    def key(self, sha: str, *, namespace: str = "blobs") -> str:
        """The object key of blob `sha` in `namespace`."""
        _check_sha(sha)
        return f"{self.prefix}{_check_namespace(namespace)}/{sha[:2]}/{sha}"

    # -- synchronous ------------------------------------------------------------------------------

    def put(self, data: bytes | bytearray | memoryview, *, namespace: str = "blobs") -> str:
        """Store `data` once and return its sha256; storing bytes already present changes nothing."""
        data = _check_bytes(data)
        sha = sha256_hex(data)
        self._create(self.key(sha, namespace=namespace), data)
        return sha

    def put_stream(self, sha: str, parts: Iterable[bytes], *, namespace: str = "blobs") -> bool:
        """Store a blob whose sha256 the caller computed, streaming its parts (multipart for big blobs).

        Returns False when the blob was already there (the parts are not read). The caller must pass
        the true sha256 of the concatenated parts: the store cannot check it before the upload ends.
        """
        key = self.key(sha, namespace=namespace)
        if self.exists(sha, namespace=namespace):
            return False
        return self._create(key, iter(parts))

    def _create(self, key: str, data: Any) -> bool:
        try:
            obstore.put(self.store, key, data, mode="create")
        except (AlreadyExistsError, PreconditionError):
            return False
        return True

    def get(self, sha: str, *, namespace: str = "blobs") -> bytes:
        """The bytes of blob `sha`; `FileNotFoundError` if it is not stored."""
        key = self.key(sha, namespace=namespace)
        try:
            return bytes(obstore.get(self.store, key).bytes())
        except (NotFoundError, FileNotFoundError):
            raise FileNotFoundError(f"Blob {sha} is not in namespace {namespace!r} of {self!r}") from None

    def get_range(self, sha: str, start: int, end: int, *, namespace: str = "blobs") -> bytes:
        """Bytes `start` (inclusive) to `end` (exclusive) of blob `sha`."""
        if start < 0 or end < start:
            raise ValueError(f"Invalid byte range {start}..{end}: need 0 <= start <= end")
        if start == end:
            return b""
        key = self.key(sha, namespace=namespace)
        try:
            return bytes(obstore.get_range(self.store, key, start=start, end=end))
        except (NotFoundError, FileNotFoundError):
            raise FileNotFoundError(f"Blob {sha} is not in namespace {namespace!r} of {self!r}") from None

    def exists(self, sha: str, *, namespace: str = "blobs") -> bool:
        """Whether blob `sha` is stored in `namespace`."""
        try:
            obstore.head(self.store, self.key(sha, namespace=namespace))
        except (NotFoundError, FileNotFoundError):
            return False
        return True

    def delete(self, sha: str, *, namespace: str = "blobs") -> bool:
        """Delete blob `sha` from `namespace`; False if it was not there."""
        if not self.exists(sha, namespace=namespace):
            return False
        try:
            obstore.delete(self.store, self.key(sha, namespace=namespace))
        except (NotFoundError, FileNotFoundError):
            return False
        return True

    def move(self, sha: str, *, source: str, destination: str) -> None:
        """Move blob `sha` from namespace `source` to `destination` (copy, then delete the source)."""
        src, dst = self.key(sha, namespace=source), self.key(sha, namespace=destination)
        if not self.exists(sha, namespace=destination):
            try:
                obstore.copy(self.store, src, dst, overwrite=True)
            except (NotFoundError, FileNotFoundError):
                raise FileNotFoundError(f"Blob {sha} is not in namespace {source!r} of {self!r}") from None
        self.delete(sha, namespace=source)

    def list(self, *, namespace: str = "blobs") -> Iterator[str]:
        """The sha256 of every blob in `namespace`."""
        prefix = f"{self.prefix}{_check_namespace(namespace)}/"
        if self.root is not None and self._store is None and not self.root.exists():
            return
        try:
            for batch in obstore.list(self.store, prefix=prefix):
                for meta in batch:
                    name = meta["path"].rsplit("/", 1)[-1]
                    if _SHA256.fullmatch(name):
                        yield name
        except (NotFoundError, FileNotFoundError):
            return

    # -- asynchronous -----------------------------------------------------------------------------

    async def put_async(self, data: bytes | bytearray | memoryview, *, namespace: str = "blobs") -> str:
        """`put` without blocking the event loop."""
        data = _check_bytes(data)
        sha = sha256_hex(data)
        try:
            await obstore.put_async(self.store, self.key(sha, namespace=namespace), data, mode="create")
        except (AlreadyExistsError, PreconditionError):
            pass
        return sha

    async def get_async(self, sha: str, *, namespace: str = "blobs") -> bytes:
        """`get` without blocking the event loop."""
        key = self.key(sha, namespace=namespace)
        try:
            result = await obstore.get_async(self.store, key)
            return bytes(await result.bytes_async())
        except (NotFoundError, FileNotFoundError):
            raise FileNotFoundError(f"Blob {sha} is not in namespace {namespace!r} of {self!r}") from None

    def __repr__(self) -> str:
        where = str(self.root) if self.root is not None else repr(self._store)
        return f"BlobStore({where}, prefix={self.prefix!r})"


def _check_bytes(data: Any) -> bytes | bytearray | memoryview:
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"A blob is bytes, not {type(data).__name__}")
    return data
