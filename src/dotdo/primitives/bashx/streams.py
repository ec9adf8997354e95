"""Byte streams a command reads and writes: in-memory pipes, files on fsx, /dev/null."""

from __future__ import annotations

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


class Sink:
    """Somewhere a command's output goes."""

    def write(self, data: bytes) -> None:
        """Append ``data``."""
        raise NotImplementedError


class BufferSink(Sink):
    """Output kept in memory (a pipe, a command substitution, the script's own stdout)."""

    def __init__(self, limit: int = 64 * 1024 * 1024) -> None:
        self.buffer = bytearray()
        self.limit = limit

    def write(self, data: bytes) -> None:
        """Append, failing once the buffer passes its limit."""
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


class ClosedSink(Sink):
    """A descriptor closed with ``>&-``."""

    def write(self, data: bytes) -> None:
        """Fail like writing to a closed descriptor."""
        if data:
            raise OSError(9, "Bad file descriptor")
