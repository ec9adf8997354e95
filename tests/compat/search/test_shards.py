"""A search index spread over shard objects answers exactly as one index holding the same documents."""

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
    Filter,
    Not,
    Or,
    SearchError,
    SearchIndex,
    SearchQuery,
    ShardedIndex,
    SortKey,
)

WORDS = ["river", "stone", "bridge", "harbour", "lantern", "orchard", "meadow", "candle", "copper", "willow"]
GENRES = ["drama", "comedy", "horror", "documentary"]
SHARDS = 3


def corpus(count: int) -> list[dict[str, Any]]:
    chooser = random.Random(11)
    return [
        {
            "id": f"d{i}",
            "title": " ".join(chooser.choices(WORDS, k=chooser.randint(1, 4))),
            "body": " ".join(chooser.choices(WORDS, k=chooser.randint(0, 30))),
            "genre": chooser.choice(GENRES),
            "year": chooser.randint(1990, 2020),
            "series": chooser.choice(["a", "b", "c", None]),
        }
        for i in range(count)
    ]


DOCUMENTS = corpus(240)
SETTINGS = {
    "filterableAttributes": ["genre", "year", "series"],
    "sortableAttributes": ["year"],
    "synonyms": {"bridge": ["copper willow"]},
}


@pytest.fixture(scope="module")
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    event_loop = asyncio.new_event_loop()
    yield event_loop
    event_loop.close()


