"""The hunks of `git diff` for one file: git's Myers diff with its indent heuristic, 3 lines of
context, changes at most 6 lines apart in one hunk, and the enclosing "function" line in each header."""

from __future__ import annotations

from dataclasses import dataclass

from .line_changes import LineChange, line_changes, split_lines

CONTEXT = 3
_FUNCTION_LINE_MAX = 80
_NO_NEWLINE = b"\n\\ No newline at end of file\n"


@dataclass(frozen=True, slots=True)
class FileHunks:
    """A file's unified hunks as `git diff` prints them, and how many lines were added and deleted."""

    text: bytes
    additions: int
    deletions: int


def function_line(line: bytes) -> bytes | None:
    """git's default hunk-header context: a line starting with a letter, '_' or '$' (80 bytes at most)."""
    first = line[:1]
    if first and (first.isalpha() or first in (b"_", b"$")):
        return line[:_FUNCTION_LINE_MAX].rstrip(b" \t\n\r")
    return None


def unified_hunks(old: bytes, new: bytes) -> FileHunks:
    """The `@@` hunks `git diff` prints from `old` to `new` (empty when the texts are equal)."""
    if not isinstance(old, bytes) or not isinstance(new, bytes):
        raise TypeError("unified_hunks takes bytes; encode text first")
    old_lines, new_lines = split_lines(old), split_lines(new)
    changes = line_changes(old_lines, new_lines, algorithm="myers", indent_heuristic=True)
    out: list[bytes] = []
    function = b""
    searched_down_to = -1
    first = 0
    while first < len(changes):
        last = first
        while (
            last + 1 < len(changes)
            and changes[last + 1].old_start - (changes[last].old_start + changes[last].old_count) <= 2 * CONTEXT
        ):
            last += 1
        start1 = max(changes[first].old_start - CONTEXT, 0)
        start2 = max(changes[first].new_start - CONTEXT, 0)
        for index in range(start1 - 1, searched_down_to, -1):
            found = function_line(old_lines[index])
            if found is not None:
                function = found
                break
        searched_down_to = start1 - 1
        out.append(_header(start1, start2, changes[first], changes[last], len(old_lines), len(new_lines), function))
        _body(out, changes[first : last + 1], old_lines, new_lines, start2)
        first = last + 1
    return FileHunks(
        b"".join(out), sum(change.new_count for change in changes), sum(change.old_count for change in changes)
    )


def _header(
    start1: int, start2: int, first: LineChange, last: LineChange, size1: int, size2: int, function: bytes
) -> bytes:
    after = min(CONTEXT, size1 - (last.old_start + last.old_count), size2 - (last.new_start + last.new_count))
    end1 = last.old_start + last.old_count + after
    end2 = last.new_start + last.new_count + after
    header = b"@@ -" + _range(start1, end1 - start1) + b" +" + _range(start2, end2 - start2) + b" @@"
    return header + (b" " + function if function else b"") + b"\n"


def _range(start: int, count: int) -> bytes:
    if count == 1:
        return b"%d" % (start + 1)
    return b"%d,%d" % (start + 1 if count else start, count)


def _body(out: list[bytes], changes: list[LineChange], old: list[bytes], new: list[bytes], start2: int) -> None:
    at2 = start2
    for change in changes:
        out.extend(_line(b" ", line) for line in new[at2 : change.new_start])
        out.extend(_line(b"-", line) for line in old[change.old_start : change.old_start + change.old_count])
        out.extend(_line(b"+", line) for line in new[change.new_start : change.new_start + change.new_count])
        at2 = change.new_start + change.new_count
    last = changes[-1]
    after = min(CONTEXT, len(old) - (last.old_start + last.old_count), len(new) - at2)
    out.extend(_line(b" ", line) for line in new[at2 : at2 + after])


def _line(prefix: bytes, line: bytes) -> bytes:
    return prefix + line if line.endswith(b"\n") else prefix + line + _NO_NEWLINE
