"""git's Myers line diff (xdiff's classic algorithm), reproduced so hunks land where git puts them.

Which lines count as changed when several minimal edit scripts exist depends on the details of
git's implementation: it first drops the common head and tail, then sets aside lines that have
no match on the other side (and runs of lines matched too often), then splits the remaining box
at the middle snake found by searching from both corners, with a cost cut-off for huge inputs.
Lines are given as integer ids (equal ids, equal lines).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

_MAX_EQUAL_LIMIT = 1024
_SIMILAR_SCAN_WINDOW = 100
_DISCARD_RUN_FACTOR = 4
_MAX_COST_MIN = 256
_HEURISTIC_MIN_COST = 256
_SNAKE_COUNT = 20
_HEURISTIC_FACTOR = 4
_LINE_MAX = 1 << 62

_NO_MATCH, _MATCH, _MANY_MATCHES = 0, 1, 2


def rough_sqrt(n: int) -> int:
    """git's shift-based square root approximation (a power of two)."""
    root = 1
    while n > 0:
        n >>= 2
        root <<= 1
    return root


def myers_changes(a: Sequence[int], b: Sequence[int]) -> tuple[bytearray, bytearray]:
    """Per line of `a` and of `b`, 1 where git's Myers diff marks the line deleted or added."""
    changed_a, changed_b = bytearray(len(a)), bytearray(len(b))
    start, tail = _common_ends(a, b)
    end_a, end_b = len(a) - tail - 1, len(b) - tail - 1
    kept_a = _kept_lines(a, start, end_a, Counter(b), changed_a)
    kept_b = _kept_lines(b, start, end_b, Counter(a), changed_b)
    _compare(kept_a, [a[i] for i in kept_a], changed_a, kept_b, [b[i] for i in kept_b], changed_b)
    return changed_a, changed_b


def _common_ends(a: Sequence[int], b: Sequence[int]) -> tuple[int, int]:
    limit = min(len(a), len(b))
    start = 0
    while start < limit and a[start] == b[start]:
        start += 1
    tail = 0
    while tail < limit - start and a[len(a) - 1 - tail] == b[len(b) - 1 - tail]:
        tail += 1
    return start, tail


def _kept_lines(
    lines: Sequence[int], start: int, end: int, other_counts: Counter[int], changed: bytearray
) -> list[int]:
    """Indexes of lines worth diffing; the others have no partner and are marked changed at once."""
    limit = min(rough_sqrt(len(lines)), _MAX_EQUAL_LIMIT)
    matches = bytearray(len(lines) + 1)
    for i in range(start, end + 1):
        count = other_counts[lines[i]]
        matches[i] = _NO_MATCH if count == 0 else _MANY_MATCHES if count >= limit else _MATCH
    kept: list[int] = []
    for i in range(start, end + 1):
        if matches[i] == _MATCH or (matches[i] == _MANY_MATCHES and not _in_discard_run(matches, i, start, end)):
            kept.append(i)
        else:
            changed[i] = 1
    return kept


def _in_discard_run(matches: bytearray, i: int, start: int, end: int) -> bool:
    """Whether an often-matched line sits inside a run of mostly unmatched lines (then it is dropped)."""
    start = max(start, i - _SIMILAR_SCAN_WINDOW)
    end = min(end, i + _SIMILAR_SCAN_WINDOW)
    unmatched_before, many_before = _run_counts(matches, range(i - 1, start - 1, -1))
    if unmatched_before == 0:
        return False
    unmatched_after, many_after = _run_counts(matches, range(i + 1, end + 1))
    if unmatched_after == 0:
        return False
    unmatched = unmatched_before + unmatched_after
    many = many_before + many_after
    return many * _DISCARD_RUN_FACTOR < many + unmatched


def _run_counts(matches: bytearray, indexes: range) -> tuple[int, int]:
    """(unmatched, often matched + 1) lines in the run starting next to a line, up to a matched one."""
    unmatched, many = 0, 1
    for j in indexes:
        if matches[j] == _NO_MATCH:
            unmatched += 1
        elif matches[j] == _MANY_MATCHES:
            many += 1
        else:
            break
    return unmatched, many


