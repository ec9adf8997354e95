"""Three-way merge of text with the result `git merge` writes: same hunks, same conflict markers.

As git's xdiff merge at its default ("zealous") level: each side is diffed against the base with
the histogram diff (what merge-ort uses); changes of one side only are taken; overlapping changes
become a conflict unless identical; each conflict is then refined by diffing the two sides'
versions against each other, so lines both sides wrote alike stay outside the markers; finally
conflicts at most three lines apart are joined, those lines moving inside the markers.
"""

from __future__ import annotations

from dataclasses import dataclass

from .line_changes import LineChange, line_changes, split_lines

MARKER_SIZE = 7
_NEAR = 3

_CONFLICT, _TAKE_OURS, _TAKE_THEIRS, _SAME_BOTH = 0, 1, 2, 4


@dataclass(slots=True)
class _Hunk:
    """A changed region: its lines in ours (`i1`, `chg1`) and theirs (`i2`, `chg2`), and how to resolve it."""

    mode: int
    i1: int
    chg1: int
    i2: int
    chg2: int


def merge_text(
    base: bytes, ours: bytes, theirs: bytes, *, ours_label: str = "HEAD", theirs_label: str = "theirs"
) -> tuple[bytes, bool]:
    """(merged bytes, whether a conflict remains); conflicts are written with git's markers."""
    for name, value in (("base", base), ("ours", ours), ("theirs", theirs)):
        if not isinstance(value, bytes):
            raise TypeError(f"merge_text: {name} must be bytes, not {type(value).__name__}; encode text first")
    base_lines, our_lines, their_lines = split_lines(base), split_lines(ours), split_lines(theirs)
    our_changes = line_changes(base_lines, our_lines)
    their_changes = line_changes(base_lines, their_lines)
    if not our_changes:
        return theirs, False
    if not their_changes:
        return ours, False
    hunks = _hunks(our_changes, their_changes, our_lines, their_lines, len(base_lines))
    hunks = _join_near_conflicts(_refine_conflicts(hunks, our_lines, their_lines))
    merged = _write(hunks, base_lines, our_lines, their_lines, ours_label.encode(), theirs_label.encode())
    return merged, any(hunk.mode == _CONFLICT for hunk in hunks)


def _append(hunks: list[_Hunk], mode: int, i1: int, chg1: int, i2: int, chg2: int) -> None:
    """Add a hunk, or widen the last one when the two touch (a conflict if their modes differ)."""
    last = hunks[-1] if hunks else None
    if last is not None and (i1 <= last.i1 + last.chg1 or i2 <= last.i2 + last.chg2):
        if mode != last.mode:
            last.mode = _CONFLICT
        last.chg1 = i1 + chg1 - last.i1
        last.chg2 = i2 + chg2 - last.i2
        return
    hunks.append(_Hunk(mode, i1, chg1, i2, chg2))


def _hunks(
    ours: list[LineChange], theirs: list[LineChange], our_lines: list[bytes], their_lines: list[bytes], base_size: int
) -> list[_Hunk]:
    """Walk both sides' changes along the base: one-sided changes are taken, overlaps conflict."""
    hunks: list[_Hunk] = []
    o = t = 0
    while o < len(ours) and t < len(theirs):
        x, y = ours[o], theirs[t]
        if x.old_start + x.old_count < y.old_start:
            _append(hunks, _TAKE_OURS, x.new_start, x.new_count, y.new_start - y.old_start + x.old_start, x.old_count)
            o += 1
            continue
        if y.old_start + y.old_count < x.old_start:
            _append(hunks, _TAKE_THEIRS, x.new_start - x.old_start + y.old_start, y.old_count, y.new_start, y.new_count)
            t += 1
            continue
        if (
            x.old_start != y.old_start
            or x.old_count != y.old_count
            or x.new_count != y.new_count
            or our_lines[x.new_start : x.new_start + x.new_count]
            != their_lines[y.new_start : y.new_start + y.new_count]
        ):
            _append(hunks, _CONFLICT, *_overlap(x, y))
        our_end, their_end = x.old_start + x.old_count, y.old_start + y.old_count
        if our_end >= their_end:
            t += 1
        if their_end >= our_end:
            o += 1
    shift = len(their_lines) - base_size
    for x in ours[o:]:
        _append(hunks, _TAKE_OURS, x.new_start, x.new_count, x.old_start + shift, x.old_count)
    shift = len(our_lines) - base_size
    for y in theirs[t:]:
        _append(hunks, _TAKE_THEIRS, y.old_start + shift, y.old_count, y.new_start, y.new_count)
    return hunks


