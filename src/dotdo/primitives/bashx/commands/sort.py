"""sort: lines in order, in bounded memory: runs past the memory budget spill to temporary files and merge.

Like coreutils' sort, input beyond the budget (``-S``, 64 MiB by default) is sorted a run at a
time, each run written to a file in ``$TMPDIR`` (``/tmp``) on the object's filesystem, and the runs
are merged a line at a time; the files are removed when sort ends.
"""

from __future__ import annotations

import heapq
import re
import secrets
from collections.abc import Callable, Iterator
from functools import cmp_to_key
from typing import Any

from dotdo.primitives.bashx.commands.base import CommandCall, CommandError, CommandResult, guarded, options, stderr_of
from dotdo.primitives.bashx.commands.streaming import Lines, Output, each_line, file_blocks, open_inputs

MEMORY_BUDGET = 64 * 1024 * 1024
"""Bytes of lines sort holds before it spills a sorted run (``-S`` changes it)."""

LINE_OVERHEAD = 64
"""Bytes a held line costs beyond its text (the bytes object and its place in the list)."""

SIZE_SUFFIXES = {"b": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}

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


def _budget(value: str) -> int:
    """``-S SIZE``: a number with an optional b/K/M/G/T suffix (KiB without one), as coreutils reads it."""
    m = re.fullmatch(r"(\d+)([bkmgtBKMGT]?)", value)
    if not m:
        raise CommandError(f"sort: invalid -S argument '{value}'", 2)
    return max(int(m.group(1)) * SIZE_SUFFIXES[(m.group(2) or "k").lower()], 1)


@guarded
def sort(call: CommandCall) -> CommandResult:
    """``sort [-n] [-r] [-u] [-f] [-b] [-h] [-V] [-k F[,G]] [-t SEP] [-o FILE] [-S SIZE] [files]``."""
    opts, files = options(call, "nrufbk:t:o:shVgcCzS:T:", ["numeric-sort", "reverse", "unique"])
    flags = {o for o, _ in opts}
    keys = [_sort_key_spec(v) for o, v in opts if o == "-k"]
    sep_values = [v for o, v in opts if o == "-t"]
    sep = sep_values[-1].encode() if sep_values else None
    output = [v for o, v in opts if o == "-o"]
    budget = next((_budget(v) for o, v in reversed(opts) if o == "-S"), MEMORY_BUDGET)
    temp_dir = next((v for o, v in reversed(opts) if o == "-T"), call.env.get("TMPDIR") or "/tmp")
    numeric = bool(flags & {"-n", "--numeric-sort", "-g", "-h"})
    reverse = bool(flags & {"-r", "--reverse"})
    fold = "-f" in flags
    unique = bool(flags & {"-u", "--unique"})

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

    # One ordering for sorting a run and for merging runs: a key function and a direction.
    simple = not keys and not flags & {"-b", "-g", "-h", "-V"}
    last_resort = not flags & {"-u", "-s", "--unique"}
    key: Callable[[bytes], Any] | None
    descending = reverse
    if simple and numeric:

        def numeric_key(line: bytes) -> tuple[float, bytes]:
            return (_numeric_value(line.lstrip(b" \t")), line if last_resort else b"")

        key = numeric_key
    elif simple:
        key = (lambda line: (line.upper(), line)) if fold else None
    else:
        key, descending = cmp_to_key(compare), False

    runs = _Runs(call, temp_dir)
    try:
        errors: list[str] = []
        held: list[bytes] = []
        size = 0
        for _, blocks in open_inputs(call, files, errors):
            for batch in Lines(blocks):
                held.extend(batch)
                size += sum(map(len, batch)) + LINE_OVERHEAD * len(batch)
                if size > budget:
                    held.sort(key=key, reverse=descending)
                    runs.spill(held)
                    held, size = [], 0
        if errors:
            return CommandResult(b"", stderr_of([e.replace("sort: ", "sort: cannot read: ") for e in errors]), 2)
        held.sort(key=key, reverse=descending)
        ordered: Iterator[bytes] = (
            heapq.merge(*runs.readers(), iter(held), key=key, reverse=descending) if runs.paths else iter(held)
        )
        if unique:
            ordered = _distinct(ordered, compare)
        target = call.path(output[-1]) if output else None
        out = Output(call)
        if target is not None:
            call.fs.write(target, b"")
        batch_out: list[bytes] = []
        for line in ordered:
            batch_out.append(line)
            if len(batch_out) >= 4096:
                _emit(call, out, target, batch_out)
                batch_out = []
        _emit(call, out, target, batch_out)
        return out.result()
    finally:
        runs.remove()


def _emit(call: CommandCall, out: Output, target: str | None, lines: list[bytes]) -> None:
    """Send sorted lines to the ``-o`` file or down standard output."""
    if not lines:
        return
    if target is None:
        out.lines(lines)
        out.flush()
    else:
        call.fs.write(target, b"\n".join(lines) + b"\n", append=True)


def _distinct(lines: Iterator[bytes], compare: Callable[[bytes, bytes], int]) -> Iterator[bytes]:
    """``-u``: the first of each run of lines that compare equal."""
    previous: bytes | None = None
    for line in lines:
        if previous is None or compare(previous, line) != 0:
            yield line
            previous = line


class _Runs:
    """Sorted runs spilled to temporary files on the object's filesystem, removed at the end."""

    def __init__(self, call: CommandCall, directory: str) -> None:
        self.call = call
        self.directory = directory
        self.paths: list[str] = []

    def spill(self, lines: list[bytes]) -> None:
        """Write one sorted run to a new temporary file."""
        path = self.call.path(f"{self.directory.rstrip('/')}/sort{secrets.token_hex(6)}")
        if not self.call.fs.is_dir(self.call.path(self.directory)):
            raise CommandError(
                f"sort: cannot create temporary file in '{self.directory}': No such file or directory", 2
            )
        self.paths.append(path)
        for start in range(0, len(lines), 4096):
            chunk = lines[start : start + 4096]
            self.call.fs.write(path, b"\n".join(chunk) + b"\n", append=bool(start))

    def readers(self) -> list[Iterator[bytes]]:
        """Each run's lines, read back a block at a time."""
        return [each_line(file_blocks(self.call, path)) for path in self.paths]

    def remove(self) -> None:
        """Delete the runs' files."""
        for path in self.paths:
            self.call.fs.unlink(path, missing_ok=True)


COMMANDS = {"sort": sort}