@pytest.fixture(scope="module")
def pair(loop: asyncio.AbstractEventLoop, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The same documents in one index and in one of `SHARDS` shards, written in the same batches."""
    runtime = Runtime(tmp_path_factory.mktemp("shards"), objects=[SearchIndex])
    loop.run_until_complete(runtime.start())
    indexes = ShardedIndex(runtime, "t/one"), ShardedIndex(runtime, "t/many", shards=SHARDS)

    async def fill() -> None:
        for index in indexes:
            await index.create("books", "id")
            await index.update_settings(SETTINGS)
            for start in range(0, len(DOCUMENTS), 50):
                await index.add(DOCUMENTS[start : start + 50])
            await index.add([{"id": "d5", "title": "replaced lantern"}])  # keeps its place in insertion order
            await index.delete(["d7", "d8"])

    loop.run_until_complete(fill())
    yield indexes
    loop.run_until_complete(runtime.close())


def both(loop: asyncio.AbstractEventLoop, pair: Any, query: SearchQuery) -> tuple[dict[str, Any], dict[str, Any]]:
    one, many = (loop.run_until_complete(index.search(query)) for index in pair)
    return one, many


def test_the_documents_are_spread_over_every_shard(loop: Any, pair: Any) -> None:
    one, many = pair
    parts = [loop.run_until_complete(many.shard(i).info())["numberOfDocuments"] for i in range(SHARDS)]
    assert all(parts) and sum(parts) == len(DOCUMENTS) - 2
    assert loop.run_until_complete(many.info())["numberOfDocuments"] == len(DOCUMENTS) - 2
    assert loop.run_until_complete(many.get("d5"))["title"] == "replaced lantern"
    assert loop.run_until_complete(many.get("d7")) is None
    pages = [loop.run_until_complete(index.documents(37, 25, Compare("genre", "=", "drama"))) for index in pair]
    assert pages[0]["results"] == pages[1]["results"] and pages[0]["total"] == pages[1]["total"]
    assert loop.run_until_complete(many.field_distribution()) == loop.run_until_complete(one.field_distribution())


@pytest.mark.parametrize(
    "text",
    ["river", "lantern stone", "harbor", "brid", "orchard meadow candle", "bridge", "willow copper", "zzz"],
)
def test_text_ranking_matches_one_index(loop: Any, pair: Any, text: str) -> None:
    one, many = both(loop, pair, SearchQuery(q=text, limit=300, facets=["genre", "series"]))
    assert [hit["id"] for hit in many["hits"]] == [hit["id"] for hit in one["hits"]]
    assert many["total"] == one["total"] and many["facets"] == one["facets"]


genres = st.sampled_from(GENRES)
comparisons = st.one_of(
    st.builds(Compare, st.just("genre"), st.sampled_from(["=", "!="]), genres),
    st.builds(Compare, st.just("year"), st.sampled_from(["<", ">=", "="]), st.integers(1990, 2020)),
    st.builds(Compare, st.just("series"), st.sampled_from(["=", "!="]), st.sampled_from(["a", "b", "c"])),
)
filters = st.recursive(
    comparisons,
    lambda inner: st.one_of(
        st.builds(And, st.lists(inner, min_size=1, max_size=3).map(tuple)),
        st.builds(Or, st.lists(inner, min_size=1, max_size=3).map(tuple)),
        st.builds(Not, inner),
    ),
    max_leaves=5,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    tree=st.none() | filters,
    text=st.sampled_from(["", "stone", "lanter", "river bridge", "medow"]),
    sort=st.sampled_from([[], [SortKey("year")], [SortKey("year", ascending=False)]]),
    offset=st.integers(0, 60),
    limit=st.integers(0, 30),
)
def test_filters_sorts_facets_and_pages_match_one_index(
    loop: Any, pair: Any, tree: Filter | None, text: str, sort: list[SortKey], offset: int, limit: int
) -> None:
    query = SearchQuery(q=text, filter=tree, sort=sort, offset=offset, limit=limit, facets=["genre", "year"])
    one, many = both(loop, pair, query)
    assert [hit["id"] for hit in many["hits"]] == [hit["id"] for hit in one["hits"]]
    assert (many["total"], many["facets"], many["facetStats"]) == (one["total"], one["facets"], one["facetStats"])


def test_distinct_and_facet_limits_match_one_index(loop: Any, pair: Any) -> None:
    for index in pair:
        loop.run_until_complete(
            index.update_settings({"distinctAttribute": "series", "faceting": {"maxValuesPerFacet": 5}})
        )
    try:
        for text in ["", "stone", "river candle"]:
            one, many = both(loop, pair, SearchQuery(q=text, offset=1, limit=4, facets=["year"]))
            assert [hit["id"] for hit in many["hits"]] == [hit["id"] for hit in one["hits"]]
            assert many["total"] == one["total"] and many["facets"] == one["facets"]
    finally:
        for index in pair:
            loop.run_until_complete(index.update_settings({"distinctAttribute": None, "faceting": None}))


def test_delete_by_filter_reaches_every_shard(tmp_path: Path) -> None:
    async def run() -> None:
        async with Runtime(tmp_path, objects=[SearchIndex]) as runtime:
            index = ShardedIndex(runtime, "t/gone", shards=SHARDS)
            await index.create("gone", "id")
            await index.update_settings({"filterableAttributes": ["genre"]})
            await index.add(DOCUMENTS[:60])
            expected = sum(1 for doc in DOCUMENTS[:60] if doc["genre"] == "drama")
            assert await index.delete_where(Compare("genre", "=", "drama")) == expected
            assert (await index.search(SearchQuery(filter=Compare("genre", "=", "drama"))))["total"] == 0
        async with Runtime(tmp_path, objects=[SearchIndex]) as runtime:
            index = ShardedIndex(runtime, "t/gone")  # a restarted server finds the shards from the index itself
            assert await index.shard_count() == SHARDS
            assert (await index.info())["numberOfDocuments"] == 60 - expected
            await index.drop()
            assert not await index.exists() and not await index.shard(0).exists()

    asyncio.run(run())


def test_a_refused_batch_stores_nothing_in_any_shard(tmp_path: Path) -> None:
    async def run() -> None:
        async with Runtime(tmp_path, objects=[SearchIndex]) as runtime:
            index = ShardedIndex(runtime, "t/strict", shards=SHARDS)
            await index.create("strict", "id")
            batch = [{"id": f"ok{n}", "title": "river"} for n in range(20)]
            for bad in ({"title": "no id"}, {"id": "bad id!"}, {"id": "nan", "x": float("nan")}):
                with pytest.raises(SearchError):
                    await index.add([*batch, bad])
            assert (await index.info())["numberOfDocuments"] == 0
            await index.add(batch)
            assert (await index.search(SearchQuery(q="river")))["total"] == 20

    asyncio.run(run())
