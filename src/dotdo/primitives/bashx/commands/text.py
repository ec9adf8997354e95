"""Line-oriented text programs: cat, head, tail, wc, uniq, cut, tr, tee, rev, nl, tac, paste, yes.

All but tac and paste stream: they hold a block of input at a time (tail a ring of its last
lines), so a pipeline of them runs in bounded memory however much flows through it.
"""

from __future__ import annotations

import codecs
import re
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import replace

from dotdo.primitives.bashx.commands.base import (
    CommandCall,
    CommandError,
    CommandResult,
    decode,
    encode,
    guarded,
    join_lines,
    options,
    os_message,
    read_inputs,
    split_lines,
    stderr_of,
)
from dotdo.primitives.bashx.commands.streaming import BLOCK, Lines, Output, open_inputs, stdin_blocks

OPEN_FOR_READING = "{cmd}: cannot open '{name}' for reading: {reason}"


@guarded
def cat(call: CommandCall) -> CommandResult:
    """``cat [-n] [-b] [-A|-E] [files]``."""
    opts, files = options(call, "nbEAsTv")
    flags = {o for o, _ in opts}
    errors: list[str] = []
    out = Output(call)
    # All inputs form one stream: numbering and squeezing run across files, as in coreutils.
    blocks = (block for _, source in open_inputs(call, files, errors) for block in source)
    if not flags & {"-n", "-b", "-E", "-A", "-s"}:
        # Whatever has arrived goes on at once: `yes | cat | head -1` ends, a coprocess answers.
        for block in blocks:
            out.write(block)
            out.flush()
        return out.result(errors)
    number = 0
    previous_blank = False
    lines = Lines(blocks)
    for batch in lines:
        rendered: list[bytes] = []
        for line in batch:
            if "-s" in flags and line == b"" and previous_blank:
                continue
            previous_blank = line == b""
            if ("-E" in flags or "-A" in flags) and not lines.unterminated:
                line += b"$"
            if ("-b" in flags and line not in (b"", b"$")) or ("-n" in flags and "-b" not in flags):
                number += 1
                line = b"%6d\t" % number + line
            rendered.append(line)
        if lines.unterminated:
            out.write(b"\n".join(rendered))
        else:
            out.lines(rendered)
        out.flush()
    return out.result(errors)


def _count_arg(call: CommandCall, default: int) -> tuple[int, bool, bool, list[str]]:
    """Parse -n N / -N / -c; returns (count, from_start_or_negative, byte_mode, files)."""
    args = call.argv[1:]
    if args and re.fullmatch(r"-\d+", args[0]):
        args = ["-n", args[0][1:], *args[1:]]
    opts, files = options(replace(call, argv=[call.name, *args]), "n:c:qv")
    count, special, byte_mode = default, False, False
    for opt, value in opts:
        if opt in ("-n", "-c"):
            byte_mode = opt == "-c"
            special = value.startswith("+" if call.name == "tail" else "-")
            digits = value.lstrip("+-")
            if not digits.isdigit():
                kind = "bytes" if byte_mode else "lines"
                raise CommandError(f"{call.name}: invalid number of {kind}: '{value}'")
            count = int(digits)
    return count, special, byte_mode, files


def _pieces(blocks: Iterator[bytes]) -> Iterator[list[bytes]]:
    """Batches of lines each with its newline (a last line without one stays without)."""
    lines = Lines(blocks)
    for batch in lines:
        pieces = [line + b"\n" for line in batch]
        if lines.unterminated:
            pieces[-1] = pieces[-1][:-1]
        yield pieces


def _first(blocks: Iterator[bytes], count: int, all_but: bool, byte_mode: bool, out: Output) -> None:
    """``head``'s part of one input: the first ``count`` lines or bytes, or all but the last ``count``."""
    if all_but:
        # Hold back only the last `count` items: memory stays bounded by what is withheld.
        held: deque[bytes] = deque()
        size = 0
        if byte_mode:
            for block in blocks:
                held.append(block)
                size += len(block)
                while held and size - len(held[0]) >= count:
                    size -= len(held[0])
                    out.write(held.popleft())
                out.flush()
            out.write(b"".join(held)[: max(size - count, 0)])
            return
        for pieces in _pieces(blocks):
            held.extend(pieces)
            while len(held) > count:
                out.write(held.popleft())
            out.flush()
        return
    for block in blocks:
        if count <= 0:
            return
        if byte_mode:
            out.write(block[:count])
            count -= len(block)
        else:
            newlines = block.count(b"\n")
            if newlines < count:
                out.write(block)
                count -= newlines
            else:
                end = -1
                for _ in range(count):
                    end = block.index(b"\n", end + 1)
                out.write(block[: end + 1])
                count = 0
        out.flush()


