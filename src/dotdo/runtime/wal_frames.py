"""The pages of each commit, read from the object's SQLite write-ahead log right after it commits.

SQLite in WAL mode appends every page a transaction changes to the `-wal` file as a frame; the
transaction's last frame carries the database's size in pages and marks the commit. Reading the
frames appended since the previous commit gives the commit's exact page images: applying them to
the previous state of the file reproduces the new state byte for byte, whatever SQL made them
(schema changes and `VACUUM`-free rewrites included), which a logical change set built without
SQLite's session extension (absent from the standard library) could not promise.

A checkpoint lets SQLite restart the log from its start with new salts; the reader notices the
new salts and starts over from the first frame. Frames past the last commit (a rolled-back
transaction's spilled pages) are never returned.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass

WAL_HEADER_BYTES = 32
FRAME_HEADER_BYTES = 24
_WAL_MAGICS = (0x377F0682, 0x377F0683)


@dataclass(frozen=True)
class CommittedPages:
    """The pages one or more commits changed, the last image of each, and the database size after them."""

    page_size: int
    database_pages: int
    pages: dict[int, bytes]


class WalReader:
    """Follows one open database's WAL file from commit to commit."""

    __slots__ = ("_offset", "_salts")

    def __init__(self) -> None:
        self._salts: bytes | None = None
        self._offset = WAL_HEADER_BYTES

    def forget(self) -> None:
        """The connection was closed (its WAL folded into the file): the next WAL is a new one."""
        self._salts = None
        self._offset = WAL_HEADER_BYTES

    def read_committed(self, fd: int) -> CommittedPages | None:
        """The pages committed since the previous call (None if nothing new), from the WAL open as `fd`."""
        header = os.pread(fd, WAL_HEADER_BYTES, 0)
        if len(header) < WAL_HEADER_BYTES:
            return None
        magic, _version, page_size = struct.unpack(">III", header[:12])
        if magic not in _WAL_MAGICS:
            raise ValueError(f"not a SQLite WAL file (magic {magic:#x})")
        salts = header[16:24]
        offset = self._offset if salts == self._salts else WAL_HEADER_BYTES
        frame_bytes = FRAME_HEADER_BYTES + page_size
        size = os.fstat(fd).st_size
        if size <= offset:
            return None
        data = os.pread(fd, size - offset, offset)
        pages: dict[int, bytes] = {}
        pending: dict[int, bytes] = {}
        committed_end = offset
        database_pages = 0
        view = memoryview(data)
        position = 0
        while position + frame_bytes <= len(data):
            page_number, commit_size = struct.unpack_from(">II", data, position)
            if data[position + 8 : position + 16] != salts:
                break
            pending[page_number] = bytes(view[position + FRAME_HEADER_BYTES : position + frame_bytes])
            position += frame_bytes
            if commit_size:
                pages.update(pending)
                pending.clear()
                database_pages = commit_size
                committed_end = offset + position
        self._salts = salts
        self._offset = committed_end
        if not pages:
            return None
        return CommittedPages(page_size=page_size, database_pages=database_pages, pages=pages)


def apply_pages(image: bytearray, committed: CommittedPages) -> None:
    """Write a commit's pages into a database image (in place) and cut it to the commit's size."""
    page_size = committed.page_size
    end = committed.database_pages * page_size
    if len(image) < end:
        image.extend(bytes(end - len(image)))
    for page_number, page in committed.pages.items():
        start = (page_number - 1) * page_size
        image[start : start + page_size] = page
    del image[end:]


def apply_pages_to_file(fd: int, committed: CommittedPages) -> None:
    """`apply_pages` on a database file open for writing (descriptor `fd`), page by page in place."""
    page_size = committed.page_size
    for page_number, page in committed.pages.items():
        os.pwrite(fd, page, (page_number - 1) * page_size)
    os.ftruncate(fd, committed.database_pages * page_size)
