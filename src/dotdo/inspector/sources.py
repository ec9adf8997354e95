"""Where the operator commands read from: a data folder directly, or a running server's inspector (`--url`).

Both answer the same questions with the same shapes (the JSON of `/_dotdo/api/…`), so each
command is written once. A folder that a server holds is read through that server; writes to a
folder go through a runtime of its own, which fails while a server holds the folder — never two
writers at once.
"""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol, TypeVar
from urllib.parse import quote

import httpx

from ..context import DO
from ..primitives.attachments import CTX_ATTACHMENTS
from ..runtime.data_folder import DataFolder
from ..runtime.ids import ObjectId, id_from_name
from ..runtime.runtime import Runtime
from .archive import write_archive
from .catalog import Catalog, ObjectSummary
from .object_reader import ObjectBusyError, ObjectReader, display_value

T = TypeVar("T")


class SourceError(Exception):
    """A command cannot get what it asked for; the message says what to do."""


class Source(Protocol):
    """What the operator commands ask of a data folder or a server."""

    def objects(self, cls: str | None, search: str, limit: int) -> tuple[list[dict[str, Any]], int]:
        """Objects (of one class, or all) whose name or id contains `search`, and how many match."""
        ...

    def sql(self, cls: str, name: str, statement: str, write: bool) -> dict[str, Any]:
        """`{"columns", "rows", "truncated"}` of a statement run in the object (read-only unless `write`)."""
        ...

    def kv_list(self, cls: str, name: str, prefix: str) -> list[dict[str, Any]]:
        """The object's key-value entries starting with `prefix`."""
        ...

    def kv_get(self, cls: str, name: str, key: str) -> Any:
        """The value of one key; `SourceError` if absent."""
        ...

    def alarms(self, cls: str, name: str) -> list[dict[str, Any]]:
        """The object's alarm and timers."""
        ...

    def export(self, cls: str, name: str) -> bytes:
        """The object's archive (.tar.gz)."""
        ...


def summary_dict(summary: ObjectSummary) -> dict[str, Any]:
    """An object as the JSON API shows it."""
    return {
        "class": summary.namespace,
        "id": summary.id,
        "name": summary.name,
        "size": summary.size,
        "last_activity": summary.last_activity.isoformat(timespec="seconds"),
        "live": summary.live,
    }


def bare_class(namespace: str) -> type[DO]:
    """A Durable Object class with no code of its own, addressing the stored objects of `namespace`."""
    return type(namespace, (DO,), {"namespace": namespace, "__module__": __name__})


class FolderSource:
    """Reads a data folder's files; writes through a runtime of its own (refused while a server holds the folder)."""

    def __init__(self, data_dir: Path) -> None:
        self.folder = DataFolder(data_dir)
        if not (self.folder.root / "objects").is_dir():
            raise SourceError(
                f"{self.folder.root} is not a dotdo data folder (no objects/ in it): pass --data-dir, "
                "or --url to ask a running server"
            )
        self.catalog = Catalog(self.folder)

    def _reader(self, cls: str, name: str) -> ObjectReader:
        _, path = self._find(cls, name)
        try:
            return ObjectReader(path, timeout=0)
        except ObjectBusyError as exc:
            raise SourceError(str(exc)) from None

    def _find(self, cls: str, name: str) -> tuple[str, Path]:
        try:
            return self.catalog.find(cls, name)
        except LookupError as exc:
            raise SourceError(str(exc).strip("'\"")) from None

    def objects(self, cls: str | None, search: str, limit: int) -> tuple[list[dict[str, Any]], int]:
        """See `Source.objects`."""
        found, total = self.catalog.objects(cls, search=search, limit=limit)
        return [summary_dict(s) for s in found], total

    def sql(self, cls: str, name: str, statement: str, write: bool) -> dict[str, Any]:
        """See `Source.sql`."""
        if not write:
            with self._reader(cls, name) as reader:
                result = reader.query(statement)
            return {"columns": result.columns, "rows": result.rows, "truncated": result.truncated}
        hex_id, _ = self._find(cls, name)

        def execute(obj: Any) -> dict[str, Any]:
            cursor = obj.storage.sql.exec(statement)
            found = cursor.to_list()
            return {
                "columns": list(found[0]) if found else [],
                "rows": [[display_value(v) for v in row.values()] for row in found],
                "truncated": False,
                "rows_written": cursor.rows_written,
            }

        return self.in_object(cls, hex_id, name, execute)

    def in_object(self, cls: str, hex_id: str, name: str, fn: Callable[[Any], T]) -> T:
        """Run `fn(obj)` in the object, on a runtime of this process that holds the folder meanwhile.

        An async `fn` is awaited inside the object's event; its result is returned.
        """

        async def run() -> T:
            async with Runtime(self.folder.root) as runtime:
                runtime.add_defaults(CTX_ATTACHMENTS)
                oid = ObjectId(cls, hex_id, name if id_from_name(cls, name).hex == hex_id else None)
                return await runtime.run_in(bare_class(cls), oid, fn)

        try:
            return asyncio.run(run())
        except Exception as exc:
            raise SourceError(str(exc)) from None

    def kv_list(self, cls: str, name: str, prefix: str) -> list[dict[str, Any]]:
        """See `Source.kv_list`."""
        with self._reader(cls, name) as reader:
            return reader.kv(prefix=prefix, limit=500)

    def kv_get(self, cls: str, name: str, key: str) -> Any:
        """See `Source.kv_get`."""
        with self._reader(cls, name) as reader:
            try:
                return reader.kv_get(key)
            except KeyError:
                raise SourceError(f"No key {key!r} in {cls} {name!r}") from None

    def alarms(self, cls: str, name: str) -> list[dict[str, Any]]:
        """See `Source.alarms`."""
        with self._reader(cls, name) as reader:
            return reader.alarms()

    def export(self, cls: str, name: str) -> bytes:
        """See `Source.export`."""
        hex_id, path = self._find(cls, name)
        buffer = io.BytesIO()
        write_archive(path, cls, hex_id, Catalog.recorded_name(path), buffer)
        return buffer.getvalue()