def _last(blocks: Iterator[bytes], count: int, from_start: bool, byte_mode: bool, out: Output) -> None:
    """``tail``'s part of one input: the last ``count`` lines or bytes, or from item ``count`` on."""
    skip = max(count - 1, 0)
    if byte_mode:
        kept = bytearray()
        for block in blocks:
            if from_start:
                out.write(block[skip:])
                skip = max(skip - len(block), 0)
                out.flush()
                continue
            kept += block
            if len(kept) > count:
                del kept[: len(kept) - count]
        if not from_start:
            out.write(bytes(kept))
        return
    ring: deque[bytes] = deque(maxlen=count)
    for pieces in _pieces(blocks):
        if from_start:
            out.write(b"".join(pieces[skip:]))
            skip = max(skip - len(pieces), 0)
            out.flush()
        elif count:
            ring.extend(pieces)
    if not from_start:
        out.write(b"".join(ring))


def _head_or_tail(call: CommandCall, part: Callable[[Iterator[bytes], int, bool, bool, Output], None]) -> CommandResult:
    """Print a part of each input, with `==> name <==` headers when there are several."""
    count, special, byte_mode, files = _count_arg(call, 10)
    errors: list[str] = []
    out = Output(call)
    for index, (name, blocks) in enumerate(open_inputs(call, files, errors, wording=OPEN_FOR_READING)):
        if len(files) > 1:
            out.write((b"\n" if index else b"") + f"==> {name} <==\n".encode())
        part(blocks, count, special, byte_mode, out)
    return out.result(errors)


def _stdin_head(call: CommandCall, count: int, byte_mode: bool) -> CommandResult:
    """``head`` of standard input, consuming only what it prints (as head does from a seekable file).

    From a pipe the rest of the last block read goes too, as with coreutils' head; the writer of
    an endless pipe stops once head has its lines (`yes | head -1`).
    """
    out = Output(call)
    if hasattr(call.input, "take"):
        _first(stdin_blocks(call), count, False, byte_mode, out)
        return out.result()
    while count > 0:
        chunk = call.input.read(min(count, BLOCK)) if byte_mode else call.input.read_lines(min(count, 1024))
        if not chunk:
            break
        count -= len(chunk) if byte_mode else max(chunk.count(b"\n"), 1)
        out.write(chunk)
        out.flush()
    return out.result()


@guarded
def head(call: CommandCall) -> CommandResult:
    """``head [-n N|-N] [-c N] [files]`` (``-n -N``: all but the last N)."""
    count, all_but, byte_mode, files = _count_arg(call, 10)
    if not all_but and files in ([], ["-"]):
        return _stdin_head(call, count, byte_mode)
    return _head_or_tail(call, _first)


@guarded
def tail(call: CommandCall) -> CommandResult:
    """``tail [-n N|-N|-n +N] [-c N] [files]``: a ring of the last N lines, whatever the input's size."""
    return _head_or_tail(call, _last)


@guarded
def wc(call: CommandCall) -> CommandResult:
    """``wc [-l] [-w] [-c] [-m] [files]``, counting a block at a time."""
    opts, files = options(call, "lwcmL")
    flags = [o for o, _ in opts]
    show = [f for f in ("-l", "-w", "-c", "-m", "-L") if f in flags] or ["-l", "-w", "-c"]
    errors: list[str] = []
    rows: list[tuple[list[int], str]] = []
    total_size = 0
    for name, blocks in open_inputs(call, files, errors):
        values = _counts(blocks, text="-m" in show or "-L" in show)
        total_size += values["-c"] if name != "-" else 0
        rows.append(([values[f] for f in show], "" if not files else name))
    if len(files) > 1:
        rows.append(([sum(r[0][i] for r in rows) for i in range(len(show))], "total"))
    width = max(len(str(total_size)), 1)
    if not files or "-" in files:
        width = max(width, 7)
    if len(show) == 1 and len(files) <= 1 and files != ["-"]:
        width = 1
    lines = []
    for values, name in rows:
        line = " ".join(str(v).rjust(width) for v in values)
        lines.append(line + (" " + name if name else ""))
    return CommandResult("".join(x + "\n" for x in lines).encode(), stderr_of(errors), 1 if errors else 0)


