"""`SearchIndex`: one search index of one tenant as one durable object, on SQLite FTS5 with BM25.

Documents are JSON rows; the text of their searchable attributes is in an FTS5 table (same rowid),
folded by `unicode61` (case and accents). A query is words: each must match (the last one as a
prefix), a word matches its synonyms and, past `minWordSizeForTypos`, the index's words within one
or two typos (found in FTS5's vocabulary, same first letter). With the `last` matching strategy the
documents matching fewer words (dropped from the end) follow those matching all. Filters are SQL
over the JSON (see `filters`), so a filter narrows the candidates before they are ranked; facets
count the values of the matching documents in one grouped query per attribute.
"""

from __future__ import annotations

import functools
import heapq
import json
import math
import re
import time
from dataclasses import dataclass, field
from typing import Any

from ...context import DO
from ..sharding import ShardRoot
from . import settings as index_settings
from .filters import Filter, FilterError, fields_of, json_path, to_sql
from .text import crop, fold, mark, within_distance, words

SCHEMA = """
CREATE TABLE IF NOT EXISTS search_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS search_docs (rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, doc TEXT NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS search_text USING fts5(content, tokenize='unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE IF NOT EXISTS search_vocab USING fts5vocab(search_text, 'row');
CREATE VIRTUAL TABLE IF NOT EXISTS search_instances USING fts5vocab(search_text, 'instance');
"""

_DOCUMENT_ID = re.compile(r"[A-Za-z0-9_-]{1,511}")
_MAX_WORDS = 10
"""Query words past this many are ignored, as Meilisearch does."""


class SearchError(Exception):
    """A request the index refuses: `code` is Meilisearch's error code, which the other layers map from."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class SortKey:
    """Sort by `field` (ascending or not); by distance to `point` when `field` is `_geoPoint`."""

    field: str
    ascending: bool = True
    point: tuple[float, float] | None = None


@dataclass
class SearchQuery:
    """One search: the words, what narrows and orders the hits, which page, and how hits are shown."""

    q: str = ""
    filter: Filter | None = None
    facets: list[str] = field(default_factory=list)
    sort: list[SortKey] = field(default_factory=list)
    offset: int = 0
    limit: int = 20
    attributes_to_retrieve: list[str] | None = None
    attributes_to_highlight: list[str] = field(default_factory=list)
    attributes_to_crop: list[str] = field(default_factory=list)
    crop_length: int = 10
    crop_marker: str = "…"
    highlight_pre: str = "<em>"
    highlight_post: str = "</em>"
    matching_strategy: str = "last"
    prefix: bool = True
    typos: bool = True
    check_attributes: bool = True
    """Refuse filters, sorts and facets on attributes the settings do not declare (Meilisearch's rule)."""
    ranking_rules: list[str] | None = None
    """This query's ranking rules instead of the index's (Typesense orders relevance within `sort_by`)."""


@dataclass(frozen=True)
class Phrase:
    """One phrase of the FTS5 query a search runs: its folded words, and whether the last is a prefix."""

    text: str
    prefix: bool = False

    @property
    def term(self) -> str:
        """The phrase as FTS5 query syntax (also its key in `TextStatistics.hits`)."""
        return _fts_term(self.text, self.prefix)


@dataclass
class TextStatistics:
    """What BM25 needs to know about the whole index, summed over its shards.

    `rows` and `tokens` are the documents and their words; `hits` is, per phrase (`Phrase.term`), how
    many documents hold it.
    """

    rows: int = 0
    tokens: int = 0
    hits: dict[str, int] = field(default_factory=dict)

    def add(self, other: TextStatistics) -> None:
        """Count `other`'s documents in too."""
        self.rows += other.rows
        self.tokens += other.tokens
        for term, count in other.hits.items():
            self.hits[term] = self.hits.get(term, 0) + count


@dataclass
class _Candidate:
    dropped: int = 0
    typo: int = 0
    score: float = 0.0


def document_id(value: Any) -> str:
    """A document's id as stored; `SearchError` unless it is an integer or a string of [A-Za-z0-9_-]."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise SearchError("invalid_document_id", f"Document identifier `{json.dumps(value)}` is invalid.")
    text = str(value)
    if not _DOCUMENT_ID.fullmatch(text):
        raise SearchError(
            "invalid_document_id",
            f"Document identifier `{json.dumps(value)}` is invalid. A document identifier can be of type integer or "
            "string, only composed of alphanumeric characters (a-z A-Z 0-9), hyphens (-) and underscores (_), "
            "and can not be more than 511 bytes.",
        )
    return text


def any_string_id(value: Any) -> str:
    """A document's id in an index that takes any string id: a non-empty string of up to 512 bytes."""
    if not isinstance(value, str) or not value or len(value.encode()) > 512:
        raise SearchError(
            "invalid_document_id",
            f"Document identifier `{json.dumps(value)[:100]}` is invalid: it must be a non-empty string of up to "
            "512 bytes.",
        )
    return value


def _value_at(document: dict[str, Any], name: str) -> Any:
    value: Any = document
    for part in name.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, bool) or value is None:
        return []
    if isinstance(value, int | float):
        return [format_number(value)]
    if isinstance(value, list):
        return [text for item in value for text in _texts(item)]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _texts(item)]
    return []


