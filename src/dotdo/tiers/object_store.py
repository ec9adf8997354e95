"""The warehouse's object storage on obstore: a local folder or an S3 bucket, behind one interface.

The tiers use it for their own files (cold archives, removing files no snapshot needs), and
pyiceberg uses it through `iceberg_io.ObstoreFileIO`. Locations are URIs (`file:///folder/file`,
`s3://bucket/key`); a store is made per bucket (one for local files) from pyiceberg's storage
properties (`s3.endpoint`, `s3.access-key-id`, `s3.secret-access-key`, `s3.region`,
`s3.session-token`, `s3.request-timeout`, `s3.connect-timeout`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

if TYPE_CHECKING:
    from obstore.store import ObjectStore


@dataclass(frozen=True, slots=True)
class StoredFile:
    """One file of a listing: its location (a URI), size and last change."""

    location: str
    size: int
    modified: datetime


def _split(location: str) -> tuple[str, str, str]:
    """(scheme, bucket, key) of a location; local paths have scheme "file" and no bucket."""
    parsed = urlparse(location)
    if parsed.scheme in ("s3", "s3a"):
        return "s3", parsed.netloc, parsed.path.lstrip("/")
    if parsed.scheme not in ("", "file"):
        raise ValueError(f"the warehouse stores file:// and s3:// locations, not {location!r}")
    return "file", "", parsed.path.lstrip("/")


class WarehouseStore:
    """Files of the warehouse in obstore stores, addressed by URI."""

    def __init__(self, options: Mapping[str, str]) -> None:
        self.options = dict(options)
        self._stores: dict[tuple[str, str], ObjectStore] = {}
        self._lock = threading.Lock()

    def _store(self, scheme: str, bucket: str) -> ObjectStore:
        with self._lock:
            store = self._stores.get((scheme, bucket))
            if store is None:
                store = self._stores[(scheme, bucket)] = self._open(scheme, bucket)
            return store

    def _open(self, scheme: str, bucket: str) -> ObjectStore:
        from obstore.store import LocalStore, S3Store

        if scheme == "file":
            return LocalStore("/")
        options = self.options
        config: dict[str, Any] = {"region": options.get("s3.region", "us-east-1")}
        if "s3.access-key-id" in options:
            config["access_key_id"] = options["s3.access-key-id"]
            config["secret_access_key"] = options.get("s3.secret-access-key", "")
        if "s3.session-token" in options:
            config["token"] = options["s3.session-token"]
        endpoint = options.get("s3.endpoint")
        client: dict[str, Any] = {}
        if endpoint:
            config["endpoint"] = endpoint
            client["allow_http"] = endpoint.startswith("http://")
        # pyiceberg's names, in seconds; obstore's defaults (30 s, 5 s) otherwise.
        for prop, name in (("s3.request-timeout", "timeout"), ("s3.connect-timeout", "connect_timeout")):
            if prop in options:
                client[name] = f"{float(options[prop]):g}s"
        return S3Store(bucket, config=config, client_options=client)  # type: ignore[arg-type]

    def locate(self, location: str) -> tuple[ObjectStore, str]:
        """The store holding `location` and the key in it."""
        scheme, bucket, key = _split(location)
        return self._store(scheme, bucket), key

    def read(self, location: str) -> bytes:
        """The whole file (`FileNotFoundError` if there is none)."""
        import obstore
        from obstore.exceptions import NotFoundError

        store, key = self.locate(location)
        try:
            return obstore.get(store, key).bytes().to_bytes()
        except NotFoundError:
            raise FileNotFoundError(location) from None

    def read_all(self, locations: list[str], *, concurrency: int = 16) -> list[bytes]:
        """Whole files, fetched concurrently (obstore waits without holding the GIL), in order."""
        if len(locations) <= 1:
            return [self.read(location) for location in locations]
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=min(concurrency, len(locations))) as pool:
            return list(pool.map(self.read, locations))

    def write(self, location: str, data: bytes, *, create: bool = False) -> None:
        """Write a whole file at once (readers see the old file or the new one); with `create`, only
        if none is there yet (a conditional write: `FileExistsError` otherwise)."""
        import obstore
        from obstore.exceptions import AlreadyExistsError

        store, key = self.locate(location)
        try:
            obstore.put(store, key, data, mode="create" if create else "overwrite")
        except AlreadyExistsError:
            raise FileExistsError(location) from None

    def size(self, location: str) -> int | None:
        """The file's size, or None if there is none."""
        import obstore
        from obstore.exceptions import NotFoundError

        store, key = self.locate(location)
        try:
            return int(obstore.head(store, key)["size"])
        except (FileNotFoundError, NotFoundError):
            return None

    def delete(self, location: str) -> None:
        """Delete a file (a missing one is no error)."""
        import obstore
        from obstore.exceptions import NotFoundError

        store, key = self.locate(location)
        try:
            obstore.delete(store, key)
        except (FileNotFoundError, NotFoundError):
            pass

    def list(self, folder: str) -> Iterator[StoredFile]:
        """Every file under `folder` (a URI), at any depth."""
        import obstore

        store, key = self.locate(folder)
        scheme, bucket, _ = _split(folder)
        base = f"s3://{bucket}/" if scheme == "s3" else "file:///"
        prefix = key.rstrip("/") + "/"
        if scheme == "file":
            from pathlib import Path

            if not Path("/" + prefix).is_dir():
                return
        for batch in obstore.list(store, prefix):
            for meta in batch:
                yield StoredFile(base + meta["path"], int(meta["size"]), meta["last_modified"])

    def reader(self, location: str) -> ObjectReader:
        """A seekable binary file object reading `location` (for pyarrow and pyiceberg);
        `FileNotFoundError` if there is none."""
        import obstore
        from obstore.exceptions import NotFoundError

        store, key = self.locate(location)
        try:
            return ObjectReader(obstore.open_reader(store, key))
        except NotFoundError:
            raise FileNotFoundError(location) from None

    def writer(self, location: str) -> ObjectWriter:
        """A binary file object writing `location`; the file appears whole when it is closed."""
        import obstore

        store, key = self.locate(location)
        return ObjectWriter(obstore.open_writer(store, key))


