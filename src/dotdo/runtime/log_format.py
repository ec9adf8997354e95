"""How an object's change log is laid out in object storage: segments, snapshots and bookmarks.

Under `objects/<namespace>/<id>/` an object keeps:

- `log/<segment>`: segments numbered 1, 2, 3 … with no gap, each holding one or more consecutive
  commits (their commit numbers, times and page images). A segment is written once, with a
  create-only put: two owners can never both write segment N, which is what fences a stale owner.
  A segment with no commit is an owner's claim (it records the new owner's epoch). Each segment
  names the stream where the object's later commits go (`stream`, from stream segment `stream_from`).
- `snapshots/<commit>`: the whole database as of that commit, so a restore reads one snapshot and
  the segments after it instead of the whole history.
- `restore`: a bookmark to restore at the object's next activation.

Under `streams/<writer>/`, each runtime (a writer) keeps one stream of group segments, numbered
without gaps and written create-only: one upload carries the commits of every object that committed
since the previous one. An object's commits are filed later into its own `log/` segments, in
batches; until then its log ends with the stream's entries for it. A segment marked `fence` is
written into a stream by a new owner taking over an object from that writer: the writer's next
upload finds the name taken and is refused, and readers stop at the fence.

Every segment and snapshot ends with the SHA-256 of everything before it, so a corrupt or truncated
file is detected before any of it is used. A bookmark names one commit of one object:
`<commit as 16 hex digits>-<12 hex digits of the object's fingerprint>`; bookmarks of one object sort
in commit order, as Cloudflare's do.
"""

from __future__ import annotations

import hashlib
import json
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from .errors import StorageError
from .wal_frames import CommittedPages

SEGMENT_MAGIC = b"DOTDOLOG"
SNAPSHOT_MAGIC = b"DOTDOSNP"
_DIGEST_BYTES = 32
_PREFIX = struct.Struct(">8sI")
_COMMIT = struct.Struct(">QdII")
_PAGE_NUMBER = struct.Struct(">I")
HEADER_PROBE_BYTES = 1024
"""Bytes read to get a segment's header without its pages (headers are far smaller)."""


class CorruptLogError(StorageError):
    """A segment or snapshot failed its checksum, was cut short, or broke the commit sequence."""

    def __init__(self, message: str, last_good_bookmark: str | None = None) -> None:
        super().__init__(message)
        self.last_good_bookmark = last_good_bookmark


class BookmarkError(StorageError):
    """A bookmark that is malformed, belongs to another object, or lies outside the retained log."""


def object_key(namespace: str, hex_id: str) -> str:
    """The folder of one object's log inside the log store."""
    return f"objects/{namespace}/{hex_id}"


def fingerprint(key: str) -> str:
    """Twelve hex digits identifying an object in its bookmarks."""
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def format_bookmark(key: str, commit: int) -> str:
    """The bookmark of commit number `commit` of the object whose log is at `key` (0: before any commit)."""
    return f"{commit:016x}-{fingerprint(key)}"


def parse_bookmark(key: str, bookmark: str) -> int:
    """The commit number a bookmark names; `BookmarkError` if it is malformed or another object's."""
    if not isinstance(bookmark, str):
        raise BookmarkError(f"A bookmark is a string, not {type(bookmark).__name__}")
    head, _, owner = bookmark.partition("-")
    if len(head) != 16 or not owner:
        raise BookmarkError(f"Malformed bookmark {bookmark!r}: expected '<16 hex digits>-<fingerprint>'")
    try:
        commit = int(head, 16)
    except ValueError:
        raise BookmarkError(f"Malformed bookmark {bookmark!r}: expected '<16 hex digits>-<fingerprint>'") from None
    if owner != fingerprint(key):
        raise BookmarkError(
            f"Bookmark {bookmark!r} belongs to another object (this object's bookmarks end in -{fingerprint(key)}); "
            "take bookmarks from the object you restore"
        )
    return commit


@dataclass(frozen=True)
class Commit:
    """One commit in the log: its number, its time (epoch seconds) and its pages."""

    number: int
    time: float
    pages: CommittedPages


