"""Storage tiers: hot SQLite -> warm Iceberg/Parquet (pyiceberg) -> cold Parquet archive, and SQL
across objects with DuckDB or ClickHouse (chdb). pyiceberg, pyarrow, duckdb and chdb are imported
only when used (`pip install 'dotdo[tiers]'`, `'dotdo[clickhouse]'`)."""

from .config import TierConfig
from .erasure import ErasureReport
from .query import QueryError, QueryResult
from .service import ObjectBacklog, ShipReport, Tiers, TiersStatus
from .tiered_runtime import Runtime
from .warehouse import TableStatus

__all__ = [
    "ErasureReport",
    "ObjectBacklog",
    "QueryError",
    "QueryResult",
    "Runtime",
    "ShipReport",
    "TableStatus",
    "TierConfig",
    "Tiers",
    "TiersStatus",
]
