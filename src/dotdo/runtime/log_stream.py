"""A runtime's stream of group segments: one upload carries the commits of every object since the last.

The stream is the change log's write path (see `log_format.py` for the layout): commits are queued
as objects commit, and each upload takes everything queued as the next group segment, written
create-only. While uploads are in flight (a few at once) the next batch gathers, so under load each
upload carries many objects' commits and the store sees one request per batch, not one per object.
Segments are released in number order: a commit is acknowledged once its segment and every earlier
one are in the store.

A new owner taking an object over from this stream's writer writes a fence into the stream
(`fence_stream`): the writer's next upload finds that name taken and is refused with
`StaleOwnerError`; so is every commit still queued.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING

from .errors import StorageError
from .log_format import Commit, StreamEntry, decode_stream_segment, encode_stream_segment, stream_folder
from .log_format import stream_segment_name as segment_name
from .log_store import AlreadyWrittenError, LogStore

if TYPE_CHECKING:
    from .object_log import ObjectLog

_RETRY_FIRST = 0.05
_RETRY_MAX = 5.0
_ENCODE_IN_THREAD_BYTES = 1 << 20
_FENCE_ATTEMPTS = 100
UPLOADS_IN_FLIGHT = 4
"""Group segments uploading at once: the store's latency, not its throughput, bounds one at a time."""

log = logging.getLogger("dotdo.runtime")


class StaleOwnerError(StorageError):
    """This host's upload was refused: another owner (a newer epoch) has taken over since."""


Queued = tuple["ObjectLog", Commit, "asyncio.Future[None]"]


class LogStream:
    """Uploads queued commits as the group segments of one writer's stream, in order, one at a time."""

    def __init__(self, store: LogStore, on_fenced: Callable[[LogStream, StaleOwnerError], None]) -> None:
        self.store = store
        self.writer = secrets.token_hex(8)
        self.next_number = 1
        """The number the next group segment will have."""
        self.fenced: StaleOwnerError | None = None
        self.uploads = 0
        self.uploaded_bytes = 0
        self._on_fenced = on_fenced
        self._queue: list[Queued] = []
        self._task: asyncio.Task[None] | None = None
        self._uploading: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(UPLOADS_IN_FLIGHT)
        self._last_released: asyncio.Future[StaleOwnerError | None] | None = None

    def enqueue(self, object_log: ObjectLog, commit: Commit, future: asyncio.Future[None]) -> None:
        """Queue one commit; it goes up with the next upload (started now if none is running)."""
        self._queue.append((object_log, commit, future))
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._ship(), name=f"dotdo-stream-{self.writer}")

    @property
    def busy(self) -> bool:
        """Whether commits are queued or being uploaded."""
        return self._task is not None or bool(self._uploading)

    async def settled(self) -> None:
        """Wait until every queued commit is uploaded (or refused)."""
        while self._task is not None or self._uploading:
            await asyncio.wait({t for t in (self._task, *self._uploading) if t is not None})

    async def _ship(self) -> None:
        """Start uploads of what is queued, up to `UPLOADS_IN_FLIGHT` at once, numbered in order."""
        loop = asyncio.get_running_loop()
        try:
            while self._queue and self.fenced is None:
                await self._slots.acquire()
                if self.fenced is not None:
                    self._slots.release()
                    break
                batch, self._queue = self._queue, []
                number = self.next_number
                self.next_number += 1
                previous, self._last_released = self._last_released, loop.create_future()
                task = loop.create_task(self._upload_and_release(batch, number, previous, self._last_released))
                self._uploading.add(task)
                task.add_done_callback(self._uploading.discard)
            if self.fenced is not None:
                for _, _, future in self._queue:
                    _fail(future, self.fenced)
                self._queue.clear()
        finally:
            self._task = None

    async def _upload_and_release(
        self,
        batch: list[Queued],
        number: int,
        previous: asyncio.Future[StaleOwnerError | None] | None,
        released: asyncio.Future[StaleOwnerError | None],
    ) -> None:
        """Upload one group segment, then release its commits once every earlier segment is released too."""
        error: StaleOwnerError | None = None
        try:
            try:
                await self._upload(batch, number)
            except StaleOwnerError as exc:
                error = exc
            finally:
                self._slots.release()
            # Readers stop at the first missing segment: a commit counts once every segment before it is in.
            earlier = await previous if previous is not None else None
            error = error or earlier
        finally:
            released.set_result(error)
        if error is not None:
            for _, _, future in batch:
                _fail(future, error)
            if self.fenced is None:
                self.fenced = error
                log.error("%s", error)
                self._on_fenced(self, error)
            return
        by_object: dict[int, tuple[ObjectLog, list[Commit]]] = {}
        for object_log, commit, _ in batch:
            by_object.setdefault(id(object_log), (object_log, []))[1].append(commit)
        for object_log, commits in by_object.values():
            object_log.shipped(commits, number)
        for _, _, future in batch:
            if not future.done():
                future.set_result(None)

    async def _upload(self, batch: list[Queued], number: int) -> None:
        entries: dict[int, StreamEntry] = {}
        size = 0
        for object_log, commit, _ in batch:
            entry = entries.get(id(object_log))
            if entry is None:
                entry = entries[id(object_log)] = StreamEntry(object_log.key, object_log.epoch, [])
            entry.commits.append(commit)
            size += len(commit.pages.pages) * commit.pages.page_size
        groups = list(entries.values())
        if size > _ENCODE_IN_THREAD_BYTES:
            data = await asyncio.to_thread(encode_stream_segment, self.writer, number, groups)
        else:
            data = encode_stream_segment(self.writer, number, groups)
        name = segment_name(self.writer, number)
        delay = _RETRY_FIRST
        while True:
            try:
                await self.store.put(name, data, create=True)
                break
            except AlreadyWrittenError:
                raise StaleOwnerError(
                    f"Upload of {name} refused: a new owner fenced this host's stream (it took over an object "
                    f"from it); {len(batch)} commits of this host are not in the log, and its objects must be "
                    "reactivated from the log"
                ) from None
            except Exception as exc:  # a network or server error: retry, the commits stay queued
                log.warning("upload of %s failed (%s); retrying in %.2f s", name, exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, _RETRY_MAX)
        self.uploads += 1
        self.uploaded_bytes += len(data)

    async def delete_below(self, number: int, already: int) -> int:
        """Delete this stream's segments from `already` up to (not including) `number`; returns `number`."""
        await self.store.delete([segment_name(self.writer, n) for n in range(max(already, 1), number)])
        return number


