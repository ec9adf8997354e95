"""Synonym maps, override matching and the placement of pinned hits across pages."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dotdo.compat.typesense.curation import CurationError, checked_override, curate, curated_search, synonym_map


def test_multi_way_synonyms_find_each_other_and_one_way_only_from_the_root() -> None:
    mapped = synonym_map([{"synonyms": ["Coat", "jacket"]}, {"root": "knitwear", "synonyms": ["sweater", "cardigan"]}])
    assert mapped == {"coat": ["jacket"], "jacket": ["Coat"], "knitwear": ["sweater", "cardigan"]}
    assert "sweater" not in mapped


def test_an_override_matches_exactly_or_by_contained_words_and_stops_the_next_one() -> None:
    exact = ("a", {"rule": {"query": "red shoe", "match": "exact"}, "filter_by": "color:red"})
    contains = ("b", {"rule": {"query": "shoe", "match": "contains"}, "excludes": [{"id": "9"}]})
    assert curate([exact, contains], "Red  Shoe!", None, set(), 0).applied == ["a"]
    assert curate([exact, contains], "red shoes", None, set(), 0).applied == []
    assert curate([exact, contains], "blue shoe laces", None, set(), 0).applied == ["b"]
    going_on = ("a", {**exact[1], "stop_processing": False})
    assert curate([going_on, contains], "red shoe", None, set(), 0).applied == ["a", "b"]
    dated = ("c", {"rule": {"query": "shoe", "match": "contains"}, "effective_from_ts": 100})
    assert curate([dated], "shoe", None, set(), 99).applied == [] and curate([dated], "shoe", None, set(), 100).applied
    tagged = ("d", {"rule": {"tags": ["sale"]}, "filter_by": "price:<10"})
    assert curate([tagged], "x", None, {"sale"}, 0).filter_by == ["price:<10"]
    assert curate([tagged], "x", None, set(), 0).applied == []


@pytest.mark.parametrize(
    "body",
    [
        None,
        {"rule": "x"},
        {"rule": {}},
        {"rule": {"query": 5, "match": "exact"}},
        {"rule": {"query": "x", "match": "exact"}, "includes": [{"id": "1", "position": 0}]},
        {"rule": {"query": "x", "match": "exact"}, "excludes": [{"position": 1}]},
        {"rule": {"query": "x", "match": "exact"}, "remove_matched_tokens": "yes"},
        {"rule": {"query": "x", "match": "exact"}, "shiny": True},
    ],
)
def test_malformed_overrides_are_refused(body: Any) -> None:
    with pytest.raises(CurationError):
        checked_override(body)


class Documents:
    def __init__(self, ids: list[str]) -> None:
        self.ids = set(ids)

    async def get(self, document_id: str) -> dict[str, Any] | None:
        return {"id": document_id} if document_id in self.ids else None


def expected_hits(others: list[str], pins: list[tuple[int, str]]) -> list[str]:
    """The oracle: each pinned document inserted at its position in turn, or after the last hit."""
    hits = list(others)
    for position, document_id in sorted(pins):
        hits.insert(min(position - 1, len(hits)), document_id)
    return hits


@given(
    organic=st.integers(0, 30),
    pins=st.dictionaries(st.integers(1, 40), st.integers(100, 140), max_size=6),
    missing=st.sets(st.integers(100, 140), max_size=3),
    per_page=st.integers(1, 12),
)
def test_every_page_is_its_slice_of_the_hits_with_pinned_documents_at_their_positions(
    organic: int, pins: dict[int, int], missing: set[int], per_page: int
) -> None:
    includes = [{"id": str(d), "position": p} for p, d in pins.items()]
    search = curated_search(
        [("p", {"rule": {"query": "q", "match": "exact"}, "includes": includes})], {"q": "q"}, None, 0
    )
    others = [f"o{i}" for i in range(organic)]
    existing = [(p, doc) for p, doc in search.pinned if int(doc) not in missing]
    asyncio.run(search.fetch_pinned(Documents([doc for _, doc in existing])))
    expected = expected_hits(others, existing)
    for page in range(len(expected) // per_page + 2):
        offset = page * per_page
        organic_offset, organic_limit, on_page = search.page(offset, per_page, organic)
        hits = [{"id": i} for i in others[organic_offset : organic_offset + organic_limit]]
        placed = [hit["id"] for hit in search.place(hits, offset, on_page)]
        assert placed == expected[offset : offset + per_page], (page, on_page)
