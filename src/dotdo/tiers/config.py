"""Settings of the storage tiers: where the warehouse and its catalog live, and the shipping policy."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse


@dataclass(frozen=True)
class TierConfig:
    """How hot objects ship to the warm tier and age into the cold one.

    `warehouse`: a folder or `s3://bucket/prefix` (default: `tiers/warehouse` in the data folder).
    `catalog_uri`: the SQLAlchemy URL of the Iceberg SQL catalog (default: SQLite in the data folder).
    `storage_options`: pyiceberg FileIO properties for the warehouse, e.g. `s3.endpoint`,
    `s3.access-key-id`, `s3.secret-access-key`, `s3.region`.
    `clickhouse_url`: where `engine="clickhouse"` runs: None for embedded chdb, or a ClickHouse
    server as a clickhouse-connect DSN such as `http://user:password@127.0.0.1:8123`.
    """

    warehouse: str | None = None
    catalog_uri: str | None = None
    storage_options: Mapping[str, str] = field(default_factory=dict)
    clickhouse_url: str | None = None
    batch_rows: int = 200_000
    """At most this many outbox rows per shipping batch (one Iceberg commit per table per batch)."""
    ship_interval: float | None = 5.0
    """Seconds between background shipping rounds; None ships only when asked (`rt.ship()`)."""
    compact_min_files: int = 16
    """Compact a table when its current snapshot has more data files than this."""
    snapshot_retention: float = 7 * 86400.0
    """Snapshots older than this (seconds) are expired by compaction; `as_of` reaches back this far."""
    archive_after: float | None = None
    """Thing versions older than this (seconds) move to the cold archive; None keeps them hot."""

    def __post_init__(self) -> None:
        if self.batch_rows < 1:
            raise ValueError("batch_rows must be at least 1")
        if self.ship_interval is not None and self.ship_interval <= 0:
            raise ValueError("ship_interval must be positive (seconds) or None")
        if self.compact_min_files < 1:
            raise ValueError("compact_min_files must be at least 1")
        if self.snapshot_retention < 0:
            raise ValueError("snapshot_retention must not be negative (seconds)")
        if self.clickhouse_url is not None and "://" not in self.clickhouse_url:
            raise ValueError(
                f"clickhouse_url must be a DSN such as http://user:password@host:8123, not {self.clickhouse_url!r}"
            )
        if self.archive_after is not None and self.archive_after < 0:
            raise ValueError("archive_after must not be negative (seconds) or None")

    def warehouse_uri(self, data_dir: Path) -> str:
        """The warehouse as a URI (`file:///...` or `s3://...`)."""
        location = self.warehouse or str(data_dir / "tiers" / "warehouse")
        scheme = urlparse(location).scheme
        if scheme in ("s3", "s3a", "file"):
            return location
        if scheme and len(scheme) > 1:
            raise ValueError(f"warehouse must be a folder or an s3:// URI, not {location!r}")
        return Path(location).expanduser().resolve().as_uri()

    def catalog_url(self, data_dir: Path) -> str:
        """The catalog's SQLAlchemy URL."""
        return self.catalog_uri or f"sqlite:///{data_dir / 'tiers' / 'catalog.sqlite'}"
