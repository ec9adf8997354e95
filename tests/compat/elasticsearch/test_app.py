"""Elasticsearch through its official Python client (`elasticsearch` 9) against `dotdo compat serve elasticsearch`."""

from __future__ import annotations

import base64
import json
import math
import random
import re
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from elasticsearch import (
    AuthenticationException,
    BadRequestError,
    ConflictError,
    Elasticsearch,
    NotFoundError,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dotdo.compat
from tests.compat.conftest import CompatServer, start_server, stop_server

WORDS = ["apple", "banana", "cherry", "delta", "echo", "forest", "garden", "harbor", "island", "jungle"]
CATEGORIES = ["books", "music", "film", "games"]
TAGS = ["red", "green", "blue", "new"]
MAPPINGS = {
    "properties": {
        "title": {"type": "text", "fields": {"keyword": {"type": "keyword"}}},
        "body": {"type": "text"},
        "category": {"type": "keyword"},
        "tags": {"type": "keyword"},
        "price": {"type": "long"},
        "rating": {"type": "double"},
        "published": {"type": "date"},
        "in_stock": {"type": "boolean"},
    }
}


def connect(server: CompatServer, access_key_id: str | None = None, secret: str | None = None) -> Elasticsearch:
    return dotdo.compat.elasticsearch.client(
        server.url,
        access_key_id=access_key_id or server.key.access_key_id,
        secret=secret or server.key.secret,
    )


def generate(count: int, seed: int) -> dict[str, dict[str, Any]]:
    rng = random.Random(seed)
    documents = {}
    for number in range(count):
        doc: dict[str, Any] = {
            "title": " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4))).capitalize(),
            "body": " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 8))),
            "category": rng.choice(CATEGORIES),
            "price": rng.randint(0, 100),
            "rating": round(rng.uniform(0, 5), 2),
            "published": f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "in_stock": rng.random() < 0.5,
        }
        tags = rng.sample(TAGS, rng.randint(0, 3))
        if tags:
            doc["tags"] = tags
        for optional in ("rating", "in_stock"):
            if rng.random() < 0.15:
                del doc[optional]
        documents[f"d{number}"] = doc
    return documents


DOCUMENTS = generate(240, seed=7)


@pytest.fixture(scope="module")
def es(elasticsearch_server: CompatServer) -> Elasticsearch:
    return connect(elasticsearch_server)


@pytest.fixture(scope="module")
def catalog(es: Elasticsearch) -> str:
    es.indices.create(index="catalog", mappings=MAPPINGS)
    operations: list[dict[str, Any]] = []
    for doc_id, doc in DOCUMENTS.items():
        operations += [{"index": {"_index": "catalog", "_id": doc_id}}, doc]
    result = es.bulk(operations=operations)
    assert not result["errors"]
    return "catalog"


def hit_ids(response: Any) -> list[str]:
    return [hit["_id"] for hit in response["hits"]["hits"]]


# -- the oracle: the same queries answered in plain Python over the generated documents -----------------


def tokens(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text.lower())


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance (Lucene's fuzzy queries count a swap as one edit)."""
    rows = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            rows[i][j] = min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                rows[i][j] = min(rows[i][j], rows[i - 2][j - 2] + 1)
    return rows[-1][-1]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


Oracle = Callable[[str, dict[str, Any]], bool]
Leaf = tuple[dict[str, Any], Oracle]


def leaves() -> st.SearchStrategy[Leaf]:
    word = st.sampled_from(WORDS)
    category = st.sampled_from(CATEGORIES)
    field = st.sampled_from(["title", "body"])

    def match(f: str, words: list[str], operator: str) -> Leaf:
        def oracle(_: str, d: dict[str, Any]) -> bool:
            present = set(tokens(d[f]))
            hits = [w in present for w in words]
            return all(hits) if operator == "and" else any(hits)

        return {"match": {f: {"query": " ".join(words), "operator": operator}}}, oracle

    def phrase(f: str, words: list[str]) -> Leaf:
        def oracle(_: str, d: dict[str, Any]) -> bool:
            found = tokens(d[f])
            return any(found[i : i + len(words)] == words for i in range(len(found)))

        return {"match_phrase": {f: " ".join(words)}}, oracle

    def fuzzy(f: str, w: str) -> Leaf:
        typo = w[0] + w[2] + w[1] + w[3:]  # two letters swapped: one edit
        return {"match": {f: {"query": typo, "fuzziness": "AUTO"}}}, lambda _, d: any(
            edit_distance(typo, t) <= (1 if len(typo) < 6 else 2) for t in tokens(d[f])
        )

    def multi(words: list[str]) -> Leaf:
        return {"multi_match": {"query": " ".join(words), "fields": ["title", "body"]}}, lambda _, d: any(
            w in tokens(d["title"]) + tokens(d["body"]) for w in words
        )

    def price_range(low: int, high: int) -> Leaf:
        return {"range": {"price": {"gte": low, "lt": high}}}, lambda _, d: low <= d["price"] < high

    def date_range(month: int) -> Leaf:
        bound = f"2024-{month:02d}-01"
        return {"range": {"published": {"gte": bound}}}, lambda _, d: d["published"] >= bound

    return st.one_of(
        st.builds(match, field, st.lists(word, min_size=1, max_size=3), st.sampled_from(["or", "and"])),
        st.builds(phrase, field, st.lists(word, min_size=2, max_size=2)),
        st.builds(fuzzy, field, word),
        st.builds(multi, st.lists(word, min_size=1, max_size=2)),
        category.map(lambda c: ({"term": {"category": c}}, lambda _, d: d["category"] == c)),
        st.lists(category, min_size=1, max_size=2).map(
            lambda cs: ({"terms": {"category": cs}}, lambda _, d: d["category"] in cs)
        ),
        st.sampled_from(TAGS).map(lambda t: ({"term": {"tags": t}}, lambda _, d: t in as_list(d.get("tags")))),
        st.builds(price_range, st.integers(0, 60), st.integers(40, 101)),
        st.builds(date_range, st.integers(1, 12)),
        st.sampled_from(["rating", "in_stock", "tags"]).map(
            lambda f: ({"exists": {"field": f}}, lambda _, d: bool(as_list(d.get(f))))
        ),
        st.booleans().map(lambda b: ({"term": {"in_stock": b}}, lambda _, d: d.get("in_stock") is b)),
        st.sampled_from(["bo", "mu", "g"]).map(
            lambda p: ({"prefix": {"category": p}}, lambda _, d: d["category"].startswith(p))
        ),
        st.sampled_from(["*s", "?ilm", "m*c"]).map(
            lambda p: (
                {"wildcard": {"category": p}},
                lambda _, d: re.fullmatch(p.replace("*", ".*").replace("?", "."), d["category"]) is not None,
            )
        ),
        st.lists(st.sampled_from(list(DOCUMENTS)), max_size=5).map(
            lambda ids: ({"ids": {"values": ids}}, lambda i, _: i in ids)
        ),
        word.map(
            lambda w: ({"prefix": {"title": w[:3]}}, lambda _, d: any(t.startswith(w[:3]) for t in tokens(d["title"])))
        ),
    )


def bools(children: st.SearchStrategy[Leaf]) -> st.SearchStrategy[Leaf]:
    def combine(must: list[Leaf], should: list[Leaf], filters: list[Leaf], must_not: list[Leaf]) -> Leaf:
        query = {
            "bool": {
                "must": [q for q, _ in must],
                "should": [q for q, _ in should],
                "filter": [q for q, _ in filters],
                "must_not": [q for q, _ in must_not],
            }
        }
        required = 1 if should and not (must or filters) else 0

        def oracle(i: str, d: dict[str, Any]) -> bool:
            return (
                all(o(i, d) for _, o in must + filters)
                and not any(o(i, d) for _, o in must_not)
                and sum(o(i, d) for _, o in should) >= required
            )

        return query, oracle

    small = st.lists(children, max_size=2)
    return st.builds(combine, small, small, small, small)


QUERIES = st.recursive(leaves(), bools, max_leaves=6)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=QUERIES)
def test_queries_match_what_a_python_oracle_finds(es: Elasticsearch, catalog: str, case: Leaf) -> None:
    query, oracle = case
    expected = {doc_id for doc_id, doc in DOCUMENTS.items() if oracle(doc_id, doc)}
    response = es.search(index=catalog, query=query, size=len(DOCUMENTS), _source=False)
    assert set(hit_ids(response)) == expected
    assert response["hits"]["total"] == {"value": len(expected), "relation": "eq"}
    assert es.count(index=catalog, query=query)["count"] == len(expected)


def test_full_text_ranks_documents_with_the_rarer_and_repeated_words_first(es: Elasticsearch) -> None:
    es.indices.create(index="ranking")
    es.bulk(
        operations=[
            {"index": {"_index": "ranking", "_id": "many"}},
            {"text": "zebra zebra zebra lion"},
            {"index": {"_index": "ranking", "_id": "one"}},
            {"text": "zebra lion tiger bear wolf fox"},
            {"index": {"_index": "ranking", "_id": "none"}},
            {"text": "lion tiger"},
        ]
    )
    response = es.search(index="ranking", query={"match": {"text": "zebra"}})
    assert hit_ids(response) == ["many", "one"]
    scores = [hit["_score"] for hit in response["hits"]["hits"]]
    assert scores[0] > scores[1] > 0 and response["hits"]["max_score"] == scores[0]


def test_sort_pagination_and_search_after_walk_the_oracle_order(es: Elasticsearch, catalog: str) -> None:
    expected = sorted(DOCUMENTS, key=lambda i: (-DOCUMENTS[i]["price"], DOCUMENTS[i]["published"], i))
    sort = [{"price": "desc"}, {"published": "asc"}, {"title.keyword": "asc"}]
    first = es.search(index=catalog, query={"match_all": {}}, sort=sort, size=20, from_=20)
    prices = [DOCUMENTS[i]["price"] for i in hit_ids(first)]
    assert prices == [DOCUMENTS[i]["price"] for i in expected[20:40]]
    assert all(hit["_score"] is None for hit in first["hits"]["hits"])
    seen: list[str] = []
    after = None
    while True:
        page = es.search(index=catalog, sort=sort, size=50, **({"search_after": after} if after else {}))
        hits = page["hits"]["hits"]
        if not hits:
            break
        seen += [hit["_id"] for hit in hits]
        after = hits[-1]["sort"]
    assert len(seen) == len(set(seen)) == len(DOCUMENTS)
    assert [DOCUMENTS[i]["price"] for i in seen] == [DOCUMENTS[i]["price"] for i in expected]
    missing_last = es.search(index=catalog, sort=[{"rating": {"order": "asc"}}], size=len(DOCUMENTS))["hits"]["hits"]
    assert [hit["sort"][0] is None for hit in missing_last] == sorted(hit["sort"][0] is None for hit in missing_last)


def test_source_filtering_and_highlight(es: Elasticsearch, catalog: str) -> None:
    response = es.search(
        index=catalog,
        query={"match": {"title": "banana"}},
        source_includes=["title", "price"],
        highlight={"fields": {"title": {}}, "pre_tags": ["<b>"], "post_tags": ["</b>"]},
        size=5,
    )
    for hit in response["hits"]["hits"]:
        assert set(hit["_source"]) == {"title", "price"}
        assert all("<b>" in fragment for fragment in hit["highlight"]["title"])
        assert re.search(r"<b>banana</b>", hit["highlight"]["title"][0], re.IGNORECASE)
    bare = es.search(index=catalog, source=False, size=1)
    assert "_source" not in bare["hits"]["hits"][0]
    excluded = es.search(index=catalog, source_excludes=["body"], size=1)["hits"]["hits"][0]["_source"]
    assert "body" not in excluded and "title" in excluded


def test_aggregations_match_the_oracle(es: Elasticsearch, catalog: str) -> None:
    response = es.search(
        index=catalog,
        size=0,
        query={"range": {"price": {"gte": 10}}},
        aggs={
            "by_category": {"terms": {"field": "category"}, "aggs": {"mean_price": {"avg": {"field": "price"}}}},
            "tags": {"terms": {"field": "tags", "size": 2}},
            "prices": {"range": {"field": "price", "ranges": [{"to": 50}, {"from": 50, "to": 80}, {"from": 80}]}},
            "histogram": {"histogram": {"field": "price", "interval": 25}},
            "monthly": {"date_histogram": {"field": "published", "calendar_interval": "month"}},
            "low": {"min": {"field": "price"}},
            "high": {"max": {"field": "rating"}},
            "mean": {"avg": {"field": "rating"}},
            "total": {"sum": {"field": "price"}},
            "ratings": {"value_count": {"field": "rating"}},
            "categories": {"cardinality": {"field": "category"}},
        },
    )
    matched = [d for d in DOCUMENTS.values() if d["price"] >= 10]
    aggs = response["aggregations"]
    assert response["hits"]["total"]["value"] == len(matched) and response["hits"]["hits"] == []
    counts = Counter(d["category"] for d in matched)
    buckets = aggs["by_category"]["buckets"]
    assert [(b["key"], b["doc_count"]) for b in buckets] == sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    for bucket in buckets:
        prices = [d["price"] for d in matched if d["category"] == bucket["key"]]
        assert bucket["mean_price"]["value"] == pytest.approx(sum(prices) / len(prices))
    tag_counts = Counter(t for d in matched for t in d.get("tags", []))
    top = sorted(tag_counts.items(), key=lambda kv: (-kv[1], kv[0]))
    assert [(b["key"], b["doc_count"]) for b in aggs["tags"]["buckets"]] == top[:2]
    assert aggs["tags"]["sum_other_doc_count"] == sum(n for _, n in top[2:])
    assert [b["doc_count"] for b in aggs["prices"]["buckets"]] == [
        sum(1 for d in matched if d["price"] < 50),
        sum(1 for d in matched if 50 <= d["price"] < 80),
        sum(1 for d in matched if d["price"] >= 80),
    ]
    assert aggs["prices"]["buckets"][0]["key"] == "*-50.0"
    histogram = {b["key"]: b["doc_count"] for b in aggs["histogram"]["buckets"]}
    assert histogram == dict(sorted(Counter(float(d["price"] // 25 * 25) for d in matched).items()))
    months = Counter(d["published"][:7] for d in matched)
    monthly = aggs["monthly"]["buckets"]
    assert {b["key_as_string"][:7]: b["doc_count"] for b in monthly} == dict(months)
    assert monthly[0]["key"] == int(
        datetime(2024, int(monthly[0]["key_as_string"][5:7]), 1, tzinfo=UTC).timestamp() * 1000
    )
    ratings = [d["rating"] for d in matched if "rating" in d]
    assert aggs["low"]["value"] == min(d["price"] for d in matched)
    assert aggs["high"]["value"] == max(ratings)
    assert aggs["mean"]["value"] == pytest.approx(sum(ratings) / len(ratings))
    assert aggs["total"]["value"] == sum(d["price"] for d in matched)
    assert aggs["ratings"]["value"] == len(ratings)
    assert aggs["categories"]["value"] == len(counts)
    with pytest.raises(BadRequestError) as raised:
        es.search(index=catalog, size=0, aggs={"t": {"terms": {"field": "title"}}})
    assert raised.value.error == "illegal_argument_exception" and "Fielddata is disabled" in str(raised.value.body)


def test_documents_are_indexed_read_updated_and_deleted_with_versions(es: Elasticsearch) -> None:
    created = es.index(index="crud", id="1", document={"title": "first", "views": 1, "meta": {"a": 1}})
    assert (created["result"], created["_version"], created.meta.status) == ("created", 1, 201)
    replaced = es.index(index="crud", id="1", document={"title": "second", "views": 1, "meta": {"a": 1}})
    assert (replaced["result"], replaced["_version"]) == ("updated", 2)
    assert replaced["_seq_no"] > created["_seq_no"] and replaced["_primary_term"] == 1
    got = es.get(index="crud", id="1")
    assert got["found"] and got["_source"]["title"] == "second" and got["_version"] == 2
    assert es.exists(index="crud", id="1") and not es.exists(index="crud", id="2")
    assert es.get_source(index="crud", id="1")["views"] == 1

    merged = es.update(index="crud", id="1", doc={"meta": {"b": 2}})
    assert merged["result"] == "updated" and es.get(index="crud", id="1")["_source"]["meta"] == {"a": 1, "b": 2}
    assert es.update(index="crud", id="1", doc={"meta": {"b": 2}})["result"] == "noop"
    es.update(
        index="crud",
        id="1",
        script={"source": "ctx._source.views += params.n; ctx._source.tags = params.t", "params": {"n": 4, "t": ["x"]}},
    )
    assert es.get(index="crud", id="1")["_source"]["views"] == 5
    es.update(index="crud", id="1", script={"source": "ctx._source.tags.add('y'); ctx._source.remove('meta')"})
    assert es.get(index="crud", id="1")["_source"] == {"title": "second", "views": 5, "tags": ["x", "y"]}
    upserted = es.update(index="crud", id="9", doc={"title": "new"}, doc_as_upsert=True)
    assert upserted["result"] == "created"
    with pytest.raises(NotFoundError) as missing:
        es.update(index="crud", id="404", doc={"a": 1})
    assert missing.value.error == "document_missing_exception"

    with pytest.raises(ConflictError) as conflict:
        es.create(index="crud", id="1", document={"title": "again"})
    assert conflict.value.error == "version_conflict_engine_exception"
    current = es.get(index="crud", id="1")
    es.index(index="crud", id="1", document={"title": "guarded"}, if_seq_no=current["_seq_no"], if_primary_term=1)
    with pytest.raises(ConflictError):
        es.index(index="crud", id="1", document={"title": "stale"}, if_seq_no=current["_seq_no"], if_primary_term=1)
    assert es.get(index="crud", id="1")["_source"] == {"title": "guarded"}

    automatic = es.index(index="crud", document={"title": "no id"})
    assert len(automatic["_id"]) == 20 and es.get(index="crud", id=automatic["_id"])["found"]

    deleted = es.delete(index="crud", id="1")
    assert deleted["result"] == "deleted"
    with pytest.raises(NotFoundError):
        es.get(index="crud", id="1")
    with pytest.raises(NotFoundError):
        es.delete(index="crud", id="1")
    docs = es.mget(index="crud", ids=["9", "1", automatic["_id"]])["docs"]
    assert [d["found"] for d in docs] == [True, False, True]
    assert es.mget(docs=[{"_index": "nope", "_id": "1"}])["docs"][0]["error"]["type"] == "index_not_found_exception"


def test_indices_are_created_described_mapped_and_deleted(es: Elasticsearch) -> None:
    es.indices.create(index="shop", mappings={"properties": {"name": {"type": "keyword"}}})
    assert es.indices.exists(index="shop")
    with pytest.raises(BadRequestError) as exists:
        es.indices.create(index="shop")
    assert exists.value.error == "resource_already_exists_exception"
    es.indices.put_mapping(index="shop", properties={"price": {"type": "double"}})
    es.index(index="shop", id="1", document={"name": "pen", "price": 2.5, "added": "2024-03-01", "note": "blue ink"})
    properties = es.indices.get_mapping(index="shop")["shop"]["mappings"]["properties"]
    assert properties["name"] == {"type": "keyword"} and properties["price"] == {"type": "double"}
    assert properties["added"]["type"] == "date"
    assert properties["note"]["type"] == "text" and properties["note"]["fields"]["keyword"]["type"] == "keyword"
    with pytest.raises(BadRequestError) as changed:
        es.indices.put_mapping(index="shop", properties={"price": {"type": "keyword"}})
    assert changed.value.error == "illegal_argument_exception"
    with pytest.raises(BadRequestError) as typed:
        es.index(index="shop", id="2", document={"price": "cheap"})
    assert typed.value.error == "document_parsing_exception"
    assert "shop" in es.indices.get_mapping() and es.indices.get_settings(index="sh*")["shop"]["settings"]["index"]
    described = es.indices.get(index="shop")["shop"]
    assert described["settings"]["index"]["number_of_shards"] == "1"
    assert es.indices.refresh(index="shop")["_shards"]["failed"] == 0
    assert "shop" in [row["index"] for row in es.cat.indices(format="json")]
    es.indices.delete(index="shop")
    assert not es.indices.exists(index="shop")
    with pytest.raises(NotFoundError) as gone:
        es.search(index="shop")
    assert gone.value.error == "index_not_found_exception"
    assert gone.value.body["error"]["root_cause"][0]["index"] == "shop" and gone.value.body["status"] == 404
    es.indices.create(index="strict", mappings={"dynamic": "strict", "properties": {"a": {"type": "long"}}})
    with pytest.raises(BadRequestError) as strict:
        es.index(index="strict", id="1", document={"b": 1})
    assert strict.value.error == "strict_dynamic_mapping_exception"


def test_bulk_answers_each_item_with_its_own_result_or_error(
    es: Elasticsearch, elasticsearch_server: CompatServer
) -> None:
    result = es.bulk(
        operations=[
            {"index": {"_index": "bulk", "_id": "a"}},
            {"n": 1},
            {"create": {"_index": "bulk", "_id": "a"}},
            {"n": 2},
            {"create": {"_index": "bulk"}},
            {"n": 3},
            {"update": {"_index": "bulk", "_id": "a"}},
            {"doc": {"m": 1}},
            {"update": {"_index": "bulk", "_id": "missing"}},
            {"doc": {"m": 1}},
            {"delete": {"_index": "bulk", "_id": "a"}},
            {"delete": {"_index": "other-missing", "_id": "x"}},
        ]
    )
    assert result["errors"] is True
    statuses = [(op, item["status"]) for entry in result["items"] for op, item in entry.items()]
    assert statuses == [
        ("index", 201),
        ("create", 409),
        ("create", 201),
        ("update", 200),
        ("update", 404),
        ("delete", 200),
        ("delete", 404),
    ]
    assert result["items"][1]["create"]["error"]["type"] == "version_conflict_engine_exception"
    assert result["items"][4]["update"]["error"]["type"] == "document_missing_exception"
    assert es.count(index="bulk")["count"] == 1
    automatic = es.bulk(operations=[{"index": {"_index": "bulk"}}, {"n": 9}])["items"][0]
    assert automatic["index"]["status"] == 201 and len(automatic["index"]["_id"]) == 20
    es.delete(index="bulk", id=automatic["index"]["_id"])
    same = es.bulk(
        index="bulk",
        operations=[
            {"index": {"_id": "x"}},
            {"v": 1},
            {"update": {"_id": "x"}},
            {"doc": {"w": 2}},
            {"delete": {"_id": "x"}},
            {"create": {"_id": "x"}},
            {"v": 3},
            {"update": {"_id": "x"}},
            {"script": "ctx._source.v += 1"},
        ],
    )
    assert [item["status"] for entry in same["items"] for item in entry.values()] == [201, 200, 200, 201, 200]
    assert [item["_version"] for entry in same["items"] for item in entry.values()] == [1, 2, 3, 4, 5]
    seq_nos = [item["_seq_no"] for entry in same["items"] for item in entry.values()]
    assert seq_nos == sorted(set(seq_nos))
    assert es.get(index="bulk", id="x")["_source"] == {"v": 4} and es.get(index="bulk", id="x")["_version"] == 5
    headers = _auth(elasticsearch_server)
    raw = (
        b'{"index": {"_index": "bulk", "_id": "b"}}\n{not json}\n{"index": {"_index": "bulk", "_id": "c"}}\n{"n": 4}\n'
    )
    answer = httpx.post(
        f"{elasticsearch_server.url}/_bulk", content=raw, headers={**headers, "content-type": "application/x-ndjson"}
    )
    items = answer.json()["items"]
    assert answer.status_code == 200 and items[0]["index"]["status"] == 400 and items[1]["index"]["status"] == 201
    broken = httpx.post(f"{elasticsearch_server.url}/_bulk", content=b'"oops"\n{}\n', headers=headers)
    assert broken.status_code == 400 and broken.json()["error"]["type"] == "illegal_argument_exception"
    unterminated = httpx.post(
        f"{elasticsearch_server.url}/_bulk", content=b'{"delete": {"_index": "bulk", "_id": "c"}}', headers=headers
    )
    assert unterminated.status_code == 400 and "terminated by a newline" in unterminated.json()["error"]["reason"]


def test_by_query_operations(es: Elasticsearch) -> None:
    es.bulk(
        operations=[
            item
            for n in range(20)
            for item in (
                {"index": {"_index": "byquery", "_id": str(n)}},
                {"n": n, "kind": "even" if n % 2 == 0 else "odd"},
            )
        ]
    )
    updated = es.update_by_query(
        index="byquery",
        query={"term": {"kind.keyword": "odd"}},
        script={"source": "ctx._source.n *= 10", "params": {}},
    )
    assert updated["updated"] == 10 and updated["total"] == 10
    assert (
        es.get(index="byquery", id="3")["_source"]["n"] == 30 and es.get(index="byquery", id="4")["_source"]["n"] == 4
    )
    deleted = es.delete_by_query(index="byquery", query={"range": {"n": {"gte": 10}}})
    assert deleted["deleted"] == 15  # the ten odd ones (now 10 to 190) and the even 10 to 18
    assert sorted(hit["_source"]["n"] for hit in es.search(index="byquery")["hits"]["hits"]) == [0, 2, 4, 6, 8]


def test_knn_search_finds_the_exact_nearest_vectors_with_and_without_filters(es: Elasticsearch) -> None:
    rng = random.Random(3)
    es.indices.create(
        index="vectors",
        mappings={
            "properties": {
                "embedding": {"type": "dense_vector", "dims": 8, "similarity": "cosine"},
                "group": {"type": "keyword"},
                "text": {"type": "text"},
            }
        },
    )
    vectors = {str(n): [rng.gauss(0, 1) for _ in range(8)] for n in range(150)}
    es.bulk(
        operations=[
            item
            for key, vector in vectors.items()
            for item in (
                {"index": {"_index": "vectors", "_id": key}},
                {
                    "embedding": vector,
                    "group": "a" if int(key) % 3 else "b",
                    "text": "alpha" if int(key) < 10 else "beta",
                },
            )
        ]
    )
    target = [rng.gauss(0, 1) for _ in range(8)]

    def cosine(v: list[float]) -> float:
        return sum(a * b for a, b in zip(v, target, strict=True)) / math.sqrt(
            sum(a * a for a in v) * sum(b * b for b in target)
        )

    exact = sorted(vectors, key=lambda k: -cosine(vectors[k]))
    found = es.search(index="vectors", knn={"field": "embedding", "query_vector": target, "k": 5, "num_candidates": 50})
    assert hit_ids(found) == exact[:5]
    assert found["hits"]["hits"][0]["_score"] == pytest.approx((1 + cosine(vectors[exact[0]])) / 2, rel=1e-4)
    in_b = [k for k in exact if int(k) % 3 == 0]
    filtered = es.search(
        index="vectors",
        knn={
            "field": "embedding",
            "query_vector": target,
            "k": 5,
            "num_candidates": 50,
            "filter": {"term": {"group": "b"}},
        },
    )
    assert hit_ids(filtered) == in_b[:5]
    hybrid = es.search(
        index="vectors",
        query={"match": {"text": "alpha"}},
        knn={"field": "embedding", "query_vector": target, "k": 3, "num_candidates": 10},
        size=20,
    )
    assert set(hit_ids(hybrid)) == set(exact[:3]) | {str(n) for n in range(10)}
    with pytest.raises(BadRequestError):
        es.search(index="vectors", knn={"field": "embedding", "query_vector": [1.0, 2.0], "k": 1, "num_candidates": 5})
    with pytest.raises(BadRequestError) as wrong:
        es.index(index="vectors", id="bad", document={"embedding": [1.0, 2.0]})
    assert wrong.value.error == "document_parsing_exception"
    es.indices.create(index="undeclared-dims", mappings={"properties": {"e": {"type": "dense_vector"}}})
    es.index(index="undeclared-dims", id="a", document={"e": [1.0, 0.0]})
    es.index(index="undeclared-dims", id="b", document={"e": [0.0, 1.0]})
    mapped = es.indices.get_mapping(index="undeclared-dims")["undeclared-dims"]["mappings"]["properties"]["e"]
    assert mapped["dims"] == 2
    near = es.search(
        index="undeclared-dims", knn={"field": "e", "query_vector": [0.1, 0.9], "k": 1, "num_candidates": 2}
    )
    assert hit_ids(near) == ["b"]
    es.delete(index="vectors", id=exact[0])
    again = es.search(index="vectors", knn={"field": "embedding", "query_vector": target, "k": 1, "num_candidates": 5})
    assert hit_ids(again) == [exact[1]]


def _auth(server: CompatServer, key_id: str | None = None, secret: str | None = None) -> dict[str, str]:
    token = base64.b64encode(f"{key_id or server.key.access_key_id}:{secret or server.key.secret}".encode()).decode()
    return {"authorization": f"ApiKey {token}"}


def test_tenants_are_isolated_and_keys_are_checked(es: Elasticsearch, elasticsearch_server: CompatServer) -> None:
    es.index(index="private", id="1", document={"secret": "default tenant"})
    other = elasticsearch_server.credentials().create("other", ["elasticsearch"])
    theirs = connect(elasticsearch_server, other.access_key_id, other.secret)
    with pytest.raises(NotFoundError):
        theirs.get(index="private", id="1")
    theirs.index(index="private", id="1", document={"secret": "other tenant"})
    assert es.get(index="private", id="1")["_source"]["secret"] == "default tenant"
    assert theirs.get(index="private", id="1")["_source"]["secret"] == "other tenant"
    assert "catalog" not in [row["index"] for row in theirs.cat.indices(format="json")]

    basic = Elasticsearch(elasticsearch_server.url, basic_auth=(other.access_key_id, other.secret or ""))
    assert basic.get(index="private", id="1")["_source"]["secret"] == "other tenant"
    with pytest.raises(AuthenticationException) as wrong:
        connect(elasticsearch_server, other.access_key_id, "not-the-secret").info()
    assert wrong.value.body["error"]["type"] == "security_exception"
    assert wrong.value.meta.headers["x-elastic-product"] == "Elasticsearch"
    s3_only = elasticsearch_server.credentials().create("other", ["s3"])
    with pytest.raises(AuthenticationException):
        connect(elasticsearch_server, s3_only.access_key_id, s3_only.secret).info()
    anonymous = httpx.get(f"{elasticsearch_server.url}/_search")
    assert anonymous.status_code == 401 and "missing authentication credentials" in anonymous.json()["error"]["reason"]


def test_hostile_input_is_answered_in_elasticsearch_error_shape(
    es: Elasticsearch, elasticsearch_server: CompatServer, catalog: str
) -> None:
    url, headers = elasticsearch_server.url, {**_auth(elasticsearch_server), "content-type": "application/json"}

    def error(response: httpx.Response, status: int, kind: str) -> dict[str, Any]:
        body = response.json()
        assert response.status_code == status and body["status"] == status, body
        assert body["error"]["type"] == kind and body["error"]["root_cause"][0]["type"] == kind
        assert response.headers["x-elastic-product"] == "Elasticsearch"
        return body

    error(
        httpx.post(f"{url}/{catalog}/_search", content=b"{not json", headers=headers), 400, "x_content_parse_exception"
    )
    error(
        httpx.post(f"{url}/{catalog}/_search", content=b'{"size": NaN}', headers=headers),
        400,
        "x_content_parse_exception",
    )
    deep_json = b'{"query": ' + b'{"bool": {"must": [' * 5000 + b"{}" + b"]}}" * 5000 + b"}"
    error(httpx.post(f"{url}/{catalog}/_search", content=deep_json, headers=headers), 400, "x_content_parse_exception")
    nested: dict[str, Any] = {"match_all": {}}
    for _ in range(40):
        nested = {"bool": {"must": [nested]}}
    with pytest.raises(BadRequestError) as deep:
        es.search(index=catalog, query=nested)
    assert deep.value.error == "parsing_exception" and "max_nested_depth" in str(deep.value.body)
    with pytest.raises(BadRequestError) as unknown:
        es.search(index=catalog, query={"telepathy": {"field": "x"}})
    assert unknown.value.body["error"]["reason"] == "unknown query [telepathy]"
    with pytest.raises(BadRequestError) as window:
        es.search(index=catalog, from_=9990, size=20)
    assert "Result window is too large" in str(window.value.body)
    with pytest.raises(BadRequestError) as key:
        es.search(index=catalog, body={"querry": {}})
    assert key.value.error == "parsing_exception"
    many = {"bool": {"should": [{"term": {"category": str(n)}} for n in range(5000)]}}
    with pytest.raises(BadRequestError):
        es.search(index=catalog, query=many)
    with pytest.raises(BadRequestError) as name:
        es.indices.create(index="Upper")
    assert name.value.error == "invalid_index_name_exception"
    error(httpx.get(f"{url}/_snapshot/repo", headers=headers), 400, "illegal_argument_exception")
    error(httpx.patch(f"{url}/{catalog}/_doc/1", json={}, headers=headers), 405, "method_not_allowed")
    error(httpx.put(f"{url}/{catalog}/_doc/1", content=b"[1, 2]", headers=headers), 400, "document_parsing_exception")
    error(
        httpx.post(f"{url}/{catalog}/_search", json={"query": {"term": "x"}}, headers=headers), 400, "parsing_exception"
    )
    assert es.count(index=catalog)["count"] == len(DOCUMENTS)


def test_a_body_past_the_limit_is_refused_before_it_is_read(tmp_path: Any) -> None:
    from dotdo.compat import Credentials, compat_app

    key = Credentials(tmp_path / "compat").default_key()
    app = compat_app(["elasticsearch"], data_dir=tmp_path, options={"elasticsearch": {"max_body_bytes": 1000}})
    token = base64.b64encode(f"{key.access_key_id}:{key.secret}".encode()).decode()

    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://es") as client:
            response = await client.post("/_bulk", content=b"x" * 5000, headers={"authorization": f"ApiKey {token}"})
        await app.runtime.close()
        return response

    import asyncio

    response = asyncio.run(send())
    assert response.status_code == 413 and response.json()["error"]["type"] == "content_too_long_exception"


@pytest.fixture
def restartable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[CompatServer]]:
    servers = [start_server(tmp_path_factory.mktemp("compat-elasticsearch-restart"), ["elasticsearch"])]
    try:
        yield servers
    finally:
        stop_server(servers[-1])


def test_indices_documents_and_vectors_survive_a_restart(restartable: list[CompatServer]) -> None:
    server = restartable[0]
    es = connect(server)
    es.indices.create(
        index="durable",
        mappings={"properties": {"v": {"type": "dense_vector", "dims": 3, "similarity": "l2_norm"}}},
    )
    es.bulk(
        operations=[
            item
            for n in range(30)
            for item in ({"index": {"_index": "durable", "_id": str(n)}}, {"word": f"w{n}", "v": [n, n, n]})
        ]
    )
    es.update(index="durable", id="5", doc={"word": "changed"})
    stop_server(server)
    restarted = start_server(server.data_dir, ["elasticsearch"])
    restartable.append(restarted)
    again = connect(restarted)
    got = again.get(index="durable", id="5")
    assert got["_source"]["word"] == "changed" and got["_version"] == 2
    assert again.count(index="durable")["count"] == 30
    assert hit_ids(again.search(index="durable", query={"match": {"word": "changed"}})) == ["5"]
    near = again.search(
        index="durable", knn={"field": "v", "query_vector": [7.2, 7.2, 7.2], "k": 2, "num_candidates": 10}
    )
    assert hit_ids(near) == ["7", "8"]
    assert again.index(index="durable", id="5", document={"word": "x"})["_version"] == 3


FIELDS = st.sampled_from(["t", "n", "k", "d", "v", "t.keyword", "o.p", "missing", ""])
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["", "hello", "AUTO", "now-1d", "2024-01-01", "h*", "75%", "-1", "abc"]),
    st.lists(st.integers(-2, 5), max_size=3),
)
PARAMETERS = st.dictionaries(
    st.sampled_from(["operator", "fuzziness", "minimum_should_match", "slop", "boost", "type", "tie_breaker", "gt"]),
    SCALARS,
    max_size=2,
)


def leaf_query(kind: str, field: str, value: Any, params: dict[str, Any]) -> dict[str, Any]:
    if kind in ("match", "match_phrase", "term", "prefix", "wildcard"):
        return {kind: {field: {"query" if kind.startswith("match") else "value": value, **params}}}
    if kind in ("terms", "ids"):
        values = value if isinstance(value, list) else [value]
        return {"terms": {field: values}} if kind == "terms" else {"ids": {"values": values}}
    if kind == "range":
        return {"range": {field: {key: value for key in params} or {"gte": value}}}
    if kind == "multi_match":
        return {"multi_match": {"query": value, "fields": [field, f"{field}^2"], **params}}
    return {"exists": {"field": field}}


HOSTILE_QUERIES = st.recursive(
    st.builds(
        leaf_query,
        st.sampled_from(["match", "match_phrase", "term", "terms", "ids", "range", "multi_match", "prefix", "exists"]),
        FIELDS,
        SCALARS,
        PARAMETERS,
    ),
    lambda inner: st.builds(
        lambda must, should, must_not, wanted: {
            "bool": {"must": must, "should": should, "must_not": must_not, "minimum_should_match": wanted}
        },
        st.lists(inner, max_size=2),
        st.lists(inner, max_size=2),
        st.lists(inner, max_size=2),
        SCALARS,
    ),
    max_leaves=6,
)
HOSTILE_BODIES = st.fixed_dictionaries(
    {},
    optional={
        "query": HOSTILE_QUERIES,
        "aggs": st.dictionaries(
            st.just("a"),
            st.builds(
                lambda kind, field, params: {kind: {"field": field, **params}},
                st.sampled_from(["terms", "range", "histogram", "date_histogram", "avg", "cardinality", "stats"]),
                FIELDS,
                st.dictionaries(st.sampled_from(["size", "interval", "calendar_interval", "ranges", "order"]), SCALARS),
            ),
        ),
        "sort": st.lists(
            st.one_of(FIELDS, st.builds(lambda f, o: {f: o}, FIELDS, st.sampled_from(["asc", "up"]))), max_size=2
        ),
        "size": st.integers(-1, 20),
        "search_after": st.lists(SCALARS, max_size=2),
        "knn": st.builds(
            lambda field, vector, k: {"field": field, "query_vector": vector, "k": k, "num_candidates": 10},
            FIELDS,
            st.lists(st.floats(-2, 2), max_size=3),
            st.integers(0, 3),
        ),
        "highlight": st.just({"fields": {"*": {}}}),
    },
)


@pytest.fixture(scope="module")
def in_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str, str, bytes], httpx.Response]]:
    """The layer as an in-process ASGI app with one small index, and a function sending it one request."""
    import asyncio

    from dotdo.compat import Credentials, compat_app

    folder = tmp_path_factory.mktemp("compat-elasticsearch-in-process")
    key = Credentials(folder / "compat").default_key()
    token = base64.b64encode(f"{key.access_key_id}:{key.secret}".encode()).decode()
    headers = {"authorization": f"ApiKey {token}", "content-type": "application/json"}
    loop = asyncio.new_event_loop()
    app = compat_app(["elasticsearch"], data_dir=folder)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app))

    def send(method: str, path: str, body: bytes) -> httpx.Response:
        return loop.run_until_complete(client.request(method, f"http://es{path}", content=body, headers=headers))

    mapping = {"properties": {"v": {"type": "dense_vector", "dims": 2}, "k": {"type": "keyword"}}}
    send("PUT", "/idx", json.dumps({"mappings": mapping}).encode())
    for n in range(10):
        document = {"t": ["x y", "hello there"][n % 2], "n": n, "k": "ab"[n % 2], "d": f"2024-0{n + 1}-01"}
        send("PUT", f"/idx/_doc/{n}", json.dumps({**document, "v": [n, 1], "o": {"p": n}}).encode())
    yield send
    loop.run_until_complete(client.aclose())
    loop.run_until_complete(app.runtime.close())
    loop.close()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=HOSTILE_BODIES)
