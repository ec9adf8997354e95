"""Matching a Query DSL tree: which documents are candidates, which match, their scores, highlights.

`Scorer` answers, for one document, whether it matches and its score: full-text clauses score with
BM25 over the field's words (document frequencies from the index's FTS5 vocabulary), the others
score a constant, as Elasticsearch's do. `fts_expression` and `sql_filter` give what every match
must satisfy, as an FTS5 expression and a filter of the search core, so the object reads only the
candidates instead of every document; `fts_exact` gives, for the queries FTS5 answers alone, the
expression matching exactly their documents.
"""

from __future__ import annotations

import fnmatch
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..search.filters import And, Compare, Exists, Filter, FilterError, Or, json_path
from ..search.text import fold, within_distance, words
from .errors import ElasticError
from .mappings import NUMERIC, Field, Mappings, field_values, typed
from .query_dsl import (
    TEXT_TYPES,
    Bool,
    ConstantScore,
    FieldExists,
    Ids,
    MatchAll,
    MatchNone,
    Pattern,
    Query,
    Range,
    Term,
    Text,
    edits_for,
    minimum_should_match,
)

K1, B = 1.2, 0.75
"""BM25's parameters, Lucene's defaults."""


def _fts_term(word: str, prefix: bool = False) -> str:
    return '"' + word.replace('"', '""') + '"' + ("*" if prefix else "")


def fts_expression(query: Query, mappings: Mappings, variants: Callable[[str, int], list[str]]) -> str | None:
    """An FTS5 expression every document matching `query` satisfies, or None when there is none to give.

    `variants(word, edits)` lists the index's words within `edits` typos of `word` (for fuzziness).
    """
    if isinstance(query, Text):
        targets = _targets(query, mappings)
        query_words = words(query.query)
        if not targets or not query_words or any(f.type not in TEXT_TYPES for f in targets):
            return None
        groups = []
        for position, word in enumerate(query_words):
            prefix = query.phrase_prefix and position == len(query_words) - 1
            edits = edits_for(query.fuzziness, len(word)) if query.fuzziness is not None else 0
            terms = [_fts_term(word, prefix)] + [_fts_term(v) for v in (variants(word, edits) if edits else [])]
            groups.append("(" + " OR ".join(terms) + ")")
        everything = query.operator == "and" or query.phrase
        return " AND ".join(groups) if everything else " OR ".join(groups)
    if isinstance(query, Bool):
        required = [fts_expression(q, mappings, variants) for q in query.must + query.filter]
        parts = [p for p in required if p]
        if parts:
            return " AND ".join(f"({p})" for p in parts)
        if query.should and not query.must and not query.filter:
            wanted = minimum_should_match(query.minimum_should_match, len(query.should), 1)
            optional = [fts_expression(q, mappings, variants) for q in query.should]
            if wanted >= 1 and all(optional):
                return " OR ".join(f"({p})" for p in optional)
        return None
    if isinstance(query, ConstantScore):
        return fts_expression(query.filter, mappings, variants)
    return None


def fts_exact(query: Query, mappings: Mappings) -> str | None:
    """An FTS5 expression matching exactly the documents `query` matches, or None when there is none.

    It exists when every clause is a plain full-text one (no phrase, no fuzziness) over all the
    index's text fields, each of them a top-level field (so the index's one text column holds exactly
    their words), combined by `bool` must, filter or (alone) should: then FTS5 finds the documents and
    its BM25 ranks them, without reading them.
    """
    sources = mappings.text_sources()
    if not sources or any("." in source for source in sources):
        return None
    return _fts_exact(query, mappings, set(sources))


def _fts_exact(query: Query, mappings: Mappings, sources: set[str]) -> str | None:
    if isinstance(query, Text):
        targets = _targets(query, mappings)
        query_words = words(query.query)
        if (
            query.phrase
            or query.fuzziness is not None
            or not query_words
            or any(f.type not in TEXT_TYPES or f.source != f.name for f in targets)
            or {f.source for f in targets} != sources
        ):
            return None
        terms = [_fts_term(word) for word in query_words]
        if query.operator == "and":
            return " AND ".join(terms) if len(sources) == 1 else None
        if query.minimum_should_match not in (None, 1, "1"):
            return None
        return " OR ".join(terms)
    if isinstance(query, Bool):
        if query.must_not or query.minimum_should_match not in (None, 1, "1"):
            return None
        required = query.must + query.filter
        if required and query.should:
            return None
        parts = [_fts_exact(q, mappings, sources) for q in (required or query.should)]
        if not parts or not all(parts):
            return None
        return (" AND " if required else " OR ").join(f"({p})" for p in parts)
    return None