def _compare(
    index_a: list[int],
    ids_a: list[int],
    changed_a: bytearray,
    index_b: list[int],
    ids_b: list[int],
    changed_b: bytearray,
) -> None:
    """Mark changed lines box by box: shrink each box by its common ends, split it, recurse."""
    diagonals = len(ids_a) + len(ids_b) + 3
    forward = [0] * (2 * diagonals + 2)
    backward = [0] * (2 * diagonals + 2)
    search = _Search(ids_a, ids_b, forward, backward, len(ids_b) + 1, max(rough_sqrt(diagonals), _MAX_COST_MIN))
    boxes = [(0, len(ids_a), 0, len(ids_b), False)]
    while boxes:
        off1, lim1, off2, lim2, need_min = boxes.pop()
        while off1 < lim1 and off2 < lim2 and ids_a[off1] == ids_b[off2]:
            off1 += 1
            off2 += 1
        while off1 < lim1 and off2 < lim2 and ids_a[lim1 - 1] == ids_b[lim2 - 1]:
            lim1 -= 1
            lim2 -= 1
        if off1 == lim1:
            for k in range(off2, lim2):
                changed_b[index_b[k]] = 1
        elif off2 == lim2:
            for k in range(off1, lim1):
                changed_a[index_a[k]] = 1
        else:
            i1, i2, min_low, min_high = search.split(off1, lim1, off2, lim2, need_min)
            boxes.append((i1, lim1, i2, lim2, min_high))
            boxes.append((off1, i1, off2, i2, min_low))


