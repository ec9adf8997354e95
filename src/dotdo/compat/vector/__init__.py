"""The vector store the vector layers share: a collection per object, exact scores, an HNSW graph for speed.

Qdrant (and the other vector layers) parse their own requests, with payload filters as a
`search.filters` tree, and format `VectorCollection`'s answers their own way;
`ShardedCollection` spreads a collection created sharded over several of them.
"""

from __future__ import annotations

from .ann import METRICS, VectorError
from .catalog import VectorCatalog
from .collection import Point, VectorCollection
from .shards import ShardedCollection

__all__ = ["METRICS", "Point", "ShardedCollection", "VectorCatalog", "VectorCollection", "VectorError"]
