"""Words as the full-text index sees them, typo distances, and the highlighted and cropped text of a hit.

The index's tokenizer is FTS5's `unicode61` with diacritics removed, so `words()` here folds text
the same way (case, accents), and a highlighted word is one whose folded form matched the query.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator

WORD = re.compile(r"[^\W_]+")
"""A word: letters and digits (an underscore separates words, as in FTS5's unicode61)."""


def fold(word: str) -> str:
    """A word as the index holds it: lowercase, without accents."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """The folded words of `text`, in order."""
    if text.isascii():
        return WORD.findall(text.lower())  # folding ASCII is lowercasing: the common case, without unicodedata
    return [fold(match.group()) for match in WORD.finditer(text)]


def within_distance(a: str, b: str, limit: int) -> bool:
    """Whether `a` becomes `b` with at most `limit` insertions, deletions, substitutions or swaps."""
    if abs(len(a) - len(b)) > limit:
        return False
    previous2: list[int] | None = None
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if previous2 is not None and i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return False
        previous2, previous = previous, current
    return previous[-1] <= limit


def mark(text: str, matches: Callable[[str], bool], pre: str, post: str) -> str:
    """`text` with every word that `matches` (given its folded form) wrapped in `pre` and `post`."""
    return WORD.sub(lambda m: f"{pre}{m.group()}{post}" if matches(fold(m.group())) else m.group(), text)


def _spans(text: str) -> Iterator[re.Match[str]]:
    return WORD.finditer(text)


def crop(text: str, matches: Callable[[str], bool], length: int, marker: str) -> str:
    """About `length` words of `text` around its first matching word, `marker` where text was cut."""
    spans = list(_spans(text))
    if len(spans) <= length:
        return text
    first = next((i for i, m in enumerate(spans) if matches(fold(m.group()))), 0)
    start = max(0, min(first - length // 2, len(spans) - length))
    end = start + length
    begin = spans[start].start()
    finish = spans[end - 1].end()
    return (marker if start > 0 else "") + text[begin:finish] + (marker if end < len(spans) else "")


def facet_values_matching(counts: dict[str, int], query: str | None) -> list[tuple[str, int]]:
    """The facet values (with their counts) a facet search for `query` finds: every word of the query
    begins a word of the value, after folding case and accents (all of them for no query)."""
    wanted = words(query or "")
    if not wanted:
        return list(counts.items())
    found = []
    for value, count in counts.items():
        value_words = words(value)
        if all(any(word.startswith(part) for word in value_words) for part in wanted):
            found.append((value, count))
    return found
