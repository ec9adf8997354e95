"""Byte streams a command reads and writes: in-memory pipes, files on fsx, /dev/null."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


class OutputLimitError(Exception):
    """A script wrote more than the shell's output limit."""


class InputStream:
    """Bytes a command reads; what one command consumes the next no longer sees."""

    def __init__(self, data: bytes = b"") -> None:
        self.data = data
        self.pos = 0

    def read_all(self) -> bytes:
        """Everything not consumed yet."""
        chunk = self.data[self.pos :]
        self.pos = len(self.data)
        return chunk

    def readline(self) -> bytes:
        """One line including its newline (b"" at end of input)."""
        end = self.data.find(b"\n", self.pos)
        end = len(self.data) if end < 0 else end + 1
        chunk = self.data[self.pos : end]
        self.pos = end
        return chunk

    def read(self, size: int) -> bytes:
        """Up to ``size`` bytes."""
        chunk = self.data[self.pos : self.pos + size]
        self.pos += len(chunk)
        return chunk

    def read_lines(self, count: int) -> bytes:
        """The next ``count`` lines (fewer at end of input)."""
        end = self.pos - 1
        for _ in range(count):
            end = self.data.find(b"\n", end + 1)
            if end < 0:
                end = len(self.data) - 1
                break
        chunk = self.data[self.pos : end + 1]
        self.pos = end + 1
        return chunk


class FileInput(InputStream):
    """A file opened with ``<``, read a block at a time as commands consume it.

    The file never sits in memory whole: ``grep x < big`` holds one block. Like a descriptor, it
    reads the file it opened even once that is removed (a process substitution's file); the
    handle closes at the end of the file, or when the redirection is dropped. ``data[pos:]`` is
    the block read but not consumed yet (a line at a time costs no copy of the block).
    """

    BLOCK = 64 * 1024

    def __init__(self, fs: Any, path: str) -> None:
        super().__init__(b"")
        self.handle: Any = fs.open(path, "rb")  # a missing file or a directory fails here, as in bash

    def fetch(self) -> bool:
        """Add the next block of the file to what is unconsumed; False at its end."""
        if self.handle is None:
            return False
        chunk = self.handle.read(self.BLOCK)
        if not chunk:
            self.handle.close()
            self.handle = None
            return False
        self.data, self.pos = self.data[self.pos :] + chunk, 0
        return True

    def read_all(self) -> bytes:
        """Everything not consumed yet."""
        while self.fetch():
            pass
        return super().read_all()

    def read(self, size: int) -> bytes:
        """Up to ``size`` bytes (fewer only at the end of the file)."""
        while len(self.data) - self.pos < size and self.fetch():
            pass
        return super().read(size)

    def readline(self) -> bytes:
        """One line including its newline (b"" at end of input)."""
        while self.data.find(b"\n", self.pos) < 0 and self.fetch():
            pass
        return super().readline()

    def read_lines(self, count: int) -> bytes:
        """The next ``count`` lines (fewer at end of input)."""
        lines = []
        for _ in range(count):
            line = self.readline()
            if not line:
                break
            lines.append(line)
        return b"".join(lines)


class Sink:
    """Somewhere a command's output goes."""

    def write(self, data: bytes) -> None:
        """Append ``data``."""
        raise NotImplementedError


class BufferSink(Sink):
    """Output kept in memory (a command substitution, the script's own stdout).

    Jobs and pipeline stages may write at the same time: appends are serialized.
    """

    def __init__(self, limit: int = 64 * 1024 * 1024) -> None:
        self.buffer = bytearray()
        self.limit = limit
        self.lock = threading.Lock()

    def write(self, data: bytes) -> None:
        """Append, failing once the buffer passes its limit."""
        with self.lock:
            self.buffer += data
        if len(self.buffer) > self.limit:
            raise OutputLimitError(f"output passed {self.limit} bytes; redirect it to a file or shorten it")

    def getvalue(self) -> bytes:
        """Everything written."""
        return bytes(self.buffer)


class FileSink(Sink):
    """A file on the object's filesystem, appended to on every write."""

    def __init__(self, fs: Any, path: str) -> None:
        self.fs = fs
        self.path = path

    def write(self, data: bytes) -> None:
        """Append to the file."""
        if data:
            self.fs.write(self.path, data, append=True)


class NullSink(Sink):
    """``/dev/null``."""

    def write(self, data: bytes) -> None:
        """Discard."""


class ClosedSink(Sink, InputStream):
    """A descriptor closed with ``>&-`` or ``<&-``: writes fail, reads see end of input."""

    def __init__(self) -> None:
        InputStream.__init__(self, b"")

    def write(self, data: bytes) -> None:
        """Fail like writing to a closed descriptor."""
        if data:
            raise OSError(9, "Bad file descriptor")


class PipeClosed(Exception):
    """The reading end of a pipe is gone: the writing stage ends, as a process would on SIGPIPE."""


PIPE_CAPACITY = 64 * 1024
"""Bytes a pipe holds before its writer waits (Linux's default pipe size)."""


