"""What a Typesense collection's synonyms, overrides and stopword sets ask of a search, checked and applied.

Synonyms (`/collections/NAME/synonyms/ID`) are multi-way (`{"synonyms": [a, b, c]}`: each finds the
others) or one-way (`{"root": a, "synonyms": [b, c]}`: a search for `a` also finds `b` and `c`);
together they become the search core's synonym map. Overrides (`/collections/NAME/overrides/ID`,
Typesense's curation) match a query exactly or by containment, or a request's `filter_by`, and then
pin documents at positions (`includes`), hide others (`excludes`), add a filter, replace the query or
drop the words that matched, and change the sort. Stopword sets (`/stopwords/ID`) are named lists a
search names with `stopwords=`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..search.filters import And, Compare, Filter, Not, Or

_ID = re.compile(r"[A-Za-z0-9_.\-]{1,255}")
_WORD = re.compile(r"\w+", re.UNICODE)


class CurationError(ValueError):
    """A synonym, override, stopword set or alias Typesense would refuse (400), with its message."""


def checked_id(kind: str, value: str) -> str:
    """`value` as the id of a synonym, override, stopword set or alias; `CurationError` if not one."""
    if not _ID.fullmatch(value):
        raise CurationError(f"The {kind} id `{value[:80]}` is invalid: use letters, digits, `_`, `-` and `.`.")
    return value


def _strings(body: dict[str, Any], name: str, *, required: bool) -> list[str] | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value) or (required and not value):
        raise CurationError(f"Could not find an array of `{name}` in the request body.")
    return value


def checked_synonym(body: Any) -> dict[str, Any]:
    """A synonym rule's body as stored and shown: `synonyms`, and `root`, `locale`, `symbols_to_index` if given."""
    if not isinstance(body, dict):
        raise CurationError("Bad JSON.")
    rule: dict[str, Any] = {"synonyms": _strings(body, "synonyms", required=True)}
    root = body.get("root")
    if root is not None:
        if not isinstance(root, str):
            raise CurationError("Key `root` should be a string.")
        if root:
            rule["root"] = root
    if body.get("locale") is not None:
        if not isinstance(body["locale"], str):
            raise CurationError("Key `locale` should be a string.")
        rule["locale"] = body["locale"]
    symbols = _strings(body, "symbols_to_index", required=False)
    if symbols is not None:
        rule["symbols_to_index"] = symbols
    return rule


def synonym_map(rules: list[dict[str, Any]]) -> dict[str, list[str]]:
    """The search core's synonym map (a word to what it also finds) of a collection's synonym rules."""
    mapped: dict[str, list[str]] = {}

    def add(word: str, others: list[str]) -> None:
        found = mapped.setdefault(word.lower(), [])
        found.extend(other for other in others if other.lower() != word.lower() and other not in found)

    for rule in rules:
        words = rule["synonyms"]
        if "root" in rule:
            add(rule["root"], words)
        else:
            for word in words:
                add(word, words)
    return {word: others for word, others in mapped.items() if others}


def checked_stopwords(body: Any) -> dict[str, Any]:
    """A stopword set's body as stored and shown: `stopwords`, and `locale` if given."""
    if not isinstance(body, dict):
        raise CurationError("Bad JSON.")
    stored: dict[str, Any] = {"stopwords": _strings(body, "stopwords", required=True)}
    if body.get("locale") is not None:
        if not isinstance(body["locale"], str):
            raise CurationError("Key `locale` should be a string.")
        stored["locale"] = body["locale"]
    return stored


def without_stopwords(q: str, stopwords: list[str]) -> str:
    """`q` without the words of a stopword set (case-insensitive); all of `q` if nothing else is left."""
    stop = {word.lower() for word in stopwords}
    kept = [word for word in q.split() if word.lower() not in stop]
    return " ".join(kept) if kept else q


_OVERRIDE_FIELDS = {
    "rule",
    "includes",
    "excludes",
    "filter_by",
    "sort_by",
    "replace_query",
    "remove_matched_tokens",
    "filter_curated_hits",
    "metadata",
    "effective_from_ts",
    "effective_to_ts",
    "stop_processing",
}