def test_generated_search_bodies_are_answered_or_refused_never_a_server_error(
    in_process: Callable[[str, str, bytes], httpx.Response], body: dict[str, Any]
) -> None:
    response = in_process("POST", "/idx/_search", json.dumps(body).encode())
    assert response.status_code in (200, 400, 404), response.text
    if response.status_code != 200:
        error = response.json()
        assert error["status"] == response.status_code and error["error"]["root_cause"][0]["type"]


def test_scroll_and_msearch_serve_the_clients_helpers(es: Elasticsearch, catalog: str) -> None:
    from elasticsearch import helpers

    scanned = [
        hit["_id"] for hit in helpers.scan(es, index=catalog, query={"query": {"term": {"category": "books"}}}, size=7)
    ]
    assert sorted(scanned) == sorted(i for i, d in DOCUMENTS.items() if d["category"] == "books")
    assert len(scanned) == len(set(scanned))
    first = es.search(index=catalog, scroll="1m", size=100, sort=["_doc"])
    following = es.scroll(scroll_id=first["_scroll_id"], scroll="1m")
    assert len(hit_ids(first)) == 100 and not set(hit_ids(first)) & set(hit_ids(following))
    assert es.clear_scroll(scroll_id=first["_scroll_id"])["succeeded"]
    with pytest.raises(BadRequestError):
        es.scroll(scroll_id="not a scroll id", scroll="1m")
    answers = es.msearch(
        searches=[
            {"index": catalog},
            {"query": {"term": {"category": "music"}}, "size": 0},
            {"index": "no-such-index"},
            {"query": {"match_all": {}}},
            {},
            {"query": {"bogus": {}}},
        ],
        index=catalog,
    )["responses"]
    assert answers[0]["hits"]["total"]["value"] == sum(d["category"] == "music" for d in DOCUMENTS.values())
    assert answers[0]["status"] == 200
    assert answers[1]["status"] == 404 and answers[1]["error"]["type"] == "index_not_found_exception"
    assert answers[2]["error"]["type"] == "parsing_exception"
