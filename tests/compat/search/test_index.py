"""The search core: filters and facets against a Python oracle, ranking, typos, synonyms, highlighting, settings."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dotdo import Runtime
from dotdo.compat.search import (
    And,
    Compare,
    EqualsIgnoringCase,
    Exists,
    Filter,
    GeoRadius,
    IsEmpty,
    IsNull,
    Not,
    Or,
    SearchError,
    SearchIndex,
    SearchQuery,
    SortKey,
)
from dotdo.compat.search.index import format_number

TAGS = ["red", "green", "blue", "Red", ""]
FIELDS = ["n", "price", "tag", "flag", "note"]


def make_documents(count: int) -> list[dict[str, Any]]:
    chooser = random.Random(7)
    documents = []
    for i in range(count):
        doc: dict[str, Any] = {"id": i, "title": f"item {i}"}
        if chooser.random() < 0.8:
            doc["n"] = chooser.randint(-3, 3)
        if chooser.random() < 0.7:
            doc["price"] = chooser.choice([0.5, 1.0, 2.25, -1.5, 3])
        kind = chooser.random()
        if kind < 0.4:
            doc["tag"] = chooser.choice(TAGS)
        elif kind < 0.8:
            doc["tag"] = chooser.sample(TAGS, chooser.randint(0, 3))
        elif kind < 0.9:
            doc["tag"] = None
        if chooser.random() < 0.6:
            doc["flag"] = chooser.random() < 0.5
        if chooser.random() < 0.3:
            doc["note"] = chooser.choice(["", "x", None, [], {}])
        documents.append(doc)
    return documents


DOCUMENTS = make_documents(120)


def elements(doc: dict[str, Any], name: str) -> list[Any]:
    if name not in doc:
        return []
    value = doc[name]
    return value if isinstance(value, list) else [value]


def same_kind(element: Any, value: Any) -> bool:
    if isinstance(value, bool) or isinstance(element, bool):
        return isinstance(value, bool) and isinstance(element, bool)
    if isinstance(value, str) or isinstance(element, str):
        return isinstance(value, str) and isinstance(element, str)
    return element is not None and value is not None


def oracle(tree: Filter, doc: dict[str, Any]) -> bool:
    """An independent reading of the filter semantics the core documents."""
    if isinstance(tree, And):
        return all(oracle(item, doc) for item in tree.items)
    if isinstance(tree, Or):
        return any(oracle(item, doc) for item in tree.items)
    if isinstance(tree, Not):
        return not oracle(tree.item, doc)
    if isinstance(tree, Exists):
        return tree.field in doc
    if isinstance(tree, IsNull):
        return tree.field in doc and doc[tree.field] is None
    if isinstance(tree, IsEmpty):
        return tree.field in doc and doc[tree.field] in ("", [], {}) and not isinstance(doc[tree.field], bool)
    assert isinstance(tree, Compare)
    if tree.op == "!=":
        return not oracle(Compare(tree.field, "=", tree.value), doc)
    ops = {
        "=": lambda a, b: a == b,
        ">": lambda a, b: a > b,
        ">=": lambda a, b: a >= b,
        "<": lambda a, b: a < b,
        "<=": lambda a, b: a <= b,
    }
    return any(same_kind(e, tree.value) and ops[tree.op](e, tree.value) for e in elements(doc, tree.field))


def facet_oracle(docs: list[dict[str, Any]], name: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for doc in docs:
        labels = set()
        for e in elements(doc, name):
            if isinstance(e, bool):
                labels.add("true" if e else "false")
            elif isinstance(e, str):
                labels.add(e)
            elif isinstance(e, int | float):
                labels.add(format_number(e))
        for label in labels:
            counts[label] = counts.get(label, 0) + 1
    return dict(sorted(counts.items()))


numbers = st.sampled_from([-3, -1, 0, 1, 2.25, 3, 0.5, -1.5])
comparisons = st.one_of(
    st.builds(Compare, st.sampled_from(["n", "price"]), st.sampled_from(["=", "!=", ">", ">=", "<", "<="]), numbers),
    st.builds(Compare, st.sampled_from(["tag", "note"]), st.sampled_from(["=", "!="]), st.sampled_from([*TAGS, "x"])),
    st.builds(Compare, st.just("flag"), st.sampled_from(["=", "!="]), st.booleans()),
    st.builds(Exists, st.sampled_from(FIELDS)),
    st.builds(IsNull, st.sampled_from(FIELDS)),
    st.builds(IsEmpty, st.sampled_from(FIELDS)),
)
filters = st.recursive(
    comparisons,
    lambda inner: st.one_of(
        st.builds(And, st.lists(inner, max_size=3).map(tuple)),
        st.builds(Or, st.lists(inner, max_size=3).map(tuple)),
        st.builds(Not, inner),
    ),
    max_leaves=6,
)


@pytest.fixture(scope="module")
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    event_loop = asyncio.new_event_loop()
    yield event_loop
    event_loop.close()


@pytest.fixture(scope="module")
def index(loop: asyncio.AbstractEventLoop, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    runtime = Runtime(tmp_path_factory.mktemp("search"), objects=[SearchIndex])
    loop.run_until_complete(runtime.start())
    stub = runtime.get(SearchIndex, "t/oracle")
    loop.run_until_complete(stub.create("oracle"))
    loop.run_until_complete(stub.update_settings({"filterableAttributes": FIELDS}))
    loop.run_until_complete(stub.add(DOCUMENTS))
    yield stub
    loop.run_until_complete(runtime.close())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tree=filters, facet=st.sampled_from(FIELDS))
def test_filters_and_facets_agree_with_the_oracle(loop: Any, index: Any, tree: Filter, facet: str) -> None:
    result = loop.run_until_complete(index.search(SearchQuery(filter=tree, facets=[facet], limit=1000)))
    expected = [doc for doc in DOCUMENTS if oracle(tree, doc)]
    assert [hit["id"] for hit in result["hits"]] == [doc["id"] for doc in expected]
    assert result["total"] == len(expected)
    assert result["facets"][facet] == facet_oracle(expected, facet)


async def test_text_search_ranks_typos_synonyms_prefixes_and_highlights(tmp_path: Path) -> None:
    async with Runtime(tmp_path, objects=[SearchIndex]) as rt:
        index = rt.get(SearchIndex, "t/books")
        await index.create("books")
        await index.update_settings(
            {"synonyms": {"sf": ["science fiction"]}, "stopWords": ["the"], "sortableAttributes": ["year"]}
        )
        await index.add(
            [
                {"id": "a", "title": "The Hitchhiker's Guide", "genre": "science fiction", "year": 1979},
                {"id": "b", "title": "Hitchhiking across Europe", "genre": "travel", "year": 2001},
                {"id": "c", "title": "A guide to Résumés", "genre": "careers", "year": 2010},
                {"id": "d", "title": "Foundation", "genre": "science fiction", "year": 1951},
            ]
        )

        async def ids(**options: Any) -> list[str]:
            return [hit["id"] for hit in (await index.search(SearchQuery(**options)))["hits"]]

        assert await ids(q="hitchhikr") == ["a"]  # one typo in a 9-letter word
        assert set(await ids(q="hitch")) == {"a", "b"}  # the last word is a prefix
        assert await ids(q="hitch", prefix=False) == []
        assert await ids(q="resume") == ["c"]  # accents and case are folded
        assert await ids(q="sf", sort=[SortKey("year")]) == ["d", "a"]
        assert set(await ids(q="the guide", matching_strategy="all")) == {"a", "c"}  # "the" is a stop word
        # "last": documents matching every word come first, then those matching the first words only.
        ranked = await ids(q="guide hitchhiker")
        assert ranked[0] == "a" and set(ranked) == {"a", "c"}
        assert await ids(q="guide hitchhiker", matching_strategy="all") == ["a"]
        result = await index.search(
            SearchQuery(q="guide", attributes_to_highlight=["title"], highlight_pre="[", highlight_post="]")
        )
        assert {hit["_formatted"]["title"] for hit in result["hits"]} == {
            "The Hitchhiker's [Guide]",
            "A [guide] to Résumés",
        }
        long_text = " ".join(f"w{i}" for i in range(40)) + " needle " + " ".join(f"v{i}" for i in range(40))
        await index.add([{"id": "long", "title": long_text}])
        cropped = await index.search(SearchQuery(q="needle", attributes_to_crop=["title"], crop_length=5))
        assert cropped["hits"][0]["_formatted"]["title"] == "…w38 w39 needle v0 v1…"


async def test_settings_updates_deletes_and_errors(tmp_path: Path) -> None:
    async with Runtime(tmp_path, objects=[SearchIndex]) as rt:
        index = rt.get(SearchIndex, "t/x")
        await index.create("x")
        await index.add([{"id": 1, "title": "alpha", "body": "bravo", "n": 1}, {"id": 2, "title": "charlie", "n": 2}])
        assert len((await index.search(SearchQuery(q="bravo")))["hits"]) == 1
        await index.update_settings({"searchableAttributes": ["title"]})
        assert (await index.search(SearchQuery(q="bravo")))["hits"] == []
        await index.add([{"id": 1, "body": "delta"}], partial=True)
        assert await index.get("1") == {"id": 1, "title": "alpha", "body": "delta", "n": 1}
        with pytest.raises(SearchError) as raised:
            await index.search(SearchQuery(filter=Compare("n", "=", 1)))
        assert raised.value.code == "invalid_search_filter"
        with pytest.raises(SearchError) as raised:
            await index.add([{"id": "bad id!"}])
        assert raised.value.code == "invalid_document_id"
        with pytest.raises(SearchError) as raised:
            await index.add([{"title": "no id"}])
        assert raised.value.code == "missing_document_id"
        with pytest.raises(SearchError) as raised:
            await index.update_settings({"rankingRules": ["nonsense"]})
        assert raised.value.code == "invalid_settings_ranking_rules"
        assert (await index.info())["numberOfDocuments"] == 2  # nothing lost to the refused writes
        await index.update_settings({"filterableAttributes": ["n", "_geo"]})
        assert await index.delete_where(Compare("n", ">", 1)) == 1
        assert await index.delete(["1", "404"]) == 1
        assert (await index.info())["numberOfDocuments"] == 0
        await index.add(
            [
                {"id": "paris", "_geo": {"lat": 48.8566, "lng": 2.3522}},
                {"id": "lyon", "_geo": {"lat": 45.764, "lng": 4.8357}},
            ]
        )
        near = await index.search(SearchQuery(filter=GeoRadius(48.85, 2.35, 5000)))
        assert [hit["id"] for hit in near["hits"]] == ["paris"]


async def test_a_case_blind_comparison_ignores_the_case_of_ascii_letters(tmp_path: Path) -> None:
    async with Runtime(tmp_path, objects=[SearchIndex]) as rt:
        index = rt.get(SearchIndex, "t/case")
        await index.create("case")
        await index.add(
            [{"id": 1, "color": "Blue"}, {"id": 2, "color": ["red", "BLUE"]}, {"id": 3, "color": "blues"}, {"id": 4}]
        )
        found = await index.search(SearchQuery(filter=EqualsIgnoringCase("color", "blue"), check_attributes=False))
        assert sorted(hit["id"] for hit in found["hits"]) == [1, 2]
        with pytest.raises(SearchError):
            await index.search(SearchQuery(filter=EqualsIgnoringCase("color", 3), check_attributes=False))  # type: ignore[arg-type]


async def test_an_index_may_take_any_string_as_a_document_id(tmp_path: Path) -> None:
    async with Runtime(tmp_path, objects=[SearchIndex]) as rt:
        free = rt.get(SearchIndex, "t/free")
        await free.create("free", "key", any_string_ids=True)
        await free.add([{"key": "sku:42/blue é", "title": "odd"}])
        assert await free.get("sku:42/blue é") == {"key": "sku:42/blue é", "title": "odd"}
        with pytest.raises(SearchError):
            await free.add([{"key": "x" * 513}])
        strict = rt.get(SearchIndex, "t/strict")
        await strict.create("strict", "key")
        with pytest.raises(SearchError):
            await strict.add([{"key": "sku:42"}])


async def test_an_index_survives_a_restart(tmp_path: Path) -> None:
    async with Runtime(tmp_path, objects=[SearchIndex]) as rt:
        index = rt.get(SearchIndex, "t/keep")
        await index.create("keep")
        await index.update_settings({"synonyms": {"car": ["automobile"]}})
        await index.add([{"id": 1, "title": "automobile museum"}])
    async with Runtime(tmp_path, objects=[SearchIndex]) as rt:
        result = await rt.get(SearchIndex, "t/keep").search(SearchQuery(q="car"))
        assert [hit["id"] for hit in result["hits"]] == [1]


async def test_an_evicted_index_answers_the_same(tmp_path: Path) -> None:
    async with Runtime(tmp_path, objects=[SearchIndex]) as rt:
        index = rt.get(SearchIndex, "t/evicted")
        await index.create("evicted")
        await index.update_settings({"stopWords": ["a"], "filterableAttributes": ["n"]})
        await index.add([{"id": i, "title": f"a document number {i}", "n": i} for i in range(20)])
        before = await index.search(SearchQuery(q="a documnt", filter=Compare("n", "<", 5)))
        assert rt.evict(SearchIndex, "t/evicted")
        after = await index.search(SearchQuery(q="a documnt", filter=Compare("n", "<", 5)))
        assert [h["id"] for h in after["hits"]] == [h["id"] for h in before["hits"]] and after["total"] == 5
