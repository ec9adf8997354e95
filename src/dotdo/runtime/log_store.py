"""Where change logs are kept: an obstore store (a local folder, or S3 and S3-compatible servers).

`LogStore.open("s3://bucket/prefix", {...})` or `LogStore.open("/path/to/folder")`. Writes of log
segments are create-only (`mode="create"`: a conditional put that fails if the name exists), which
is how a stale owner's upload is refused.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlparse

from .errors import StorageError


class LogStoreError(StorageError):
    """The log store cannot be opened or answered with an error."""


class AlreadyWrittenError(LogStoreError):
    """A create-only put found the name taken (another writer got there first)."""


S3_OPTION_NAMES = ("endpoint", "region", "access_key_id", "secret_access_key", "token")
"""The options of an `s3://` log store that the command line takes (`--replicate-option NAME=VALUE`)."""

OPTIONS_VARIABLE = "DOTDO_REPLICATE_OPTIONS"
"""The environment variable carrying a store's options to the apps a command serves (a JSON object)."""


def parse_store_options(pairs: Iterable[str]) -> dict[str, str]:
    """Options given as `NAME=VALUE` (repeatable on the command line), checked against `S3_OPTION_NAMES`."""
    options: dict[str, str] = {}
    for pair in pairs:
        name, equals, value = pair.partition("=")
        if not equals or name.strip() not in S3_OPTION_NAMES:
            raise LogStoreError(
                f"{pair!r} is not a store option: give NAME=VALUE with NAME one of {', '.join(S3_OPTION_NAMES)} "
                "(credentials can also come from the AWS_* environment variables)"
            )
        options[name.strip()] = value
    return options


def store_options_from_environment() -> dict[str, str] | None:
    """The options in `$DOTDO_REPLICATE_OPTIONS` (a JSON object of strings), or None when it is unset."""
    text = os.environ.get(OPTIONS_VARIABLE)
    if not text:
        return None
    try:
        options = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LogStoreError(f"${OPTIONS_VARIABLE} is not JSON ({exc}): give an object of strings") from None
    if not isinstance(options, dict) or not all(isinstance(v, str) for v in options.values()):
        raise LogStoreError(f'${OPTIONS_VARIABLE} must be a JSON object of strings, like {{"region": "eu-west-1"}}')
    return options


class LogStore:
    """An obstore store and a prefix inside it; every name given to it is relative to the prefix."""

    def __init__(self, store: Any, prefix: str, url: str) -> None:
        self.store = store
        self.prefix = prefix.strip("/")
        self.url = url

    @classmethod
    def open(cls, url: str | os.PathLike[str], options: Mapping[str, str] | None = None) -> LogStore:
        """A folder path (or `file://` URL), or `s3://bucket/prefix` with obstore's S3 options.

        S3 options (all optional, also read from the usual `AWS_*` variables by obstore):
        `endpoint`, `region`, `access_key_id`, `secret_access_key`, `token`.
        """
        try:
            from obstore.store import LocalStore, S3Store
        except ImportError:
            raise LogStoreError(
                "Shipping the change log needs obstore: pip install 'dotdo[fs]' (or 'obstore')"
            ) from None
        text = os.fspath(url)
        parsed = urlparse(text)
        options = dict(options or {})
        if parsed.scheme in ("", "file"):
            folder = parsed.path if parsed.scheme == "file" else text
            os.makedirs(folder, exist_ok=True)
            return cls(LocalStore(os.path.abspath(folder), mkdir=True), "", text)
        if parsed.scheme != "s3":
            raise LogStoreError(f"Unsupported log store {text!r}: give a folder path or s3://bucket/prefix")
        if not parsed.netloc:
            raise LogStoreError(f"The log store {text!r} names no bucket: use s3://bucket/prefix")
        endpoint = options.pop("endpoint", None)
        config: dict[str, Any] = {"region": options.pop("region", "us-east-1"), **options}
        client: dict[str, Any] = {"timeout": "30s", "connect_timeout": "5s"}
        if endpoint:
            config["endpoint"] = endpoint
            client["allow_http"] = endpoint.startswith("http://")
        store = S3Store(parsed.netloc, config=config, client_options=client)  # type: ignore[arg-type]
        return cls(store, parsed.path, text)

    def _path(self, name: str) -> str:
        return f"{self.prefix}/{name}" if self.prefix else name

    async def put(self, name: str, data: bytes, *, create: bool = False) -> None:
        """Store `data` under `name`; with `create`, only if the name is free (`AlreadyWrittenError` otherwise)."""
        import obstore
        from obstore.exceptions import AlreadyExistsError, PreconditionError

        try:
            await obstore.put_async(self.store, self._path(name), data, mode="create" if create else "overwrite")
        except (AlreadyExistsError, PreconditionError):
            raise AlreadyWrittenError(f"{name} already exists in {self.url}") from None

    def put_sync(self, name: str, data: bytes, *, create: bool = False) -> None:
        """`put`, blocking (for command-line tools)."""
        import obstore
        from obstore.exceptions import AlreadyExistsError, PreconditionError

        try:
            obstore.put(self.store, self._path(name), data, mode="create" if create else "overwrite")
        except (AlreadyExistsError, PreconditionError):
            raise AlreadyWrittenError(f"{name} already exists in {self.url}") from None

    async def get(self, name: str, *, length: int | None = None) -> bytes | None:
        """The bytes stored under `name` (the first `length` bytes if given), or None if absent."""
        import obstore
        from obstore.exceptions import NotFoundError

        try:
            if length is not None:
                meta = await obstore.head_async(self.store, self._path(name))
                end = min(length, int(meta["size"]))
                return bytes(await obstore.get_range_async(self.store, self._path(name), start=0, end=end))
            result = await obstore.get_async(self.store, self._path(name))
            return bytes(await result.bytes_async())
        except (NotFoundError, FileNotFoundError):
            return None

    async def list(self, folder: str, *, after: str | None = None) -> list[tuple[str, int]]:
        """(name relative to `folder`, size) of everything under `folder` (past `after`, if given), in name order."""
        import obstore

        base = self._path(folder).rstrip("/") + "/"
        found: list[tuple[str, int]] = []
        listing = obstore.list(self.store, base, offset=base + after) if after else obstore.list(self.store, base)
        async for chunk in listing:
            found.extend((item["path"][len(base) :], int(item["size"])) for item in chunk)
        found.sort()
        return found

    async def delete(self, names: list[str]) -> None:
        """Delete these names (absent ones are ignored)."""
        import obstore
        from obstore.exceptions import NotFoundError

        for name in names:
            try:
                await obstore.delete_async(self.store, self._path(name))
            except (NotFoundError, FileNotFoundError):
                pass
