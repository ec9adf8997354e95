"""Qdrant's payload filters, evaluated here, against qdrant-client's local mode (the client's own evaluator).

Hypothesis generates payloads and filters over the same few keys; every filter must accept exactly the
payloads the client's `check_filter` accepts. The whole path through a server is covered by the
client's congruence suite (`tests/compat/upstream`).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from qdrant_client.http import models
from qdrant_client.local.payload_filters import check_filter

from dotdo.compat.qdrant.filters import QdrantFilterError, parse
from dotdo.compat.qdrant.payload import DeletePayload, SetPayload, select

scalars = st.one_of(st.integers(-3, 3), st.sampled_from([0.5, 1.0, -2.5]), st.booleans(), st.sampled_from(["a", "b c"]))
values = st.one_of(st.none(), scalars, st.lists(scalars, max_size=3), st.just([]))
payloads = st.fixed_dictionaries(
    {},
    optional={
        "n": values,
        "s": values,
        "deep": st.fixed_dictionaries({}, optional={"n": values}),
        "items": st.lists(st.fixed_dictionaries({}, optional={"n": values, "s": values}), max_size=3),
    },
)
keys = st.sampled_from(["n", "s", "deep.n", "items[].n", "items[0].s", "missing"])
conditions = st.one_of(
    st.builds(
        lambda k, v: {"key": k, "match": {"value": v}},
        keys,
        st.one_of(st.integers(-3, 3), st.booleans(), st.sampled_from(["a", "b c"])),
    ),
    st.builds(lambda k, v: {"key": k, "match": {"any": v}}, keys, st.lists(st.integers(-3, 3), max_size=3)),
    st.builds(lambda k, v: {"key": k, "match": {"except": v}}, keys, st.lists(st.integers(-3, 3), max_size=3)),
    st.builds(lambda k, w: {"key": k, "match": {"text": w}}, keys, st.sampled_from(["b", "c b", "a"])),
    st.builds(lambda k, lo: {"key": k, "range": {"gte": lo, "lt": lo + 2}}, keys, st.integers(-3, 3)),
    st.builds(lambda k, lo: {"key": k, "values_count": {"gt": lo}}, keys, st.integers(0, 2)),
    st.builds(lambda k: {"is_empty": {"key": k}}, keys),
    st.builds(lambda k: {"is_null": {"key": k}}, keys),
    st.builds(
        lambda v: {"nested": {"key": "items", "filter": {"must": [{"key": "n", "match": {"value": v}}]}}},
        st.integers(-3, 3),
    ),
)
filters = st.builds(
    lambda must, should, must_not: {
        clause: chosen for clause, chosen in (("must", must), ("should", should), ("must_not", must_not)) if chosen
    },
    st.lists(conditions, max_size=2),
    st.lists(conditions, max_size=2),
    st.lists(conditions, max_size=2),
)


@settings(max_examples=300, deadline=None)
@given(body=filters, payload=payloads)
def test_filters_accept_what_the_clients_local_mode_accepts(body: dict, payload: dict) -> None:
    expected = check_filter(models.Filter.model_validate(body), payload, 1, {})
    assert parse(body).accepts(1, payload) == expected  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "body",
    [
        {"must": [{"key": "a", "match": {"nothing": 1}}]},
        {"must": [{"key": "a[", "match": {"value": 1}}]},
        {"must": [{"key": "a", "range": {"between": 1}}]},
        {"must": [{"key": "a", "range": {"gt": "not a date"}}]},
        {"min_should": {"conditions": [], "min_count": 0}},
        {"wrong": []},
        {"must": [{"key": "x", "match": {"value": 1}}] * 3000},
        [],
    ],
)
def test_malformed_filters_are_refused(body: object) -> None:
    with pytest.raises(QdrantFilterError):
        parse(body)


def test_payload_edits_and_selections_follow_paths() -> None:
    payload = {"nest": [{"a": 1, "b": 2}, {"a": 3}], "top": {"x": 1, "y": 2}, "gone": None}
    assert SetPayload({"a": 9}, "nest[]").apply(payload)["nest"] == [{"a": 9, "b": 2}, {"a": 9}]
    assert SetPayload({"x": None, "z": 3}).apply({"x": 1, "y": 2}) == {"y": 2, "z": 3}  # null removes a key
    assert DeletePayload(("top.x", "nest[].b")).apply(payload) == {
        "nest": [{"a": 9}, {"a": 9}],
        "top": {"y": 2},
        "gone": None,
    }
    assert select({"top": {"x": 1, "y": 2}, "k": 1}, ["top.y"]) == {"top": {"y": 2}}
    assert select({"top": {"x": 1, "y": 2}, "k": 1}, {"exclude": ["top.x"]}) == {"top": {"y": 2}, "k": 1}