async def stream_numbers(store: LogStore, writer: str, start: int) -> list[int]:
    """The group segment numbers of `writer`'s stream from `start` on, in order."""
    after = f"{start - 1:016d}" if start > 1 else None
    return [int(name) for name, _ in await store.list(stream_folder(writer), after=after) if name.isdigit()]


async def read_stream_tail(store: LogStore, writer: str, start: int, key: str) -> list[Commit]:
    """The commits of the object at `key` in `writer`'s stream from group segment `start` to its end or fence."""
    found: list[Commit] = []
    expected = start
    for number in await stream_numbers(store, writer, start):
        if number != expected:
            break  # a gap: an upload that never completed; nothing after it was acknowledged
        name = segment_name(writer, number)
        data = await store.get(name)
        if data is None:
            break
        fence, commits = decode_stream_segment(data, name, key)
        if fence:
            break
        found.extend(commits)
        expected += 1
    return found


async def fence_stream(store: LogStore, writer: str) -> None:
    """Write a fence at the end of `writer`'s stream, so its next upload is refused."""
    numbers = await stream_numbers(store, writer, 1)
    number = (numbers[-1] if numbers else 0) + 1
    for _ in range(_FENCE_ATTEMPTS):
        try:
            await store.put(
                segment_name(writer, number), encode_stream_segment(writer, number, [], fence=True), create=True
            )
            return
        except AlreadyWrittenError:
            number += 1  # the writer got there first: fence after its upload
    raise StorageError(f"Could not fence stream {writer}: it kept writing ({_FENCE_ATTEMPTS} attempts)")


def _fail(future: asyncio.Future[None], exc: BaseException) -> None:
    if not future.done():
        future.set_exception(exc)
        future.add_done_callback(_retrieve)


def _retrieve(future: asyncio.Future[None]) -> None:
    if not future.cancelled():
        future.exception()