def _counts(blocks: Iterator[bytes], *, text: bool) -> dict[str, int]:
    """Lines, words, bytes and (when ``text``) characters and the longest line of a stream."""
    counts = {"-l": 0, "-w": 0, "-c": 0, "-m": 0, "-L": 0}
    in_word = False
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    line_length = 0
    for block in blocks:
        counts["-l"] += block.count(b"\n")
        counts["-c"] += len(block)
        words = len(block.split())
        if in_word and not block[:1].isspace():
            words -= 1  # a word that runs on from the previous block
        counts["-w"] += words
        in_word = not block[-1:].isspace()
        if text:
            chunk = decoder.decode(block)
            counts["-m"] += len(chunk)
            parts = chunk.split("\n")
            line_length += len(parts[0])
            if len(parts) > 1:
                longest = max(len(p) for p in parts[1:])
                counts["-L"] = max(counts["-L"], line_length, longest)
                line_length = len(parts[-1])
    if text:
        tail = decoder.decode(b"", final=True)
        counts["-m"] += len(tail)
        counts["-L"] = max(counts["-L"], line_length + len(tail))
    return counts


@guarded
def uniq(call: CommandCall) -> CommandResult:
    """``uniq [-c] [-d] [-u] [-i] [input [output]]``, holding only the current group."""
    opts, files = options(call, "cduif:s:")
    flags = {o for o, _ in opts}
    skip_fields = int(next((v for o, v in opts if o == "-f"), "0"))
    errors: list[str] = []
    inputs = list(open_inputs(call, files[:1], errors))
    if errors:
        return CommandResult(b"", stderr_of(errors), 1)
    target = call.path(files[1]) if len(files) > 1 else None
    out = Output(call)
    if target is not None:
        call.fs.write(target, b"")

    def key(line: bytes) -> bytes:
        if skip_fields:
            line = b"".join(re.split(rb"(?<=\S)(?=\s)", line, maxsplit=skip_fields)[skip_fields:])
        return line.lower() if "-i" in flags else line

    def group(line: bytes, count: int) -> bytes | None:
        if ("-d" in flags and count < 2) or ("-u" in flags and count > 1):
            return None
        return b"%7d " % count + line if "-c" in flags else line

    plain = not skip_fields and "-i" not in flags
    current: bytes | None = None
    current_key = b""
    count = 0
    for batch in Lines(inputs[0][1]):
        done: list[bytes] = []
        for line in batch:
            line_key = line if plain else key(line)
            if current is not None and line_key == current_key:
                count += 1
                continue
            if current is not None and (shown := group(current, count)) is not None:
                done.append(shown)
            current, current_key, count = line, line_key, 1
        if target is not None:
            call.fs.write(target, join_lines(done), append=True)
        else:
            out.lines(done)
            out.flush()
    if current is not None and (shown := group(current, count)) is not None:
        if target is not None:
            call.fs.write(target, shown + b"\n", append=True)
        else:
            out.lines([shown])
    return out.result()


def _ranges(spec: str, name: str) -> list[tuple[int, int]]:
    ranges = []
    for part in spec.split(","):
        m = re.fullmatch(r"(\d*)(-?)(\d*)", part)
        if not m or not (m.group(1) or m.group(3)) or m.group(1) == "0":
            raise CommandError(
                f"{name}: invalid field value '{part}'" if part else f"{name}: fields are numbered from 1"
            )
        lo = int(m.group(1)) if m.group(1) else 1
        hi = int(m.group(3)) if m.group(3) else (10**9 if m.group(2) else lo)
        ranges.append((lo, hi))
    return ranges