def sql_filter(query: Query, mappings: Mappings) -> Filter | None:
    """A filter of the search core that every document matching `query` passes, or None for no narrowing."""
    try:
        return _sql_filter(query, mappings)
    except FilterError:
        return None


def _sql_filter(query: Query, mappings: Mappings) -> Filter | None:
    if isinstance(query, Term):
        found = mappings.field(query.field)
        if found is None or query.case_insensitive:
            return None
        json_path(found.source)
        if found.type == "keyword" and found.source == found.name and all(isinstance(v, str) for v in query.values):
            return Or(tuple(Compare(found.source, "=", v) for v in query.values))
        if found.type in NUMERIC and all(isinstance(v, int | float) and not isinstance(v, bool) for v in query.values):
            return Or(tuple(Compare(found.source, "=", v) for v in query.values))
        if found.type == "boolean" and all(isinstance(v, bool) for v in query.values):
            return Or(tuple(Compare(found.source, "=", v) for v in query.values))
        return None
    if isinstance(query, Range):
        found = mappings.field(query.field)
        if found is None or found.type not in NUMERIC:
            return None
        json_path(found.source)
        parts: list[Filter] = []
        for op, bound in ((">", query.gt), (">=", query.gte), ("<", query.lt), ("<=", query.lte)):
            if isinstance(bound, int | float) and not isinstance(bound, bool):
                parts.append(Compare(found.source, op, bound))
        return And(tuple(parts)) if parts else None
    if isinstance(query, FieldExists):
        found = mappings.field(query.field)
        if found is None:
            return None
        json_path(found.source)
        return Exists(found.source)
    if isinstance(query, Bool):
        required = [_sql_filter(q, mappings) for q in query.must + query.filter]
        parts = [p for p in required if p is not None]
        return And(tuple(parts)) if parts else None
    if isinstance(query, ConstantScore):
        return _sql_filter(query.filter, mappings)
    return None


def _targets(query: Text, mappings: Mappings) -> list[Field]:
    found = []
    for name, _ in query.fields:
        found.extend(mappings.matching(name))
    return found


# -- scoring ------------------------------------------------------------------------------------------


@dataclass
class Statistics:
    """What BM25 needs: the document count, each word's document frequency, each field's mean length."""

    documents: int
    frequency: Callable[[str], int]
    mean_length: Callable[[str], float]
    _idf: dict[str, float] = field(default_factory=dict)

    def idf(self, word: str) -> float:
        """BM25's inverse document frequency of `word` (computed once per search)."""
        if word not in self._idf:
            df = self.frequency(word)
            self._idf[word] = math.log(1 + (self.documents - df + 0.5) / (df + 0.5))
        return self._idf[word]


@dataclass
class _TextPlan:
    """A full-text clause worked out once per search: its fields, its words, each word's edits and prefix flag."""

    targets: list[tuple[Field, float]]
    words: list[str]
    terms: list[tuple[str, int, bool]]


