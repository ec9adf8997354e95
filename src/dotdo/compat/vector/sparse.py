"""Sparse vectors (a few weighted indices out of billions, as SPLADE or BM25 produce): checks and dot-product scores.

A sparse vector is stored as two arrays sorted by index: the indices as uint32, the values as float32.
It is scored against a query by the dot product over the indices both share; a stored vector sharing
none with the query has no score at all (it is not a match), which is how Qdrant ranks sparse vectors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .ann import VectorError

MAX_INDEX = 2**32 - 1


@dataclass(frozen=True)
class SparseVector:
    """Indices (unique, 0 to 2³²-1) and their values."""

    indices: tuple[int, ...]
    values: tuple[float, ...]


def check_sparse(vector: Any) -> tuple[np.ndarray, np.ndarray]:
    """`vector` (a `SparseVector` or `{"indices", "values"}`) as (uint32 indices, float32 values) sorted by index."""
    if isinstance(vector, SparseVector):
        indices, values = vector.indices, vector.values
    elif isinstance(vector, dict) and set(vector) <= {"indices", "values"}:
        indices, values = vector.get("indices", []), vector.get("values", [])
    else:
        raise VectorError("a sparse vector must have `indices` and `values`")
    if not isinstance(indices, list | tuple) or not isinstance(values, list | tuple):
        raise VectorError("a sparse vector's indices and values must be arrays")
    if len(indices) != len(values):
        raise VectorError("a sparse vector must have as many values as indices")
    if any(isinstance(i, bool) or not isinstance(i, int) or not 0 <= i <= MAX_INDEX for i in indices):
        raise VectorError(f"a sparse vector's indices must be integers from 0 to {MAX_INDEX}")
    if len(set(indices)) != len(indices):
        raise VectorError("a sparse vector's indices must be unique")
    if any(isinstance(v, bool | str) for v in values):
        raise VectorError("a sparse vector's values must be numbers")
    try:
        numbers = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise VectorError("a sparse vector's values must be numbers") from None
    if not np.all(np.isfinite(numbers)) or np.any(np.abs(numbers) > 3.4e38):
        raise VectorError("a sparse vector must hold finite numbers (no NaN or infinity)")
    order = np.argsort(np.asarray(indices, dtype=np.int64), kind="stable")
    return np.asarray(indices, dtype=np.uint32)[order], numbers.astype(np.float32)[order]


def sparse_scores(query: tuple[np.ndarray, np.ndarray], stored: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Each stored vector's dot product with `query` over their shared indices; -inf where they share none."""
    query_indices, query_values = query
    if not stored:
        return np.zeros(0, dtype=np.float64)
    lengths = np.fromiter((len(indices) for indices, _ in stored), dtype=np.int64, count=len(stored))
    owners = np.repeat(np.arange(len(stored)), lengths)
    indices = np.concatenate([indices for indices, _ in stored]) if lengths.sum() else np.zeros(0, np.uint32)
    values = np.concatenate([values for _, values in stored]).astype(np.float64) if lengths.sum() else np.zeros(0)
    if len(query_indices) == 0 or len(indices) == 0:
        return np.full(len(stored), -np.inf)
    positions = np.minimum(np.searchsorted(query_indices, indices), len(query_indices) - 1)
    shared = query_indices[positions] == indices
    products = values[shared] * query_values[positions[shared]].astype(np.float64)
    scores = np.bincount(owners[shared], weights=products, minlength=len(stored))
    overlapping = np.bincount(owners[shared], minlength=len(stored)) > 0
    return np.where(overlapping, scores, -np.inf)


def to_blobs(vector: tuple[np.ndarray, np.ndarray]) -> tuple[bytes, bytes]:
    """The stored form: (values, indices) as bytes."""
    indices, values = vector
    return values.tobytes(), indices.tobytes()


def from_blobs(values: bytes, indices: bytes) -> tuple[np.ndarray, np.ndarray]:
    """A stored sparse vector read back as (indices, values)."""
    return np.frombuffer(indices, dtype=np.uint32), np.frombuffer(values, dtype=np.float32)
