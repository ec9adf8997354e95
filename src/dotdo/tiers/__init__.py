"""Storage tiers: hot SQLite -> warm Iceberg/Parquet (pyiceberg, on obstore) -> cold Parquet archive,
and SQL across objects with DuckDB or ClickHouse (embedded chdb, or a server through
clickhouse-connect). pyiceberg, pyarrow, duckdb, obstore, chdb and clickhouse-connect are imported
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