class Scorer:
    """Matches and scores documents against one query tree."""

    def __init__(self, query: Query, mappings: Mappings, statistics: Statistics) -> None:
        self.query = query
        self.mappings = mappings
        self.statistics = statistics
        self._tokens: dict[tuple[int, str], list[list[str]]] = {}
        self._counted: dict[tuple[int, str], Counter[str]] = {}
        self._plans: dict[int, _TextPlan] = {}

    def score(self, doc_id: str, document: dict[str, Any]) -> float | None:
        """The document's score, or None if it does not match."""
        self._tokens.clear()
        self._counted.clear()
        return self._score(self.query, doc_id, document)

    def _score(self, query: Query, doc_id: str, document: dict[str, Any]) -> float | None:
        if isinstance(query, MatchAll):
            return query.boost
        if isinstance(query, MatchNone):
            return None
        if isinstance(query, Text):
            return self._text(query, document)
        if isinstance(query, Term):
            return query.boost if self._term(query, document) else None
        if isinstance(query, Range):
            return query.boost if self._range(query, document) else None
        if isinstance(query, FieldExists):
            return query.boost if self._exists(query.field, document) else None
        if isinstance(query, Pattern):
            return query.boost if self._pattern(query, document) else None
        if isinstance(query, Ids):
            return query.boost if doc_id in query.values else None
        if isinstance(query, ConstantScore):
            return query.boost if self._score(query.filter, doc_id, document) is not None else None
        return self._bool(query, doc_id, document)

    def _bool(self, query: Bool, doc_id: str, document: dict[str, Any]) -> float | None:
        total = 0.0
        for clause in query.must:
            score = self._score(clause, doc_id, document)
            if score is None:
                return None
            total += score
        for clause in query.filter:
            if self._score(clause, doc_id, document) is None:
                return None
        for clause in query.must_not:
            if self._score(clause, doc_id, document) is not None:
                return None
        default = 0 if (query.must or query.filter) else 1
        wanted = minimum_should_match(query.minimum_should_match, len(query.should), default if query.should else 0)
        matched = 0
        for clause in query.should:
            score = self._score(clause, doc_id, document)
            if score is not None:
                matched += 1
                total += score
        if matched < wanted:
            return None
        if not query.must and not query.should:
            return 0.0 if query.filter or query.must_not else query.boost
        return total * query.boost

    def _field_tokens(self, found: Field, document: dict[str, Any]) -> list[list[str]]:
        key = (id(document), found.name)
        if key not in self._tokens:
            self._tokens[key] = [words(value) for value in field_values(document, found)]
        return self._tokens[key]

    def _counts(self, found: Field, document: dict[str, Any]) -> Counter[str]:
        key = (id(document), found.name)
        if key not in self._counted:
            self._counted[key] = Counter(token for value in self._field_tokens(found, document) for token in value)
        return self._counted[key]

    def _plan(self, query: Text) -> _TextPlan:
        plan = self._plans.get(id(query))
        if plan is None:
            targets = [(found, weight) for name, weight in query.fields for found in self.mappings.matching(name)]
            query_words = words(query.query)
            terms = []
            for position, word in enumerate(query_words):
                prefix = query.phrase_prefix and position == len(query_words) - 1
                edits = (edits_for(query.fuzziness, len(word)) or 0) if query.fuzziness is not None else 0
                terms.append((word, edits, prefix))
            plan = self._plans[id(query)] = _TextPlan(targets, query_words, terms)
        return plan

    def _text(self, query: Text, document: dict[str, Any]) -> float | None:
        plan = self._plan(query)
        scores = []
        for found, weight in plan.targets:
            score = self._text_field(query, plan, found, document)
            if score is not None:
                scores.append(score * weight)
        if not scores:
            return None
        if query.combine == "most_fields":
            total = sum(scores)
        else:
            best = max(scores)
            total = best + query.tie_breaker * (sum(scores) - best)
        return total * query.boost

    def _text_field(self, query: Text, plan: _TextPlan, found: Field, document: dict[str, Any]) -> float | None:
        if found.type not in TEXT_TYPES:
            wanted = typed(found.type, query.query)
            if wanted is None:
                return None
            return 1.0 if wanted in field_values(document, found) else None
        query_words = plan.words
        if not query_words:
            return None
        if query.phrase and not any(
            self._phrase(query, query_words, tokens) for tokens in self._field_tokens(found, document)
        ):
            return None
        counts = self._counts(found, document)
        matched, score = 0, 0.0
        length = sum(counts.values())
        mean = self.statistics.mean_length(found.source) or 1.0
        for word, edits, prefix in plan.terms:
            if edits or prefix:
                frequency = sum(n for token, n in counts.items() if _word_matches(word, token, edits, prefix))
            else:
                frequency = counts.get(word, 0)
            if frequency:
                matched += 1
                idf = self.statistics.idf(word)
                score += idf * frequency * (K1 + 1) / (frequency + K1 * (1 - B + B * length / mean))
        if query.operator == "and" or query.phrase:
            wanted = len(query_words)
        else:
            wanted = max(1, minimum_should_match(query.minimum_should_match, len(query_words), 1))
        return score if matched >= wanted else None

    def _phrase(self, query: Text, query_words: list[str], tokens: list[str]) -> bool:
        last = len(query_words) - 1
        for start, token in enumerate(tokens):
            if not _word_matches(query_words[0], token, 0, query.phrase_prefix and last == 0):
                continue
            position, ok = start, True
            budget = query.slop
            for index, word in enumerate(query_words[1:], start=1):
                prefix = query.phrase_prefix and index == last
                step = next(
                    (
                        gap
                        for gap in range(budget + 1)
                        if position + 1 + gap < len(tokens)
                        and _word_matches(word, tokens[position + 1 + gap], 0, prefix)
                    ),
                    None,
                )
                if step is None:
                    ok = False
                    break
                budget -= step
                position += 1 + step
            if ok:
                return True
        return False

    def _term(self, query: Term, document: dict[str, Any]) -> bool:
        found = self.mappings.field(query.field)
        if found is None:
            return False
        if found.type in TEXT_TYPES:
            tokens = {token for value in self._field_tokens(found, document) for token in value}
            return any((fold(str(v)) if query.case_insensitive else str(v)) in tokens for v in query.values)
        present = field_values(document, found)
        for value in query.values:
            wanted = typed(found.type, value)
            if wanted is None:
                continue
            if query.case_insensitive and isinstance(wanted, str):
                if any(isinstance(p, str) and p.casefold() == wanted.casefold() for p in present):
                    return True
            elif wanted in present:
                return True
        return False

    def _range(self, query: Range, document: dict[str, Any]) -> bool:
        found = self.mappings.field(query.field)
        if found is None:
            return False
        bounds = []
        for op, bound in (("gt", query.gt), ("gte", query.gte), ("lt", query.lt), ("lte", query.lte)):
            if bound is None:
                continue
            value = typed(found.type, bound) if found.type not in TEXT_TYPES else str(bound)
            if value is None:
                raise ElasticError(
                    400, "parse_exception", f"failed to parse [{bound}] as a value of field [{query.field}]"
                )
            bounds.append((op, value))
        for value in field_values(document, found):
            try:
                if all(_compare(op, value, bound) for op, bound in bounds):
                    return True
            except TypeError:
                continue
        return False

    def _exists(self, name: str, document: dict[str, Any]) -> bool:
        found = self.mappings.field(name)
        if found is None:
            return False
        if found.type == "dense_vector":
            return isinstance(document.get(found.source), list)
        return bool(field_values(document, found))

    def _pattern(self, query: Pattern, document: dict[str, Any]) -> bool:
        found = self.mappings.field(query.field)
        if found is None:
            return False
        flags = re.IGNORECASE | re.DOTALL if query.case_insensitive else re.DOTALL
        regex = re.compile(query.regex, flags)
        if found.type in TEXT_TYPES:
            return any(regex.fullmatch(t) for value in self._field_tokens(found, document) for t in value)
        return any(isinstance(v, str) and regex.fullmatch(v) for v in field_values(document, found))


