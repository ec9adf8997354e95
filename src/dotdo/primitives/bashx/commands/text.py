"""Line-oriented text programs: cat, head, tail, wc, sort, uniq, cut, tr, tee, rev, nl, tac, paste, yes."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cmp_to_key
from typing import Any

from dotdo.primitives.bashx.commands.base import (
    CommandCall,
    CommandError,
    CommandResult,
    guarded,
    join_lines,
    options,
    os_message,
    read_inputs,
    split_lines,
    stderr_of,
)

OPEN_FOR_READING = "{cmd}: cannot open '{name}' for reading: {reason}"
STREAM_CHUNK = 64 * 1024
"""Bytes a streaming command moves at a time."""


@guarded
def cat(call: CommandCall) -> CommandResult:
    """``cat [-n] [-b] [-A|-E] [files]``."""
    opts, files = options(call, "nbEAsTv")
    flags = {o for o, _ in opts}
    if not flags and files in ([], ["-"]) and call.output is not None:
        # Plain `cat` of its input copies as it reads: `yes | cat | head -1` ends at once.
        # From a pipe, whatever has arrived goes on at once (a coprocess answers line by line).
        read_some = getattr(call.input, "take", call.input.read)
        while chunk := read_some(STREAM_CHUNK):
            call.write(chunk)
        return CommandResult()
    errors: list[str] = []
    data = b"".join(content for _, content in read_inputs(call, files, errors))
    if flags & {"-n", "-b", "-E", "-A", "-s"}:
        lines = data.split(b"\n")
        trailing = lines[-1] == b""
        if trailing:
            lines.pop()
        out: list[bytes] = []
        number = 0
        previous_blank = False
        for line in lines:
            if "-s" in flags and line == b"" and previous_blank:
                continue
            previous_blank = line == b""
            if "-E" in flags or "-A" in flags:
                line += b"$"
            if ("-b" in flags and line not in (b"", b"$")) or ("-n" in flags and "-b" not in flags):
                number += 1
                line = b"%6d\t" % number + line
            out.append(line)
        data = b"\n".join(out) + (b"\n" if trailing else b"")
    return CommandResult(data, stderr_of(errors), 1 if errors else 0)


Pick = Callable[[Any, int, bool], Any]
"""Chooses part of an input's bytes or lines: (items, count, the +N / -N form) -> part."""


def _count_arg(call: CommandCall, default: int) -> tuple[int, bool, bool, list[str]]:
    """Parse -n N / -N / -c; returns (count, from_start_or_negative, byte_mode, files)."""
    args = call.argv[1:]
    if args and re.fullmatch(r"-\d+", args[0]):
        args = ["-n", args[0][1:], *args[1:]]
    call = CommandCall([call.name, *args], call.cwd, call.env, call.fs, call.input, call.run)
    opts, files = options(call, "n:c:qv")
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


