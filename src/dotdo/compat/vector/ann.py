"""The approximate nearest-neighbour graph (usearch's HNSW) behind a vector collection, and exact scoring.

usearch was chosen after measuring the three candidates the issue names: it builds and searches an
HNSW graph in-process, saves to and restores from bytes, and reached recall@10 of 1.0 against exact
search on clustered 384-dimension data at 5x the exact search's rate (see `benchmarks/compat_search.py`).
hnswlib is published only as source here (a C++ build on every install), and sqlite-vec needs
SQLite extension loading, which this Python's `sqlite3` does not offer. Scores are always computed
exactly (`exact_scores`) on the vectors themselves, so the graph only chooses candidates.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

METRICS = ("cosine", "dot", "euclidean")
_USEARCH_METRIC = {"cosine": "cos", "dot": "l2sq", "euclidean": "l2sq"}
CONNECTIVITY = 16
EXPANSION_ADD = 128
EXPANSION_SEARCH = 512
"""Candidates the graph search keeps: 512 gave recall@10 0.998 on 20,000 clustered 384-d vectors (128: 0.86)."""
THREADS = 2
"""Threads one graph build or search may use (the event loop waits for it)."""


class VectorError(ValueError):
    """A vector that cannot be stored or searched (wrong dimension, not a finite number)."""


def check_vector(vector: Any, dimension: int) -> np.ndarray:
    """`vector` as float32 if it has `dimension` finite numbers; `VectorError` otherwise."""
    if not isinstance(vector, list | tuple | np.ndarray) or any(isinstance(v, bool | str) for v in vector):
        raise VectorError("a vector must be an array of numbers")
    if len(vector) != dimension:
        raise VectorError(f"wrong vector dimension: expected {dimension}, got {len(vector)}")
    try:
        array = np.asarray(vector, dtype=np.float64)
    except (TypeError, ValueError):
        raise VectorError("a vector must be an array of numbers") from None
    if not np.all(np.isfinite(array)) or np.any(np.abs(array) > 3.4e38):
        raise VectorError("a vector must hold finite numbers (no NaN or infinity)")
    return array.astype(np.float32)


def exact_scores(metric: str, query: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """Each vector's score against `query`: cosine similarity, dot product, or euclidean distance."""
    if metric == "dot":
        return vectors @ query
    if metric == "euclidean":
        return np.sqrt(np.maximum(((vectors - query) ** 2).sum(axis=1), 0.0))
    norms = np.linalg.norm(vectors, axis=1) * float(np.linalg.norm(query))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(norms > 0, (vectors @ query) / np.where(norms > 0, norms, 1), 0.0)


def better_first(metric: str) -> bool:
    """Whether a higher score is a nearer vector (similarity) rather than a lower one (distance)."""
    return metric != "euclidean"


class GraphOutgrown(Exception):
    """A dot-product graph was given a vector longer than those it was built for: rebuild it."""


class AnnGraph:
    """An HNSW graph over (key, vector) pairs, keys being the collection's row ids.

    A dot-product graph is a euclidean one over vectors given one more coordinate,
    sqrt(R² - |x|²) with R the longest vector's length (the query's is 0): the nearest neighbours
    are then the largest dot products. An HNSW search on the dot product itself, which is not a
    distance, misses many of them.
    """

    def __init__(self, dimension: int, metric: str, radius: float = 0.0) -> None:
        from usearch.index import Index

        self.dimension = dimension
        self.metric = metric
        self.radius = radius
        """The longest vector's length a dot-product graph was built for."""
        self.index = Index(
            ndim=dimension + (1 if metric == "dot" else 0),
            metric=_USEARCH_METRIC[metric],
            dtype="f32",
            connectivity=CONNECTIVITY,
            expansion_add=EXPANSION_ADD,
            expansion_search=EXPANSION_SEARCH,
        )

    def __len__(self) -> int:
        return len(self.index)

    def add(self, keys: list[int], vectors: np.ndarray) -> None:
        """Add (or replace) the vectors of `keys`."""
        if not keys:
            return
        if self.metric == "dot":
            norms = np.linalg.norm(vectors, axis=1)
            longest = float(norms.max())
            if longest > self.radius:
                if len(self.index):
                    raise GraphOutgrown
                self.radius = longest
            extra = np.sqrt(np.maximum(self.radius**2 - norms**2, 0.0)).astype(np.float32)
            vectors = np.hstack([vectors, extra[:, None]])
        present = [key for key in keys if self.index.contains(key)]
        if present:
            self.index.remove(present)
        self.index.add(np.asarray(keys, dtype=np.uint64), vectors, threads=THREADS)

    def remove(self, keys: list[int]) -> None:
        """Remove the vectors of `keys` (absent ones are ignored)."""
        present = [key for key in keys if self.index.contains(key)]
        if present:
            self.index.remove(present)

    def nearest(self, query: np.ndarray, count: int) -> list[int]:
        """The keys of about the `count` nearest vectors, nearest first."""
        if count <= 0 or len(self.index) == 0:
            return []
        if self.metric == "dot":
            query = np.append(query, np.float32(0.0))
        matches = self.index.search(query, min(count, len(self.index)), threads=THREADS)
        return [int(key) for key in matches.keys]

    def to_bytes(self) -> bytes:
        """The graph, serialized."""
        saved = self.index.save()
        if saved is None:
            raise RuntimeError("usearch returned no bytes for the graph it was asked to serialize")
        return bytes(saved)

    @classmethod
    def from_bytes(cls, dimension: int, metric: str, radius: float, data: bytes) -> AnnGraph:
        """A graph saved by `to_bytes` (with the `radius` it had)."""
        graph = cls(dimension, metric, radius)
        restored = graph.index.restore(data)
        if restored is None:
            raise ValueError("the saved graph could not be read back (corrupt or from another usearch version)")
        restored.expansion_search = EXPANSION_SEARCH
        graph.index = restored
        return graph


def oversample(count: int, matching: int, total: int) -> int:
    """How many graph candidates to ask for when `matching` of `total` vectors pass the filter."""
    if total == 0 or matching == 0:
        return 0
    return min(total, max(count * 2, math.ceil(count * 2 * total / matching)))
