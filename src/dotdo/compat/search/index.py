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
from . import settings as index_settings
from .filters import Filter, FilterError, fields_of, json_path, to_sql
from .text import crop, fold, mark, within_distance, words

SCHEMA = """
CREATE TABLE IF NOT EXISTS search_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS search_docs (rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, doc TEXT NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS search_text USING fts5(content, tokenize='unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE IF NOT EXISTS search_vocab USING fts5vocab(search_text, 'row');
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


class SearchIndex(DO):
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

    def create(self, uid: str, primary_key: str | None = None, *, any_string_ids: bool = False) -> dict[str, Any]:
        """Create the index; `SearchError("index_already_exists")` if it exists.

        `any_string_ids` lets document ids be any string of up to 512 bytes (Algolia's objectIDs) rather
        than Meilisearch's letters, digits, `-` and `_`.
        """
        if self.exists():
            raise SearchError("index_already_exists", f"Index `{uid}` already exists.")
        now = time.time()
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
        self, documents: list[dict[str, Any]], primary_key: str | None = None, *, partial: bool = False
    ) -> dict[str, Any]:
        """Add or replace documents (or, `partial`, merge their fields into the stored ones); all or none.

        Returns {"indexed": n, "primaryKey": key}.
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
        self.put(checked)
        return {"indexed": len(checked), "primaryKey": key}

    def put(self, documents: dict[str, dict[str, Any]]) -> None:
        """Store each document under its id (replacing one stored there) and index its text.

        The ids and documents are taken as they are: the layers check them first (`add` checks
        Meilisearch's rules; another engine has its own).
        """
        self._require()
        searchable = self._meta("settings")["searchableAttributes"]
        sql = self.storage.sql
        for doc_id, doc in documents.items():
            text = json.dumps(doc, ensure_ascii=False, allow_nan=False)
            old = sql.exec("SELECT rowid FROM search_docs WHERE id = ?", doc_id).to_list()
            if old:
                rowid = old[0]["rowid"]
                sql.exec("UPDATE search_docs SET doc = ? WHERE rowid = ?", text, rowid)
                sql.exec("DELETE FROM search_text WHERE rowid = ?", rowid)
            else:
                rowid = sql.exec("INSERT INTO search_docs(id, doc) VALUES (?, ?) RETURNING rowid", doc_id, text).one()[
                    "rowid"
                ]
            sql.exec("INSERT INTO search_text(rowid, content) VALUES (?, ?)", rowid, self._content(doc, searchable))
        self._touch()

    def get(self, doc_id: str) -> dict[str, Any] | None:
        """The document with id `doc_id`, or None."""
        rows = self.storage.sql.exec("SELECT doc FROM search_docs WHERE id = ?", str(doc_id)).to_list()
        return json.loads(rows[0]["doc"]) if rows else None

    def documents(
        self, offset: int = 0, limit: int = 20, filter: Filter | None = None, ids: list[str] | None = None
    ) -> dict[str, Any]:
        """A page of documents in insertion order: {"results": [...], "total": n}."""
        self._require()
        condition, bindings = self._where(filter)
        if ids is not None:
            condition += " AND id IN (SELECT value FROM json_each(?))"
            bindings.append(json.dumps([str(i) for i in ids]))
        total = self.storage.sql.exec(f"SELECT count(*) AS n FROM search_docs d WHERE {condition}", *bindings).one()[
            "n"
        ]
        rows = self.storage.sql.exec(
            f"SELECT doc FROM search_docs d WHERE {condition} ORDER BY rowid LIMIT ? OFFSET ?", *bindings, limit, offset
        ).to_list()
        return {"results": [json.loads(row["doc"]) for row in rows], "total": total}

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

    def _match(self, groups: list[str]) -> list[tuple[int, float]]:
        query = " AND ".join(f"({group})" for group in groups)
        rows = self.storage.sql.exec(
            "SELECT rowid, bm25(search_text) AS score FROM search_text WHERE search_text MATCH ?", query
        )
        return [(row["rowid"], row["score"]) for row in rows]

    def search(self, query: SearchQuery) -> dict[str, Any]:
        """The hits of `query`: {"hits", "total", "facets", "facetStats", "offset", "limit", "processingTimeMs"}."""
        started = time.perf_counter()
        self._require()
        settings = self.settings()
        self._check_attributes(query, settings)
        stop_words = {fold(w) for w in settings["stopWords"]}
        query_words = words(query.q)[:_MAX_WORDS]
        kept = [w for w in query_words if w not in stop_words] or query_words
        prefix_last = query.prefix and bool(query.q) and not query.q[-1].isspace()
        candidates: dict[int, _Candidate] | None = None
        highlighted: set[str] = set()
        prefixes: set[str] = set()
        if kept:
            candidates = {}
            exact_groups, typo_groups = [], []
            for position, word in enumerate(kept):
                exact, typos = self._variants(word, settings, query)
                is_prefix = prefix_last and position == len(kept) - 1 and word == query_words[-1]
                terms = [_fts_term(v, prefix=is_prefix and v == word) for v in exact]
                exact_groups.append(" OR ".join(terms))
                typo_groups.append(" OR ".join(terms + [_fts_term(t) for t in sorted(typos)]))
                highlighted.update(w for v in exact for w in v.split())
                highlighted.update(typos)
                if is_prefix:
                    prefixes.add(word)
            shortest = 1 if query.matching_strategy == "last" else len(kept)
            for size in range(len(kept), shortest - 1, -1):
                exact_ids = {rowid for rowid, _ in self._match(exact_groups[:size])}
                for rowid, score in self._match(typo_groups[:size]):
                    if rowid not in candidates:
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
        ordered = self._rank(rowids, candidates or {}, query, settings, needed)
        total = len(rowids)
        if distinct:
            ordered = self._distinct(ordered, distinct)
            total = len(ordered)
        narrowed = candidates is not None or query.filter is not None
        facets, stats = self._facets(rowids if narrowed else None, query.facets, settings)
        page = ordered[query.offset : query.offset + query.limit] if query.limit > 0 else []
        hits = self._hits(page, query, settings, highlighted, prefixes)
        return {
            "hits": hits,
            "total": total,
            "facets": facets,
            "facetStats": stats,
            "offset": query.offset,
            "limit": query.limit,
            "processingTimeMs": int((time.perf_counter() - started) * 1000),
        }

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

    def _rank(
        self,
        rowids: list[int],
        candidates: dict[int, _Candidate],
        query: SearchQuery,
        settings: dict[str, Any],
        needed: int | None,
    ) -> list[int]:
        """`rowids` best first (only the first `needed` of them when it is given)."""
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
        if not keys:
            return rowids if needed is None else rowids[:needed]
        if (
            len(keys) <= 3
            and not query.sort
            and not any(index_settings.custom_rule(r) for r in settings["rankingRules"])
        ):
            # Relevance only (words, typos, BM25): numbers that are never missing, compared as tuples.
            tables = [values for values, _ in keys]

            def relevance(rowid: int) -> tuple[Any, ...]:
                return (*(table[rowid] for table in tables), rowid)

            if needed is not None and needed < len(rowids):
                return heapq.nsmallest(needed, rowids, key=relevance)
            return sorted(rowids, key=relevance)

        def compare(a: int, b: int) -> int:
            for values, ascending in keys:
                result = _compare_values(values.get(a), values.get(b), ascending)
                if result:
                    return result
            return a - b

        return sorted(rowids, key=functools.cmp_to_key(compare))

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
        self, rowids: list[int] | None, names: list[str], settings: dict[str, Any]
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
            facets[name] = dict(sorted(counts.items())[:limit])
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


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