def _head_or_tail(call: CommandCall, pick_bytes: Pick, pick_lines: Pick) -> CommandResult:
    """Print a part of each input, with `==> name <==` headers when there are several."""
    count, special, byte_mode, files = _count_arg(call, 10)
    errors: list[str] = []
    inputs = read_inputs(call, files, errors, wording=OPEN_FOR_READING)
    out = bytearray()
    for index, (name, data) in enumerate(inputs):
        if len(inputs) > 1:
            out += (b"\n" if index else b"") + f"==> {name} <==\n".encode()
        if byte_mode:
            out += pick_bytes(data, count, special)
            continue
        parts = data.split(b"\n")
        pieces = [p + b"\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
        out += b"".join(pick_lines(pieces, count, special))
    return CommandResult(bytes(out), stderr_of(errors), 1 if errors else 0)


@guarded
def head(call: CommandCall) -> CommandResult:
    """``head [-n N|-N] [-c N] [files]`` (``-n -N``: all but the last N)."""

    def first(items: Any, count: int, all_but: bool) -> Any:
        return items[: len(items) - count] if all_but else items[:count]

    count, all_but, byte_mode, files = _count_arg(call, 10)
    if not all_but and files in ([], ["-"]):
        # Read only what is printed, so the writer of an endless pipe stops (`yes | head -1`).
        if byte_mode:
            return CommandResult(call.input.read(count))
        return CommandResult(call.input.read_lines(count))
    return _head_or_tail(call, first, first)


@guarded
def tail(call: CommandCall) -> CommandResult:
    """``tail [-n N|-N|-n +N] [-c N] [files]``."""

    def last_bytes(data: bytes, count: int, from_start: bool) -> bytes:
        return data[count - 1 :] if from_start else (data[-count:] if count else b"")

    def last_lines(pieces: list[bytes], count: int, from_start: bool) -> list[bytes]:
        if from_start:
            return pieces[max(count - 1, 0) :]
        return pieces[-count:] if count else []

    return _head_or_tail(call, last_bytes, last_lines)


@guarded
def wc(call: CommandCall) -> CommandResult:
    """``wc [-l] [-w] [-c] [-m] [files]``."""
    opts, files = options(call, "lwcmL")
    flags = [o for o, _ in opts]
    show = [f for f in ("-l", "-w", "-c", "-m", "-L") if f in flags] or ["-l", "-w", "-c"]
    errors: list[str] = []
    rows: list[tuple[list[int], str]] = []
    total_size = 0
    for name, data in read_inputs(call, files, errors):
        total_size += len(data) if name != "-" else 0
        text = data.decode("utf-8", "replace")
        values = {
            "-l": data.count(b"\n"),
            "-w": len(data.split()),
            "-c": len(data),
            "-m": len(text),
            "-L": max((len(x) for x in text.split("\n")), default=0),
        }
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


SortKey = tuple[int, int, int | None, int | None, str]


def _sort_key_spec(spec: str) -> SortKey:
    """``-k F[.C][mods][,F[.C][mods]]`` as (field, char, end field, end char, modifiers)."""
    m = re.fullmatch(r"(\d+)(?:\.(\d+))?([a-zA-Z]*)(?:,(\d+)(?:\.(\d+))?([a-zA-Z]*))?", spec)
    if not m or m.group(1) == "0":
        raise CommandError(f"sort: invalid number at field start: invalid count at start of '{spec}'", 2)
    return (
        int(m.group(1)),
        int(m.group(2) or "1"),
        int(m.group(4)) if m.group(4) else None,
        int(m.group(5)) if m.group(5) else None,
        (m.group(3) or "") + (m.group(6) or ""),
    )


def _fields(line: bytes, sep: bytes | None) -> list[tuple[int, int]]:
    """Field spans; without a separator a field includes its leading blanks, as in sort."""
    spans = []
    if sep is not None:
        start = 0
        for part in line.split(sep):
            spans.append((start, start + len(part)))
            start += len(part) + len(sep)
        return spans
    for m in re.finditer(rb"[ \t]*[^ \t]+", line):
        spans.append((m.start(), m.end()))
    return spans


def _numeric_value(text: bytes) -> float:
    m = re.match(rb"\s*(-?\d*\.?\d+(?:[eE][-+]?\d+)?)", text)
    return float(m.group(1)) if m else 0.0


@guarded
def sort(call: CommandCall) -> CommandResult:
    """``sort [-n] [-r] [-u] [-f] [-b] [-h] [-V] [-k F[,G]] [-t SEP] [-o FILE] [files]``."""
    opts, files = options(call, "nrufbk:t:o:shVgcCz", ["numeric-sort", "reverse", "unique"])
    flags = {o for o, _ in opts}
    keys = [_sort_key_spec(v) for o, v in opts if o == "-k"]
    sep_values = [v for o, v in opts if o == "-t"]
    sep = sep_values[-1].encode() if sep_values else None
    output = [v for o, v in opts if o == "-o"]
    errors: list[str] = []
    lines: list[bytes] = []
    for _, data in read_inputs(call, files, errors):
        lines.extend(split_lines(data))
    if errors:
        return CommandResult(b"", stderr_of([e.replace("sort: ", "sort: cannot read: ") for e in errors]), 2)
    numeric = bool(flags & {"-n", "--numeric-sort", "-g", "-h"})
    reverse = bool(flags & {"-r", "--reverse"})
    fold = "-f" in flags

    def extract(line: bytes, key: SortKey) -> bytes:
        start, char, end, end_char, _ = key
        spans = _fields(line, sep)
        if start - 1 >= len(spans):
            return b""
        field_lo, field_hi = spans[start - 1]
        lo = min(field_lo + char - 1, field_hi)
        if end is None:
            hi = len(line)
        else:
            end_lo, end_hi = spans[min(end, len(spans)) - 1]
            hi = min(end_lo + end_char, end_hi) if end_char is not None else end_hi
        return line[lo:hi]

    def compare_part(a: bytes, b: bytes, mods: str) -> int:
        is_num = numeric or "n" in mods or "g" in mods
        if "b" in mods or "-b" in flags or is_num:
            a, b = a.lstrip(b" \t"), b.lstrip(b" \t")
        if is_num:
            va, vb = _numeric_value(a), _numeric_value(b)
            return (va > vb) - (va < vb)
        if fold or "f" in mods:
            a, b = a.upper(), b.upper()
        return (a > b) - (a < b)

    def compare(a: bytes, b: bytes) -> int:
        for key in keys:
            result = compare_part(extract(a, key), extract(b, key), key[4])
            if result:
                return -result if reverse or "r" in key[4] else result
        if not keys:
            result = compare_part(a, b, "")
            if result:
                return -result if reverse else result
        if "-u" in flags or "-s" in flags:
            return 0
        result = (a > b) - (a < b)
        return -result if reverse else result

    simple = not keys and not flags & {"-b", "-g", "-h", "-V"}
    last_resort = not flags & {"-u", "-s", "--unique"}
    if simple and numeric:

        def numeric_key(line: bytes) -> tuple[float, bytes]:
            return (_numeric_value(line.lstrip(b" \t")), line if last_resort else b"")

        ordered = sorted(lines, key=numeric_key, reverse=reverse)
    elif simple:
        ordered = sorted(lines, key=(lambda line: (line.upper(), line)) if fold else None, reverse=reverse)
    else:
        ordered = sorted(lines, key=cmp_to_key(compare))
    if "-u" in flags or "--unique" in flags:
        unique: list[bytes] = []
        for line in ordered:
            if not unique or compare(unique[-1], line) != 0:
                unique.append(line)
        ordered = unique
    data = join_lines(ordered)
    if output:
        call.fs.write(call.path(output[-1]), data)
        return CommandResult()
    return CommandResult(data)


@guarded
def uniq(call: CommandCall) -> CommandResult:
    """``uniq [-c] [-d] [-u] [-i] [input [output]]``."""
    opts, files = options(call, "cduif:s:")
    flags = {o for o, _ in opts}
    skip_fields = int(next((v for o, v in opts if o == "-f"), "0"))
    errors: list[str] = []
    inputs = read_inputs(call, files[:1], errors)
    if errors:
        return CommandResult(b"", stderr_of(errors), 1)
    lines = split_lines(inputs[0][1])

    def key(line: bytes) -> bytes:
        if skip_fields:
            line = b"".join(re.split(rb"(?<=\S)(?=\s)", line, maxsplit=skip_fields)[skip_fields:])
        return line.lower() if "-i" in flags else line

    groups: list[tuple[bytes, int]] = []
    for line in lines:
        if groups and key(groups[-1][0]) == key(line):
            groups[-1] = (groups[-1][0], groups[-1][1] + 1)
        else:
            groups.append((line, 1))
    out = []
    for line, count in groups:
        if "-d" in flags and count < 2:
            continue
        if "-u" in flags and count > 1:
            continue
        out.append(b"%7d " % count + line if "-c" in flags else line)
    data = join_lines(out)
    if len(files) > 1:
        call.fs.write(call.path(files[1]), data)
        return CommandResult()
    return CommandResult(data)


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
        """0-based positions picked out of ``count`` fields or characters (cached per count)."""
        if count not in selections:
            selections[count] = [i for i in range(count) if any(lo <= i + 1 <= hi for lo, hi in ranges)]
        return selections[count]

    errors: list[str] = []
    out = []
    for _, data in read_inputs(call, files, errors):
        for line in split_lines(data):
            if mode == "-f":
                if delimiter not in line:
                    if "-s" not in values:
                        out.append(line)
                    continue
                parts = line.split(delimiter)
                out.append(out_delim.join(parts[i] for i in selected(len(parts))))
            else:
                if mode == "-b":
                    out.append(b"".join(line[i : i + 1] for i in selected(len(line))))
                else:
                    text = line.decode("utf-8", "surrogateescape")
                    out.append("".join(text[i : i + 1] for i in selected(len(text))).encode("utf-8", "surrogateescape"))
    return CommandResult(join_lines(out), stderr_of(errors), 1 if errors else 0)


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
    spec = re.sub(r"\\([0-7]{1,3})", lambda m: chr(int(m.group(1), 8)), spec)
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
    """``tr [-d] [-s] [-c] SET1 [SET2]``."""
    opts, sets = options(call, "dscC")
    flags = {o for o, _ in opts}
    if not sets:
        raise CommandError("tr: missing operand\nTry 'tr --help' for more information.")
    text = call.stdin.decode("latin-1")
    set1 = _tr_set(sets[0])
    complement = bool(flags & {"-c", "-C"})

    def in_set1(ch: str) -> bool:
        return (ch in set1) != complement

    if "-d" in flags:
        text = "".join(ch for ch in text if not in_set1(ch))
        if "-s" in flags and len(sets) > 1:
            text = _squeeze(text, _tr_set(sets[1]))
        return CommandResult(text.encode("latin-1"))
    if len(sets) > 1:
        set2 = _tr_set(sets[1])
        if complement:
            text = "".join(set2[-1] if in_set1(ch) else ch for ch in text)
        else:
            set2 = (set2 + set2[-1:] * len(set1))[: len(set1)] if set2 else set2
            table = {ord(a): b for a, b in zip(set1, set2, strict=False)}
            text = text.translate(table)
        if "-s" in flags:
            text = _squeeze(text, set2)
    elif "-s" in flags:
        text = _squeeze(text, set1)
    else:
        raise CommandError(f"tr: missing operand after '{sets[0]}'\nTwo strings must be given when translating.")
    return CommandResult(text.encode("latin-1"))


def _squeeze(text: str, chars: str) -> str:
    out: list[str] = []
    for ch in text:
        if out and out[-1] == ch and ch in chars:
            continue
        out.append(ch)
    return "".join(out)


@guarded
def tee(call: CommandCall) -> CommandResult:
    """``tee [-a] files``."""
    opts, files = options(call, "ai")
    append = any(o == "-a" for o, _ in opts)
    data = call.stdin
    errors = []
    for name in files:
        try:
            call.fs.write(call.path(name), data, append=append)
        except OSError as exc:
            errors.append(f"tee: {name}: {os_message(exc)}")
    return CommandResult(data, stderr_of(errors), 1 if errors else 0)


@guarded
def rev(call: CommandCall) -> CommandResult:
    """``rev [files]``."""
    errors: list[str] = []
    out = []
    for _, data in read_inputs(call, call.argv[1:], errors):
        out.extend(
            line.decode("utf-8", "surrogateescape")[::-1].encode("utf-8", "surrogateescape")
            for line in split_lines(data)
        )
    return CommandResult(join_lines(out), stderr_of(errors), 1 if errors else 0)


@guarded
def nl(call: CommandCall) -> CommandResult:
    """``nl [files]`` numbering non-empty lines."""
    errors: list[str] = []
    out = []
    number = 0
    for _, data in read_inputs(call, call.argv[1:], errors):
        for line in split_lines(data):
            if line.strip():
                number += 1
                out.append(b"%6d\t" % number + line)
            else:
                out.append(line)
    return CommandResult(join_lines(out), stderr_of(errors), 1 if errors else 0)


COMMANDS = {
    "cat": cat,
    "head": head,
    "tail": tail,
    "wc": wc,
    "sort": sort,
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
    block = line * max(1, STREAM_CHUNK // len(line))
    if call.output is None:
        raise CommandError("yes: needs a streaming standard output (run it in a pipeline)")
    while not call.stopped():
        call.write(block)
    return CommandResult(b"", b"", 1)


COMMANDS.update({"tac": tac, "paste": paste, "yes": yes})