@guarded
def cut(call: CommandCall) -> CommandResult:
    """``cut -f LIST [-d D] [-s] | -c LIST | -b LIST [files]``."""
    opts, files = options(call, "f:d:c:b:s", ["complement", "output-delimiter="])
    values = dict(opts)
    delimiter = values.get("-d", "\t").encode()
    if "-d" in values and len(values["-d"]) != 1:
        raise CommandError("cut: the delimiter must be a single character\nTry 'cut --help' for more information.")
    mode = next((o for o in ("-f", "-c", "-b") if o in values), None)
    if mode is None:
        raise CommandError(
            "cut: you must specify a list of bytes, characters, or fields\nTry 'cut --help' for more information."
        )
    ranges = _ranges(values[mode], "cut")
    out_delim = values.get("--output-delimiter", delimiter.decode()).encode()

    selections: dict[int, list[int]] = {}

    def selected(count: int) -> list[int]:
        """0-based positions of the fields picked out of ``count`` (cached per count)."""
        if count not in selections:
            if len(selections) > 4096:
                selections.clear()  # lines of ever new lengths must not grow the cache without end
            selections[count] = [i for i in range(count) if any(lo <= i + 1 <= hi for lo, hi in ranges)]
        return selections[count]

    # Byte positions as slices: the ranges sorted and merged, so each byte is picked once, in order.
    spans: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if spans and lo - 1 <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], hi))
        else:
            spans.append((lo - 1, hi))

    errors: list[str] = []
    out = Output(call)
    for _, blocks in open_inputs(call, files, errors):
        for batch in Lines(blocks):
            rendered: list[bytes] = []
            for line in batch:
                if mode == "-f":
                    if delimiter not in line:
                        if "-s" not in values:
                            rendered.append(line)
                        continue
                    parts = line.split(delimiter)
                    rendered.append(out_delim.join(parts[i] for i in selected(len(parts))))
                else:
                    # -c picks bytes, as coreutils' cut does (it has no multibyte characters).
                    rendered.append(b"".join([line[lo:hi] for lo, hi in spans]))
            out.lines(rendered)
            out.flush()
    return out.result(errors)


TR_CLASSES = {
    "[:lower:]": "abcdefghijklmnopqrstuvwxyz",
    "[:upper:]": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "[:digit:]": "0123456789",
    "[:space:]": " \t\n\r\f\v",
    "[:blank:]": " \t",
    "[:alpha:]": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
    "[:alnum:]": "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
    "[:punct:]": "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
}


def _tr_set(spec: str) -> str:
    spec = re.sub(r"\\([0-7]{1,3})", lambda m: _byte_char(int(m.group(1), 8) & 0xFF), spec)
    spec = spec.replace("\\n", "\n").replace("\\t", "\t").replace("\\r", "\r").replace("\\\\", "\\")
    out: list[str] = []
    i = 0
    while i < len(spec):
        for name, chars in TR_CLASSES.items():
            if spec.startswith(name, i):
                out.append(chars)
                i += len(name)
                break
        else:
            if i + 2 < len(spec) and spec[i + 1] == "-":
                out.extend(chr(c) for c in range(ord(spec[i]), ord(spec[i + 2]) + 1))
                i += 3
            else:
                out.append(spec[i])
                i += 1
    return "".join(out)


@guarded
def tr(call: CommandCall) -> CommandResult:
    """``tr [-d] [-s] [-c] SET1 [SET2]``, a block at a time (bytes, as coreutils' tr)."""
    opts, sets = options(call, "dscC")
    flags = {o for o, _ in opts}
    if not sets:
        raise CommandError("tr: missing operand\nTry 'tr --help' for more information.")
    set1 = _tr_bytes(_tr_set(sets[0]))
    set2 = _tr_bytes(_tr_set(sets[1])) if len(sets) > 1 else None
    complement = bool(flags & {"-c", "-C"})
    delete = "-d" in flags
    squeeze = "-s" in flags
    if not delete and not squeeze and set2 is None:
        raise CommandError(f"tr: missing operand after '{sets[0]}'\nTwo strings must be given when translating.")
    if complement and set2 == b"" and not delete:
        raise CommandError("tr: when not truncating set1, string2 must be non-empty")
    members = set(set1)
    if complement:
        members = set(range(256)) - members
    table = bytes(range(256))
    deleted = b""
    squeezed: bytes | None = None
    if delete:
        deleted = bytes(sorted(members))
        if squeeze and set2 is not None:
            squeezed = set2
    else:
        if set2 is not None:
            mapping = list(table)
            if complement:
                for byte in members:
                    mapping[byte] = set2[-1]
            else:
                padded = (set2 + set2[-1:] * len(set1))[: len(set1)] if set2 else set1
                for a, b in zip(set1, padded, strict=False):
                    mapping[a] = b
            table = bytes(mapping)
        if squeeze:
            squeezed = set2 if set2 is not None else bytes(sorted(members))
    runs = None
    if squeezed:
        runs = re.compile(b"([" + b"".join(re.escape(bytes([c])) for c in set(squeezed)) + b"])\\1+")
    out = Output(call)
    last = b""
    for block in stdin_blocks(call):
        block = block.translate(table, deleted)
        if runs is not None and block:
            block = runs.sub(b"\\1", block)
            if last and block[:1] == last and runs.match(last + last):
                block = block[1:]  # the run began in the previous block
            if block:
                last = block[-1:]
        out.write(block)
        out.flush()
    return out.result()


