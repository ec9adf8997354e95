"""Qdrant's vector shapes: a collection's vector configuration, a point's vectors in and out, a query's vector.

A collection has either one unnamed dense vector (`vectors: {size, distance}`) or named ones
(`vectors: {name: {size, distance}}`), and may have named sparse vectors (`sparse_vectors`). A point
gives a list of numbers for the unnamed vector, or `{name: list | {indices, values}}`; it is answered
in the same shape. Cosine vectors are normalized when stored, as Qdrant does, so the stored vector
and the dot product the client's local mode computes agree.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..vector import Point, Space, SparseVector

DISTANCES = {"Cosine": "cosine", "Dot": "dot", "Euclid": "euclidean"}


def _dense_params(name: str, params: Any) -> tuple[int, str]:
    label = f"vector `{name}`" if name else "the vector"
    if not isinstance(params, dict) or "size" not in params:
        raise ValueError(f"{label} needs `size` and `distance`")
    if params.get("multivector_config") is not None:
        raise ValueError(f"multivectors ({label}) are not supported by this server")
    metric = DISTANCES.get(str(params.get("distance")))
    if metric is None:
        raise ValueError(f"unsupported distance {params.get('distance')!r} for {label}; use Cosine, Dot or Euclid")
    return params["size"], metric


def spaces_of(vectors: Any, sparse_vectors: Any) -> tuple[int | None, str | None, dict[str, Space], dict[str, Any]]:
    """A create-collection body's vectors as the core's (dimension, metric, spaces) and the config to answer."""
    dimension: int | None = None
    metric: str | None = None
    spaces: dict[str, Space] = {}
    if isinstance(vectors, dict) and "size" in vectors:
        dimension, metric = _dense_params("", vectors)
    elif isinstance(vectors, dict):
        for name, params in vectors.items():
            size, distance = _dense_params(name, params)
            spaces[name] = Space(size, distance)
    elif vectors is not None:
        raise ValueError("`vectors` must be {size, distance} or named vectors {name: {size, distance}}")
    if sparse_vectors is not None and not isinstance(sparse_vectors, dict):
        raise ValueError("`sparse_vectors` must be an object of named sparse vectors")
    for name, params in (sparse_vectors or {}).items():
        if name in spaces:
            raise ValueError(f"vector `{name}` is named both as a dense and as a sparse vector")
        if isinstance(params, dict) and params.get("modifier") not in (None, "none"):
            raise ValueError(f"the `{params['modifier']}` modifier of sparse vector `{name}` is not supported")
        spaces[name] = Space(sparse=True)
    described = {"vectors": vectors if vectors is not None else {}, "sparse_vectors": sparse_vectors}
    return dimension, metric, spaces, described


@dataclass(frozen=True)
class Shape:
    """How a collection's points carry vectors: its spaces, and whether they are named."""

    dimension: int | None
    metric: str | None
    spaces: dict[str, dict[str, Any]]

    @classmethod
    def of(cls, info: dict[str, Any]) -> Shape:
        """The shape of the collection `VectorCollection.info()` describes."""
        return cls(info["dimension"], info["metric"], info.get("spaces") or {})

    @property
    def named(self) -> bool:
        """Whether points are answered with `{name: vector}` rather than one list."""
        return bool(self.spaces) or self.dimension is None

    def is_sparse(self, name: str) -> bool:
        return bool(self.spaces.get(name, {}).get("sparse"))

    def dimension_of(self, name: str) -> int | None:
        return self.dimension if name == "" else self.spaces.get(name, {}).get("dimension")

    def metric_of(self, name: str) -> str | None:
        return self.metric if name == "" else self.spaces.get(name, {}).get("metric")

    def outgoing(self, point: dict[str, Any]) -> Any:
        """A point's vectors as Qdrant answers them (None when they were not asked for)."""
        if "vectors" not in point:
            return None
        if not self.named:
            return point["vector"]
        out = dict(point["vectors"])
        if point.get("vector") is not None:
            out[""] = point["vector"]
        return out


def _dense(value: Any, metric: str | None, dimension: int | None = None) -> Any:
    if not isinstance(value, list):
        return value
    if value and isinstance(value[0], list):
        raise ValueError("multivectors are not supported by this server")
    if dimension is not None and len(value) != dimension:
        raise ValueError(f"Vector dimension error: expected dim: {dimension}, got {len(value)}")
    return normalized(value) if metric == "cosine" else value