class ServerSource:
    """Asks a running server's inspector over HTTP (its JSON API under `/_dotdo/api/`)."""

    def __init__(self, url: str, token: str | None) -> None:
        self.url = url.rstrip("/")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.client = httpx.Client(base_url=self.url, headers=headers, timeout=30)

    def _answer(self, response: httpx.Response) -> Any:
        if response.status_code == 401:
            raise SourceError(f"{self.url} wants a token: pass --token (or set DOTDO_TOKEN)")
        if response.status_code >= 400:
            try:
                message = response.json().get("message", response.text)
            except (json.JSONDecodeError, AttributeError):
                message = response.text[:200]
            if response.status_code == 404 and "/_dotdo/" in str(response.request.url) and "No " not in message:
                message = f"{message} (is the inspector on? dotdo dev serves it unless --no-inspector)"
            raise SourceError(f"{self.url} answered {response.status_code}: {message}")
        return response.json() if "json" in response.headers.get("content-type", "") else response.content

    def _get(self, path: str, **params: Any) -> Any:
        try:
            return self._answer(self.client.get(path, params=params))
        except httpx.HTTPError as exc:
            raise SourceError(f"Cannot reach {self.url}: {exc}. Is the server running there?") from None

    def _object(self, cls: str, name: str) -> str:
        return f"/_dotdo/api/objects/{quote(cls, safe='')}/{id_from_name(cls, name).hex}"

    def objects(self, cls: str | None, search: str, limit: int) -> tuple[list[dict[str, Any]], int]:
        """See `Source.objects`."""
        answer = self._get("/_dotdo/api/objects", **{"class": cls or "", "q": search, "limit": limit})
        return answer["objects"], answer["total"]

    def sql(self, cls: str, name: str, statement: str, write: bool) -> dict[str, Any]:
        """See `Source.sql`."""
        try:
            response = self.client.post(self._object(cls, name) + "/sql", json={"sql": statement, "write": write})
        except httpx.HTTPError as exc:
            raise SourceError(f"Cannot reach {self.url}: {exc}. Is the server running there?") from None
        return self._answer(response)

    def kv_list(self, cls: str, name: str, prefix: str) -> list[dict[str, Any]]:
        """See `Source.kv_list`."""
        return self._get(self._object(cls, name) + "/kv", prefix=prefix, limit=500)["entries"]

    def kv_get(self, cls: str, name: str, key: str) -> Any:
        """See `Source.kv_get`."""
        return self._get(self._object(cls, name) + "/kv/" + quote(key, safe=""))["value"]

    def alarms(self, cls: str, name: str) -> list[dict[str, Any]]:
        """See `Source.alarms`."""
        return self._get(self._object(cls, name))["alarms"]

    def export(self, cls: str, name: str) -> bytes:
        """See `Source.export`."""
        return self._get(self._object(cls, name) + "/export")

    def follow(self) -> Iterator[dict[str, Any]]:
        """Every new timeline entry of the server, as it happens."""
        try:
            with self.client.stream("GET", "/_dotdo/api/timeline/stream", timeout=None) as response:
                if response.status_code != 200:
                    response.read()
                    self._answer(response)
                for line in response.iter_lines():
                    if line.startswith("data: "):
                        yield json.loads(line[6:])
        except httpx.HTTPError as exc:
            raise SourceError(f"Cannot reach {self.url}: {exc}. Is the server running there?") from None
