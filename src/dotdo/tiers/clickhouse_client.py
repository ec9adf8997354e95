"""ClickHouse through clickhouse-connect: a server (`http://user:password@host:8123`) or any other
backend clickhouse-connect knows (`chdb://memory`), given as a DSN.

A query's warm relations (deletes and fresh rows already applied) go to the server as temporary
tables of one session, the views are built there as temporary tables too, and the answer comes
back as Arrow. Temporary tables need no grants beyond a session and vanish with it; they are
dropped at the end all the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from ..runtime.errors import DotdoError

if TYPE_CHECKING:
    import pyarrow as pa


class ClickHouseError(DotdoError, ValueError):
    """ClickHouse could not be reached, or refused the query or its data."""


def redacted(dsn: str) -> str:
    """The DSN without its password, for messages."""
    parts = urlsplit(dsn)
    if parts.password is None:
        return dsn
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, f"{parts.username}:***@{host}", parts.path, parts.query, parts.fragment))


def clickhouse_type(field: pa.Field) -> str:
    """The ClickHouse column type holding an Arrow field of a warm table."""
    import pyarrow as pa

    kind = field.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        name = "String"
    elif pa.types.is_boolean(kind):
        name = "Bool"
    elif pa.types.is_integer(kind):
        name = f"{'U' if pa.types.is_unsigned_integer(kind) else ''}Int{kind.bit_width}"
    elif pa.types.is_floating(kind):
        name = f"Float{kind.bit_width}"
    elif pa.types.is_timestamp(kind):
        digits = {"s": 0, "ms": 3, "us": 6, "ns": 9}[kind.unit]
        name = f"DateTime64({digits}, 'UTC')"
    elif pa.types.is_date(kind):
        name = "Date32"
    else:
        raise ClickHouseError(f"column {field.name!r} has type {kind}, which is not sent to ClickHouse")
    return f"Nullable({name})" if field.nullable else name


def _quoted(name: str) -> str:
    return "`" + name.replace("\\", "\\\\").replace("`", "\\`") + "`"


def connect(dsn: str) -> Any:
    """A clickhouse-connect client for `dsn`; it keeps one session (its temporary tables) across calls."""
    try:
        import clickhouse_connect
    except ImportError:
        raise ClickHouseError(
            "a ClickHouse server is queried through clickhouse-connect: pip install 'dotdo[clickhouse]'"
        ) from None
    from clickhouse_connect.driver.exceptions import Error

    try:
        return clickhouse_connect.get_client(dsn=dsn)
    except Error as exc:
        raise ClickHouseError(f"cannot reach ClickHouse at {redacted(dsn)}: {_first_line(exc)}") from None


def run_on_clickhouse(dsn: str, sql: str, tables: Mapping[str, pa.Table], views: Mapping[str, str]) -> pa.Table:
    """Load `tables` (as `_warm_<name>`), build `views` (name -> SELECT over `{<name>}`), run `sql`."""
    from clickhouse_connect.driver.exceptions import Error

    client = connect(dsn)
    created: list[str] = []
    try:
        try:
            for kind, table in tables.items():
                name = f"_warm_{kind}"
                columns = ", ".join(f"{_quoted(f.name)} {clickhouse_type(f)}" for f in table.schema)
                client.command(f"CREATE TEMPORARY TABLE {name} ({columns}) ENGINE = Memory")
                created.append(name)
                if table.num_rows:
                    client.insert_arrow(name, table)
            sources = {kind: f"_warm_{kind}" for kind in tables}
            for view, template in views.items():
                client.command(f"CREATE TEMPORARY TABLE {view} ENGINE = Memory AS {template.format(**sources)}")
                created.append(view)
        except Error as exc:
            raise ClickHouseError(f"ClickHouse at {redacted(dsn)} refused the data: {_first_line(exc)}") from None
        try:
            return client.query_arrow(sql)
        except Error as exc:
            raise ClickHouseError(f"ClickHouse could not run the query: {_first_line(exc)}") from None
    finally:
        try:
            for name in reversed(created):
                client.command(f"DROP TEMPORARY TABLE IF EXISTS {name}")
        except Error:
            pass  # the session's end drops them anyway
        client.close()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
