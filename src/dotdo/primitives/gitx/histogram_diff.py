"""git's histogram line diff, the algorithm `git merge` (merge-ort) uses for file contents.

The longest run of common lines built around the rarest line (fewest occurrences on the old side)
splits the problem in two, recursively; a region whose common lines all occur more than 64 times
is handed to the Myers diff, as git does. Lines are integer ids (equal ids, equal lines).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .myers_diff import myers_changes

_MAX_CHAIN_LENGTH = 64


@dataclass(slots=True)
class _Run:
    """The best common run so far: old lines begin1..end1 match new lines begin2..end2 (1-based)."""

    begin1: int = 0
    end1: int = 0
    begin2: int = 0
    end2: int = 0


def histogram_changes(a: Sequence[int], b: Sequence[int]) -> tuple[bytearray, bytearray]:
    """Per line of `a` and of `b`, 1 where git's histogram diff marks the line deleted or added."""
    changed_a, changed_b = bytearray(len(a)), bytearray(len(b))
    regions = [(1, len(a), 1, len(b))]
    while regions:
        line1, count1, line2, count2 = regions.pop()
        if count1 <= 0 and count2 <= 0:
            continue
        if count1 == 0 or count2 == 0:
            changed_a[line1 - 1 : line1 - 1 + count1] = b"\x01" * count1
            changed_b[line2 - 1 : line2 - 1 + count2] = b"\x01" * count2
            continue
        run, fall_back = _longest_rare_run(a, b, line1, count1, line2, count2)
        if fall_back:
            sub_a, sub_b = myers_changes(a[line1 - 1 : line1 - 1 + count1], b[line2 - 1 : line2 - 1 + count2])
            changed_a[line1 - 1 : line1 - 1 + count1] = sub_a
            changed_b[line2 - 1 : line2 - 1 + count2] = sub_b
        elif run.begin1 == 0 and run.begin2 == 0:
            changed_a[line1 - 1 : line1 - 1 + count1] = b"\x01" * count1
            changed_b[line2 - 1 : line2 - 1 + count2] = b"\x01" * count2
        else:
            end1, end2 = line1 + count1 - 1, line2 + count2 - 1
            regions.append((run.end1 + 1, end1 - run.end1, run.end2 + 1, end2 - run.end2))
            regions.append((line1, run.begin1 - line1, line2, run.begin2 - line2))
    return changed_a, changed_b


def _longest_rare_run(
    a: Sequence[int], b: Sequence[int], line1: int, count1: int, line2: int, count2: int
) -> tuple[_Run, bool]:
    """(best run, whether to fall back to Myers because every common line is too frequent)."""
    end1, end2 = line1 + count1 - 1, line2 + count2 - 1
    first: dict[int, int] = {}  # line -> its first position in the old region (1-based)
    count: dict[int, int] = {}  # line -> how many times it occurs there
    next_same: dict[int, int] = {}  # position -> the next position of the same line
    for ptr in range(end1, line1 - 1, -1):
        line = a[ptr - 1]
        if line in first:
            next_same[ptr] = first[line]
            count[line] += 1
        else:
            count[line] = 1
        first[line] = ptr
    run = _Run()
    best_count = _MAX_CHAIN_LENGTH + 1
    has_common = False
    b_ptr = line2
    while b_ptr <= end2:
        b_next = b_ptr + 1
        line = b[b_ptr - 1]
        occurrences = count.get(line, 0)
        has_common = has_common or occurrences > 0
        if 0 < occurrences <= best_count:
            start1 = first[line]
            while True:
                after = next_same.get(start1, 0)
                start2, stop1, stop2 = b_ptr, start1, b_ptr
                rarest = occurrences
                while line1 < start1 and line2 < start2 and a[start1 - 2] == b[start2 - 2]:
                    start1 -= 1
                    start2 -= 1
                    if rarest > 1:
                        rarest = min(rarest, count[a[start1 - 1]])
                while stop1 < end1 and stop2 < end2 and a[stop1] == b[stop2]:
                    stop1 += 1
                    stop2 += 1
                    if rarest > 1:
                        rarest = min(rarest, count[a[stop1 - 1]])
                if b_next <= stop2:
                    b_next = stop2 + 1
                if run.end1 - run.begin1 < stop1 - start1 or rarest < best_count:
                    run = _Run(start1, stop1, start2, stop2)
                    best_count = rarest
                while after and after <= stop1:
                    after = next_same.get(after, 0)
                if not after:
                    break
                start1 = after
        b_ptr = b_next
    return run, has_common and best_count > _MAX_CHAIN_LENGTH