def _overlap(x: LineChange, y: LineChange) -> tuple[int, int, int, int]:
    """The region of ours and theirs covering two overlapping changes, extended over the base lines of both."""
    before = x.old_start - y.old_start
    after = before + x.old_count - y.old_count
    i1, i2 = x.new_start, y.new_start
    if before > 0:
        i1 -= before
    else:
        i2 += before
    chg1 = x.new_start + x.new_count - i1
    chg2 = y.new_start + y.new_count - i2
    if after < 0:
        chg1 -= after
    else:
        chg2 += after
    return i1, chg1, i2, chg2


def _refine_conflicts(hunks: list[_Hunk], our_lines: list[bytes], their_lines: list[bytes]) -> list[_Hunk]:
    """Split each conflict into the parts where the two sides' versions really differ."""
    refined: list[_Hunk] = []
    for hunk in hunks:
        if hunk.mode != _CONFLICT or hunk.chg1 == 0 or hunk.chg2 == 0:
            refined.append(hunk)
            continue
        changes = line_changes(our_lines[hunk.i1 : hunk.i1 + hunk.chg1], their_lines[hunk.i2 : hunk.i2 + hunk.chg2])
        if not changes:
            hunk.mode = _SAME_BOTH
            refined.append(hunk)
            continue
        refined.extend(
            _Hunk(_CONFLICT, hunk.i1 + c.old_start, c.old_count, hunk.i2 + c.new_start, c.new_count) for c in changes
        )
    return refined


def _join_near_conflicts(hunks: list[_Hunk]) -> list[_Hunk]:
    """Join neighbouring conflicts separated by at most three lines: fewer lines to read that way."""
    joined: list[_Hunk] = []
    for hunk in hunks:
        last = joined[-1] if joined else None
        if (
            last is not None
            and last.mode == _CONFLICT
            and hunk.mode == _CONFLICT
            and hunk.i1 - (last.i1 + last.chg1) <= _NEAR
        ):
            last.chg1 = hunk.i1 + hunk.chg1 - last.i1
            last.chg2 = hunk.i2 + hunk.chg2 - last.i2
            continue
        joined.append(hunk)
    return joined


def _write(
    hunks: list[_Hunk],
    base: list[bytes],
    ours: list[bytes],
    theirs: list[bytes],
    ours_label: bytes,
    theirs_label: bytes,
) -> bytes:
    out: list[bytes] = []
    done = 0
    for hunk in hunks:
        if hunk.mode == _SAME_BOTH:
            continue
        out.extend(ours[done : hunk.i1])
        if hunk.mode == _CONFLICT:
            eol = b"\r\n" if _needs_cr(hunk, base, ours, theirs) else b"\n"
            out.append(b"<" * MARKER_SIZE + b" " + ours_label + eol)
            out.extend(_terminated(ours[hunk.i1 : hunk.i1 + hunk.chg1], eol))
            out.append(b"=" * MARKER_SIZE + eol)
            out.extend(_terminated(theirs[hunk.i2 : hunk.i2 + hunk.chg2], eol))
            out.append(b">" * MARKER_SIZE + b" " + theirs_label + eol)
        elif hunk.mode == _TAKE_OURS:
            out.extend(ours[hunk.i1 : hunk.i1 + hunk.chg1])
        else:
            out.extend(theirs[hunk.i2 : hunk.i2 + hunk.chg2])
        done = hunk.i1 + hunk.chg1
    out.extend(ours[done:])
    return b"".join(out)


def _terminated(lines: list[bytes], eol: bytes) -> list[bytes]:
    """The lines, the last one given an end of line if it has none (the file ended without one)."""
    if lines and not lines[-1].endswith(b"\n"):
        return [*lines[:-1], lines[-1] + eol]
    return lines


def _crlf(lines: list[bytes], i: int) -> int:
    """1 if line `i` ends in CR LF (for an unterminated last line: the line before it), 0 if LF, -1 unknown."""
    if i < len(lines) - 1:
        return int(lines[i].endswith(b"\r\n"))
    if not lines:
        return -1
    if lines[i].endswith(b"\n"):
        return int(lines[i].endswith(b"\r\n"))
    if i == 0:
        return -1
    return int(lines[i - 1].endswith(b"\r\n"))


def _needs_cr(hunk: _Hunk, base: list[bytes], ours: list[bytes], theirs: list[bytes]) -> bool:
    """Whether markers end in CR LF: the lines before the conflict on both sides, then the base, say so."""
    needs = _crlf(ours, hunk.i1 - 1 if hunk.i1 else 0)
    if needs:
        needs = _crlf(theirs, hunk.i2 - 1 if hunk.i2 else 0)
    if needs:
        needs = _crlf(base, 0)
    return needs > 0