def incoming_point_vectors(vector: Any, shape: Shape) -> tuple[Any, dict[str, Any]]:
    """A point's `vector` field as (the unnamed vector or None, the named ones), checked against `shape`."""
    if vector is None:
        return None, {}
    if isinstance(vector, list):
        if shape.dimension is None:
            raise ValueError("Not existing vector name error: ")
        return _dense(vector, shape.metric, shape.dimension), {}
    if not isinstance(vector, dict):
        raise ValueError("a point's vector must be a list of numbers or an object of named vectors")
    unnamed, named = None, {}
    for name, value in vector.items():
        if name == "" and shape.dimension is not None:
            unnamed = _dense(value, shape.metric, shape.dimension)
            continue
        if name not in shape.spaces:
            raise ValueError(f"Not existing vector name error: {name}")
        if isinstance(value, dict) and not set(value) <= {"indices", "values"}:
            raise ValueError(f"vector `{name}`: inference objects (documents, images) are not supported")
        if shape.is_sparse(name) != isinstance(value, dict):
            raise ValueError("Conversion between sparse and regular vectors failed")
        named[name] = value if shape.is_sparse(name) else _dense(value, shape.metric_of(name), shape.dimension_of(name))
    return unnamed, named


def incoming_batch(batch: dict[str, Any]) -> list[dict[str, Any]]:
    """A `batch` upsert (`ids`, `vectors`, `payloads`) as one `{id, vector, payload}` per point."""
    ids = batch.get("ids") or []
    vectors = batch.get("vectors")
    payloads = batch.get("payloads") or [None] * len(ids)
    if isinstance(vectors, dict):
        for name, column in vectors.items():
            if not isinstance(column, list) or len(column) != len(ids):
                raise ValueError(f"vectors `{name}` must have one vector per id")
        per_point: list[Any] = [{name: column[i] for name, column in vectors.items()} for i in range(len(ids))]
    elif vectors is None:
        per_point = [{}] * len(ids)
    else:
        per_point = vectors
    if not isinstance(per_point, list) or not (len(ids) == len(per_point) == len(payloads)):
        raise ValueError("ids, vectors and payloads must have the same length")
    return [{"id": i, "vector": v, "payload": p} for i, v, p in zip(ids, per_point, payloads, strict=True)]


def as_point(point_id: int | str, vector: Any, payload: dict[str, Any], shape: Shape) -> Point:
    """The core's `Point` for a Qdrant point."""
    unnamed, named = incoming_point_vectors(vector, shape)
    return Point(point_id, unnamed, payload, vectors=named)


def query_vector(value: Any, using: str | None, shape: Shape) -> Any:
    """A query's dense (list) or sparse (`SparseVector`) vector for the space `using`, checked against `shape`."""
    name = using or ""
    if name and name not in shape.spaces:
        raise ValueError(f"Not existing vector name error: {name}")
    if not name and shape.dimension is None:
        raise ValueError("Not existing vector name error: ")
    if isinstance(value, dict):
        if not set(value) <= {"indices", "values"} or not shape.is_sparse(name):
            raise ValueError("Conversion between sparse and regular vectors failed")
        return SparseVector(tuple(value.get("indices", [])), tuple(value.get("values", [])))
    if shape.is_sparse(name):
        raise ValueError("Conversion between sparse and regular vectors failed")
    if not isinstance(value, list):
        raise ValueError("a query vector must be a list of numbers")
    return _dense(value, None)


def normalized(vector: list[Any]) -> list[Any]:
    """`vector` scaled to length 1 (as it is, if it is not a finite non-zero vector of numbers)."""
    try:
        array = np.asarray(vector, dtype=np.float64)
    except (TypeError, ValueError):
        return vector
    norm = float(np.linalg.norm(array))
    return (array / norm).tolist() if norm > 0 and np.isfinite(norm) else vector


def is_point_id(value: Any) -> bool:
    """Whether `value` is a Qdrant point id (an unsigned integer or a UUID)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value >= 0
    if isinstance(value, str):
        try:
            uuid.UUID(value)
        except ValueError:
            return False
        return True
    return False
