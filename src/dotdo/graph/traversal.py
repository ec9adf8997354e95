"""Graph walks over the `relationships` table: one hop (`related`) and many (`traverse`, a recursive CTE).

Walks skip soft-deleted things and end at references to other objects (they are leaves here).
A walk records (node, hop) pairs with UNION, so a cycle cannot loop: the hop count is bounded by
`depth` and each pair appears once; each node is reported once, at its shortest distance.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .names import check_type

if TYPE_CHECKING:
    from ..runtime.object_storage import ObjectStorage

DIRECTIONS = ("out", "in", "both")
MAX_DEPTH = 10_000
_EDGES = "FROM relationships AS r"
_LIVE = "NOT EXISTS (SELECT 1 FROM things AS d WHERE d.id = {node} AND d.deleted_at IS NOT NULL)"


def check_direction(direction: str) -> str:
    """'out' (follow edges from the thing), 'in' (edges to it) or 'both'."""
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {', '.join(DIRECTIONS)}, not {direction!r}")
    return direction


def _with_things(reached: str, order: str, columns: str) -> str:
    """Each reached node with its live `things` row (NULLs for references to other objects)."""
    return (
        f"SELECT reached.node, {columns} FROM ({reached}) AS reached "
        f"LEFT JOIN things AS t ON t.id = reached.node AND t.deleted_at IS NULL ORDER BY {order}"
    )


def neighbour_rows(
    storage: ObjectStorage, thing_id: str, type: str | None, direction: str, columns: str
) -> list[tuple[object, ...]]:
    """(endpoint, *thing `columns`) one hop from `thing_id` over relationships of `type` (any if None),
    in creation order of the edges."""
    check_direction(direction)
    type_match = "" if type is None else "AND r.type = ?2"
    selects = []
    if direction in ("out", "both"):
        selects.append(f"SELECT r.to_id AS node, r.rowid AS seq {_EDGES} WHERE r.from_id = ?1 {type_match}")
    if direction in ("in", "both"):
        selects.append(f"SELECT r.from_id AS node, r.rowid AS seq {_EDGES} WHERE r.to_id = ?1 {type_match}")
    reached = (
        f"SELECT node, MIN(seq) AS seq FROM ({' UNION ALL '.join(selects)}) "
        f"WHERE {_LIVE.format(node='node')} GROUP BY node"
    )
    bindings = (thing_id,) if type is None else (thing_id, check_type(type, "relationship type"))
    return list(storage.sql.exec(_with_things(reached, "reached.seq", columns), *bindings).raw())


def walk_rows(
    storage: ObjectStorage, thing_id: str, types: Sequence[str], depth: int, direction: str, columns: str
) -> list[tuple[object, ...]]:
    """(endpoint, *thing `columns`) of everything reachable in 1..depth hops, nearest first.

    Hop n follows `types[(n - 1) % len(types)]`, so `["placed", "contains"]` walks orders then
    their line items, and `["manages"]` with `depth=3` walks three levels of reports.
    """
    check_direction(direction)
    bindings: list[object] = [thing_id, depth]
    cases = []
    for index, type in enumerate(types):
        bindings.append(check_type(type, "relationship type"))
        cases.append(f"WHEN {index} THEN ?{len(bindings)}")
    hop_type = f"(CASE walk.hop % {len(types)} {' '.join(cases)} END)"
    steps = []
    if direction in ("out", "both"):
        steps.append(
            "SELECT r.to_id, walk.hop + 1 FROM walk JOIN relationships AS r ON r.from_id = walk.node "
            f"WHERE walk.hop < ?2 AND r.type = {hop_type} AND {_LIVE.format(node='r.to_id')}"
        )
    if direction in ("in", "both"):
        steps.append(
            "SELECT r.from_id, walk.hop + 1 FROM walk JOIN relationships AS r ON r.to_id = walk.node "
            f"WHERE walk.hop < ?2 AND r.type = {hop_type} AND {_LIVE.format(node='r.from_id')}"
        )
    reached = "SELECT node, MIN(hop) AS hop FROM walk WHERE node != ?1 GROUP BY node"
    query = (
        "WITH RECURSIVE walk(node, hop) AS (SELECT ?1, 0 UNION "
        + " UNION ".join(steps)
        + ") "
        + _with_things(reached, "reached.hop, reached.node", columns)
    )
    return list(storage.sql.exec(query, *bindings).raw())
