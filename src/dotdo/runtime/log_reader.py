"""Reading an object's change log back: its head, the commit at an instant, and its database at any commit.

A database at commit N is the newest snapshot at or before N with the commits after it applied, in
order, page by page: first from the object's own segments, then from the stream its last segment
points to (commits shipped but not filed yet). Every file is checked against its SHA-256 before
use, and commit numbers must follow each other with no gap: a corrupt, truncated or missing segment
stops the read with `CorruptLogError`, which names the last commit that could be rebuilt.
"""

from __future__ import annotations

import bisect
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from .log_format import (
    HEADER_PROBE_BYTES,
    BookmarkError,
    Commit,
    CorruptLogError,
    SegmentHeader,
    decode_segment,
    decode_snapshot,
    format_bookmark,
    read_segment_header,
    segment_name,
    snapshot_name,
)
from .log_store import LogStore
from .log_stream import read_stream_tail
from .wal_frames import CommittedPages, apply_pages

RESTORE_NAME = "restore"


def connect_image(image: bytes) -> sqlite3.Connection:
    """An in-memory connection to a copy of a database image (to inspect a restored state)."""
    copy = bytearray(image)
    if len(copy) >= 20:
        # The image says WAL mode (bytes 18-19); an in-memory database cannot be in WAL mode.
        copy[18:20] = b"\x01\x01"
    conn = sqlite3.connect(":memory:")
    conn.deserialize(bytes(copy))
    return conn


@dataclass(frozen=True)
class LogHead:
    """The end of an object's log: its last segment, last commit and the epoch of its last writer."""

    segment: int
    commit: int
    epoch: int