class Pipe:
    """A bounded byte pipe between two pipeline stages running at the same time.

    The writer waits while the pipe is full, the reader while it is empty; a closed reader makes
    the next write raise :class:`PipeClosed`, a closed writer makes reads return what is left and
    then end of input. ``check`` runs while either side waits: it raises to end the wait (the
    script's timeout, a ``kill`` of the job).
    """

    def __init__(self, check: Callable[[], None], capacity: int = PIPE_CAPACITY) -> None:
        self.check = check
        self.capacity = capacity
        self.buffer = bytearray()
        self.writer_open = True
        self.reader_open = True
        self.changed = threading.Condition()
        self.reader = PipeReader(self)
        self.writer = PipeWriter(self)

    def wait(self) -> None:
        """Wait a moment for the other side (the condition's lock is held)."""
        self.changed.wait(0.05)
        self.changed.release()
        try:
            self.check()
        finally:
            self.changed.acquire()

    def put(self, data: bytes) -> None:
        """Write all of ``data``, waiting for room."""
        view = memoryview(data)
        with self.changed:
            while view:
                if not self.reader_open:
                    raise PipeClosed("the reading end of the pipe is closed")
                room = self.capacity - len(self.buffer)
                if room <= 0:
                    self.wait()
                    continue
                self.buffer += view[:room]
                view = view[room:]
                self.changed.notify_all()

    def take(self, size: int, *, until_newline: bool = False, fill: bool = False) -> bytes:
        """Up to ``size`` bytes (or one line), waiting for data; b"" once the writer is closed.

        ``fill`` waits for ``size`` bytes (or the writer's end): one wake-up per block rather
        than per write, for readers that want everything anyway.
        """
        with self.changed:
            while True:
                if fill:
                    if len(self.buffer) >= min(size, self.capacity) or not self.writer_open:
                        break
                elif until_newline:
                    end = self.buffer.find(b"\n")
                    if end >= 0:
                        size = min(size, end + 1)
                        break
                    if len(self.buffer) >= size or not self.writer_open:
                        break
                elif self.buffer or not self.writer_open:
                    break
                self.wait()
            chunk = bytes(self.buffer[:size])
            del self.buffer[:size]
            self.changed.notify_all()
            return chunk

    def close_writer(self) -> None:
        """The writing stage ended: the reader sees end of input after the buffered bytes."""
        with self.changed:
            self.writer_open = False
            self.changed.notify_all()

    def close_reader(self) -> None:
        """The reading stage ended: writes fail from now on and the buffer is dropped."""
        with self.changed:
            self.reader_open = False
            self.buffer.clear()
            self.changed.notify_all()


class PipeReader(InputStream):
    """The reading end of a :class:`Pipe`, with the :class:`InputStream` interface.

    Bytes taken from the pipe beyond what a call asked for wait in ``pending`` for the next read.
    """

    def __init__(self, pipe: Pipe) -> None:
        super().__init__(b"")
        self.pipe = pipe
        self.pending = b""

    def take(self, size: int = PIPE_CAPACITY, *, until_newline: bool = False, fill: bool = False) -> bytes:
        """Up to ``size`` bytes (or one line): the pending bytes first, then the pipe's."""
        if self.pending:
            chunk = self.pending
            if until_newline and b"\n" in chunk:
                size = min(size, chunk.index(b"\n") + 1)
            self.pending = chunk[size:]
            return chunk[:size]
        return self.pipe.take(size, until_newline=until_newline, fill=fill)

    def read_all(self) -> bytes:
        """Everything until the writer closes."""
        chunks = []
        while chunk := self.take(fill=True):
            chunks.append(chunk)
        return b"".join(chunks)

    def readline(self) -> bytes:
        """One line including its newline (b"" at end of input)."""
        parts = []
        while True:
            chunk = self.take(until_newline=True)
            parts.append(chunk)
            if not chunk or chunk.endswith(b"\n"):
                return b"".join(parts)

    def read(self, size: int) -> bytes:
        """Up to ``size`` bytes (fewer only at end of input)."""
        parts = []
        while size > 0:
            chunk = self.take(size)
            if not chunk:
                break
            parts.append(chunk)
            size -= len(chunk)
        return b"".join(parts)

    def read_lines(self, count: int) -> bytes:
        """The next ``count`` lines (fewer at end of input), taken a block at a time.

        Like ``head`` reading a pipe, the rest of the last block is consumed with them.
        """
        parts = []
        while count > 0:
            chunk = self.take()
            if not chunk:
                break
            newlines = chunk.count(b"\n")
            if newlines < count:
                parts.append(chunk)
                count -= newlines
                continue
            end = -1
            for _ in range(count):
                end = chunk.index(b"\n", end + 1)
            parts.append(chunk[: end + 1])
            break
        return b"".join(parts)


class PipeWriter(Sink):
    """The writing end of a :class:`Pipe`."""

    def __init__(self, pipe: Pipe) -> None:
        self.pipe = pipe

    def write(self, data: bytes) -> None:
        """Write, waiting while the pipe is full; :class:`PipeClosed` once the reader is gone."""
        if data:
            self.pipe.put(data)
