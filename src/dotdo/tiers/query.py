"""SQL across objects: DuckDB (or chdb) over the Parquet files pyiceberg plans, plus unshipped rows.

The views a query sees: `things` (the latest version of each thing, soft-deleted ones included with
`deleted_at` set, as in each object's own `things` table), `thing_versions` (every version),
`relationships`, `events`, `actions` (the latest state of each step) and `action_changes` (every
state change). Every row carries its object's `namespace` and `object_id`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..extras import require_extra
from ..runtime.errors import DotdoError
from .clickhouse_client import ClickHouseError, run_on_clickhouse
from .duckdb_connection import connect_duckdb
from .warehouse import PlannedScan, Warehouse

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

ENGINES = ("duckdb", "clickhouse")
VIEW_NAMES = ("things", "thing_versions", "relationships", "events", "actions", "action_changes")

# The latest row of each key as an anti-join ("no newer row"): DuckDB runs it ~50x faster than a
# row_number() window over a million rows.
_VIEWS = {
    "thing_versions": "SELECT * FROM {things}",
    "things": (
        "SELECT * FROM {things} AS a WHERE NOT EXISTS (SELECT 1 FROM {things} AS b WHERE b.object_id = a.object_id "
        "AND b.id = a.id AND b.namespace = a.namespace AND b.version > a.version)"
    ),
    "relationships": "SELECT * FROM {relationships}",
    "events": "SELECT * FROM {events}",
    "action_changes": "SELECT * FROM {actions}",
    "actions": (
        "SELECT * FROM {actions} AS a WHERE NOT EXISTS (SELECT 1 FROM {actions} AS b WHERE b.object_id = a.object_id "
        "AND b.step_id = a.step_id AND b.namespace = a.namespace AND b.sequence > a.sequence)"
    ),
}
_CLICKHOUSE_VIEWS = {
    "thing_versions": "SELECT * FROM {things}",
    "things": "SELECT * FROM {things} ORDER BY version DESC, sequence DESC LIMIT 1 BY namespace, object_id, id",
    "relationships": "SELECT * FROM {relationships}",
    "events": "SELECT * FROM {events}",
    "action_changes": "SELECT * FROM {actions}",
    "actions": "SELECT * FROM {actions} ORDER BY sequence DESC LIMIT 1 BY namespace, object_id, step_id",
}
_VIEW_SOURCES = {
    "things": "things",
    "thing_versions": "things",
    "relationships": "relationships",
    "events": "events",
    "actions": "actions",
    "action_changes": "actions",
}


# The warm table behind each view, and the view that shows a table's every row.
_SOURCE_OF = {
    "things": "things",
    "thing_versions": "things",
    "relationships": "relationships",
    "events": "events",
    "actions": "actions",
    "action_changes": "actions",
}
_ALL_ROWS_VIEW = {
    "things": "thing_versions",
    "relationships": "relationships",
    "events": "events",
    "actions": "action_changes",
}


class QueryError(DotdoError, ValueError):
    """A query that cannot run: not read-only, not valid SQL, or an unknown engine."""


@dataclass(frozen=True)
class FreshRows:
    """Rows still in hot outboxes: per table, the rows (Arrow) and the removals not yet shipped."""

    rows: Mapping[str, pa.Table]
    removals: pa.Table
    """Columns `kind`, `object_id`, `key`, `sequence`: rows of that key below that sequence are gone."""


class QueryResult:
    """The answer of `query()`: `columns`, `rows` (tuples), iteration as dicts, and `arrow`."""

    def __init__(self, arrow: pa.Table) -> None:
        self.arrow = arrow
        self.columns: list[str] = list(arrow.column_names)
        self.rows: list[tuple[Any, ...]] = list(zip(*(c.to_pylist() for c in arrow.columns), strict=True))

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return (dict(zip(self.columns, row, strict=True)) for row in self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __repr__(self) -> str:
        return f"QueryResult(columns={self.columns!r}, rows={len(self.rows)})"


def check_read_only(sql: str) -> None:
    """Accept one SELECT statement; anything else raises `QueryError` saying why."""
    import duckdb

    if not isinstance(sql, str) or not sql.strip():
        raise QueryError("query needs the text of one SELECT statement")
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise QueryError(f"not valid SQL: {exc}") from None
    if len(statements) != 1:
        raise QueryError(f"query takes exactly one statement, got {len(statements)}")
    kind = statements[0].type
    if kind != duckdb.StatementType.SELECT:
        raise QueryError(
            f"only read-only SELECT queries are accepted, not {kind.name}: the tiers are written by shipping"
        )


def referenced_views(sql: str) -> list[str]:
    """The views a query may read (by name), so only their tables are planned and loaded."""
    words = {word.lower() for word in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", sql)}
    return [name for name in VIEW_NAMES if name in words]


def _duckdb_source(conn: duckdb.DuckDBPyConnection, kind: str, scan: PlannedScan, read_remote: Any) -> str:
    """A SQL relation of the warm rows of `kind` (registered on `conn`)."""
    if scan.rows is not None:
        conn.register(f"_warm_{kind}", scan.rows)
        return f"_warm_{kind}"
    if not scan.files:
        conn.register(f"_warm_{kind}", scan.schema.empty_table())
        return f"_warm_{kind}"
    if read_remote is not None:
        conn.register(f"_warm_{kind}", read_remote(scan))
        return f"_warm_{kind}"
    listing = ", ".join("'" + path.replace("'", "''") + "'" for path in scan.files)
    return f"read_parquet([{listing}], union_by_name = true, hive_partitioning = false)"


def run_duckdb(
    sql: str,
    scans: Mapping[str, PlannedScan],
    fresh: FreshRows | None,
    *,
    read_remote: Any = None,
) -> pa.Table:
    """Run `sql` on DuckDB over the planned warm tables (and fresh rows)."""
    import duckdb

    conn = connect_duckdb()
    try:
        sources: dict[str, str] = {}
        for kind, scan in scans.items():
            relation = _duckdb_source(conn, kind, scan, read_remote)
            if fresh is not None:
                relation = _with_fresh(conn, kind, relation, fresh)
            sources[kind] = relation
        for view, template in _VIEWS.items():
            if _VIEW_SOURCES[view] in sources:
                conn.execute(f"CREATE VIEW {view} AS {template.format(**_all(sources))}")
        try:
            relation = conn.sql(sql)
            return relation.to_arrow_table() if relation is not None else _empty()
        except duckdb.Error as exc:
            raise QueryError(f"DuckDB could not run the query: {exc}") from None
    finally:
        conn.close()


def _with_fresh(conn: duckdb.DuckDBPyConnection, kind: str, relation: str, fresh: FreshRows) -> str:
    conn.register("_removals", fresh.removals)
    key = "step_id" if kind == "actions" else "id"
    union = relation
    rows = fresh.rows.get(kind)
    if rows is not None and rows.num_rows:
        conn.register(f"_fresh_{kind}", rows)
        union = f"(SELECT * FROM {relation} UNION ALL BY NAME SELECT * FROM _fresh_{kind})"
    return (
        f"(SELECT * FROM {union} AS r WHERE NOT EXISTS (SELECT 1 FROM _removals AS x WHERE x.kind = '{kind}' "
        f"AND x.object_id = r.object_id AND x.key = r.{key} AND x.sequence > r.sequence) "
        "QUALIFY row_number() OVER (PARTITION BY r.object_id, r.sequence) = 1)"
    )


def _all(sources: Mapping[str, str]) -> dict[str, str]:
    return {
        kind: sources.get(kind, "(SELECT NULL WHERE false)")
        for kind in ("things", "relationships", "events", "actions")
    }


def _empty() -> pa.Table:
    import pyarrow as pa

    return pa.table({})


def run_clickhouse(sql: str, tables: Mapping[str, pa.Table], dsn: str | None = None) -> pa.Table:
    """Run `sql` on ClickHouse over the warm tables given as Arrow: embedded chdb, or the server
    (any clickhouse-connect DSN) at `dsn`."""
    if dsn is not None:
        # Views become temporary tables there: only those the query names are built.
        views = {view: _CLICKHOUSE_VIEWS[view] for view in referenced_views(sql) if _VIEW_SOURCES[view] in tables}
        try:
            return run_on_clickhouse(dsn, sql, tables, views)
        except ClickHouseError as exc:
            raise QueryError(str(exc)) from None
    require_extra("clickhouse", "engine='clickhouse'")
    from chdb import session as chdb_session

    sess = chdb_session.Session()
    try:
        for kind, table in tables.items():
            _load_table(sess, f"_warm_{kind}", table)
        for view, template in _CLICKHOUSE_VIEWS.items():
            if _VIEW_SOURCES[view] in tables:
                sess.query(f"CREATE VIEW {view} AS {template.format(**{k: f'_warm_{k}' for k in tables})}")
        try:
            return sess.query(sql, "ArrowTable")
        except Exception as exc:  # chdb raises its own RuntimeError subclasses for SQL errors
            raise QueryError(f"ClickHouse could not run the query: {exc}") from None
    finally:
        sess.close()


def _load_table(sess: Any, name: str, arrow_table: pa.Table) -> None:
    # chdb's Python() table function finds the Arrow table by its variable name in this frame.
    sess.query(f"CREATE TABLE {name} ENGINE = Memory AS SELECT * FROM Python(arrow_table)")


def check_query(sql: str, *, as_of: str | datetime | None, engine: str) -> datetime | None:
    """Refuse what cannot run (a write, a bad engine, a bad time) before any work; the `as_of` instant."""
    if engine not in ENGINES:
        raise QueryError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    check_read_only(sql)
    return instant(as_of)


def instant(as_of: str | datetime | None) -> datetime | None:
    """`as_of` as an aware UTC datetime (naive times are taken as UTC)."""
    if as_of is None:
        return None
    if isinstance(as_of, datetime):
        return as_of if as_of.tzinfo else as_of.replace(tzinfo=UTC)
    try:
        when = datetime.fromisoformat(as_of)
    except (TypeError, ValueError):
        raise QueryError(f"as_of must be an ISO 8601 time such as 2026-12-01T00:00:00Z, not {as_of!r}") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def plan_query(warehouse: Warehouse, sql: str, when: datetime | None) -> dict[str, PlannedScan]:
    """The planned scan of every warm table the query may read."""
    kinds = sorted({_SOURCE_OF[view] for view in referenced_views(sql)}) or ["things"]
    return {kind: warehouse.plan(kind, when) for kind in kinds}


def execute_query(
    warehouse: Warehouse, sql: str, scans: Mapping[str, PlannedScan], fresh: FreshRows | None, engine: str
) -> pa.Table:
    """Run `sql` on `engine` over the planned scans (and fresh rows)."""
    read_remote = None if warehouse.local else warehouse.dataset
    if engine == "duckdb":
        return run_duckdb(sql, scans, fresh, read_remote=read_remote)
    # chdb gets the same relations DuckDB would read (deletes and fresh rows applied), as Arrow.
    tables = {}
    for kind, scan in scans.items():
        if fresh is None and scan.rows is not None:
            tables[kind] = scan.rows
        elif fresh is None:
            tables[kind] = warehouse.dataset(scan).to_table()
        else:
            all_rows = f"SELECT * FROM {_ALL_ROWS_VIEW[kind]}"
            tables[kind] = run_duckdb(all_rows, {kind: scan}, fresh, read_remote=read_remote)
    return run_clickhouse(sql, tables, warehouse.config.clickhouse_url)
