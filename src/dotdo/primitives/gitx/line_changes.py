"""Line changes between two texts as git computes them: diff, slide hunks as git does, list them.

After the diff marks changed lines, git slides each group of changed lines up and down over
identical neighbours, merging groups that touch, and settles it as low as possible, or level with
a change on the other side when one can be lined up. The result is an edit script of hunks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .histogram_diff import histogram_changes
from .indent_heuristic import best_group_end
from .myers_diff import myers_changes


@dataclass(frozen=True, slots=True)
class LineChange:
    """Lines `old_start`..+`old_count` of the old text became `new_start`..+`new_count` (0-based)."""

    old_start: int
    new_start: int
    old_count: int
    new_count: int


def split_lines(data: bytes) -> list[bytes]:
    """Lines as git's diff sees them: split after each newline, the last one possibly unterminated."""
    lines = data.split(b"\n")
    last = lines.pop()
    out = [line + b"\n" for line in lines]
    if last:
        out.append(last)
    return out


def line_ids(*texts: Sequence[bytes]) -> list[list[int]]:
    """Each text's lines as integer ids shared across the texts (equal lines, equal ids)."""
    table: dict[bytes, int] = {}
    return [[table.setdefault(line, len(table)) for line in text] for text in texts]


def line_changes(
    old: Sequence[bytes], new: Sequence[bytes], *, algorithm: str = "histogram", indent_heuristic: bool = False
) -> list[LineChange]:
    """The hunks git's `algorithm` ("histogram" or "myers") finds from `old` to `new` lines; with
    `indent_heuristic` (as `git diff` by default, unlike `git merge`) slid groups are placed by indentation."""
    old_ids, new_ids = line_ids(old, new)
    if algorithm == "histogram":
        changed_old, changed_new = histogram_changes(old_ids, new_ids)
    elif algorithm == "myers":
        changed_old, changed_new = myers_changes(old_ids, new_ids)
    else:
        raise ValueError(f"unknown diff algorithm {algorithm!r}; use 'histogram' or 'myers'")
    old_side, new_side = _Side(old, old_ids, changed_old), _Side(new, new_ids, changed_new)
    _compact(old_side, new_side, indent_heuristic)
    _compact(new_side, old_side, indent_heuristic)
    return _script(old_side, new_side)


class _Side:
    """One text's lines, their ids and change marks, with an unchanged sentinel before and after."""

    __slots__ = ("ids", "lines", "marks", "size")

    def __init__(self, lines: Sequence[bytes], ids: list[int], changed: bytearray) -> None:
        self.lines = lines
        self.ids = ids
        self.size = len(ids)
        self.marks = bytearray(1) + changed + bytearray(1)

    def changed(self, i: int) -> bool:
        return self.marks[i + 1] != 0

    def mark(self, i: int, value: int) -> None:
        self.marks[i + 1] = value


class _Group:
    """A run of changed lines [start, end); empty runs sit between any two unchanged lines."""

    __slots__ = ("end", "side", "start")

    def __init__(self, side: _Side) -> None:
        self.side = side
        self.start = self.end = 0
        while side.changed(self.end):
            self.end += 1

    def next(self) -> bool:
        if self.end == self.side.size:
            return False
        self.start = self.end = self.end + 1
        while self.side.changed(self.end):
            self.end += 1
        return True

    def previous(self) -> bool:
        if self.start == 0:
            return False
        self.start = self.end = self.start - 1
        while self.side.changed(self.start - 1):
            self.start -= 1
        return True

    def slide_down(self) -> bool:
        side = self.side
        if self.end < side.size and side.ids[self.start] == side.ids[self.end]:
            side.mark(self.start, 0)
            side.mark(self.end, 1)
            self.start += 1
            self.end += 1
            while side.changed(self.end):
                self.end += 1
            return True
        return False

    def slide_up(self) -> bool:
        side = self.side
        if self.start > 0 and side.ids[self.start - 1] == side.ids[self.end - 1]:
            self.start -= 1
            self.end -= 1
            side.mark(self.start, 1)
            side.mark(self.end, 0)
            while side.changed(self.start - 1):
                self.start -= 1
            return True
        return False


def _compact(side: _Side, other: _Side, indent_heuristic: bool) -> None:
    """Slide each group of `side` as git does, keeping `other`'s groups in step."""
    group, other_group = _Group(side), _Group(other)
    while True:
        if group.end != group.start:
            while True:
                size = group.end - group.start
                aligned_end = -1
                while group.slide_up():
                    other_group.previous()
                earliest_end = group.end
                if other_group.end > other_group.start:
                    aligned_end = group.end
                while group.slide_down():
                    other_group.next()
                    if other_group.end > other_group.start:
                        aligned_end = group.end
                if size == group.end - group.start:
                    break
            if group.end == earliest_end:
                pass
            elif aligned_end != -1:
                while other_group.end == other_group.start:
                    group.slide_up()
                    other_group.previous()
            elif indent_heuristic:
                best_end = best_group_end(side.lines, earliest_end, group.end, size)
                while group.end > best_end:
                    group.slide_up()
                    other_group.previous()
        if not group.next():
            return
        other_group.next()


def _script(old: _Side, new: _Side) -> list[LineChange]:
    changes: list[LineChange] = []
    i1, i2 = old.size, new.size
    while i1 >= 0 or i2 >= 0:
        if old.changed(i1 - 1) or new.changed(i2 - 1):
            end1, end2 = i1, i2
            while old.changed(i1 - 1):
                i1 -= 1
            while new.changed(i2 - 1):
                i2 -= 1
            changes.append(LineChange(i1, i2, end1 - i1, end2 - i2))
        i1 -= 1
        i2 -= 1
    changes.reverse()
    return changes
