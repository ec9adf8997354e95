"""Redirections: the descriptor table a command runs with (files, here-documents, duplicates)."""

from __future__ import annotations

import dataclasses
from typing import Any

from dotdo.primitives.bashx import ast
from dotdo.primitives.bashx.builtins import ShellBuiltinError
from dotdo.primitives.bashx.commands.base import encode
from dotdo.primitives.bashx.coprocs import FIRST_NAMED_FD, close_finished
from dotdo.primitives.bashx.exfiltration import is_network_sink
from dotdo.primitives.bashx.streams import ClosedSink, FileInput, FileSink, InputStream, NullSink, Sink

IO = dict[int, Any]


class ReadWriteFile(InputStream, Sink):
    """``n<>file``: one descriptor that reads and writes the file at a shared offset (writes
    overwrite in place, as on a descriptor opened read-write)."""

    def __init__(self, fs: Any, path: str) -> None:
        super().__init__(bytes(fs.read(path)))
        self.fs = fs
        self.path = path

    def write(self, data: bytes) -> None:
        """Write at the offset, over what is there, and move past it."""
        if not data:
            return
        self.data = self.data[: self.pos] + data + self.data[self.pos + len(data) :]
        self.fs.write(self.path, self.data)
        self.pos += len(data)


def apply_redirects(sh: Any, redirects: list[ast.Redirect], io: IO) -> IO:
    """Apply redirections left to right, returning the new descriptor table."""
    if not redirects:
        return io
    io = dict(io)
    try:
        _apply(sh, redirects, io)
    except (OSError, ShellBuiltinError) as exc:
        exc.partial_io = io  # type: ignore[union-attr]  # bash reports it on the stderr as redirected so far
        raise
    return io


def _apply(sh: Any, redirects: list[ast.Redirect], io: IO) -> None:
    for named in redirects:
        r = named if named.variable is None else _numbered(sh, named, io)
        if r is None:
            continue
        op = r.op
        if op in ("<<", "<<-"):
            body = r.heredoc or ""
            text = sh.expander.heredoc(body) if r.heredoc_expand else body
            io[r.fd if r.fd is not None else 0] = InputStream(encode(text))
            continue
        if op in (">&-", "<&-"):
            io[r.fd if r.fd is not None else (1 if op == ">&-" else 0)] = ClosedSink()
            continue
        target = sh.expander.single(r.target) if r.target is not None else ""
        if op == "<<<":
            io[r.fd if r.fd is not None else 0] = InputStream(encode(target + "\n"))
        elif op in (">&", "<&") and (target.rstrip("-").isdigit() or target == "-"):
            close_finished(io)
            fd = r.fd if r.fd is not None else (1 if op == ">&" else 0)
            source = target.rstrip("-")
            if target == "-":
                io[fd] = ClosedSink()
            elif int(source) not in io:
                written = r.target.text if r.target is not None else target
                raise ShellBuiltinError(f"{written.rstrip('-')}: Bad file descriptor")
            else:
                io[fd] = io[int(source)]
                if target.endswith("-") and int(source) != fd:  # n>&m- moves m to n
                    io.pop(int(source))
        elif op in ("&>", "&>>", ">&"):
            sink = open_sink(sh, target, append=op == "&>>")
            io[1] = io[2] = sink
        elif op in (">", ">|", ">>"):
            io[r.fd if r.fd is not None else 1] = open_sink(sh, target, append=op == ">>")
        elif op == "<":
            io[r.fd if r.fd is not None else 0] = open_source(sh, target)
        elif op == "<>":
            io[r.fd if r.fd is not None else 0] = open_read_write(sh, target)
        else:
            raise ShellBuiltinError(f"redirection {op!r} is not supported by bashx")


def _numbered(sh: Any, r: ast.Redirect, io: IO) -> ast.Redirect | None:
    """``{name}>...``: the redirection on a free descriptor whose number ``name`` now holds; for
    ``{name}>&-`` the descriptor ``name`` holds is closed (and None returned)."""
    name = r.variable or ""
    if r.op in (">&-", "<&-"):
        value = sh.expander.single(ast.Word("${" + name + "}"))
        if not value.isdigit():
            raise ShellBuiltinError(f"{value}: Bad file descriptor")
        io.pop(int(value), None)
        return None
    fd = FIRST_NAMED_FD
    while fd in io:
        fd += 1
    try:
        sh.state.set(name, str(fd))
    except PermissionError as exc:
        sh.error(sh.io, str(exc))
        raise ShellBuiltinError(f"{name}: cannot assign fd to variable") from None
    return dataclasses.replace(r, fd=fd, variable=None)


def open_sink(sh: Any, target: str, *, append: bool) -> Sink:
    """Open a file for ``>``/``>>`` (truncating for ``>``)."""
    if not target:
        raise ShellBuiltinError("ambiguous redirect")
    if target == "/dev/null":
        return NullSink()
    if is_network_sink(target):
        refusal = sh.secrets.refusal(target)
        raise ShellBuiltinError(refusal or f"{target}: network redirections are not supported by bashx")
    if target in ("/dev/stdout", "/dev/fd/1"):
        return sh.io[1]
    if target in ("/dev/stderr", "/dev/fd/2"):
        return sh.io[2]
    path = sh.resolve(target)
    try:
        if sh.fs.is_dir(path):
            raise IsADirectoryError(21, "Is a directory", target)
        if not append or not sh.fs.exists(path):
            sh.fs.write(path, b"")
    except OSError as exc:
        exc.filename = target
        raise
    return FileSink(sh.fs, path)


class NullDevice(InputStream, NullSink):
    """``/dev/null`` opened read-write: reads see end of input, writes vanish."""


def open_read_write(sh: Any, target: str) -> InputStream:
    """Open a file for ``<>``, creating it when missing (never truncating)."""
    if target == "/dev/null":
        return NullDevice()
    open_sink(sh, target, append=True)  # creates it; refuses what ``>`` refuses
    open_source(sh, target)  # refuses what ``<`` refuses
    return ReadWriteFile(sh.fs, sh.resolve(target))


def open_source(sh: Any, target: str) -> InputStream:
    """Open a file for ``<``."""
    if target == "/dev/null":
        return InputStream(b"")
    sh.secrets.saw_words([target])
    if is_network_sink(target):
        raise ShellBuiltinError(f"{target}: network redirections are not supported by bashx")
    if target in ("/dev/stdin", "/dev/fd/0"):
        return sh.io[0]
    try:
        if not hasattr(sh.fs, "open"):
            return InputStream(sh.fs.read(sh.resolve(target)))
        return FileInput(sh.fs, sh.resolve(target))
    except OSError as exc:
        exc.filename = target
        raise
