"""git's indent heuristic: where to place a slidable group of added or deleted lines.

A group that can slide over identical neighbours implies two splits of the text (above and below
it). `git diff` scores each possible position by the blank lines and indentation around both
splits, with git's empirically tuned weights, and keeps the lowest score.
"""

from __future__ import annotations

from collections.abc import Sequence

_MAX_INDENT = 200
_MAX_BLANKS = 20
_MAX_SLIDING = 100

_START_OF_FILE_PENALTY = 1
_END_OF_FILE_PENALTY = 21
_TOTAL_BLANK_WEIGHT = -30
_POST_BLANK_WEIGHT = 6
_RELATIVE_INDENT_PENALTY = -4
_RELATIVE_INDENT_WITH_BLANK_PENALTY = 10
_RELATIVE_OUTDENT_PENALTY = 24
_RELATIVE_OUTDENT_WITH_BLANK_PENALTY = 17
_RELATIVE_DEDENT_PENALTY = 23
_RELATIVE_DEDENT_WITH_BLANK_PENALTY = 17
_INDENT_WEIGHT = 60

_SPACE = frozenset(b" \t\n\r")


def indent_of(line: bytes) -> int:
    """Columns of leading indentation (tab stops of 8, at most 200); -1 for a blank line."""
    columns = 0
    for byte in line:
        if byte not in _SPACE:
            return columns
        if byte == 0x20:
            columns += 1
        elif byte == 0x09:
            columns += 8 - columns % 8
        if columns >= _MAX_INDENT:
            return _MAX_INDENT
    return -1


def best_group_end(lines: Sequence[bytes], earliest_end: int, end: int, size: int) -> int:
    """The end index, between `earliest_end` and `end`, where a group of `size` lines reads best."""
    shift = max(earliest_end, end - size - 1, end - _MAX_SLIDING)
    best_end, best = -1, (0, 0)
    while shift <= end:
        indent_a, penalty_a = _split_score(lines, shift)
        indent_b, penalty_b = _split_score(lines, shift - size)
        score = (indent_a + indent_b, penalty_a + penalty_b)
        if best_end == -1 or _compare(score, best) <= 0:
            best_end, best = shift, score
        shift += 1
    return best_end


def _compare(first: tuple[int, int], second: tuple[int, int]) -> int:
    indents = (first[0] > second[0]) - (first[0] < second[0])
    return _INDENT_WEIGHT * indents + (first[1] - second[1])


def _split_score(lines: Sequence[bytes], split: int) -> tuple[int, int]:
    """(effective indent, penalty) of splitting the text just above line `split`."""
    end_of_file = split >= len(lines)
    indent = -1 if end_of_file else indent_of(lines[split])
    pre_blank, pre_indent = 0, -1
    for i in range(split - 1, -1, -1):
        pre_indent = indent_of(lines[i])
        if pre_indent != -1:
            break
        pre_blank += 1
        if pre_blank == _MAX_BLANKS:
            pre_indent = 0
            break
    post_blank, post_indent = 0, -1
    for i in range(split + 1, len(lines)):
        post_indent = indent_of(lines[i])
        if post_indent != -1:
            break
        post_blank += 1
        if post_blank == _MAX_BLANKS:
            post_indent = 0
            break

    penalty = 0
    if pre_indent == -1 and pre_blank == 0:
        penalty += _START_OF_FILE_PENALTY
    if end_of_file:
        penalty += _END_OF_FILE_PENALTY
    blanks_after = 1 + post_blank if indent == -1 else 0
    total_blank = pre_blank + blanks_after
    penalty += _TOTAL_BLANK_WEIGHT * total_blank + _POST_BLANK_WEIGHT * blanks_after
    effective = indent if indent != -1 else post_indent
    any_blanks = total_blank != 0
    if effective == -1 or pre_indent == -1:
        pass
    elif effective > pre_indent:
        penalty += _RELATIVE_INDENT_WITH_BLANK_PENALTY if any_blanks else _RELATIVE_INDENT_PENALTY
    elif effective < pre_indent:
        if post_indent != -1 and post_indent > effective:
            penalty += _RELATIVE_OUTDENT_WITH_BLANK_PENALTY if any_blanks else _RELATIVE_OUTDENT_PENALTY
        else:
            penalty += _RELATIVE_DEDENT_WITH_BLANK_PENALTY if any_blanks else _RELATIVE_DEDENT_PENALTY
    return effective, penalty