@dataclass(frozen=True)
class SegmentHeader:
    """What a segment holds, readable without its pages."""

    object: str
    segment: int
    epoch: int
    first: int
    last: int
    first_time: float
    last_time: float
    stream: str | None = None
    stream_from: int = 0

    @property
    def is_claim(self) -> bool:
        """A claim holds no commit: it records a new owner and its epoch."""
        return self.last < self.first


def segment_name(number: int) -> str:
    """The object key of segment `number` under the object's folder."""
    return f"log/{number:016d}"


def snapshot_name(commit: int) -> str:
    """The object key of the snapshot taken at commit `commit`."""
    return f"snapshots/{commit:016d}"


def stream_folder(writer: str) -> str:
    """The folder of one writer's stream of group segments."""
    return f"streams/{writer}"


def stream_segment_name(writer: str, number: int) -> str:
    """The name of group segment `number` of `writer`'s stream."""
    return f"{stream_folder(writer)}/{number:016d}"


def _commit_parts(commits: list[Commit]) -> list[bytes]:
    body: list[bytes] = []
    for commit in commits:
        pages = commit.pages
        body.append(_COMMIT.pack(commit.number, commit.time, pages.database_pages, len(pages.pages)))
        body.append(_PAGE_NUMBER.pack(pages.page_size))
        for page_number, page in pages.pages.items():
            body.append(_PAGE_NUMBER.pack(page_number))
            body.append(page)
    return body


def _read_commits(body: memoryview, position: int, count: int) -> Iterator[Commit]:
    for _ in range(count):
        number, when, database_pages, pages_count = _COMMIT.unpack_from(body, position)
        position += _COMMIT.size
        (page_size,) = _PAGE_NUMBER.unpack_from(body, position)
        position += _PAGE_NUMBER.size
        pages: dict[int, bytes] = {}
        for _ in range(pages_count):
            (page_number,) = _PAGE_NUMBER.unpack_from(body, position)
            position += _PAGE_NUMBER.size
            pages[page_number] = bytes(body[position : position + page_size])
            position += page_size
        yield Commit(number, when, CommittedPages(page_size, database_pages, pages))


@dataclass(frozen=True)
class StreamEntry:
    """The commits of one object inside a group segment."""

    key: str
    epoch: int
    commits: list[Commit]


def encode_stream_segment(writer: str, number: int, entries: list[StreamEntry], *, fence: bool = False) -> bytes:
    """One group segment of `writer`'s stream: every object's commits of one upload (none for a fence)."""
    body: list[bytes] = []
    index: list[list[object]] = []
    offset = 0
    for entry in entries:
        parts = _commit_parts(entry.commits)
        index.append([entry.key, entry.epoch, len(entry.commits), offset])
        body.extend(parts)
        offset += sum(len(part) for part in parts)
    header = {"stream": writer, "segment": number, "fence": fence, "entries": index}
    return _framed(SEGMENT_MAGIC, header, body)


def decode_stream_segment(data: bytes, what: str, key: str) -> tuple[bool, list[Commit]]:
    """Whether a group segment is a fence, and the commits in it of the object at `key`."""
    header, body = _unframe(SEGMENT_MAGIC, data, what)
    found: list[Commit] = []
    for entry_key, _epoch, count, offset in header.get("entries", []):  # type: ignore[attr-defined]
        if entry_key == key:
            found.extend(_read_commits(body, int(offset), int(count)))
    return bool(header.get("fence")), found  # type: ignore[attr-defined]


def _framed(magic: bytes, header: dict[str, object], body: list[bytes]) -> bytes:
    # Pages are mostly free space and small records: a fast zlib level shrinks them several times.
    packed = zlib.compress(b"".join(body), 1)
    encoded = json.dumps({**header, "zlib": True}, separators=(",", ":")).encode()
    data = b"".join([_PREFIX.pack(magic, len(encoded)), encoded, packed])
    return data + hashlib.sha256(data).digest()


