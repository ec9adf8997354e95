"""Over how many objects an account's resources are spread, and where a resource is while that changes.

An account starts with its resources in its own object (one shard). A server setting (`account_shards`)
gives a tenant's account N shard objects (`<tenant>/<service>-shard-<i>`, the lifecycle's shard naming);
a resource's place is the lifecycle's `hash` strategy of its id, as S3 places a key. The account records
its layout (`openapi_layout`), and while it moves to another one, the layout it goes to and how far the
walk of each old place got (`openapi_move`), so a restart finishes the move.

During a move a resource is in its old place or its new one: a lookup asks the new place first, a new
resource goes straight to its new place, and a listing asks every place of both layouts and keeps the
first copy of a resource seen twice (one being copied is in both, alike, for one step).
"""

from __future__ import annotations

from dataclasses import dataclass

from ...runtime.sql import SqlStorage
from ..sharding import places, shard_of

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS openapi_layout (shards INTEGER NOT NULL, target INTEGER)",
    "CREATE TABLE IF NOT EXISTS openapi_move (place INTEGER PRIMARY KEY, after TEXT NOT NULL, done INTEGER NOT NULL)",
)

MOVE_BATCH = 200
"""Resources one step of a move examines (requests of the tenant wait for at most one step)."""


@dataclass(frozen=True)
class Layout:
    """The account's shard count, and the one it is moving to (None when not moving)."""

    shards: int = 1
    target: int | None = None

    def everywhere(self) -> list[int]:
        """Every place that may hold resources: the current layout's, then the new layout's others."""
        found = places(self.shards)
        if self.target is not None:
            found += [place for place in places(self.target) if place not in found]
        return found

    def places_of(self, resource_id: str) -> list[int]:
        """Where to look for a resource, in order: its new place, then its old one while moving."""
        home = self.home(resource_id)
        old = shard_of(resource_id, self.shards)
        return [home] if old == home else [home, old]

    def home(self, resource_id: str) -> int:
        """Where a resource belongs (the new layout's place while moving)."""
        return shard_of(resource_id, self.shards if self.target is None else self.target)


def read_layout(sql: SqlStorage) -> Layout:
    """The layout the account recorded (one shard, its own object, if none)."""
    rows = sql.exec("SELECT shards, target FROM openapi_layout").to_list()
    return Layout(rows[0]["shards"], rows[0]["target"]) if rows else Layout()


def begin_move(sql: SqlStorage, layout: Layout, target: int) -> Layout:
    """Record a move from `layout` to `target` shards, each old place to be walked from its start."""
    moving = Layout(layout.shards, target)
    _write(sql, moving)
    sql.exec("DELETE FROM openapi_move")
    for place in places(layout.shards):
        sql.exec("INSERT INTO openapi_move VALUES (?, '', 0)", place)
    return moving


def next_walk(sql: SqlStorage) -> tuple[int, str] | None:
    """The old place a move walks next and the id it got to, or None once every old place is walked."""
    rows = sql.exec("SELECT place, after FROM openapi_move WHERE done = 0 ORDER BY place LIMIT 1").to_list()
    return (rows[0]["place"], rows[0]["after"]) if rows else None


def record_walk(sql: SqlStorage, place: int, after: str, done: bool) -> None:
    """Remember how far the walk of `place` got."""
    sql.exec("UPDATE openapi_move SET after = ?, done = ? WHERE place = ?", after, int(done), place)


def finish_move(sql: SqlStorage, layout: Layout) -> Layout:
    """The move is over: the new layout is the account's."""
    done = Layout(layout.target or layout.shards)
    _write(sql, done)
    sql.exec("DELETE FROM openapi_move")
    return done


def _write(sql: SqlStorage, layout: Layout) -> None:
    sql.exec("DELETE FROM openapi_layout")
    sql.exec("INSERT INTO openapi_layout VALUES (?, ?)", layout.shards, layout.target)
