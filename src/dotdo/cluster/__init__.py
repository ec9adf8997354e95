"""Objects across processes and machines, on Ray: `from dotdo.cluster import Cluster`, `dotdo serve`.

Needs `pip install "dotdo[cluster]"`. `Cluster` is imported on first use, so `dotdo cluster status`
and the rest of the CLI start without importing Ray.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .cluster import Cluster

__all__ = ["Cluster"]


def __getattr__(name: str) -> Any:
    if name == "Cluster":
        from .cluster import Cluster

        return Cluster
    raise AttributeError(f"module 'dotdo.cluster' has no attribute {name!r}")
