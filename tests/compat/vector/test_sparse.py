"""Sparse vectors: the dot product over shared indices against a Python oracle, and the checks on input."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dotdo.compat.vector import SparseVector, VectorError
from dotdo.compat.vector.sparse import check_sparse, sparse_scores

weights = st.dictionaries(st.integers(0, 40), st.floats(-10, 10, allow_nan=False, width=32), max_size=8)


@given(query=weights, stored=st.lists(weights, max_size=12))
def test_scores_are_dot_products_over_shared_indices(query: dict[int, float], stored: list[dict[int, float]]) -> None:
    scores = sparse_scores(
        check_sparse(SparseVector(tuple(query), tuple(query.values()))),
        [check_sparse({"indices": list(w), "values": list(w.values())}) for w in stored],
    )
    for score, vector in zip(scores, stored, strict=True):
        shared = set(query) & set(vector)
        if shared:
            assert math.isclose(score, sum(query[i] * vector[i] for i in shared), rel_tol=1e-5, abs_tol=1e-4)
        else:
            assert score == -math.inf  # no shared index: not a match at all


@pytest.mark.parametrize(
    "bad",
    [
        {"indices": [1, 1], "values": [0.5, 0.5]},
        {"indices": [1, 2], "values": [0.5]},
        {"indices": [-1], "values": [0.5]},
        {"indices": [2**32], "values": [0.5]},
        {"indices": [1], "values": [float("nan")]},
        {"indices": [1], "values": ["x"]},
        {"indices": [True], "values": [1.0]},
        {"weights": [1]},
        [0.5, 0.5],
    ],
)
def test_malformed_sparse_vectors_are_refused(bad: object) -> None:
    with pytest.raises(VectorError):
        check_sparse(bad)


def test_indices_are_stored_sorted() -> None:
    indices, values = check_sparse({"indices": [9, 2, 5], "values": [0.9, 0.2, 0.5]})
    assert indices.tolist() == [2, 5, 9] and values.tolist() == pytest.approx([0.2, 0.5, 0.9])
