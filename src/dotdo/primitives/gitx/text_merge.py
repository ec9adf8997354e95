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


Segment = tuple[str, list[bytes], list[bytes]]
"""("same", lines, lines) unchanged by both, ("take", lines, lines) resolved, ("conflict", ours, theirs)."""


def merge_text(
    base: bytes, ours: bytes, theirs: bytes, *, ours_label: str = "HEAD", theirs_label: str = "theirs"
) -> tuple[bytes, bool]:
    """(merged bytes, whether a conflict remains); conflicts are written with git's markers."""
    segments = _coalesce(_segments(base.splitlines(True), ours.splitlines(True), theirs.splitlines(True)))
    out: list[bytes] = []
    conflicted = False
    for kind, first, second in segments:
        if kind != "conflict":
            out.extend(first)
            continue
        conflicted = True
        out.append(f"<<<<<<< {ours_label}\n".encode())
        out.extend(_terminated(first))
        out.append(b"=======\n")
        out.extend(_terminated(second))
        out.append(f">>>>>>> {theirs_label}\n".encode())
    return b"".join(out), conflicted


def _segments(base_lines: list[bytes], our_lines: list[bytes], their_lines: list[bytes]) -> list[Segment]:
    segments: list[Segment] = []
    bz = oz = tz = 0
    for bi, oi, ti, length in _sync_regions(base_lines, our_lines, their_lines):
        b_chunk, o_chunk, t_chunk = base_lines[bz:bi], our_lines[oz:oi], their_lines[tz:ti]
        if o_chunk == t_chunk or b_chunk == t_chunk:
            segments.append(("take", o_chunk, o_chunk))
        elif b_chunk == o_chunk:
            segments.append(("take", t_chunk, t_chunk))
        else:
            segments.extend(_trimmed_conflict(o_chunk, t_chunk))
        stable = base_lines[bi : bi + length]
        segments.append(("same", stable, stable))
        bz, oz, tz = bi + length, oi + length, ti + length
    return [segment for segment in segments if segment[1] or segment[2]]


def _trimmed_conflict(ours: list[bytes], theirs: list[bytes]) -> list[Segment]:
    """A conflict without the lines both sides share at its start and end (they stay outside it)."""
    head = 0
    while head < min(len(ours), len(theirs)) and ours[head] == theirs[head]:
        head += 1
    tail = 0
    while tail < min(len(ours), len(theirs)) - head and ours[-1 - tail] == theirs[-1 - tail]:
        tail += 1
    start, end = ours[:head], ours[len(ours) - tail :]
    return [
        ("same", start, start),
        ("conflict", ours[head : len(ours) - tail], theirs[head : len(theirs) - tail]),
        ("same", end, end),
    ]


def _coalesce(segments: list[Segment]) -> list[Segment]:
    """Join conflicts separated by at most three unchanged lines into one, as git does."""
    merged: list[Segment] = []
    for segment in segments:
        if merged and segment[0] == "same" and merged[-1][0] == "same":
            merged[-1] = ("same", merged[-1][1] + segment[1], merged[-1][1] + segment[1])
            continue
        if (
            segment[0] == "conflict"
            and len(merged) >= 2
            and merged[-1][0] == "same"
            and len(merged[-1][1]) <= _NEAR
            and merged[-2][0] == "conflict"
        ):
            between = merged.pop()[1]
            _, ours, theirs = merged.pop()
            merged.append(("conflict", ours + between + segment[1], theirs + between + segment[2]))
            continue
        merged.append(segment)
    return merged


_NEAR = 3


def _terminated(lines: list[bytes]) -> list[bytes]:
    if lines and not lines[-1].endswith(b"\n"):
        return [*lines[:-1], lines[-1] + b"\n"]
    return lines