def checked_override(body: Any) -> dict[str, Any]:
    """An override's body as stored and shown (the fields given, checked); `CurationError` if malformed."""
    if not isinstance(body, dict):
        raise CurationError("Bad JSON.")
    unknown = set(body) - _OVERRIDE_FIELDS - {"id"}
    if unknown:
        raise CurationError(f"Unknown override field `{sorted(unknown)[0]}`.")
    rule = body.get("rule")
    if not isinstance(rule, dict):
        raise CurationError("Missing `rule` definition.")
    if "query" not in rule and "filter_by" not in rule and "tags" not in rule:
        raise CurationError("The `rule` definition must contain either a `tags` or a `query` and `match`.")
    if "query" in rule:
        if not isinstance(rule["query"], str):
            raise CurationError("Override `rule.query` must be a string.")
        if rule.get("match") not in ("exact", "contains"):
            raise CurationError("The `rule.match` must be either `exact` or `contains`.")
    if "filter_by" in rule and not isinstance(rule["filter_by"], str):
        raise CurationError("Override `rule.filter_by` must be a string.")
    if "tags" in rule and not (isinstance(rule["tags"], list) and all(isinstance(t, str) for t in rule["tags"])):
        raise CurationError("Override `rule.tags` must be an array of strings.")
    for name, keys in (("includes", ("id", "position")), ("excludes", ("id",))):
        items = body.get(name)
        if items is None:
            continue
        if not isinstance(items, list):
            raise CurationError(f"The `{name}` must be an array of objects.")
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                raise CurationError(f"Inclusion and exclusion definitions must have an `id` (in `{name}`).")
            if "position" in keys and (
                isinstance(item.get("position"), bool) or not isinstance(item.get("position"), int)
            ):
                raise CurationError("Inclusion definitions must have a `position` that is an integer.")
            if "position" in keys and item["position"] < 1:
                raise CurationError("Inclusion positions start at 1.")
    for name in ("filter_by", "sort_by", "replace_query"):
        if name in body and not isinstance(body[name], str):
            raise CurationError(f"The `{name}` of an override must be a string.")
    for name in ("remove_matched_tokens", "filter_curated_hits", "stop_processing"):
        if name in body and not isinstance(body[name], bool):
            raise CurationError(f"The `{name}` of an override must be a boolean.")
    for name in ("effective_from_ts", "effective_to_ts"):
        if name in body and (isinstance(body[name], bool) or not isinstance(body[name], int)):
            raise CurationError(f"The `{name}` of an override must be an integer.")
    if "metadata" in body and not isinstance(body["metadata"], dict):
        raise CurationError("The `metadata` of an override must be an object.")
    return {key: value for key, value in body.items() if key != "id"}


@dataclass
class Curation:
    """What the overrides that apply to one search change in it."""

    q: str
    filter_by: list[str] = field(default_factory=list)
    sort_by: str | None = None
    pinned: list[tuple[int, str]] = field(default_factory=list)
    """(1-based position, document id), in the order to place them."""
    hidden: set[str] = field(default_factory=set)
    metadata: dict[str, Any] | None = None
    applied: list[str] = field(default_factory=list)