class _Search:
    """The middle-snake search of one diff, with its two diagonal vectors (offset so k may be negative)."""

    def __init__(
        self, a: list[int], b: list[int], forward: list[int], backward: list[int], shift: int, max_cost: int
    ) -> None:
        self.a, self.b = a, b
        self.kf, self.kb, self.shift = forward, backward, shift
        self.max_cost = max_cost

    def split(self, off1: int, lim1: int, off2: int, lim2: int, need_min: bool) -> tuple[int, int, bool, bool]:
        """(split point in a, in b, whether each half must be minimal), as git's xdl_split chooses it."""
        a, b, kf, kb, s = self.a, self.b, self.kf, self.kb, self.shift
        dmin, dmax = off1 - lim2, lim1 - off2
        fmid, bmid = off1 - off2, lim1 - lim2
        odd = (fmid - bmid) & 1
        fmin = fmax = fmid
        bmin = bmax = bmid
        kf[fmid + s] = off1
        kb[bmid + s] = lim1
        cost = 0
        while True:
            cost += 1
            got_snake = False
            if fmin > dmin:
                fmin -= 1
                kf[fmin - 1 + s] = -1
            else:
                fmin += 1
            if fmax < dmax:
                fmax += 1
                kf[fmax + 1 + s] = -1
            else:
                fmax -= 1
            for d in range(fmax, fmin - 1, -2):
                i1 = kf[d - 1 + s] + 1 if kf[d - 1 + s] >= kf[d + 1 + s] else kf[d + 1 + s]
                before = i1
                i2 = i1 - d
                while i1 < lim1 and i2 < lim2 and a[i1] == b[i2]:
                    i1 += 1
                    i2 += 1
                if i1 - before > _SNAKE_COUNT:
                    got_snake = True
                kf[d + s] = i1
                if odd and bmin <= d <= bmax and kb[d + s] <= i1:
                    return i1, i2, True, True
            if bmin > dmin:
                bmin -= 1
                kb[bmin - 1 + s] = _LINE_MAX
            else:
                bmin += 1
            if bmax < dmax:
                bmax += 1
                kb[bmax + 1 + s] = _LINE_MAX
            else:
                bmax -= 1
            for d in range(bmax, bmin - 1, -2):
                i1 = kb[d - 1 + s] if kb[d - 1 + s] < kb[d + 1 + s] else kb[d + 1 + s] - 1
                before = i1
                i2 = i1 - d
                while i1 > off1 and i2 > off2 and a[i1 - 1] == b[i2 - 1]:
                    i1 -= 1
                    i2 -= 1
                if before - i1 > _SNAKE_COUNT:
                    got_snake = True
                kb[d + s] = i1
                if not odd and fmin <= d <= fmax and i1 <= kf[d + s]:
                    return i1, i2, True, True
            if need_min:
                continue
            if got_snake and cost > _HEURISTIC_MIN_COST:
                found = self._good_forward_snake(off1, lim1, off2, lim2, fmin, fmax, fmid, cost)
                if found is not None:
                    return found[0], found[1], True, False
                found = self._good_backward_snake(off1, lim1, off2, lim2, bmin, bmax, bmid, cost)
                if found is not None:
                    return found[0], found[1], False, True
            if cost >= self.max_cost:
                return self._furthest(off1, lim1, off2, lim2, fmin, fmax, bmin, bmax)

    def _good_forward_snake(
        self, off1: int, lim1: int, off2: int, lim2: int, fmin: int, fmax: int, fmid: int, cost: int
    ) -> tuple[int, int] | None:
        a, b, kf, s = self.a, self.b, self.kf, self.shift
        best, found = 0, None
        for d in range(fmax, fmin - 1, -2):
            distance = d - fmid if d > fmid else fmid - d
            i1 = kf[d + s]
            i2 = i1 - d
            value = (i1 - off1) + (i2 - off2) - distance
            if (
                value > _HEURISTIC_FACTOR * cost
                and value > best
                and off1 + _SNAKE_COUNT <= i1 < lim1
                and off2 + _SNAKE_COUNT <= i2 < lim2
                and all(a[i1 - k] == b[i2 - k] for k in range(1, _SNAKE_COUNT + 1))
            ):
                best, found = value, (i1, i2)
        return found

    def _good_backward_snake(
        self, off1: int, lim1: int, off2: int, lim2: int, bmin: int, bmax: int, bmid: int, cost: int
    ) -> tuple[int, int] | None:
        a, b, kb, s = self.a, self.b, self.kb, self.shift
        best, found = 0, None
        for d in range(bmax, bmin - 1, -2):
            distance = d - bmid if d > bmid else bmid - d
            i1 = kb[d + s]
            i2 = i1 - d
            value = (lim1 - i1) + (lim2 - i2) - distance
            if (
                value > _HEURISTIC_FACTOR * cost
                and value > best
                and off1 < i1 <= lim1 - _SNAKE_COUNT
                and off2 < i2 <= lim2 - _SNAKE_COUNT
                and all(a[i1 + k] == b[i2 + k] for k in range(_SNAKE_COUNT))
            ):
                best, found = value, (i1, i2)
        return found

    def _furthest(
        self, off1: int, lim1: int, off2: int, lim2: int, fmin: int, fmax: int, bmin: int, bmax: int
    ) -> tuple[int, int, bool, bool]:
        """Too costly: split at the furthest-reaching path of either direction."""
        kf, kb, s = self.kf, self.kb, self.shift
        fbest = fbest1 = -1
        for d in range(fmax, fmin - 1, -2):
            i1 = min(kf[d + s], lim1)
            i2 = i1 - d
            if lim2 < i2:
                i1, i2 = lim2 + d, lim2
            if fbest < i1 + i2:
                fbest, fbest1 = i1 + i2, i1
        bbest = bbest1 = _LINE_MAX
        for d in range(bmax, bmin - 1, -2):
            i1 = max(off1, kb[d + s])
            i2 = i1 - d
            if i2 < off2:
                i1, i2 = off2 + d, off2
            if i1 + i2 < bbest:
                bbest, bbest1 = i1 + i2, i1
        if (lim1 + lim2) - bbest < fbest - (off1 + off2):
            return fbest1, fbest - fbest1, True, False
        return bbest1, bbest - bbest1, False, True
