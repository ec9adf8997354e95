"""`Thing` and `Relationship`: the records the graph stores hand out (immutable snapshots)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


def format_time(epoch: float) -> str:
    """Epoch seconds as fixed-width ISO 8601 UTC text, which sorts like the instants it names."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str | None) -> datetime | None:
    """The aware UTC datetime of a stored timestamp (None stays None)."""
    return None if text is None else datetime.fromisoformat(text)


@dataclass(frozen=True, slots=True)
class Thing:
    """One version of a thing: its identity, type, name, JSON `data` and bookkeeping."""

    id: str
    type: str
    name: str | None
    data: dict[str, Any]
    version: int
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None
    visibility: str = "private"

    def __getitem__(self, key: str) -> Any:
        """`thing["email"]` reads a field of `data`."""
        return self.data[key]

    def get(self, key: str, default: Any = None) -> Any:
        """A field of `data`, or `default`."""
        return self.data.get(key, default)

    @property
    def deleted(self) -> bool:
        """Whether this version records a (soft) deletion."""
        return self.deleted_at is not None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (timestamps as ISO 8601 text)."""
        return {
            "id": self.id,
            "type": self.type,
            "name": self.name,
            "data": self.data,
            "version": self.version,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "deleted_at": None if self.deleted_at is None else self.deleted_at.isoformat(),
            "visibility": self.visibility,
        }


@dataclass(frozen=True, slots=True)
class Relationship:
    """A typed edge `from_id -> to_id` with its own JSON `data`; an endpoint may be a reference."""

    id: str
    from_id: str
    to_id: str
    type: str
    data: dict[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "id": self.id,
            "from_id": self.from_id,
            "to_id": self.to_id,
            "type": self.type,
            "data": self.data,
            "created_at": None if self.created_at is None else self.created_at.isoformat(),
        }