def _normalized(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def _matches(rule: dict[str, Any], q: str, filter_by: str | None, tags: set[str]) -> bool:
    if "tags" in rule and not (set(rule["tags"]) & tags):
        return False
    if "filter_by" in rule and _normalized(rule["filter_by"]) != _normalized(filter_by or ""):
        return False
    if "query" in rule:
        wanted, asked = _normalized(rule["query"]), _normalized(q)
        if rule["match"] == "exact":
            return wanted == asked
        return bool(wanted) and f" {wanted} " in f" {asked} "
    return True


def curate(
    overrides: list[tuple[str, dict[str, Any]]], q: str, filter_by: str | None, tags: set[str], now: float
) -> Curation:
    """Apply the overrides (id and body, in id order) whose rule matches a search's `q`, `filter_by` and
    `override_tags`; each stops the ones after it unless its `stop_processing` is false."""
    curation = Curation(q)
    for override_id, override in overrides:
        if override.get("effective_from_ts", 0) > now or override.get("effective_to_ts", float("inf")) < now:
            continue
        rule = override["rule"]
        if not _matches(rule, q, filter_by, tags):
            continue
        curation.applied.append(override_id)
        if "filter_by" in override:
            curation.filter_by.append(override["filter_by"])
        if "sort_by" in override:
            curation.sort_by = override["sort_by"]
        if "replace_query" in override:
            curation.q = override["replace_query"]
        elif override.get("remove_matched_tokens", True) and "query" in rule and "filter_by" in override:
            wanted = set(_normalized(rule["query"]).split())
            curation.q = " ".join(word for word in curation.q.split() if _normalized(word) not in wanted) or "*"
        curation.pinned.extend((item["position"], item["id"]) for item in override.get("includes", []))
        curation.hidden.update(item["id"] for item in override.get("excludes", []))
        if "metadata" in override:
            curation.metadata = override["metadata"]
        if override.get("stop_processing", True):
            break
    return curation


@dataclass
class CuratedSearch:
    """A search's parameters after its overrides and stopword set, and where its pinned hits go.

    A pinned document goes at its position in the hits; where fewer hits come before it than its
    position asks, it follows the last of them (Typesense's rule), so a page's layout depends on how
    many other hits there are: `page` answers for a total, `place` lays a page out.
    """

    params: dict[str, str]
    pinned: list[tuple[int, str]]
    hidden: set[str]
    metadata: dict[str, Any] | None
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    """The pinned documents that exist (read by `fetch_pinned`)."""

    def hiding(self, tree: Filter | None) -> Filter | None:
        """`tree` without the hidden and the pinned documents (pinned ones come back at their positions)."""
        ids = sorted(self.hidden | {document_id for _, document_id in self.pinned})
        if not ids:
            return tree
        hidden: Filter = Not(Or(tuple(Compare("id", "=", document_id) for document_id in ids)))
        return hidden if tree is None else And((tree, hidden))

    async def fetch_pinned(self, index: Any) -> None:
        """Read the pinned documents (`index.get(id)`, None if missing); a missing one is not pinned."""
        for _, document_id in self.pinned:
            document = await index.get(document_id)
            if document is not None:
                self.documents[document_id] = document
        self.pinned = [(position, doc_id) for position, doc_id in self.pinned if doc_id in self.documents]

    @property
    def pinned_found(self) -> int:
        """How many pinned documents exist."""
        return len(self.pinned)

    def positions(self, others: int | None) -> list[tuple[int, str]]:
        """(1-based position, id) of each pinned document among `others` other hits (None: as asked)."""
        if others is None:
            return self.pinned
        return [(min(position, others + rank), doc_id) for rank, (position, doc_id) in enumerate(self.pinned, 1)]

    def page(self, offset: int, per_page: int, others: int | None) -> tuple[int, int, list[tuple[int, str]]]:
        """(offset and limit of the other hits, pinned (position, id) on the page) for the page at
        `offset`, when there are `others` other hits (None: not known yet)."""
        positions = self.positions(others)
        before = sum(1 for position, _ in positions if position <= offset)
        on_page = [(position, doc_id) for position, doc_id in positions if offset < position <= offset + per_page]
        return max(0, offset - before), max(0, per_page - len(on_page)), on_page

    def place(self, hits: list[dict[str, Any]], offset: int, on_page: list[tuple[int, str]]) -> list[dict[str, Any]]:
        """The page at `offset`: its pinned documents at their positions (marked `_curated`), the other
        `hits` in order around them."""
        at = {position: self.documents[doc_id] for position, doc_id in on_page}
        organic = iter(hits)
        placed: list[dict[str, Any]] = []
        position = offset
        while True:
            position += 1
            if position in at:
                placed.append({**at.pop(position), "_curated": True})
                continue
            hit = next(organic, None)
            if hit is None:
                break
            placed.append(hit)
        placed.extend({**document, "_curated": True} for _, document in sorted(at.items()))
        return placed


def curated_search(
    overrides: list[tuple[str, dict[str, Any]]],
    params: dict[str, str],
    stopwords: list[str] | None,
    now: float,
) -> CuratedSearch:
    """What a search's overrides (of its collection) and stopword set (if it names one) make of it."""
    q = params.get("q", "")
    if stopwords and q != "*":
        q = without_stopwords(q, stopwords)
    tags = {tag.strip() for tag in params.get("override_tags", "").split(",") if tag.strip()}
    curation = curate(overrides, q, params.get("filter_by"), tags, now)
    changed = dict(params)
    changed["q"] = curation.q
    filters = [text for text in (params.get("filter_by"), *curation.filter_by) if text and text.strip()]
    if filters:
        changed["filter_by"] = " && ".join(f"({text})" for text in filters)
    if curation.sort_by:
        changed["sort_by"] = curation.sort_by
    pinned: list[tuple[int, str]] = []
    for position, document_id in sorted(curation.pinned):
        if document_id not in {pinned_id for _, pinned_id in pinned} and document_id not in curation.hidden:
            pinned.append((position, document_id))
    return CuratedSearch(changed, pinned, curation.hidden, curation.metadata)