class LogReader:
    """One object's log in a `LogStore`, listed once; segment headers are read on demand and kept."""

    def __init__(self, store: LogStore, key: str) -> None:
        self.store = store
        self.key = key
        self.segments: list[int] = []
        self.snapshots: list[int] = []
        self.pending_restore = False
        self.tail: list[Commit] = []
        """Commits after the object's own segments, read from the stream its last segment names."""
        self._headers: dict[int, SegmentHeader] = {}

    async def scan(self, *, tail: bool = True) -> LogReader:
        """List the object's segments and snapshots (again, if called again), and read its stream tail."""
        self.segments, self.snapshots, self.pending_restore, self.tail = [], [], False, []
        for name, _size in await self.store.list(self.key):
            folder, _, leaf = name.partition("/")
            if folder == "log" and leaf.isdigit():
                self.segments.append(int(leaf))
            elif folder == "snapshots" and leaf.isdigit():
                self.snapshots.append(int(leaf))
            elif name == RESTORE_NAME:
                self.pending_restore = True
        self.segments.sort()
        self.snapshots.sort()
        if tail:
            await self.read_tail()
        return self

    async def last_header(self) -> SegmentHeader | None:
        """The header of the object's last segment (None if it has none)."""
        return await self.header(self.segments[-1]) if self.segments else None

    async def read_tail(self) -> None:
        """Read the commits of the object in the stream its last segment points to."""
        last = await self.last_header()
        self.tail = []
        if last is not None and last.stream:
            commits = await read_stream_tail(self.store, last.stream, last.stream_from, self.key)
            self.tail = [c for c in commits if c.number > last.last]

    def _name(self, leaf: str) -> str:
        return f"{self.key}/{leaf}"

    async def header(self, number: int) -> SegmentHeader:
        """The header of segment `number`."""
        found = self._headers.get(number)
        if found is None:
            name = self._name(segment_name(number))
            data = await self.store.get(name, length=HEADER_PROBE_BYTES)
            if data is None:
                raise CorruptLogError(f"Segment {name} is listed but cannot be read")
            found = self._headers[number] = read_segment_header(data, name)
        return found

    async def head(self) -> LogHead:
        """The last segment, commit and epoch (all 0 for an object with no log)."""
        snapshot = self.snapshots[-1] if self.snapshots else 0
        tail = self.tail[-1].number if self.tail else 0
        if not self.segments:
            return LogHead(0, max(snapshot, tail), 0)
        last = await self.header(self.segments[-1])
        return LogHead(last.segment, max(last.last, snapshot, tail), last.epoch)

    async def head_time(self) -> float:
        """When the last commit in the log was made (0 if the log has none)."""
        if self.tail:
            return self.tail[-1].time
        last = await self.last_header()
        return last.last_time if last is not None else 0.0

    async def pending_bookmark(self) -> str | None:
        """The bookmark to restore at the next activation, if one was asked for."""
        if not self.pending_restore:
            return None
        data = await self.store.get(self._name(RESTORE_NAME))
        return data.decode() if data is not None else None

    async def _first_segment_after(self, commit: int) -> int:
        """Index in `segments` of the first segment holding a commit after `commit` (len if none)."""
        low, high = 0, len(self.segments)
        while low < high:
            middle = (low + high) // 2
            if (await self.header(self.segments[middle])).last > commit:
                high = middle
            else:
                low = middle + 1
        return low

    async def commit_at_time(self, when: float) -> int:
        """The last commit made at or before `when` (epoch seconds); 0 if none was."""
        low, high = 0, len(self.segments)
        while low < high:
            middle = (low + high) // 2
            if (await self.header(self.segments[middle])).last_time > when:
                high = middle
            else:
                low = middle + 1
        if low == len(self.segments):
            answer = (await self.last_header()).last if self.segments else 0  # type: ignore[union-attr]
            for commit in self.tail:
                if commit.time > when:
                    return answer
                answer = commit.number
            return max(answer, 0)
        number = self.segments[low]
        name = self._name(segment_name(number))
        data = await self.store.get(name)
        if data is None:
            raise CorruptLogError(f"Segment {name} is listed but cannot be read")
        header, commits = decode_segment(data, name)
        answer = header.first - 1
        for commit in commits:
            if commit.time > when:
                break
            answer = commit.number
        return answer

    async def image_at(
        self,
        commit: int,
        progress: Callable[[int, int], None] | None = None,
    ) -> bytes:
        """The database file as of commit number `commit` (0: before the first commit).

        `progress(commits_applied, commits_to_apply)` is called after each segment read.
        """
        base = self.snapshots[bisect.bisect_right(self.snapshots, commit) - 1] if self.snapshots else None
        if base is not None and base > commit:
            base = None
        image = bytearray()
        applied = 0
        if base is not None:
            name = self._name(snapshot_name(base))
            data = await self.store.get(name)
            if data is None:
                raise CorruptLogError(f"Snapshot {name} is listed but cannot be read")
            applied, _, snapshot = decode_snapshot(data, name)
            image[:] = snapshot
        elif self.segments and (await self.header(self.segments[0])).first > 1:
            oldest = (await self.header(self.segments[0])).first - 1
            raise BookmarkError(
                f"Commit {commit} of {self.key} is older than the retained log (it starts after commit {oldest}); "
                "restore to a later instant"
            )
        await self.replay(lambda pages: apply_pages(image, pages), applied, commit, progress)
        return bytes(image)

    async def replay(
        self,
        apply: Callable[[CommittedPages], None],
        applied: int,
        commit: int,
        progress: Callable[[int, int], None] | None = None,
    ) -> int:
        """Hand `apply` the pages of every commit after `applied` up to `commit`, in order; returns `commit`.

        How a database is brought forward: `image_at` applies them to an image in memory, a read
        replica writes them into its file. A gap or a corrupt segment raises `CorruptLogError`.
        """
        index = await self._first_segment_after(applied)
        started_at = applied
        while applied < commit:
            if index >= len(self.segments):
                applied = self._replay_tail(apply, applied, commit)
                if applied >= commit:
                    break
                raise BookmarkError(
                    f"Commit {commit} of {self.key} is not in the log (it ends at commit {applied}); "
                    "take bookmarks from get_current_bookmark() or get_bookmark_for_time()"
                )
            number = self.segments[index]
            name = self._name(segment_name(number))
            last_good = format_bookmark(self.key, applied)
            data = await self.store.get(name)
            if data is None:
                raise CorruptLogError(f"Segment {name} is missing; the log is readable up to {last_good}", last_good)
            try:
                header, commits = decode_segment(data, name)
                if header.object != self.key:
                    raise CorruptLogError(f"Segment {name} belongs to {header.object}, not {self.key}")
                if not header.is_claim and header.first > applied + 1:
                    raise CorruptLogError(
                        f"Segment {name} starts at commit {header.first} but commit {applied + 1} comes next "
                        "(commits lost before they were shipped)"
                    )
                for entry in commits:
                    if entry.number <= applied:
                        continue  # already in the snapshot this restore started from
                    if entry.number > commit:
                        break
                    if entry.number != applied + 1:
                        raise CorruptLogError(f"Segment {name} skips from commit {applied} to {entry.number}")
                    apply(entry.pages)
                    applied = entry.number
            except CorruptLogError as exc:
                raise CorruptLogError(
                    f"{exc}; the restore stopped before it: the log is readable up to commit {applied} "
                    f"(bookmark {format_bookmark(self.key, applied)})",
                    format_bookmark(self.key, applied),
                ) from None
            index += 1
            if progress is not None:
                progress(applied - started_at, commit - started_at)
        return applied

    def _replay_tail(self, apply: Callable[[CommittedPages], None], applied: int, commit: int) -> int:
        for entry in self.tail:
            if entry.number <= applied:
                continue
            if entry.number > commit:
                break
            if entry.number != applied + 1:
                raise CorruptLogError(
                    f"The stream of {self.key} skips from commit {applied} to {entry.number}; the log is readable "
                    f"up to commit {applied} (bookmark {format_bookmark(self.key, applied)})",
                    format_bookmark(self.key, applied),
                )
            apply(entry.pages)
            applied = entry.number
        return applied
