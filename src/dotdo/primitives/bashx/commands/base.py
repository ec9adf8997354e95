"""The contract of a native command: a :class:`CommandCall` in, a :class:`CommandResult` out."""

from __future__ import annotations

import os
import posixpath
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dotdo.primitives.bashx.streams import InputStream, Sink


@dataclass
class CommandResult:
    """What a command produced; `str` output is stored as its UTF-8 bytes."""

    stdout: bytes = b""
    stderr: bytes = b""
    exit_code: int = 0

    def __post_init__(self) -> None:
        if isinstance(self.stdout, str):
            self.stdout = self.stdout.encode()
        if isinstance(self.stderr, str):
            self.stderr = self.stderr.encode()
        if not isinstance(self.stdout, bytes) or not isinstance(self.stderr, bytes):
            raise TypeError("CommandResult takes stdout and stderr as str or bytes")


@dataclass
class CommandCall:
    """One invocation of a command.

    ``argv[0]`` is the command name; ``fs`` is the fsx synchronous core (paths are absolute inside
    the object's filesystem: use :meth:`path` for arguments); ``stdin`` is read lazily so commands
    that ignore it leave it for the next reader; ``run`` runs another command line (for xargs,
    find -exec) through the same shell.
    """

    argv: list[str]
    cwd: str
    env: dict[str, str]
    fs: Any
    input: InputStream = field(default_factory=InputStream)
    run: Callable[[list[str], bytes], CommandResult] | None = None
    line: int = 1
    deadline: float | None = None
    output: Sink | None = None
    cancel: tuple[threading.Event, ...] = ()

    def write(self, data: bytes) -> None:
        """Stream ``data`` to standard output now (a command that produces output as it goes).

        Raises :class:`~dotdo.primitives.bashx.streams.PipeClosed` once the reader is gone: the
        command should stop (the shell reports SIGPIPE's status).
        """
        if self.output is None:
            raise RuntimeError("this call has no output stream; return the output in the CommandResult")
        self.output.write(data)

    def stopped(self) -> bool:
        """True once the script's timeout passed or the job running this command was killed."""
        if self.deadline is not None and time.monotonic() > self.deadline:
            return True
        return any(event.is_set() for event in self.cancel)

    def pause(self, seconds: float) -> None:
        """Sleep up to ``seconds``, waking early when :meth:`stopped` becomes true."""
        end = time.monotonic() + seconds
        while not self.stopped():
            remaining = end - time.monotonic()
            if remaining <= 0:
                return
            if self.cancel:
                self.cancel[-1].wait(min(remaining, 0.05))
            else:
                time.sleep(min(remaining, 0.05))

    @property
    def stdin(self) -> bytes:
        """All of the remaining standard input."""
        return self.input.read_all()

    @property
    def name(self) -> str:
        """The command name as invoked."""
        return self.argv[0]

    def path(self, path: str) -> str:
        """``path`` made absolute against the shell's working directory."""
        if path.startswith("/"):
            return posixpath.normpath(path) if path != "//" else "/"
        return posixpath.normpath(posixpath.join(self.cwd, path))


CommandHandler = Callable[[CommandCall], CommandResult]


class CommandError(Exception):
    """Raised inside a native command to print ``message`` to stderr and exit with ``status``."""

    def __init__(self, message: str, status: int = 1) -> None:
        self.status = status
        super().__init__(message)


def os_message(exc: OSError) -> str:
    """The C library's wording for an errno, as coreutils prints it."""
    if exc.errno:
        return os.strerror(exc.errno)
    return exc.strerror or str(exc)


def guarded(handler: CommandHandler) -> CommandHandler:
    """Turn :class:`CommandError` into stderr plus an exit status."""

    def run(call: CommandCall) -> CommandResult:
        try:
            return handler(call)
        except CommandError as exc:
            text = str(exc)
            return CommandResult(b"", (text + "\n").encode() if text else b"", exc.status)

    run.__name__ = getattr(handler, "__name__", "command")
    run.__doc__ = handler.__doc__
    return run


def decode(data: bytes) -> str:
    """Bytes to text without losing undecodable bytes."""
    return data.decode("utf-8", "surrogateescape")


def encode(text: str) -> bytes:
    """Text back to the exact bytes it came from."""
    return text.encode("utf-8", "surrogateescape")


def read_inputs(
    call: CommandCall, files: list[str], errors: list[str], *, wording: str = "{cmd}: {name}: {reason}"
) -> list[tuple[str, bytes]]:
    """The contents of each named file (``-`` or none: stdin); missing ones are reported in ``errors``.

    ``wording`` shapes the error line (head and tail say ``cannot open 'x' for reading``).
    """
    if not files:
        return [("-", call.stdin)]
    out: list[tuple[str, bytes]] = []
    for name in files:
        if name in ("-", "/dev/stdin", "/dev/fd/0"):
            out.append((name, call.stdin))
            continue
        if name in ("/dev/null", "/dev/zero"):
            out.append((name, b""))
            continue
        if name == "":
            errors.append(wording.format(cmd=call.name, name="''", reason="No such file or directory"))
            continue
        try:
            out.append((name, call.fs.read(call.path(name))))
        except IsADirectoryError:
            errors.append(f"{call.name}: {name}: Is a directory")
        except OSError as exc:
            errors.append(wording.format(cmd=call.name, name=name, reason=os_message(exc)))
    return out


def split_lines(data: bytes) -> list[bytes]:
    """Lines without their newlines (a last line without one still counts)."""
    if not data:
        return []
    lines = data.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    return lines


def join_lines(lines: list[bytes]) -> bytes:
    """Lines back to bytes, each ending in a newline."""
    return b"".join(line + b"\n" for line in lines)


def stderr_of(errors: list[str]) -> bytes:
    """Error lines as stderr bytes."""
    return "".join(e + "\n" for e in errors).encode("utf-8", "surrogateescape")


def options(call: CommandCall, short: str, long: list[str] | None = None) -> tuple[list[tuple[str, str]], list[str]]:
    """GNU-style option parsing (flags may follow operands); bad options raise :class:`CommandError`."""
    import getopt

    try:
        return getopt.gnu_getopt(call.argv[1:], short, long or [])
    except getopt.GetoptError as exc:
        opt = exc.opt
        if exc.msg.startswith("option -") and "requires argument" in exc.msg:
            message = f"{call.name}: option requires an argument -- '{opt}'"
        elif len(opt) == 1:
            message = f"{call.name}: invalid option -- '{opt}'"
        else:
            message = f"{call.name}: unrecognized option '--{opt}'"
        raise CommandError(
            f"{message}\nTry '{call.name} --help' for more information.",
            2 if call.name in ("grep", "diff") else 1,
        ) from None
