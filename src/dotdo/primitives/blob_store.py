"""A content-addressed blob store on obstore: blobs are named by the sha256 of their bytes.

The store is a local folder by default and any obstore store (S3, GCS, Azure, memory) when one is
given. Blobs live under `<namespace>/<first two hex digits>/<sha256>`, so identical bytes are stored
once per namespace and a `put` of bytes already present is a no-op (a conditional create: it never
rewrites an existing blob). Namespaces let one store hold tiers (`warm`, `cold`) or kinds of data.

Large blobs are written piece by piece through a `BlobUpload`: hashed as the bytes arrive and kept
under `<prefix>incoming/<random name>` until `publish` moves them to their content address, so
memory stays bounded by one piece whatever the blob's size. A process killed mid-upload leaves
only names under `incoming/` (and, for a local folder, obstore's `<key>#<n>` staging files), which
`discard_incoming` and `sweep_staging` remove. On S3 and friends an upload is a multipart upload
until it finishes; one killed before that is invisible to listing and is removed by the bucket's
rule for incomplete multipart uploads (configure one, as for any multipart writer).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from ..extras import require_extra

require_extra("fs", "The blob store (fsx, gitx)")

import obstore
from obstore.exceptions import AlreadyExistsError, NotFoundError, PreconditionError
from obstore.store import LocalStore

_SHA256 = re.compile(r"[0-9a-f]{64}")
_NAMESPACE = re.compile(r"[A-Za-z0-9_.-]+")
_STAGING = re.compile(r"[0-9a-f]{64}#[0-9]+")
INCOMING = "incoming"
UPLOAD_PART_BYTES = 5 * 1024 * 1024
# Hashing this much takes about a millisecond: cheaper on the loop than a thread hop.
_HASH_ON_LOOP_BYTES = 1024 * 1024
# Names of the uploads this process is writing (uuid4 names: unique across every store). Any
# other name under `incoming/` was left by a process that died.
_LIVE_UPLOADS: set[str] = set()


def sha256_hex(data: bytes | bytearray | memoryview) -> str:
    """The sha256 of `data` as 64 lowercase hex digits: the name of that blob."""
    return hashlib.sha256(data).hexdigest()


async def sha256_hex_async(data: bytes | bytearray | memoryview) -> str:
    """`sha256_hex` that hashes a large buffer on a worker thread, so the event loop keeps running."""
    if len(data) < _HASH_ON_LOOP_BYTES:
        return sha256_hex(data)
    return await asyncio.to_thread(sha256_hex, data)


def _check_sha(sha: str) -> str:
    if not isinstance(sha, str) or not _SHA256.fullmatch(sha):
        raise ValueError(f"A blob is named by its sha256 as 64 lowercase hex digits, not {sha!r}")
    return sha


def _check_namespace(namespace: str) -> str:
    if not isinstance(namespace, str) or not _NAMESPACE.fullmatch(namespace) or namespace in (".", ".."):
        raise ValueError(f"A blob namespace is letters, digits, '_', '-' or '.', not {namespace!r}")
    if namespace == INCOMING:
        raise ValueError(f"The namespace {INCOMING!r} is reserved for uploads in progress; choose another name")
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
            raise ValueError(f"prefix must be a plain relative key prefix such as 'objects/abc', not {prefix!r}")
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
        self._store_once(sha, data, namespace)
        return sha

    def _store_once(self, sha: str, data: bytes | bytearray | memoryview, namespace: str) -> bool:
        """Store `data`, whose sha256 is `sha`, unless that blob is there; False if it was.

        In a local folder the bytes are written under `incoming/` and renamed into place, so a put
        killed midway leaves an `incoming/` name that `sweep_incoming` finds, not a hidden
        staging file.
        """
        key = self.key(sha, namespace=namespace)
        if self.root is None:
            return self._create(key, data)
        if self.exists(sha, namespace=namespace):
            return False
        upload = BlobUpload(self, uuid.uuid4().hex, sha256=sha)
        try:
            upload.write(data)
            return upload.publish(namespace=namespace)
        finally:
            upload.discard()

    def put_stream(self, sha: str, parts: Iterable[bytes], *, namespace: str = "blobs") -> bool:
        """Store a blob whose sha256 the caller computed, streaming its parts through a `BlobUpload`.

        Returns False when the blob was already there (the parts are not read). ValueError (and
        nothing stored) when the parts do not hash to `sha`.
        """
        self.key(sha, namespace=namespace)
        if self.exists(sha, namespace=namespace):
            return False
        upload = self.open_upload()
        try:
            for part in parts:
                upload.write(part)
            actual = upload.finish()
            if actual != sha:
                raise ValueError(f"The streamed parts hash to {actual}, not to the sha256 given ({sha})")
            return upload.publish(namespace=namespace)
        finally:
            upload.discard()

    def open_upload(self) -> BlobUpload:
        """A new upload under a fresh name in `incoming/`: write its bytes, then `publish` it."""
        return BlobUpload(self, uuid.uuid4().hex)

    def incoming(self) -> list[str]:
        """Names of the uploads under `incoming/`: in progress, or left by a process that died."""
        if self.root is not None:
            folder = self.root / self.prefix / INCOMING
            try:
                names = os.listdir(folder)
            except FileNotFoundError:
                return []
            # obstore's own staging files (`<name>#<n>`) belong to the upload they are named after.
            return sorted({name.split("#", 1)[0] for name in names})
        prefix = f"{self.prefix}{INCOMING}/"
        try:
            return sorted(
                meta["path"].rsplit("/", 1)[-1] for batch in obstore.list(self.store, prefix=prefix) for meta in batch
            )
        except (NotFoundError, FileNotFoundError):
            return []

    def sweep_incoming(self) -> int:
        """Delete the uploads under `incoming/` that no upload of this process is writing (those a
        process left when it died); returns how many."""
        stale = [name for name in self.incoming() if name not in _LIVE_UPLOADS]
        for name in stale:
            self.discard_incoming(name)
        return len(stale)

    def discard_incoming(self, name: str) -> None:
        """Delete the upload `name` from `incoming/` (whatever of it was written)."""
        if not isinstance(name, str) or not re.fullmatch(r"[0-9a-f]{32}", name):
            raise ValueError(f"An upload is named by 32 lowercase hex digits, not {name!r}")
        if self.root is not None:
            folder = self.root / self.prefix / INCOMING
            for path in folder.glob(f"{name}*"):
                if path.name == name or path.name.startswith(f"{name}#"):
                    path.unlink(missing_ok=True)
            return
        try:
            obstore.delete(self.store, f"{self.prefix}{INCOMING}/{name}")
        except (NotFoundError, FileNotFoundError):
            pass

    def sweep_staging(self, *, namespace: str = "blobs", keep: Iterable[str] = ()) -> int:
        """Delete obstore's `<sha>#<n>` staging files of a local folder (a put killed midway).

        `list` never shows them, so nothing else would. Blobs named in `keep` (being written now)
        are left alone. Returns how many were deleted; stores other than a local folder keep no
        such files and get 0.
        """
        if self.root is None:
            return 0
        kept = set(keep)
        folder = self.root / self.prefix / _check_namespace(namespace)
        deleted = 0
        for path in folder.glob("*/*#*"):
            if _STAGING.fullmatch(path.name) and path.name.split("#", 1)[0] not in kept:
                path.unlink(missing_ok=True)
                deleted += 1
        return deleted

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
        if self.root is not None:
            try:
                with open(self.root / key, "rb") as file:
                    file.seek(start)
                    data = file.read(end - start)
            except FileNotFoundError:
                raise FileNotFoundError(f"Blob {sha} is not in namespace {namespace!r} of {self!r}") from None
            if len(data) != end - start:
                raise ValueError(f"Blob {sha} has fewer than {end} bytes")
            return data
        try:
            return bytes(obstore.get_range(self.store, key, start=start, end=end))
        except (NotFoundError, FileNotFoundError):
            raise FileNotFoundError(f"Blob {sha} is not in namespace {namespace!r} of {self!r}") from None

    def exists(self, sha: str, *, namespace: str = "blobs") -> bool:
        """Whether blob `sha` is stored in `namespace`."""
        if self.root is not None:
            # A local folder answers from the file system itself: a stat, not a call into obstore.
            return (self.root / self.key(sha, namespace=namespace)).is_file()
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
        """Move blob `sha` from namespace `source` to `destination`.

        A rename where the store has one (a local folder: no bytes copied, however large the blob),
        copy-then-delete elsewhere.
        """
        src, dst = self.key(sha, namespace=source), self.key(sha, namespace=destination)
        if self.exists(sha, namespace=destination):
            self.delete(sha, namespace=source)
            return
        try:
            obstore.rename(self.store, src, dst, overwrite=True)
        except (NotFoundError, FileNotFoundError):
            raise FileNotFoundError(f"Blob {sha} is not in namespace {source!r} of {self!r}") from None

    def copy(self, sha: str, *, source: str, destination: str) -> None:
        """Make blob `sha` of namespace `source` present in `destination` too (a no-op if it is there).

        A hard link where the store is a local folder (no bytes copied), a copy elsewhere.
        """
        if self.exists(sha, namespace=destination):
            return
        src, dst = self.key(sha, namespace=source), self.key(sha, namespace=destination)
        if self.root is not None:
            target = self.root / dst
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(self.root / src, target)
            except FileExistsError:
                return
            except FileNotFoundError:
                raise FileNotFoundError(f"Blob {sha} is not in namespace {source!r} of {self!r}") from None
            return
        try:
            obstore.copy(self.store, src, dst, overwrite=True)
        except (NotFoundError, FileNotFoundError):
            raise FileNotFoundError(f"Blob {sha} is not in namespace {source!r} of {self!r}") from None

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

    async def put_async(
        self, data: bytes | bytearray | memoryview, *, namespace: str = "blobs", sha: str | None = None
    ) -> str:
        """`put` without blocking the event loop (a large blob is hashed on a worker thread).

        `sha` skips the hashing when the caller already has the sha256 of `data`.
        """
        data = _check_bytes(data)
        if sha is None:
            sha = await sha256_hex_async(data)
        key = self.key(sha, namespace=namespace)
        if self.root is not None:
            await asyncio.to_thread(self._store_once, sha, data, namespace)
            return sha
        try:
            await obstore.put_async(self.store, key, data, mode="create")
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


class BlobUpload:
    """A blob written piece by piece: hashed as it goes, named by its sha256 when published.

    Until `publish`, the bytes live under `<prefix>incoming/<name>` (a plain file for a local
    folder, a multipart upload of 5 MiB parts otherwise), so only one part is ever in memory.
    Not thread-safe: one writer at a time.
    """

    def __init__(self, blobs: BlobStore, name: str, *, sha256: str | None = None) -> None:
        """An upload named `name` under `incoming/` (use `BlobStore.open_upload()`).

        `sha256`, when the caller already hashed everything it will write, skips hashing again
        (it is not checked).
        """
        self.blobs = blobs
        self.name = name
        self.key = f"{blobs.prefix}{INCOMING}/{name}"
        self.size = 0
        self._hasher = hashlib.sha256() if sha256 is None else None
        self._known_sha = sha256
        self._sha: str | None = None
        self._file: BinaryIO | None = None
        self._writer: Any = None
        self._done = False
        _LIVE_UPLOADS.add(name)

    def write(self, data: bytes | bytearray | memoryview) -> None:
        """Append `data` to the blob."""
        if self._sha is not None or self._done:
            raise ValueError(f"Upload {self.name} is finished; open a new one to write more")
        data = _check_bytes(data)
        if self._hasher is not None:
            self._hasher.update(data)
        self._target().write(data)
        self.size += len(data)

    def _target(self) -> Any:
        if self.blobs.root is not None:
            if self._file is None:
                path = self.blobs.root / self.key
                path.parent.mkdir(parents=True, exist_ok=True)
                self._file = open(path, "xb")  # noqa: SIM115 - closed by finish/discard
            return self._file
        if self._writer is None:
            self._writer = obstore.open_writer(
                self.blobs.store, self.key, buffer_size=UPLOAD_PART_BYTES, max_concurrency=2
            )
        return self._writer

    def finish(self) -> str:
        """Stop writing and return the blob's sha256 (the upload stays in `incoming/` until published)."""
        if self._sha is not None:
            return self._sha
        if self._done:
            raise ValueError(f"Upload {self.name} was discarded")
        self._target()
        self._close()
        sha = self._hasher.hexdigest() if self._hasher is not None else self._known_sha
        assert sha is not None
        self._sha = sha
        return sha

    def read_range(self, start: int, end: int) -> bytes:
        """Bytes [start, end) of a finished upload (to bring it back into another form)."""
        self.finish()
        if start >= end:
            return b""
        return bytes(obstore.get_range(self.blobs.store, self.key, start=start, end=end))

    def publish(self, *, namespace: str = "blobs") -> bool:
        """Move the finished upload to its content address; False if that blob was already stored."""
        sha = self.finish()
        final = self.blobs.key(sha, namespace=namespace)
        if self.blobs.exists(sha, namespace=namespace):
            self.discard()
            return False
        if self.blobs.root is not None:
            target = self.blobs.root / final
            target.parent.mkdir(parents=True, exist_ok=True)
            # Renaming within one folder tree is atomic: readers see no blob or the whole blob.
            os.replace(self.blobs.root / self.key, target)
        else:
            obstore.copy(self.blobs.store, self.key, final, overwrite=True)
            self.discard()
        self._done = True
        _LIVE_UPLOADS.discard(self.name)
        return True

    def discard(self) -> None:
        """Delete what was written (a no-op once published or discarded)."""
        if self._done:
            return
        self._done = True
        try:
            self._close()
        finally:
            try:
                self.blobs.discard_incoming(self.name)
            finally:
                _LIVE_UPLOADS.discard(self.name)

    def _close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        if self._writer is not None:
            writer, self._writer = self._writer, None
            writer.close()

    def __repr__(self) -> str:
        return f"<BlobUpload {self.name} {self.size} bytes in {self.blobs!r}>"


def _check_bytes(data: Any) -> bytes | bytearray | memoryview:
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"A blob is bytes, not {type(data).__name__}")
    return data
