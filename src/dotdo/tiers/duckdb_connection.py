"""The one way this package opens DuckDB: in memory, never installing or loading extensions itself."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb


def connect_duckdb() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with extension autoinstall and autoload off (Parquet and JSON are built in)."""
    import duckdb

    return duckdb.connect(
        ":memory:", config={"autoinstall_known_extensions": False, "autoload_known_extensions": False}
    )
