"""Three-way merge of text (diff3): clean where only one side changed, conflict markers where both did.

Chunks where both sides changed differently become a conflict; lines both sides changed the same
way at the start or end of such a chunk are kept outside the markers, as git's default ("zealous")
merge level does.
"""

from __future__ import annotations

from difflib import SequenceMatcher


def _matches(base: list[bytes], other: list[bytes]) -> list[tuple[int, int, int]]:
    return [tuple(block) for block in SequenceMatcher(None, base, other, autojunk=False).get_matching_blocks()]


def _sync_regions(base: list[bytes], ours: list[bytes], theirs: list[bytes]) -> list[tuple[int, int, int, int]]:
    """(base start, ours start, theirs start, length) of runs of base lines neither side changed."""
    left, right = _matches(base, ours), _matches(base, theirs)
    regions: list[tuple[int, int, int, int]] = []
    i = j = 0
    while i < len(left) and j < len(right):
        lb, lo, ll = left[i]
        rb, rt, rl = right[j]
        start, end = max(lb, rb), min(lb + ll, rb + rl)
        if start < end:
            regions.append((start, lo + start - lb, rt + start - rb, end - start))
        if lb + ll < rb + rl:
            i += 1
        else:
            j += 1
    regions.append((len(base), len(ours), len(theirs), 0))
    return regions


def merge_text(
    base: bytes, ours: bytes, theirs: bytes, *, ours_label: str = "HEAD", theirs_label: str = "theirs"
) -> tuple[bytes, bool]:
    """(merged bytes, whether a conflict remains); conflicts are written with git's markers."""
    base_lines, our_lines, their_lines = base.splitlines(True), ours.splitlines(True), theirs.splitlines(True)
    out: list[bytes] = []
    conflicted = False
    bz = oz = tz = 0
    for bi, oi, ti, length in _sync_regions(base_lines, our_lines, their_lines):
        b_chunk, o_chunk, t_chunk = base_lines[bz:bi], our_lines[oz:oi], their_lines[tz:ti]
        if o_chunk == t_chunk or b_chunk == t_chunk:
            out.extend(o_chunk)
        elif b_chunk == o_chunk:
            out.extend(t_chunk)
        else:
            conflicted = True
            out.extend(_conflict(o_chunk, t_chunk, ours_label, theirs_label))
        out.extend(base_lines[bi : bi + length])
        bz, oz, tz = bi + length, oi + length, ti + length
    return b"".join(out), conflicted


def _conflict(ours: list[bytes], theirs: list[bytes], ours_label: str, theirs_label: str) -> list[bytes]:
    head = 0
    while head < min(len(ours), len(theirs)) and ours[head] == theirs[head]:
        head += 1
    tail = 0
    while tail < min(len(ours), len(theirs)) - head and ours[-1 - tail] == theirs[-1 - tail]:
        tail += 1
    mid_ours = ours[head : len(ours) - tail]
    mid_theirs = theirs[head : len(theirs) - tail]
    block = [*ours[:head], f"<<<<<<< {ours_label}\n".encode()]
    block.extend(_terminated(mid_ours))
    block.append(b"=======\n")
    block.extend(_terminated(mid_theirs))
    block.append(f">>>>>>> {theirs_label}\n".encode())
    block.extend(ours[len(ours) - tail :])
    return block


def _terminated(lines: list[bytes]) -> list[bytes]:
    if lines and not lines[-1].endswith(b"\n"):
        return [*lines[:-1], lines[-1] + b"\n"]
    return lines