def encode_segment(
    key: str,
    number: int,
    epoch: int,
    first: int,
    commits: list[Commit],
    when: float,
    stream: tuple[str, int] | None = None,
) -> bytes:
    """One segment holding `commits` (consecutive, starting at commit `first`; none for a claim made at `when`).

    `stream` is (writer, first group segment) where the object's commits after these go.
    """
    body = _commit_parts(commits)
    header = {
        "object": key,
        "segment": number,
        "epoch": epoch,
        "first": first,
        "last": first + len(commits) - 1,
        "first_time": commits[0].time if commits else when,
        "last_time": commits[-1].time if commits else when,
        "stream": stream[0] if stream else None,
        "stream_from": stream[1] if stream else 0,
    }
    return _framed(SEGMENT_MAGIC, header, body)


def _unframe(magic: bytes, data: bytes, what: str) -> tuple[dict[str, object], memoryview]:
    if len(data) < _PREFIX.size + _DIGEST_BYTES:
        raise CorruptLogError(f"{what} is truncated ({len(data)} bytes)")
    found, header_length = _PREFIX.unpack_from(data)
    if found != magic:
        raise CorruptLogError(f"{what} is not a dotdo log file (it starts with {found!r})")
    if hashlib.sha256(memoryview(data)[:-_DIGEST_BYTES]).digest() != data[-_DIGEST_BYTES:]:
        raise CorruptLogError(f"{what} failed its SHA-256 checksum (corrupt or truncated)")
    start = _PREFIX.size + header_length
    header = json.loads(data[_PREFIX.size : start])
    body = memoryview(data)[start:-_DIGEST_BYTES]
    if header.get("zlib"):
        try:
            body = memoryview(zlib.decompress(body))
        except zlib.error:
            raise CorruptLogError(f"{what} does not decompress (corrupt)") from None
    return header, body


def read_segment_header(data: bytes, what: str) -> SegmentHeader:
    """The header of a segment from its first bytes (not checksummed: the full read checks it)."""
    if len(data) < _PREFIX.size:
        raise CorruptLogError(f"{what} is truncated ({len(data)} bytes)")
    found, header_length = _PREFIX.unpack_from(data)
    if found != SEGMENT_MAGIC or len(data) < _PREFIX.size + header_length:
        raise CorruptLogError(f"{what} is not a readable dotdo log segment")
    try:
        return _header(json.loads(data[_PREFIX.size : _PREFIX.size + header_length]))
    except (ValueError, KeyError, TypeError):
        raise CorruptLogError(f"{what} has an unreadable header") from None


def _header(fields: dict[str, object]) -> SegmentHeader:
    return SegmentHeader(
        object=str(fields["object"]),
        segment=int(fields["segment"]),  # type: ignore[call-overload]
        epoch=int(fields["epoch"]),  # type: ignore[call-overload]
        first=int(fields["first"]),  # type: ignore[call-overload]
        last=int(fields["last"]),  # type: ignore[call-overload]
        first_time=float(fields["first_time"]),  # type: ignore[arg-type]
        last_time=float(fields["last_time"]),  # type: ignore[arg-type]
        stream=fields.get("stream"),  # type: ignore[arg-type]
        stream_from=int(fields.get("stream_from") or 0),  # type: ignore[call-overload]
    )


def decode_segment(data: bytes, what: str) -> tuple[SegmentHeader, Iterator[Commit]]:
    """A segment's header and its commits, after checking its checksum."""
    fields, body = _unframe(SEGMENT_MAGIC, data, what)
    header = _header(fields)
    return header, _read_commits(body, 0, header.last - header.first + 1)


def encode_snapshot(key: str, commit: int, when: float, image: bytes) -> bytes:
    """A snapshot: the whole database `image` as of commit number `commit`, taken at `when`."""
    return _framed(SNAPSHOT_MAGIC, {"object": key, "commit": commit, "time": when}, [image])


def decode_snapshot(data: bytes, what: str) -> tuple[int, float, bytes]:
    """A snapshot's commit number, time and database image, after checking its checksum."""
    header, body = _unframe(SNAPSHOT_MAGIC, data, what)
    return int(header["commit"]), float(header["time"]), bytes(body)  # type: ignore[call-overload, arg-type]