class ObjectReader:
    """obstore's readable file with the file protocol pyarrow and pyiceberg expect."""

    def __init__(self, file: Any) -> None:
        self._file = file
        self.closed = False

    def read(self, size: int | None = -1) -> bytes:
        """Up to `size` bytes (all that is left when negative or None)."""
        return bytes(self._file.read(None if size is None or size < 0 else size))

    def seek(self, offset: int, whence: int = 0) -> int:
        """Move to `offset` (from the start, the position or the end, by `whence`)."""
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        """The position."""
        return self._file.tell()

    def seekable(self) -> bool:
        """Always True."""
        return True

    def readable(self) -> bool:
        """Always True."""
        return True

    def writable(self) -> bool:
        """Always False."""
        return False

    def size(self) -> int:
        """The file's size."""
        return int(self._file.size)

    def close(self) -> None:
        """Release the reader."""
        if not self.closed:
            self._file.close()
            self.closed = True

    def __enter__(self) -> ObjectReader:
        return self

    def __exit__(
        self, exctype: type[BaseException] | None, excinst: BaseException | None, exctb: TracebackType | None
    ) -> None:
        self.close()


class ObjectWriter:
    """obstore's writable file with the file protocol pyarrow and pyiceberg expect: the file appears
    when it is closed, and not at all if writing fails."""

    def __init__(self, file: Any) -> None:
        self._file = file
        self._written = 0
        self.closed = False

    def write(self, b: bytes | memoryview) -> int:
        """Append `b` (the name pyiceberg's `OutputStream` gives it)."""
        self._file.write(b)
        self._written += len(b)
        return len(b)

    def tell(self) -> int:
        """How many bytes were written."""
        return self._written

    def flush(self) -> None:
        """Nothing to do: bytes are sent in parts and the file completes on `close`."""

    def seekable(self) -> bool:
        """Always False."""
        return False

    def readable(self) -> bool:
        """Always False."""
        return False

    def writable(self) -> bool:
        """Always True."""
        return True

    def close(self) -> None:
        """Complete the file."""
        if not self.closed:
            self.closed = True
            self._file.close()

    def __enter__(self) -> ObjectWriter:
        return self

    def __exit__(
        self, exctype: type[BaseException] | None, excinst: BaseException | None, exctb: TracebackType | None
    ) -> None:
        # obstore's own exit completes the file, or abandons it when an exception is on its way.
        if not self.closed:
            self.closed = True
            self._file.__exit__(exctype, excinst, exctb)
