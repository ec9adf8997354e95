"""The shard registry: what a sharded object keeps of its things once they live in shard objects.

One row in the object's own SQLite (`shard_registry`) holds the shard key, the current layout
(strategy and count) and, while a shard, rebalance or unshard runs, the move in progress: the layout
things come from and the one they go to. A move that a crash interrupted is still recorded here,
so the object finishes it when it next runs (see `shard_mover`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import msgspec

from .shard_strategies import ShardStrategy

if TYPE_CHECKING:
    from ..runtime.object_storage import ObjectStorage

REGISTRY_TABLE = "shard_registry"


def shard_name(object_name: str, index: int) -> str:
    """The name of shard `index` of the object called `object_name`."""
    return f"{object_name}-shard-{index}"


@dataclass(frozen=True)
class Layout:
    """Where things live: `count` shards chosen by `strategy` (None: in the object itself)."""

    count: int
    strategy: ShardStrategy

    def to_record(self) -> dict[str, Any]:
        """The JSON form."""
        return {"count": self.count, "strategy": self.strategy.to_record()}

    @classmethod
    def from_record(cls, record: dict[str, Any] | None) -> Layout | None:
        """A layout from its JSON form (None stays None: unsharded)."""
        if record is None:
            return None
        return cls(record["count"], ShardStrategy.from_record(record["strategy"]))


@dataclass
class Move:
    """A move of things from one layout to another (None on either side: the object itself)."""

    id: str
    kind: str
    source: Layout | None
    target: Layout | None

    def to_record(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "id": self.id,
            "kind": self.kind,
            "source": None if self.source is None else self.source.to_record(),
            "target": None if self.target is None else self.target.to_record(),
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Move:
        """A move from its JSON form."""
        return cls(
            record["id"], record["kind"], Layout.from_record(record["source"]), Layout.from_record(record["target"])
        )


@dataclass
class Registry:
    """The registry row: shard key, layout (None when unsharded), move in progress, round-robin turn."""

    key: str | None = None
    layout: Layout | None = None
    move: Move | None = None
    turn: int = 0

    @property
    def sharded(self) -> bool:
        """Whether things live in shards (or are moving between layouts)."""
        return self.layout is not None or self.move is not None

    def to_record(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "key": self.key,
            "layout": None if self.layout is None else self.layout.to_record(),
            "move": None if self.move is None else self.move.to_record(),
            "turn": self.turn,
        }


def load_registry(storage: ObjectStorage) -> Registry:
    """The registry of an object (an empty one if it was never sharded)."""
    if not storage.table_exists(REGISTRY_TABLE):
        return Registry()
    rows = list(storage.sql.exec(f"SELECT value FROM {REGISTRY_TABLE} WHERE id = 1").raw())
    if not rows:
        return Registry()
    record = msgspec.json.decode(rows[0][0])
    move = record.get("move")
    return Registry(
        key=record.get("key"),
        layout=Layout.from_record(record.get("layout")),
        move=None if move is None else Move.from_record(move),
        turn=record.get("turn", 0),
    )


def save_registry(storage: ObjectStorage, registry: Registry) -> None:
    """Write the registry row (committed with the event that changed it)."""
    storage.sql.exec(f"CREATE TABLE IF NOT EXISTS {REGISTRY_TABLE} (id INTEGER PRIMARY KEY, value TEXT NOT NULL)")
    storage.sql.exec(
        f"INSERT OR REPLACE INTO {REGISTRY_TABLE} (id, value) VALUES (1, ?)",
        msgspec.json.encode(registry.to_record()).decode(),
    )