def format_number(value: float) -> str:
    """A number as facet keys show it (10.0 -> "10")."""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _fts_term(word: str, prefix: bool = False) -> str:
    quoted = '"' + word.replace('"', '""') + '"'
    return quoted + "*" if prefix else quoted


def _distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lng1, lat2, lng2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    return 2 * 6_371_000.0 * math.asin(min(1.0, math.sqrt(h)))


def _compare_values(a: Any, b: Any, ascending: bool) -> int:
    """Order two sort values: numbers before strings; a missing value last in either direction."""
    if a is None or b is None:
        return (a is None) - (b is None)
    rank_a, rank_b = (0 if isinstance(a, int | float) else 1), (0 if isinstance(b, int | float) else 1)
    if rank_a != rank_b:
        return rank_a - rank_b
    result = (a > b) - (a < b)
    return result if ascending else -result


def _sortable(value: Any) -> Any:
    if isinstance(value, (bool, list | dict)):
        return None
    return value


class SearchIndex(ShardRoot, DO):
    """The documents, full-text index and settings of one search index."""

    async def on_start(self) -> None:
        self.storage.sql.exec(SCHEMA)

    # -- metadata -----------------------------------------------------------------------------------

    def _meta(self, key: str) -> Any:
        rows = self.storage.sql.exec("SELECT value FROM search_meta WHERE key = ?", key).to_list()
        return json.loads(rows[0]["value"]) if rows else None

    def _set_meta(self, key: str, value: Any) -> None:
        self.storage.sql.exec("INSERT OR REPLACE INTO search_meta VALUES (?, ?)", key, json.dumps(value))

    def exists(self) -> bool:
        """Whether the index was created (and not dropped)."""
        return self._meta("created_at") is not None

    def create(
        self, uid: str, primary_key: str | None = None, *, any_string_ids: bool = False, shards: int = 1
    ) -> dict[str, Any]:
        """Create the index; `SearchError("index_already_exists")` if it exists.

        `any_string_ids` lets document ids be any string of up to 512 bytes (Algolia's objectIDs) rather
        than Meilisearch's letters, digits, `-` and `_`. `shards` > 1 records that the documents live in
        that many shard objects (see `shards.ShardedIndex`), this object keeping the settings.
        """
        if self.exists():
            raise SearchError("index_already_exists", f"Index `{uid}` already exists.")
        now = time.time()
        self._set_meta("shards", shards)
        self._set_meta("any_string_ids", any_string_ids)
        self._set_meta("uid", uid)
        self._set_meta("created_at", now)
        self._set_meta("updated_at", now)
        self._set_meta("primary_key", primary_key)
        self._set_meta("settings", index_settings.defaults())
        return self.info()

    def _require(self) -> None:
        if not self.exists():
            raise SearchError("index_not_found", "Index not found.")

    def route(self, documents: list[dict[str, Any]], primary_key: str | None = None) -> dict[str, Any]:
        """Check documents as `add` would, without storing them: {"primaryKey", "ids"} (one id per document).

        A sharded index checks a batch here first, so that no shard stores part of a batch it refuses.
        """
        self._require()
        if not isinstance(documents, list) or not all(isinstance(doc, dict) for doc in documents):
            raise SearchError("malformed_payload", "The documents must be an array of JSON objects.")
        if not documents:
            return {"primaryKey": self._meta("primary_key"), "ids": []}
        key = self._primary_key_for(documents, primary_key)
        identify = any_string_id if self._meta("any_string_ids") else document_id
        ids = []
        for doc in documents:
            if key not in doc:
                raise SearchError(
                    "missing_document_id", f"Document doesn't have a `{key}` attribute: `{json.dumps(doc)[:200]}`."
                )
            try:
                json.dumps(doc, allow_nan=False)
            except ValueError as exc:
                raise SearchError("malformed_payload", f"A document is not valid JSON: {exc}.") from None
            ids.append(identify(doc[key]))
        if self._meta("primary_key") is None:
            self._set_meta("primary_key", key)
        return {"primaryKey": key, "ids": ids}

    def info(self) -> dict[str, Any]:
        """uid, primaryKey, createdAt, updatedAt (seconds), numberOfDocuments."""
        self._require()
        count = self.storage.sql.exec("SELECT count(*) AS n FROM search_docs").one()["n"]
        return {
            "uid": self._meta("uid"),
            "primaryKey": self._meta("primary_key"),
            "createdAt": self._meta("created_at"),
            "updatedAt": self._meta("updated_at"),
            "numberOfDocuments": count,
        }

    def field_distribution(self) -> dict[str, int]:
        """How many documents hold each top-level attribute."""
        self._require()
        rows = self.storage.sql.exec(
            "SELECT j.key AS name, count(*) AS n FROM search_docs d, json_each(d.doc) j GROUP BY j.key ORDER BY j.key"
        )
        return {row["name"]: row["n"] for row in rows}

    def set_primary_key(self, primary_key: str) -> dict[str, Any]:
        """Set the primary key; refused once the index holds documents under another one."""
        self._require()
        current = self._meta("primary_key")
        if current not in (None, primary_key) and self.info()["numberOfDocuments"]:
            raise SearchError(
                "index_primary_key_already_exists", "The primary key cannot be changed once documents are indexed."
            )
        self._set_meta("primary_key", primary_key)
        self._touch()
        return self.info()

    def drop(self) -> None:
        """Delete the index with every document and setting."""
        self._require()
        self.storage.sql.exec("DELETE FROM search_docs; DELETE FROM search_text; DELETE FROM search_meta")

    def _touch(self) -> None:
        self._set_meta("updated_at", time.time())

    def settings(self) -> dict[str, Any]:
        """Every setting of the index (those added since it was made at their defaults)."""
        self._require()
        stored = self._meta("settings")
        return stored if stored.keys() >= index_settings.DEFAULTS.keys() else {**index_settings.defaults(), **stored}

    def update_settings(self, changes: dict[str, Any]) -> dict[str, Any]:
        """Apply `changes` (null resets one); re-index the text if the searchable attributes changed."""
        self._require()
        current = self.settings()
        try:
            updated = index_settings.merged(current, changes)
        except index_settings.SettingsError as exc:
            raise SearchError(f"invalid_settings_{_snake(exc.setting)}", str(exc)) from None
        self._set_meta("settings", updated)
        if updated["searchableAttributes"] != current["searchableAttributes"]:
            self._reindex(updated["searchableAttributes"])
        self._touch()
        return updated

    def reset_settings(self) -> dict[str, Any]:
        """Every setting back to its default."""
        return self.update_settings(dict.fromkeys(index_settings.DEFAULTS))

    # -- documents ----------------------------------------------------------------------------------

    def _content(self, document: dict[str, Any], searchable: list[str]) -> str:
        if "*" in searchable:
            return "\n".join(_texts(document))
        return "\n".join(text for name in searchable for text in _texts(_value_at(document, name)))

    def _reindex(self, searchable: list[str]) -> None:
        self.storage.sql.exec("DELETE FROM search_text")
        self.storage.sql.exec("DELETE FROM search_meta WHERE key = 'tokens'")  # counted again when next asked
        for row in self.storage.sql.exec("SELECT rowid, doc FROM search_docs").to_list():
            content = self._content(json.loads(row["doc"]), searchable)
            self.storage.sql.exec("INSERT INTO search_text(rowid, content) VALUES (?, ?)", row["rowid"], content)

    def _primary_key_for(self, documents: list[dict[str, Any]], given: str | None) -> str:
        current = self._meta("primary_key")
        if given is not None and current is not None and given != current:
            raise SearchError("index_primary_key_already_exists", f"The index already has the primary key `{current}`.")
        if current is not None:
            return current
        if given is not None:
            return given
        candidates = sorted({name for doc in documents[:1] for name in doc if "id" in name.lower()})
        if not candidates:
            raise SearchError(
                "index_primary_key_no_candidate_found",
                "The primary key inference failed as the engine did not find any field ending with `id` in its "
                "name. Please specify the primary key manually using the `primaryKey` query parameter.",
            )
        if len(candidates) > 1:
            raise SearchError(
                "index_primary_key_multiple_candidates_found",
                "The primary key inference failed as the engine found "
                f"{len(candidates)} fields ending with `id` in their names: {', '.join(candidates)}. "
                "Please specify the primary key manually using the `primaryKey` query parameter.",
            )
        return candidates[0]

    def add(
        self,
        documents: list[dict[str, Any]],
        primary_key: str | None = None,
        *,
        partial: bool = False,
        positions: dict[str, int] | None = None,
    ) -> dict[str, Any]:
        """Add or replace documents (or, `partial`, merge their fields into the stored ones); all or none.

        Returns {"indexed": n, "primaryKey": key}. `positions` places new documents in insertion order
        (a shard of a sharded index is given them by the index's own object).
        """
        self._require()
        if not isinstance(documents, list) or not all(isinstance(doc, dict) for doc in documents):
            raise SearchError("malformed_payload", "The documents must be an array of JSON objects.")
        if not documents:
            return {"indexed": 0, "primaryKey": self._meta("primary_key")}
        key = self._primary_key_for(documents, primary_key)
        identify = any_string_id if self._meta("any_string_ids") else document_id
        checked: dict[str, dict[str, Any]] = {}
        for doc in documents:
            if key not in doc:
                raise SearchError(
                    "missing_document_id", f"Document doesn't have a `{key}` attribute: `{json.dumps(doc)[:200]}`."
                )
            doc_id = identify(doc[key])
            if partial or doc_id in checked:
                base = checked.get(doc_id) or self.get(doc_id) or {}
                doc = {**base, **doc} if partial else doc
            checked[doc_id] = doc
        if self._meta("primary_key") is None:
            self._set_meta("primary_key", key)
        self.put(checked, positions)
        return {"indexed": len(checked), "primaryKey": key}

    def put(self, documents: dict[str, dict[str, Any]], positions: dict[str, int] | None = None) -> None:
        """Store each document under its id (replacing one stored there) and index its text.

        The ids and documents are taken as they are: the layers check them first (`add` checks
        Meilisearch's rules; another engine has its own). A new document goes at its place in
        `positions` when given, else after every other.
        """
        self._require()
        searchable = self._meta("settings")["searchableAttributes"]
        sql = self.storage.sql
        counted = self._meta("tokens") is not None
        written = []
        for doc_id, doc in documents.items():
            text = json.dumps(doc, ensure_ascii=False, allow_nan=False)
            old = sql.exec("SELECT rowid FROM search_docs WHERE id = ?", doc_id).to_list()
            if old:
                rowid = old[0]["rowid"]
                sql.exec("UPDATE search_docs SET doc = ? WHERE rowid = ?", text, rowid)
                if counted:
                    self._count_tokens([rowid], -1)
                sql.exec("DELETE FROM search_text WHERE rowid = ?", rowid)
            else:
                rowid = sql.exec(
                    "INSERT INTO search_docs(rowid, id, doc) VALUES (?, ?, ?) RETURNING rowid",
                    (positions or {}).get(doc_id),
                    doc_id,
                    text,
                ).one()["rowid"]
            sql.exec("INSERT INTO search_text(rowid, content) VALUES (?, ?)", rowid, self._content(doc, searchable))
            written.append(rowid)
        if counted:
            self._count_tokens(written, 1)
        self._touch()

    def _sizes(self, rowids: list[int] | None) -> dict[int, int]:
        """How many words FTS5 indexed of each document (of all of them for None)."""
        if rowids is None:
            rows = self.storage.sql.exec("SELECT id, sz FROM search_text_docsize")
        else:
            rows = self.storage.sql.exec(
                "SELECT id, sz FROM search_text_docsize WHERE id IN (SELECT value FROM json_each(?))",
                json.dumps(rowids),
            )
        # One column: its size is the first varint, most often a single byte.
        return {row["id"]: row["sz"][0] if row["sz"][0] < 0x80 else _varints(row["sz"])[0] for row in rows}

    def _count_tokens(self, rowids: list[int], sign: int) -> None:
        total = self._meta("tokens") + sign * sum(self._sizes(rowids).values())
        self._set_meta("tokens", total)

    def _token_total(self) -> int:
        """Every indexed word of every document, kept from the first time a sharded search asks for it.

        FTS5 keeps this total too, but writes it only when a transaction commits, and a commit covers
        many turns: the count kept here is current within the turn.
        """
        total = self._meta("tokens")
        if total is None:
            total = sum(self._sizes(None).values())
            self._set_meta("tokens", total)
        return int(total)

    def get(self, doc_id: str) -> dict[str, Any] | None:
        """The document with id `doc_id`, or None."""
        rows = self.storage.sql.exec("SELECT doc FROM search_docs WHERE id = ?", str(doc_id)).to_list()
        return json.loads(rows[0]["doc"]) if rows else None

    def documents(
        self, offset: int = 0, limit: int = 20, filter: Filter | None = None, ids: list[str] | None = None
    ) -> dict[str, Any]:
        """A page of documents in insertion order: {"results": [...], "total": n, "positions": [...]}."""
        self._require()
        condition, bindings = self._where(filter)
        if ids is not None:
            condition += " AND id IN (SELECT value FROM json_each(?))"
            bindings.append(json.dumps([str(i) for i in ids]))
        total = self.storage.sql.exec(f"SELECT count(*) AS n FROM search_docs d WHERE {condition}", *bindings).one()[
            "n"
        ]
        rows = self.storage.sql.exec(
            f"SELECT rowid, doc FROM search_docs d WHERE {condition} ORDER BY rowid LIMIT ? OFFSET ?",
            *bindings,
            limit,
            offset,
        ).to_list()
        return {
            "results": [json.loads(row["doc"]) for row in rows],
            "total": total,
            "positions": [row["rowid"] for row in rows],
        }

    def delete(self, ids: list[Any]) -> int:
        """Delete the documents of these ids; how many there were."""
        self._require()
        return self._delete_where("id IN (SELECT value FROM json_each(?))", [json.dumps([str(i) for i in ids])])

    def delete_where(self, filter: Filter | None) -> int:
        """Delete the documents `filter` accepts (all of them for None); how many."""
        self._require()
        condition, bindings = self._where(filter)
        return self._delete_where(condition, bindings)

    def _delete_where(self, condition: str, bindings: list[Any]) -> int:
        sql = self.storage.sql
        rowids = [r["rowid"] for r in sql.exec(f"SELECT rowid FROM search_docs d WHERE {condition}", *bindings)]
        if rowids:
            listed = json.dumps(rowids)
            if self._meta("tokens") is not None:
                self._count_tokens(rowids, -1)
            sql.exec("DELETE FROM search_text WHERE rowid IN (SELECT value FROM json_each(?))", listed)
            sql.exec("DELETE FROM search_docs WHERE rowid IN (SELECT value FROM json_each(?))", listed)
            self._touch()
        return len(rowids)

    def _where(self, filter: Filter | None) -> tuple[str, list[Any]]:
        try:
            return to_sql(filter)
        except FilterError as exc:
            raise SearchError("invalid_search_filter", str(exc)) from None

    # -- search -------------------------------------------------------------------------------------

    def _variants(self, word: str, settings: dict[str, Any], query: SearchQuery) -> tuple[list[str], set[str]]:
        """The FTS terms a query word matches exactly (itself, its synonyms), and its typo variants."""
        exact = [word]
        for synonym in settings["synonyms"].get(word, []) + [
            key for key, values in settings["synonyms"].items() if word in {fold(v) for v in values}
        ]:
            folded = words(synonym)
            if folded:
                exact.append(" ".join(folded))
        tolerance = settings["typoTolerance"]
        sizes = tolerance["minWordSizeForTypos"]
        typos: set[str] = set()
        if (
            query.typos
            and tolerance["enabled"]
            and len(word) >= sizes["oneTypo"]
            and word not in {fold(w) for w in tolerance["disableOnWords"]}
        ):
            limit = 2 if len(word) >= sizes["twoTypos"] else 1
            first = word[0]
            rows = self.storage.sql.exec(
                "SELECT term FROM search_vocab WHERE term >= ? AND term < ?", first, chr(ord(first) + 1)
            )
            typos = {row["term"] for row in rows if row["term"] != word and within_distance(word, row["term"], limit)}
        return exact, typos

    def _match(self, groups: list[list[Phrase]]) -> list[tuple[int, float]]:
        query = " AND ".join("(" + " OR ".join(phrase.term for phrase in group) + ")" for group in groups)
        rows = self.storage.sql.exec(
            "SELECT rowid, bm25(search_text) AS score FROM search_text WHERE search_text MATCH ?", query
        )
        return [(row["rowid"], row["score"]) for row in rows]

    def _phrases(self, query: SearchQuery, settings: dict[str, Any]) -> _QueryPhrases:
        """The query's kept words and, per word, the phrases matching it exactly and with typos."""
        stop_words = {fold(w) for w in settings["stopWords"]}
        query_words = words(query.q)[:_MAX_WORDS]
        kept = [w for w in query_words if w not in stop_words] or query_words
        prefix_last = query.prefix and bool(query.q) and not query.q[-1].isspace()
        found = _QueryPhrases(kept)
        for position, word in enumerate(kept):
            exact, typos = self._variants(word, settings, query)
            is_prefix = prefix_last and position == len(kept) - 1 and word == query_words[-1]
            phrases = [Phrase(v, prefix=is_prefix and v == word) for v in exact]
            found.exact.append(phrases)
            found.typo.append(phrases + [Phrase(t) for t in sorted(typos)])
            found.highlighted.update(w for v in exact for w in v.split())
            found.highlighted.update(typos)
            if is_prefix:
                found.prefixes.add(word)
        return found

    def text_statistics(self, query: SearchQuery) -> TextStatistics:
        """This object's part of the statistics BM25 needs for `query` (a sharded index sums its shards')."""
        self._require()
        phrases = self._phrases(query, self.settings())
        rows = self.storage.sql.exec("SELECT count(*) AS n FROM search_docs").one()["n"]
        statistics = TextStatistics(rows=rows, tokens=self._token_total())
        for phrase in {phrase for group in phrases.typo for phrase in group}:
            statistics.hits[phrase.term] = self.storage.sql.exec(
                "SELECT count(*) AS n FROM search_text WHERE search_text MATCH ?", phrase.term
            ).one()["n"]
        return statistics

    def _occurrences(self, phrase: Phrase, rowids: str) -> dict[int, int]:
        """How often `phrase` occurs in each of `rowids` (a JSON list) holding it (FTS5's phrase frequency)."""
        tokens = phrase.text.split()
        found: list[set[tuple[int, int]]] = []
        for position, token in enumerate(tokens):
            if phrase.prefix and position == len(tokens) - 1:
                term, bindings = "term >= ? AND term < ?", [token, token[:-1] + chr(ord(token[-1]) + 1)]
            else:
                term, bindings = "term = ?", [token]
            among = "doc IN (SELECT value FROM json_each(?))"
            if len(tokens) == 1:
                rows = self.storage.sql.exec(
                    f"SELECT doc, count(*) AS n FROM search_instances WHERE {term} AND {among} GROUP BY doc",
                    *bindings,
                    rowids,
                )
                return {row["doc"]: row["n"] for row in rows}
            rows = self.storage.sql.exec(
                f'SELECT doc, "offset" AS at FROM search_instances WHERE {term} AND {among}', *bindings, rowids
            )
            found.append({(row["doc"], row["at"] - position) for row in rows})
        counts: dict[int, int] = {}
        for doc, _ in set.intersection(*found) if found else set():
            counts[doc] = counts.get(doc, 0) + 1
        return counts

    def _global_bm25(self, rowids: list[int], phrases: list[Phrase], statistics: TextStatistics) -> dict[int, float]:
        """FTS5's `bm25()` of each of `rowids`, with the document counts of the whole (sharded) index."""
        if not rowids or not statistics.rows:
            return dict.fromkeys(rowids, 0.0)
        sizes = self._sizes(rowids)
        listed = json.dumps(rowids)
        average = statistics.tokens / statistics.rows
        weights = []
        for phrase in phrases:
            hits = statistics.hits.get(phrase.term, 0)
            idf = math.log((statistics.rows - hits + 0.5) / (hits + 0.5))
            weights.append((idf if idf > 0.0 else 1e-6, self._occurrences(phrase, listed)))
        scores = {}
        for rowid in rowids:
            size = float(sizes.get(rowid, 0))
            score = 0.0
            # The same operations in the same order as FTS5's bm25(), so equal inputs give equal scores.
            for idf, occurrences in weights:
                frequency = float(occurrences.get(rowid, 0))
                score += idf * ((frequency * (_K1 + 1.0)) / (frequency + _K1 * (1 - _B + _B * size / average)))
            scores[rowid] = -1.0 * score
        return scores

    def search(self, query: SearchQuery, statistics: TextStatistics | None = None) -> dict[str, Any]:
        """The hits of `query`: {"hits", "total", "facets", "facetStats", "offset", "limit", "processingTimeMs"}.

        Given `statistics` (a shard of a sharded index, see `shards.ShardedIndex`), BM25 uses them instead
        of this object's own, and the answer is this shard's part to merge: the first `offset + limit`
        hits with their ranking keys (`ranked`), and facet counts not yet cut to `maxValuesPerFacet`.
        """
        started = time.perf_counter()
        self._require()
        settings = self.settings()
        self._check_attributes(query, settings)
        phrases = self._phrases(query, settings)
        kept = phrases.kept
        candidates: dict[int, _Candidate] | None = None
        if kept:
            candidates = {}
            shortest = 1 if query.matching_strategy == "last" else len(kept)
            for size in range(len(kept), shortest - 1, -1):
                exact_ids = {rowid for rowid, _ in self._match(phrases.exact[:size])}
                matched = [(r, score) for r, score in self._match(phrases.typo[:size]) if r not in candidates]
                if statistics is not None:
                    scoring = [phrase for group in phrases.typo[:size] for phrase in group]
                    scores = self._global_bm25([rowid for rowid, _ in matched], scoring, statistics)
                    matched = [(rowid, scores[rowid]) for rowid, _ in matched]
                for rowid, score in matched:
                    candidates[rowid] = _Candidate(len(kept) - size, 0 if rowid in exact_ids else 1, score)
        condition, bindings = self._where(query.filter)
        sql = self.storage.sql
        if candidates is None:
            rowids = [
                r["rowid"]
                for r in sql.exec(f"SELECT rowid FROM search_docs d WHERE {condition} ORDER BY rowid", *bindings)
            ]
        elif candidates and query.filter is None:
            rowids = sorted(candidates)
        elif candidates:
            rowids = [
                r["rowid"]
                for r in sql.exec(
                    f"SELECT rowid FROM search_docs d WHERE rowid IN (SELECT value FROM json_each(?)) "
                    f"AND {condition} ORDER BY rowid",
                    json.dumps(list(candidates)),
                    *bindings,
                )
            ]
        else:
            rowids = []
        distinct = settings["distinctAttribute"]
        needed = None if distinct else query.offset + max(query.limit, 0)
        keys = self._rank_keys(rowids, candidates or {}, query, settings)
        ordered = _ranked(rowids, keys, needed, fast=not query.sort and not _custom_rules(settings))
        total = len(rowids)
        if distinct:
            ordered = self._distinct(ordered, distinct)
            total = len(ordered)
        narrowed = candidates is not None or query.filter is not None
        sharded = statistics is not None
        facets, stats = self._facets(rowids if narrowed else None, query.facets, settings, cut=not sharded)
        first = 0 if sharded else query.offset
        page = ordered[first : query.offset + query.limit] if query.limit > 0 else []
        hits = self._hits(page, query, settings, phrases.highlighted, phrases.prefixes)
        result = {
            "hits": hits,
            "total": total,
            "facets": facets,
            "facetStats": stats,
            "offset": query.offset,
            "limit": query.limit,
            "processingTimeMs": int((time.perf_counter() - started) * 1000),
        }
        if sharded:
            every = {r: json.dumps(value) for r, value in self._values(ordered, distinct).items()} if distinct else {}
            result["ranked"] = [
                {"keys": [values.get(rowid) for values, _ in keys], "position": rowid, "distinct": every.get(rowid)}
                for rowid in page
            ]
            result["ascending"] = [ascending for _, ascending in keys]
            if distinct:
                # How many distinct values the whole index has is only known once every shard's are together.
                result["distinctValues"] = sorted({value for value in every.values() if value != "null"})
                result["distinctNulls"] = len(ordered) - sum(1 for value in every.values() if value != "null")
        return result

    def _check_attributes(self, query: SearchQuery, settings: dict[str, Any]) -> None:
        if not query.check_attributes:
            return
        filterable = settings["filterableAttributes"]
        for name in fields_of(query.filter) if query.filter is not None else set():
            if not any(name == f or name.startswith(f + ".") for f in filterable):
                raise SearchError(
                    "invalid_search_filter",
                    f"Attribute `{name}` is not filterable. Available filterable attributes are: "
                    f"`{', '.join(sorted(filterable))}`.",
                )
        for name in query.facets:
            if name != "*" and name not in filterable:
                raise SearchError(
                    "invalid_search_facets",
                    f"Invalid facet distribution, attribute `{name}` is not filterable. The available filterable "
                    f"attributes are `{', '.join(sorted(filterable))}`.",
                )
        sortable = settings["sortableAttributes"]
        for key in query.sort:
            if key.field not in sortable:
                raise SearchError(
                    "invalid_search_sort",
                    f"Attribute `{key.field}` is not sortable. Available sortable attributes are: "
                    f"`{', '.join(sorted(sortable))}`.",
                )

    def _values(self, rowids: list[int], name: str) -> dict[int, Any]:
        rows = self.storage.sql.exec(
            "SELECT rowid, json_extract(doc, ?) AS value FROM search_docs "
            "WHERE rowid IN (SELECT value FROM json_each(?))",
            json_path(name),
            json.dumps(rowids),
        )
        return {row["rowid"]: row["value"] for row in rows}

    def _rank_keys(
        self, rowids: list[int], candidates: dict[int, _Candidate], query: SearchQuery, settings: dict[str, Any]
    ) -> list[tuple[dict[int, Any], bool]]:
        """The values `rowids` are ordered by, one table per ranking rule, each with its direction."""
        keys: list[tuple[dict[int, Any], bool]] = []
        for rule in query.ranking_rules or settings["rankingRules"]:
            if rule == "words" and candidates:
                keys.append(({r: candidates[r].dropped for r in rowids}, True))
            elif rule == "typo" and candidates:
                keys.append(({r: candidates[r].typo for r in rowids}, True))
            elif rule == "sort":
                for key in query.sort:
                    keys.append((self._sort_values(rowids, key), key.ascending))
            elif (custom := index_settings.custom_rule(rule)) is not None:
                values = self._values(rowids, custom[0])
                keys.append(({r: _sortable(v) for r, v in values.items()}, custom[1]))
        if candidates:
            keys.append(({r: candidates[r].score for r in rowids}, True))
        return keys

    def _sort_values(self, rowids: list[int], key: SortKey) -> dict[int, Any]:
        if key.point is None:
            return {r: _sortable(v) for r, v in self._values(rowids, key.field).items()}
        points = self._values(rowids, "_geo")
        distances = {}
        for rowid, geo in points.items():
            point = json.loads(geo) if isinstance(geo, str) else None
            if isinstance(point, dict) and isinstance(point.get("lat"), int | float | str):
                try:
                    distances[rowid] = _distance(key.point, (float(point["lat"]), float(point["lng"])))
                except (KeyError, TypeError, ValueError):
                    continue
        return distances

    def _distinct(self, rowids: list[int], name: str) -> list[int]:
        values = self._values(rowids, name)
        seen: set[Any] = set()
        kept = []
        for rowid in rowids:
            value = values.get(rowid)
            if value is not None:
                if value in seen:
                    continue
                seen.add(value)
            kept.append(rowid)
        return kept

    def _facets(
        self, rowids: list[int] | None, names: list[str], settings: dict[str, Any], *, cut: bool = True
    ) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, float]]]:
        if "*" in names:
            names = list(settings["filterableAttributes"])
        facets: dict[str, dict[str, int]] = {}
        stats: dict[str, dict[str, float]] = {}
        limit = settings["faceting"]["maxValuesPerFacet"]
        scope, bindings = (
            ("", []) if rowids is None else ("d.rowid IN (SELECT value FROM json_each(?)) AND", [json.dumps(rowids)])
        )
        for name in names:
            rows = self.storage.sql.exec(
                "SELECT j.value AS value, j.type AS type, count(DISTINCT d.rowid) AS n FROM search_docs d, "
                f"json_each(d.doc, ?) j WHERE {scope} j.type IN ('text', 'integer', 'real', 'true', 'false') "
                "GROUP BY j.type, j.value",
                json_path(name),
                *bindings,
            ).to_list()
            counts: dict[str, int] = {}
            numbers = []
            for row in rows:
                if row["type"] in ("true", "false"):
                    label = row["type"]
                elif row["type"] == "text":
                    label = row["value"]
                else:
                    label = format_number(row["value"])
                    numbers.append(row["value"])
                counts[label] = counts.get(label, 0) + row["n"]
            facets[name] = dict(sorted(counts.items())[:limit]) if cut else counts
            if numbers:
                stats[name] = {"min": min(numbers), "max": max(numbers)}
        return facets, stats

    def _hits(
        self,
        page: list[int],
        query: SearchQuery,
        settings: dict[str, Any],
        highlighted: set[str],
        prefixes: set[str],
    ) -> list[dict[str, Any]]:
        if not page:
            return []
        rows = self.storage.sql.exec(
            "SELECT rowid, doc FROM search_docs WHERE rowid IN (SELECT value FROM json_each(?))", json.dumps(page)
        )
        documents = {row["rowid"]: json.loads(row["doc"]) for row in rows}
        displayed = settings["displayedAttributes"]
        retrieve = query.attributes_to_retrieve

        def shown(name: str) -> bool:
            return ("*" in displayed or name in displayed) and (retrieve is None or "*" in retrieve or name in retrieve)

        def matches(word: str) -> bool:
            return word in highlighted or any(word.startswith(p) for p in prefixes)

        formatting = bool(query.attributes_to_highlight or query.attributes_to_crop)
        hits = []
        for rowid in page:
            document = documents[rowid]
            hit = {name: value for name, value in document.items() if shown(name)}
            if formatting:
                hit["_formatted"] = {name: self._format(name, value, query, matches) for name, value in hit.items()}
            geo_keys = [key for key in query.sort if key.point is not None]
            if geo_keys and isinstance(document.get("_geo"), dict):
                try:
                    point = (float(document["_geo"]["lat"]), float(document["_geo"]["lng"]))
                    hit["_geoDistance"] = round(_distance(geo_keys[0].point, point))  # type: ignore[arg-type]
                except (KeyError, TypeError, ValueError):
                    pass
            hits.append(hit)
        return hits

    def _format(self, name: str, value: Any, query: SearchQuery, matches: Any) -> Any:
        if isinstance(value, list):
            return [self._format(name, item, query, matches) for item in value]
        if isinstance(value, dict):
            return {key: self._format(name, item, query, matches) for key, item in value.items()}
        if isinstance(value, bool) or value is None:
            return value
        text = value if isinstance(value, str) else format_number(value)
        if "*" in query.attributes_to_crop or name in query.attributes_to_crop:
            text = crop(text, matches, query.crop_length, query.crop_marker)
        if "*" in query.attributes_to_highlight or name in query.attributes_to_highlight:
            text = mark(text, matches, query.highlight_pre, query.highlight_post)
        return text


