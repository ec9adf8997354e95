"""A command's input read a block at a time and its output written as it goes, so memory stays bounded.

A filter built on these holds one block of input and one block of output at a time, whatever the
size of the stream: ``yes | tr y n | grep -c n`` runs in constant memory, and a reader that stops
early (``grep -q``, ``sed q``, ``head``) ends its writer at once with SIGPIPE.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from dotdo.primitives.bashx.commands.base import CommandCall, CommandResult, os_message, stderr_of

BLOCK = 64 * 1024
"""Bytes read or written at a time (a pipe's capacity)."""

STDIN_NAMES = ("-", "/dev/stdin", "/dev/fd/0")


def stdin_blocks(call: CommandCall) -> Iterator[bytes]:
    """Standard input a block at a time; from a pipe, whatever has arrived (a coprocess answers at once)."""
    read_some = getattr(call.input, "take", call.input.read)
    while chunk := read_some(BLOCK):
        yield chunk


def zeros(call: CommandCall) -> Iterator[bytes]:
    """``/dev/zero``: zero bytes until the reader stops, the job is killed or the script times out."""
    block = bytes(BLOCK)
    while not call.stopped():
        yield block


def file_blocks(call: CommandCall, name: str) -> Iterator[bytes]:
    """The file ``name`` a block at a time; opening it raises ``OSError`` now, not at the first block."""
    if name in STDIN_NAMES:
        return stdin_blocks(call)
    if name == "/dev/null":
        return iter(())
    if name == "/dev/zero":
        return zeros(call)
    opener = getattr(call.fs, "open", None)
    if opener is None:
        return iter((call.fs.read(call.path(name)),))
    handle = opener(call.path(name), "rb")

    def blocks() -> Iterator[bytes]:
        try:
            while chunk := handle.read(BLOCK):
                yield chunk
        finally:
            handle.close()

    return blocks()


def open_inputs(
    call: CommandCall, files: list[str], errors: list[str], *, wording: str = "{cmd}: {name}: {reason}"
) -> Iterator[tuple[str, Iterator[bytes]]]:
    """Each named input (none: stdin) as ``(name, blocks)``, opened as it is reached.

    A file that cannot be opened adds its error line to ``errors`` and is skipped, as coreutils
    does, after the inputs before it were processed.
    """
    if not files:
        yield "-", stdin_blocks(call)
        return
    for name in files:
        if name == "":
            errors.append(wording.format(cmd=call.name, name="''", reason="No such file or directory"))
            continue
        try:
            blocks = file_blocks(call, name)
        except IsADirectoryError:
            errors.append(f"{call.name}: {name}: Is a directory")
            continue
        except OSError as exc:
            errors.append(wording.format(cmd=call.name, name=name, reason=os_message(exc)))
            continue
        yield name, blocks


class Lines:
    """The lines of a stream of blocks, in batches, without their newlines.

    A last line without a newline comes alone in the final batch, with ``unterminated`` set.
    A line longer than a block is gathered whole (its parts are joined once, not per block).
    """

    def __init__(self, blocks: Iterable[bytes]) -> None:
        self.blocks = blocks
        self.unterminated = False

    def __iter__(self) -> Iterator[list[bytes]]:
        pending: list[bytes] = []
        for block in self.blocks:
            cut = block.rfind(b"\n")
            if cut < 0:
                pending.append(block)
                continue
            if pending:
                pending.append(block[: cut + 1])
                block, tail = b"".join(pending), block[cut + 1 :]
                cut = len(block) - 1
                pending = [tail] if tail else []
            else:
                tail = block[cut + 1 :]
                pending = [tail] if tail else []
            yield block[:cut].split(b"\n")
        if pending:
            self.unterminated = True
            yield [b"".join(pending)]


def each_line(blocks: Iterable[bytes]) -> Iterator[bytes]:
    """Every line without its newline, one at a time."""
    for batch in Lines(blocks):
        yield from batch


class Output:
    """Standard output written a block at a time as a command produces it.

    Without a streaming output (a direct call of a handler) the bytes are kept and returned by
    :meth:`result` instead. Writing raises ``PipeClosed`` once the reader is gone.
    """

    def __init__(self, call: CommandCall) -> None:
        self.call = call
        self.parts: list[bytes] = []
        self.size = 0
        self.kept: list[bytes] = []

    def write(self, data: bytes) -> None:
        """Queue ``data``, sending the queue on once it holds a block."""
        if data:
            self.parts.append(data)
            self.size += len(data)
            if self.size >= BLOCK:
                self.flush()

    def lines(self, lines: list[bytes]) -> None:
        """Queue each line followed by a newline."""
        if lines:
            self.write(b"\n".join(lines) + b"\n")

    def flush(self) -> None:
        """Send what is queued (a filter calls this after each input batch, so output keeps pace)."""
        if not self.parts:
            return
        data = b"".join(self.parts)
        self.parts, self.size = [], 0
        if self.call.output is None:
            self.kept.append(data)
        else:
            self.call.write(data)

    def result(self, errors: list[str] | None = None, status: int | None = None) -> CommandResult:
        """The command's result once its output is sent: error lines on stderr, status 1 after any."""
        self.flush()
        errors = errors or []
        if status is None:
            status = 1 if errors else 0
        return CommandResult(b"".join(self.kept), stderr_of(errors), status)
