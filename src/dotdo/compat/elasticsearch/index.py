"""`ElasticIndex`: one Elasticsearch index of one tenant as one durable object, on the search core.

The documents, their full-text index (the text fields' words, in FTS5) and the index's metadata are
the search core's tables; this class adds what Elasticsearch keeps per document (`_version`,
`_seq_no`, `_primary_term`, as rows of `es_versions`), the mappings, and the Query DSL. Every write
of a request (a `_bulk` of many documents) is checked and applied in one turn of the object, so a
conditional write (`if_seq_no`) cannot interleave with another and a batch commits once.
Each request that changes documents sends one `ElasticIndex.written` event (the ids created,
updated and deleted), and creating or deleting the index sends `ElasticIndex.created`/`deleted`.
Dense vectors stay in the documents here; the layer also writes them to vector collections, and a
write returns the vector changes it made for that.
"""

from __future__ import annotations

import functools
import json
import secrets
import time
from typing import Any

from ..search import SearchIndex
from ..search.filters import FilterError, to_sql
from ..search.text import crop, mark, within_distance, words
from . import aggregations, matching, scripts
from . import query_dsl as dsl
from .errors import ElasticError, illegal_argument
from .mappings import NUMERIC, Mappings, check_mapping, field_values, merge, source_values, typed
from .search_body import SearchBody, SortKey

SCHEMA = """
CREATE TABLE IF NOT EXISTS es_versions (
    id TEXT PRIMARY KEY, version INTEGER NOT NULL, seq_no INTEGER NOT NULL, deleted INTEGER NOT NULL DEFAULT 0);
"""
PRIMARY_TERM = 1
MEAN_LENGTH_SAMPLE = 500
"""How many matching documents give a field's mean length for BM25."""
VERSION = "9.1.0"


def _uuid() -> str:
    return secrets.token_urlsafe(16)[:22]