_K1 = 1.2
_B = 0.75
"""FTS5's BM25 parameters."""


@dataclass
class _QueryPhrases:
    kept: list[str]
    exact: list[list[Phrase]] = field(default_factory=list)
    typo: list[list[Phrase]] = field(default_factory=list)
    highlighted: set[str] = field(default_factory=set)
    prefixes: set[str] = field(default_factory=set)


def _varints(data: bytes) -> list[int]:
    """SQLite's variable-length integers (as FTS5 stores sizes and totals)."""
    values, at = [], 0
    while at < len(data):
        value = 0
        for width in range(9):
            byte = data[at]
            at += 1
            if width == 8:
                value = (value << 8) | byte
                break
            value = (value << 7) | (byte & 0x7F)
            if not byte & 0x80:
                break
        values.append(value)
    return values


def _custom_rules(settings: dict[str, Any]) -> bool:
    return any(index_settings.custom_rule(rule) for rule in settings["rankingRules"])


def compare_ranked(a: list[Any], b: list[Any], ascending: list[bool]) -> int:
    """Order two hits by their ranking keys (one value per rule, as `search` gives them), first rule first."""
    for value_a, value_b, direction in zip(a, b, ascending, strict=True):
        result = _compare_values(value_a, value_b, direction)
        if result:
            return result
    return 0


def _ranked(rowids: list[int], keys: list[tuple[dict[int, Any], bool]], needed: int | None, *, fast: bool) -> list[int]:
    """`rowids` best first by `keys`, then insertion order (only the first `needed` when it is given)."""
    if not keys:
        return rowids if needed is None else rowids[:needed]
    if fast and len(keys) <= 3:
        # Relevance only (words, typos, BM25): numbers that are never missing, compared as tuples.
        tables = [values for values, _ in keys]

        def relevance(rowid: int) -> tuple[Any, ...]:
            return (*(table[rowid] for table in tables), rowid)

        if needed is not None and needed < len(rowids):
            return heapq.nsmallest(needed, rowids, key=relevance)
        return sorted(rowids, key=relevance)
    ascending = [direction for _, direction in keys]

    def compare(a: int, b: int) -> int:
        result = compare_ranked([v.get(a) for v, _ in keys], [v.get(b) for v, _ in keys], ascending)
        return result or a - b

    return sorted(rowids, key=functools.cmp_to_key(compare))


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