def _compare(op: str, value: Any, bound: Any) -> bool:
    if op == "gt":
        return value > bound
    if op == "gte":
        return value >= bound
    if op == "lt":
        return value < bound
    return value <= bound


def _word_matches(word: str, token: str, edits: int, prefix: bool) -> bool:
    if token == word or (prefix and token.startswith(word)):
        return True
    return edits > 0 and within_distance(word, token, edits)


def highlighter(query: Query, mappings: Mappings) -> Callable[[str, str], bool]:
    """Whether a folded word of a field is one the query matched (for `highlight`)."""
    wanted: list[tuple[set[str] | None, str, int, bool]] = []

    def collect(node: Query) -> None:
        if isinstance(node, Text):
            sources = {f.source for name, _ in node.fields for f in mappings.matching(name)}
            query_words = words(node.query)
            for position, word in enumerate(query_words):
                edits = (edits_for(node.fuzziness, len(word)) or 0) if node.fuzziness is not None else 0
                prefix = node.phrase_prefix and position == len(query_words) - 1
                wanted.append((sources, word, edits, prefix))
        elif isinstance(node, Term):
            found = mappings.field(node.field)
            for value in node.values:
                wanted.append(({found.source} if found else set(), fold(str(value)), 0, False))
        elif isinstance(node, Pattern):
            found = mappings.field(node.field)
            prefix = node.regex.endswith(".*") and "*" not in node.regex[:-2] and "." not in node.regex[:-2]
            if prefix:
                wanted.append(
                    ({found.source} if found else set(), fold(re.sub(r"\\(.)", r"\1", node.regex[:-2])), 0, True)
                )
        elif isinstance(node, Bool):
            for clause in node.must + node.should + node.filter:
                collect(clause)
        elif isinstance(node, ConstantScore):
            collect(node.filter)

    collect(query)

    def matches(source: str, token: str) -> bool:
        return any(
            (sources is None or source in sources) and _word_matches(word, token, edits, prefix)
            for sources, word, edits, prefix in wanted
        )

    return matches


def source_filter(document: dict[str, Any], includes: list[str], excludes: list[str]) -> dict[str, Any]:
    """`document` with only the fields `includes` names (all when empty), less those `excludes` names (`*` globs)."""

    def keep(path: str, value: Any) -> Any:
        if any(fnmatch.fnmatchcase(path, pattern) for pattern in excludes):
            return _DROP
        if isinstance(value, dict):
            kept = {k: v for k, item in value.items() if (v := keep(f"{path}.{k}", item)) is not _DROP}
            if kept or not includes or _included(path, includes):
                return kept
            return _DROP
        if not includes or _included(path, includes):
            return value
        return _DROP

    result = {}
    for key, value in document.items():
        kept = keep(key, value)
        if kept is not _DROP:
            result[key] = kept
    return result


_DROP = object()


def _included(path: str, includes: list[str]) -> bool:
    return any(fnmatch.fnmatchcase(path, p) or path.startswith(p.rstrip("*").rstrip(".") + ".") for p in includes)