def _byte_char(byte: int) -> str:
    """The character standing for one raw byte in a set (above ASCII: its surrogate escape)."""
    return chr(byte) if byte < 128 else chr(0xDC00 + byte)


def _tr_bytes(chars: str) -> bytes:
    """A set's characters as the bytes tr maps: one byte each up to 255, UTF-8 beyond (as coreutils sees them)."""
    out = bytearray()
    for ch in chars:
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:
            out.append(code - 0xDC00)  # a raw byte of an argument that was not UTF-8
        elif code < 128:
            out.append(code)
        else:
            out += ch.encode()
    return bytes(out)


@guarded
def tee(call: CommandCall) -> CommandResult:
    """``tee [-a] files``: each block goes to the files and on down the pipe as it arrives."""
    opts, files = options(call, "ai")
    append = any(o == "-a" for o, _ in opts)
    errors: list[str] = []
    targets: list[str] = []
    for name in files:
        try:
            if not append:
                call.fs.write(call.path(name), b"")
            else:
                call.fs.write(call.path(name), b"", append=True)
            targets.append(name)
        except OSError as exc:
            errors.append(f"tee: {name}: {os_message(exc)}")
    out = Output(call)
    for block in stdin_blocks(call):
        for name in targets:
            call.fs.write(call.path(name), block, append=True)
        out.write(block)
        out.flush()
    return out.result(errors)


@guarded
def rev(call: CommandCall) -> CommandResult:
    """``rev [files]``."""
    errors: list[str] = []
    out = Output(call)
    for _, blocks in open_inputs(call, call.argv[1:], errors):
        for batch in Lines(blocks):
            out.lines([encode(decode(line)[::-1]) for line in batch])
            out.flush()
    return out.result(errors)


@guarded
def nl(call: CommandCall) -> CommandResult:
    """``nl [files]`` numbering non-empty lines."""
    errors: list[str] = []
    out = Output(call)
    number = 0
    for _, blocks in open_inputs(call, call.argv[1:], errors):
        for batch in Lines(blocks):
            rendered: list[bytes] = []
            for line in batch:
                if line:
                    number += 1
                    rendered.append(b"%6d\t" % number + line)
                else:
                    rendered.append(b" " * 7)
            out.lines(rendered)
            out.flush()
    return out.result(errors)


COMMANDS = {
    "cat": cat,
    "head": head,
    "tail": tail,
    "wc": wc,
    "uniq": uniq,
    "cut": cut,
    "tr": tr,
    "tee": tee,
    "rev": rev,
    "nl": nl,
}


@guarded
def tac(call: CommandCall) -> CommandResult:
    """``tac [files]``: lines in reverse order."""
    errors: list[str] = []
    out: list[bytes] = []
    for _, data in read_inputs(call, call.argv[1:], errors):
        out.extend(reversed(split_lines(data)))
    return CommandResult(join_lines(out), stderr_of(errors), 1 if errors else 0)


@guarded
def paste(call: CommandCall) -> CommandResult:
    """``paste [-d LIST] [-s] files``: merge lines side by side (or each file onto one line)."""
    opts, files = options(call, "d:s")
    values = dict(opts)
    delimiters = (values.get("-d", "\t").replace("\\t", "\t").replace("\\n", "\n") or "\t").encode()
    errors: list[str] = []
    columns = [split_lines(data) for _, data in read_inputs(call, files, errors)]

    def joined(items: list[bytes]) -> bytes:
        out = bytearray()
        for i, item in enumerate(items):
            if i:
                out += delimiters[(i - 1) % len(delimiters) : (i - 1) % len(delimiters) + 1]
            out += item
        return bytes(out)

    if "-s" in values:
        rows = [joined(col) for col in columns]
    else:
        height = max((len(c) for c in columns), default=0)
        rows = [joined([c[i] if i < len(c) else b"" for c in columns]) for i in range(height)]
    return CommandResult(join_lines(rows), stderr_of(errors), 1 if errors else 0)


@guarded
def yes(call: CommandCall) -> CommandResult:
    """``yes [STRING...]``: the line (``y`` by default) over and over, until its reader stops."""
    line = (" ".join(call.argv[1:]) if len(call.argv) > 1 else "y").encode("utf-8", "surrogateescape") + b"\n"
    block = line * max(1, BLOCK // len(line))
    if call.output is None:
        raise CommandError("yes: needs a streaming standard output (run it in a pipeline)")
    while not call.stopped():
        call.write(block)
    return CommandResult(b"", b"", 1)


COMMANDS.update({"tac": tac, "paste": paste, "yes": yes})