def deep_merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """`base` with `changes` merged in, objects merged field by field (as a partial update merges)."""
    merged = dict(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


class ElasticIndex(SearchIndex):
    """The documents, versions, mappings and settings of one Elasticsearch index."""

    async def on_start(self) -> None:
        await super().on_start()
        self.storage.sql.exec(SCHEMA)

    # -- the index ----------------------------------------------------------------------------------

    def open(self, name: str, settings: dict[str, Any], mappings: dict[str, Any]) -> dict[str, Any]:
        """Create the index; `resource_already_exists_exception` if it exists."""
        if self.exists():
            raise ElasticError(
                400,
                "resource_already_exists_exception",
                f"index [{name}/{self._meta('es_uuid')}] already exists",
                {"index_uuid": self._meta("es_uuid"), "index": name},
            )
        check_mapping(mappings.get("properties", {}))
        self.create(name, None)
        self.update_settings({"searchableAttributes": _searchable(Mappings(mappings))})
        self._set_meta("es_uuid", _uuid())
        self._set_meta("es_mappings", mappings)
        index_settings = settings.get("index", settings)
        self._set_meta(
            "es_settings",
            {
                "number_of_shards": str(index_settings.get("number_of_shards", 1)),
                "number_of_replicas": str(index_settings.get("number_of_replicas", 1)),
            },
        )
        self._set_meta("es_seq_no", -1)
        self.ctx.send("ElasticIndex.created", {"index": name, "uuid": self._meta("es_uuid")})
        return {"acknowledged": True, "shards_acknowledged": True, "index": name}

    def drop(self) -> None:
        """Delete the index with its documents, versions and mappings."""
        name = self._meta("uid")
        super().drop()
        self.ctx.send("ElasticIndex.deleted", {"index": name})
        self.storage.sql.exec("DELETE FROM es_versions")

    def _mappings(self) -> Mappings:
        return Mappings(self._meta("es_mappings") or {})

    def describe(self) -> dict[str, Any]:
        """What `GET /<index>` shows: aliases, mappings, settings."""
        self._require()
        created = self.info()["createdAt"]
        return {
            "aliases": {},
            "mappings": self._meta("es_mappings"),
            "settings": {
                "index": {
                    **self._meta("es_settings"),
                    "uuid": self._meta("es_uuid"),
                    "provided_name": self._meta("uid"),
                    "creation_date": str(int(created * 1000)),
                    "version": {"created": "9009000"},
                }
            },
        }

    def stats(self) -> dict[str, Any]:
        """Document count and uuid (what `_cat/indices` lists)."""
        self._require()
        return {"uuid": self._meta("es_uuid"), "docs": self.info()["numberOfDocuments"]}

    def put_mapping(self, mapping: dict[str, Any]) -> dict[str, Any]:
        """Add fields to the mapping (a field's type cannot change)."""
        self._require()
        properties = mapping.get("properties", {})
        check_mapping(properties)
        current = self._meta("es_mappings") or {}
        updated = {**current, **{k: v for k, v in mapping.items() if k != "properties"}}
        updated["properties"] = merge(current.get("properties", {}), properties)
        self._save_mappings(updated)
        return {"acknowledged": True}

    def _save_mappings(self, mapping: dict[str, Any]) -> Mappings:
        self._set_meta("es_mappings", mapping)
        view = Mappings(mapping)
        sources = _searchable(view)
        if self.settings()["searchableAttributes"] != sources:
            self.update_settings({"searchableAttributes": sources})
        return view

    # -- documents ----------------------------------------------------------------------------------

    def _version(self, doc_id: str, state: _WriteState | None = None) -> dict[str, Any] | None:
        if state is not None and doc_id in state.versions:
            return state.versions[doc_id]
        rows = self.storage.sql.exec("SELECT * FROM es_versions WHERE id = ?", doc_id).to_list()
        return rows[0] if rows else None

    def _flush(self, state: _WriteState) -> None:
        """Store the batch's documents, versions and sequence number (one statement per row, not per lookup)."""
        if state.pending:
            self.put(state.pending)
            state.pending = {}
        for doc_id, row in state.versions.items():
            self.storage.sql.exec(
                "INSERT OR REPLACE INTO es_versions (id, version, seq_no, deleted) VALUES (?, ?, ?, ?)",
                doc_id,
                row["version"],
                row["seq_no"],
                row["deleted"],
            )
        state.versions = {}
        self._set_meta("es_seq_no", state.seq_no)

    def get_document(self, doc_id: str) -> dict[str, Any] | None:
        """The stored document with its version fields, or None."""
        self._require()
        version = self._version(doc_id)
        source = self.get(doc_id)
        if version is None or version["deleted"] or source is None:
            return None
        return {
            "_id": doc_id,
            "_version": version["version"],
            "_seq_no": version["seq_no"],
            "_primary_term": PRIMARY_TERM,
            "_source": source,
        }

    def get_documents(self, ids: list[str]) -> list[dict[str, Any] | None]:
        """`get_document` for each id, in order."""
        return [self.get_document(doc_id) for doc_id in ids]

    def write(self, operations: list[dict[str, Any]]) -> dict[str, Any]:
        """Apply `_bulk`-style operations in order; each one's result or error, and the vector changes made.

        An operation is `{"op": "index"|"create"|"update"|"delete", "id", "source" | "update",
        "if_seq_no", "if_primary_term"}`. Returns `{"items": [...], "vectors": {field: {id: vector|None}}}`.
        """
        self._require()
        last = self._meta("es_seq_no")
        state = _WriteState(self._mappings(), {}, -1 if last is None else last)
        items = []
        for operation in operations:
            try:
                items.append(self._apply(operation, state))
            except ElasticError as exc:
                items.append({"_id": operation.get("id"), "status": exc.status, "error": exc.cause()})
        self._flush(state)
        written: dict[str, list[str]] = {"created": [], "updated": [], "deleted": []}
        for item in items:
            if item.get("result") in written:
                written[item["result"]].append(item["_id"])
        if any(written.values()):
            # One event per request, not per document: a bulk of thousands stays one row of the event log.
            self.ctx.send("ElasticIndex.written", {"index": self._meta("uid"), **written})
        return {"items": items, "vectors": state.vectors, "mappings_changed": state.mappings_changed}

    def _check_condition(self, operation: dict[str, Any], doc_id: str, current: dict[str, Any] | None) -> None:
        wanted = operation.get("if_seq_no")
        if wanted is None:
            return
        term = operation.get("if_primary_term", PRIMARY_TERM)
        if current is None or current["deleted"]:
            raise self._conflict(
                doc_id,
                f"[{doc_id}]: version conflict, required seqNo [{wanted}], primary term [{term}] but no document "
                "was found",
            )
        if current["seq_no"] != wanted or term != PRIMARY_TERM:
            raise self._conflict(
                doc_id,
                f"[{doc_id}]: version conflict, required seqNo [{wanted}], primary term [{term}]. current document "
                f"has seqNo [{current['seq_no']}] and primary term [{PRIMARY_TERM}]",
            )

    def _conflict(self, doc_id: str, reason: str) -> ElasticError:
        name = self._meta("uid")
        return ElasticError(
            409,
            "version_conflict_engine_exception",
            reason,
            {"index_uuid": self._meta("es_uuid"), "shard": "0", "index": name},
        )

    def _apply(self, operation: dict[str, Any], state: _WriteState) -> dict[str, Any]:
        op, doc_id = operation["op"], operation["id"]
        current = self._version(doc_id, state)
        live = current is not None and not current["deleted"]
        self._check_condition(operation, doc_id, current)
        if op == "delete":
            if current is None or not live:
                seq_no = state.next_seq_no()
                return self._result(doc_id, (current["version"] if current else 0) + 1, seq_no, "not_found", 404)
            state.pending.pop(doc_id, None)
            self.delete([doc_id])
            version = current["version"] + 1
            seq_no = state.next_seq_no()
            state.versions[doc_id] = {"version": version, "seq_no": seq_no, "deleted": 1}
            for name in state.mappings.vectors():
                state.vectors.setdefault(name, {})[doc_id] = None
            return self._result(doc_id, version, seq_no, "deleted", 200)
        if op == "create" and current is not None and live:
            raise self._conflict(
                doc_id,
                f"[{doc_id}]: version conflict, document already exists (current version [{current['version']}])",
            )
        if op == "update":
            return self._update(doc_id, operation["update"], current if live else None, state)
        source = operation["source"]
        if not isinstance(source, dict):
            raise ElasticError(400, "document_parsing_exception", "[1:1] the document must be a JSON object")
        return self._store(doc_id, source, current, state)

    def _store(
        self, doc_id: str, source: dict[str, Any], current: dict[str, Any] | None, state: _WriteState
    ) -> dict[str, Any]:
        added = state.mappings.learn(source, doc_id)
        if added is not None:
            mapping = dict(self._meta("es_mappings") or {})
            mapping["properties"] = merge(mapping.get("properties", {}), added)
            state.mappings = self._save_mappings(mapping)
            state.mappings_changed = True
        state.pending[doc_id] = source
        live = current is not None and not current["deleted"]
        version = current["version"] + 1 if current is not None else 1
        seq_no = state.next_seq_no()
        state.versions[doc_id] = {"version": version, "seq_no": seq_no, "deleted": 0}
        vector_fields = state.mappings.vectors()
        if vector_fields:
            sources = {f.source for f in vector_fields.values()}
            payload = {**{k: v for k, v in source.items() if k not in sources}, "_id": doc_id}
            for name, vector_field in vector_fields.items():
                value = source_values(source, vector_field.source)
                change = {"vector": value, "payload": payload} if value else None
                state.vectors.setdefault(name, {})[doc_id] = change
        return self._result(doc_id, version, seq_no, "updated" if live else "created", 200 if live else 201)

    def _update(
        self, doc_id: str, request: dict[str, Any], current: dict[str, Any] | None, state: _WriteState
    ) -> dict[str, Any]:
        script = request.get("script")
        if current is None:
            if "upsert" in request:
                upsert = request["upsert"]
                if script is not None and request.get("scripted_upsert"):
                    source, params = scripts.check(script)
                    upsert, _ = scripts.run(source, params, upsert)
                return self._store(doc_id, upsert, self._version(doc_id, state), state)
            if request.get("doc_as_upsert") and isinstance(request.get("doc"), dict):
                return self._store(doc_id, request["doc"], self._version(doc_id, state), state)
            name = self._meta("uid")
            raise ElasticError(
                404,
                "document_missing_exception",
                f"[{doc_id}]: document missing",
                {"index_uuid": self._meta("es_uuid"), "shard": "0", "index": name},
            )
        stored = state.pending.get(doc_id) or self.get(doc_id) or {}
        if script is not None:
            source, params = scripts.check(script)
            updated, op = scripts.run(source, params, stored)
            if op == "delete":
                result = self._apply({"op": "delete", "id": doc_id}, state)
                return result
            if op == "noop":
                return self._result(doc_id, current["version"], current["seq_no"], "noop", 200)
        elif isinstance(request.get("doc"), dict):
            updated = deep_merge(stored, request["doc"])
            if request.get("detect_noop", True) and updated == stored:
                return self._result(doc_id, current["version"], current["seq_no"], "noop", 200)
        else:
            raise ElasticError(
                400, "action_request_validation_exception", "Validation Failed: 1: script or doc is missing;"
            )
        return self._store(doc_id, updated, current, state)

    def _result(self, doc_id: str, version: int, seq_no: int, result: str, status: int) -> dict[str, Any]:
        return {
            "_index": self._meta("uid"),
            "_id": doc_id,
            "_version": version,
            "result": result,
            "_shards": {"total": 1, "successful": 1, "failed": 0},
            "_seq_no": seq_no,
            "_primary_term": PRIMARY_TERM,
            "status": status,
        }

    # -- queries ------------------------------------------------------------------------------------

    def _variants(self, word: str, edits: int) -> list[str]:
        rows = self.storage.sql.exec(
            "SELECT term FROM search_vocab WHERE length(term) BETWEEN ? AND ?", len(word) - edits, len(word) + edits
        )
        return [row["term"] for row in rows if row["term"] != word and within_distance(word, row["term"], edits)]

    def _candidates(self, query: dsl.Query, mappings: Mappings, extra_ids: list[str]) -> list[dict[str, Any]]:
        """The rows (rowid, id, doc) that may match `query`, plus those of `extra_ids`."""
        conditions, bindings = [], []
        narrowing = matching.sql_filter(query, mappings)
        if narrowing is not None:
            try:
                condition, values = to_sql(narrowing)
                conditions.append(condition)
                bindings.extend(values)
            except FilterError:
                pass
        expression = matching.fts_expression(query, mappings, self._variants)
        if expression:
            conditions.append("d.rowid IN (SELECT rowid FROM search_text WHERE search_text MATCH ?)")
            bindings.append(expression)
        if isinstance(query, dsl.MatchNone):
            conditions.append("0")
        where = " AND ".join(f"({c})" for c in conditions) or "1"
        if extra_ids:
            where = f"({where}) OR d.id IN (SELECT value FROM json_each(?))"
            bindings.append(json.dumps(extra_ids))
        return self.storage.sql.exec(
            f"SELECT d.rowid AS rowid, d.id AS id, d.doc AS doc FROM search_docs d WHERE {where} ORDER BY d.rowid",
            *bindings,
        ).to_list()

    def _statistics(self, documents: list[dict[str, Any]], mappings: Mappings) -> matching.Statistics:
        count = self.storage.sql.exec("SELECT count(*) AS n FROM search_docs").one()["n"]

        def frequency(word: str) -> int:
            rows = self.storage.sql.exec("SELECT doc FROM search_vocab WHERE term = ?", word).to_list()
            return rows[0]["doc"] if rows else 0

        @functools.cache
        def mean_length(source: str) -> float:
            # A sample gives the mean closely enough, at a fixed cost however many documents match.
            lengths = [
                sum(len(words(v)) for v in source_values(d, source) if isinstance(v, str))
                for d in documents[:MEAN_LENGTH_SAMPLE]
            ]
            lengths = [n for n in lengths if n]
            return sum(lengths) / len(lengths) if lengths else 1.0

        return matching.Statistics(count, frequency, mean_length)

    def _matches(
        self, query: dsl.Query, knn: dict[str, float] | None = None
    ) -> tuple[Mappings, list[tuple[int, str, dict[str, Any], float]]]:
        """Every document `query` (or the knn scores) matches: (rowid, id, document, score), in stored order."""
        self._require()
        mappings = self._mappings()
        rows = self._candidates(query, mappings, list(knn or ()))
        documents = [(row["rowid"], row["id"], json.loads(row["doc"])) for row in rows]
        scorer = matching.Scorer(query, mappings, self._statistics([d for _, _, d in documents], mappings))
        matched = []
        for rowid, doc_id, document in documents:
            score = scorer.score(doc_id, document)
            if knn and doc_id in knn:
                score = (score or 0.0) + knn[doc_id]
            if score is not None:
                matched.append((rowid, doc_id, document, score))
        return mappings, matched

    def _text_matches(self, query: dsl.Query, mappings: Mappings) -> list[tuple[int, str, Any, float]] | None:
        """The matches of `match_all` or of a query FTS5 answers exactly (`fts_exact`, BM25 scores), unread."""
        if isinstance(query, dsl.MatchAll):
            rows = self.storage.sql.exec("SELECT rowid, id FROM search_docs ORDER BY rowid")
            return [(row["rowid"], row["id"], None, query.boost) for row in rows]
        expression = matching.fts_exact(query, mappings)
        if expression is None:
            return None
        rows = self.storage.sql.exec(
            "SELECT search_text.rowid AS rowid, d.id AS id, bm25(search_text) AS score FROM search_text "
            "JOIN search_docs d ON d.rowid = search_text.rowid WHERE search_text MATCH ? ORDER BY search_text.rowid",
            expression,
        )
        return [(row["rowid"], row["id"], None, -row["score"]) for row in rows]

    def _load(self, matched: list[tuple[int, str, Any, float]]) -> list[tuple[int, str, Any, float]]:
        """`matched` with the documents read where they were not."""
        missing = [rowid for rowid, _, document, _ in matched if document is None]
        if not missing:
            return matched
        rows = self.storage.sql.exec(
            "SELECT rowid, doc FROM search_docs WHERE rowid IN (SELECT value FROM json_each(?))", json.dumps(missing)
        )
        documents = {row["rowid"]: json.loads(row["doc"]) for row in rows}
        return [(r, i, d if d is not None else documents[r], s) for r, i, d, s in matched]

    def matching_ids(self, query: dsl.Query) -> list[str]:
        """The ids of every document `query` matches."""
        return [doc_id for _, doc_id, _, _ in self._matches(query)[1]]

    def count(self, query: dsl.Query) -> int:
        """How many documents `query` matches."""
        self._require()
        fast = self._text_matches(query, self._mappings())
        return len(fast) if fast is not None else len(self._matches(query)[1])

    def search(self, body: SearchBody, knn: dict[str, float] | None = None) -> dict[str, Any]:
        """The hits, total and aggregations of a search (`knn`: ids and the scores their vectors add)."""
        started = time.perf_counter()
        query = body.query if body.has_query or not body.knn else dsl.MatchNone()
        self._require()
        fast = None if knn else self._text_matches(query, self._mappings())
        if fast is None:
            mappings, matched = self._matches(query, knn)
        else:
            mappings = self._mappings()
            needs_documents = body.aggs or body.sort or body.post_filter is not None
            matched = self._load(fast) if needs_documents else fast
        if body.min_score is not None:
            matched = [m for m in matched if m[3] >= body.min_score]
        aggs = aggregations.compute(body.aggs, [m[2] for m in matched], mappings) if body.aggs else None
        if body.post_filter is not None:
            post = matching.Scorer(body.post_filter, mappings, self._statistics([], mappings))
            matched = [m for m in matched if post.score(m[1], m[2]) is not None]
        sort = body.sort
        keyed = [(m, self._sort_values(m, sort, mappings)) for m in matched]
        if sort:
            keyed.sort(key=functools.cmp_to_key(lambda a, b: compare_keys(a[1], b[1], sort) or a[0][0] - b[0][0]))
        else:
            keyed.sort(key=lambda item: (-item[0][3], item[0][0]))
        if body.search_after is not None:
            after = list(body.search_after)
            keyed = [item for item in keyed if compare_keys(item[1], after, sort) > 0]
        page = keyed[body.offset : body.offset + body.size]
        loaded = self._load([match for match, _ in page])
        page = [(match, values) for match, (_, values) in zip(loaded, page, strict=True)]
        highlight = matching.highlighter(body.query, mappings) if body.highlight else None
        hits = []
        for (_, doc_id, document, score), values in page:
            hit: dict[str, Any] = {"_index": self._meta("uid"), "_id": doc_id}
            hit["_score"] = score if not sort or body.track_scores or any(k.field == "_score" for k in sort) else None
            if body.version or body.seq_no_primary_term:
                version = self._version(doc_id) or {"version": 1, "seq_no": 0}
                if body.version:
                    hit["_version"] = version["version"]
                if body.seq_no_primary_term:
                    hit["_seq_no"], hit["_primary_term"] = version["seq_no"], PRIMARY_TERM
            if body.source.enabled:
                hit["_source"] = (
                    matching.source_filter(document, list(body.source.includes), list(body.source.excludes))
                    if body.source.includes or body.source.excludes
                    else document
                )
            if highlight is not None and body.highlight is not None:
                fragments = self._highlight(document, body, mappings, highlight)
                if fragments:
                    hit["highlight"] = fragments
            if sort:
                hit["sort"] = values
            hits.append(hit)
        total = len(matched)
        limit = body.track_total_hits
        if limit is True or (not isinstance(limit, bool) and total <= limit):
            shown_total = {"value": total, "relation": "eq"}
        elif limit is False:
            shown_total = None
        else:
            shown_total = {"value": int(limit), "relation": "gte"}
        scores = [m[3] for m in matched]
        result: dict[str, Any] = {
            "took": int((time.perf_counter() - started) * 1000),
            "total": shown_total,
            "max_score": max(scores) if scores and not sort else None,
            "hits": hits,
        }
        if aggs is not None:
            result["aggregations"] = aggs
        return result

    def _sort_values(
        self, match: tuple[int, str, dict[str, Any], float], sort: tuple[SortKey, ...], mappings: Mappings
    ) -> list[Any]:
        values = []
        for key in sort:
            if key.field == "_score":
                values.append(match[3])
                continue
            if key.field == "_doc":
                values.append(match[0])
                continue
            found = mappings.field(key.field)
            if found is None:
                if key.unmapped_type is None:
                    raise ElasticError(
                        400, "query_shard_exception", f"No mapping found for [{key.field}] in order to sort on"
                    )
                values.append(None)
                continue
            if found.type in dsl.TEXT_TYPES:
                raise illegal_argument(
                    f"Fielddata is disabled on [{found.name}] in [{self._meta('uid')}]. Text fields are not optimised "
                    "for operations that require per-document field data like aggregations and sorting, so these "
                    "operations are disabled by default. Please use a keyword field instead."
                )
            present = field_values(match[2], found)
            if not present and key.missing not in ("_first", "_last"):
                present = [v for v in (typed(found.type, key.missing),) if v is not None]
            if not present:
                values.append(None)
                continue
            chosen = max(present) if key.descending else min(present)
            if isinstance(chosen, bool):
                chosen = 1 if chosen else 0
            elif found.type in NUMERIC - {"double", "float", "half_float", "scaled_float"} or found.type == "date":
                chosen = int(chosen)
            values.append(chosen)
        return values

    def _highlight(
        self, document: dict[str, Any], body: SearchBody, mappings: Mappings, matches: Any
    ) -> dict[str, list[str]]:
        spec = body.highlight
        assert spec is not None
        fragments: dict[str, list[str]] = {}
        for pattern in spec.fields:
            for found in mappings.matching(pattern):
                shown = []
                for value in source_values(document, found.source):
                    if not isinstance(value, str):
                        continue

                    def hit(word: str, source: str = found.source) -> bool:
                        return matches(source, word)

                    if not any(hit(w) for w in words(value)):
                        continue
                    text = value
                    if spec.number_of_fragments and len(text) > spec.fragment_size:
                        text = crop(text, hit, max(1, spec.fragment_size // 6), "")
                    shown.append(mark(text, hit, spec.pre_tag, spec.post_tag))
                if shown:
                    fragments[found.name] = shown[: spec.number_of_fragments or None]
        return fragments

    # -- by query -----------------------------------------------------------------------------------

    def delete_by_query(self, query: dsl.Query) -> dict[str, Any]:
        """Delete every document `query` matches; {"deleted", "vectors"}."""
        ids = self.matching_ids(query)
        outcome = self.write([{"op": "delete", "id": doc_id} for doc_id in ids])
        return {"deleted": sum(1 for item in outcome["items"] if item.get("result") == "deleted"), **outcome}

    def update_by_query(self, query: dsl.Query, script: Any) -> dict[str, Any]:
        """Run `script` (or nothing: a re-index) on every document `query` matches; counts and vector changes."""
        ids = self.matching_ids(query)
        if script is None:
            operations = [{"op": "index", "id": i, "source": self.get(i)} for i in ids]
        else:
            scripts.check(script)
            operations = [{"op": "update", "id": i, "update": {"script": script}} for i in ids]
        outcome = self.write(operations)
        counts = {"updated": 0, "noops": 0, "deleted": 0}
        for item in outcome["items"]:
            if "error" in item:
                raise ElasticError(item["status"], item["error"]["type"], item["error"]["reason"])
            result = item["result"]
            counts["noops" if result == "noop" else "deleted" if result == "deleted" else "updated"] += 1
        return {**counts, "total": len(ids), **outcome}


def _searchable(mappings: Mappings) -> list[str]:
    """What the full-text index holds: the top-level fields holding text fields (all the text under them).

    Top-level, because a text field inside an array of objects is found only by walking the array.
    """
    return sorted({source.split(".")[0] for source in mappings.text_sources()})


class _WriteState:
    """What a batch of writes accumulates before it is stored: the current mappings, the documents and
    versions written, the last sequence number, and the vector changes by field and id."""

    def __init__(self, mappings: Mappings, vectors: dict[str, dict[str, Any]], seq_no: int) -> None:
        self.mappings = mappings
        self.vectors = vectors
        self.seq_no = seq_no
        self.pending: dict[str, dict[str, Any]] = {}
        self.versions: dict[str, dict[str, Any]] = {}
        self.mappings_changed = False

    def next_seq_no(self) -> int:
        """The next operation's sequence number."""
        self.seq_no += 1
        return self.seq_no


def compare_keys(a: list[Any], b: list[Any], sort: tuple[SortKey, ...]) -> int:
    """Order two hits' sort values under `sort` (negative: `a` first); missing values where `missing` puts them."""
    for left, right, key in zip(a, b, sort, strict=False):
        if left is None or right is None:
            if left is None and right is None:
                continue
            first = key.missing == "_first"
            return (-1 if first else 1) if left is None else (1 if first else -1)
        if type(left) is not type(right) and not (isinstance(left, int | float) and isinstance(right, int | float)):
            left, right = str(left), str(right)
        result = int(left > right) - int(left < right)  # type: ignore[operator]
        if result:
            return -result if key.descending else result
    return 0
