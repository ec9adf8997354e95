"""`dotdo query` and `dotdo tiers status`: SQL over the warm tier and the state of the tiers, from a shell."""

from __future__ import annotations

import os
import sqlite3
import sys
import time
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from ..extras import MissingExtraError, require_extra
from .config import TierConfig
from .outbox import OUTBOX_TABLE
from .warehouse import Warehouse

tiers_app = typer.Typer(help="The storage tiers: warm Iceberg tables, cold archive, shipping.", no_args_is_help=True)
console = Console(stderr=True)

DataDir = Annotated[
    Path | None, typer.Option(help="Data folder (default: $DOTDO_DATA_DIR or .dotdo).", show_default=False)
]
WarehouseOption = Annotated[
    str | None,
    typer.Option(
        help="Warehouse folder or s3:// URI (default: tiers/warehouse in the data folder).", show_default=False
    ),
]


class OutputFormat(StrEnum):
    """How `dotdo query` prints its answer."""

    table = "table"
    csv = "csv"
    json = "json"
    parquet = "parquet"


class Engine(StrEnum):
    """The SQL engine of `dotdo query`."""

    duckdb = "duckdb"
    clickhouse = "clickhouse"


def _data_dir(data_dir: Path | None) -> Path:
    return Path(data_dir or os.environ.get("DOTDO_DATA_DIR") or ".dotdo").expanduser().resolve()


def _fail(message: str) -> None:
    console.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code=1)


def _require_tiers(command: str) -> None:
    """Stop with the install command when the tiers extra is missing."""
    try:
        require_extra("tiers", command)
    except MissingExtraError as exc:
        _fail(str(exc))


def query_command(
    sql: Annotated[str, typer.Argument(help="One read-only SELECT over things, relationships, events, actions.")],
    data_dir: DataDir = None,
    warehouse: WarehouseOption = None,
    output_format: Annotated[OutputFormat, typer.Option("--format", help="Output format.")] = OutputFormat.table,
    engine: Annotated[Engine, typer.Option(help="SQL engine (clickhouse needs dotdo[clickhouse]).")] = Engine.duckdb,
    clickhouse_url: Annotated[
        str | None,
        typer.Option(
            envvar="DOTDO_CLICKHOUSE_URL",
            help="With --engine clickhouse: a ClickHouse server (http://user:password@host:8123) instead of chdb.",
            show_default=False,
        ),
    ] = None,
    as_of: Annotated[
        str | None, typer.Option(help="Read the tables as they were then (ISO 8601).", show_default=False)
    ] = None,
    fresh: Annotated[
        bool,
        typer.Option(
            "--fresh",
            help="Also read the rows not shipped yet from each object's outbox (needs the data folder free).",
        ),
    ] = False,
    output: Annotated[
        Path | None, typer.Option(help="Write to this file (required for --format parquet).", show_default=False)
    ] = None,
) -> None:
    """Run SQL across every object's shipped data (the warm tier) and print the answer."""
    from ..runtime.folder_lock import DataFolderInUseError
    from .query import QueryError, QueryResult, check_query, execute_query, plan_query

    _require_tiers("dotdo query")
    if output_format is OutputFormat.parquet and output is None:
        _fail("--format parquet writes a file: add --output answer.parquet")
    if fresh and as_of is not None:
        _fail("--fresh reads what is not shipped yet; it cannot be combined with --as-of")
    root = _data_dir(data_dir)
    try:
        # No runtime: the warm tier is read beside a server that may hold the data folder.
        tables = Warehouse(TierConfig(warehouse=warehouse, clickhouse_url=clickhouse_url), root)
        started = time.perf_counter()
        when = check_query(sql, as_of=as_of, engine=engine.value)
        with console.status("planning the warm tables…"):
            scans = plan_query(tables, sql, when)
        unshipped = _read_fresh(root, tables, scans) if fresh else None
        with console.status(f"querying with {engine.value}…"):
            result = QueryResult(execute_query(tables, sql, scans, unshipped, engine.value))
        elapsed = time.perf_counter() - started
    except DataFolderInUseError as exc:
        _fail(
            f"--fresh reads each object's outbox from its file, and a running runtime holds this data folder. "
            f"{exc} Or ask that runtime (await rt.query(sql, fresh=True)), or leave out --fresh to read what "
            "has shipped."
        )
        return
    except (QueryError, ValueError) as exc:
        _fail(str(exc))
        return
    _print(result, output_format, output)
    console.print(f"[dim]{len(result)} row(s) in {elapsed:.2f} s ({engine.value}{', fresh' if fresh else ''})[/]")


def _read_fresh(root: Path, tables: Warehouse, scans: Mapping[str, Any]) -> Any:
    """The unshipped rows of every object, read from the files with a progress bar."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from .fresh import fresh_rows, read_outbox_files

    marks = tables.marks()
    with Progress(
        TextColumn("reading outboxes"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("outboxes", total=None)
        batch = read_outbox_files(
            root, marks, on_object=lambda done, total: progress.update(task, completed=done, total=total)
        )
    return fresh_rows(batch, scans)


def _print(result: Any, output_format: OutputFormat, output: Path | None) -> None:
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    if output_format is OutputFormat.parquet:
        pq.write_table(result.arrow, str(output))
        return
    if output_format is OutputFormat.table:
        table = Table(*result.columns, show_lines=False)
        for row in result.rows:
            table.add_row(*("" if value is None else str(value) for value in row))
        Console(file=open(output, "w") if output else sys.stdout).print(table)  # noqa: SIM115
        return
    if output_format is OutputFormat.csv:
        text = _csv(result, pacsv)
    else:
        import msgspec

        text = "\n".join(msgspec.json.encode(row, enc_hook=str).decode() for row in result) + "\n"
    if output is not None:
        output.write_text(text)
    else:
        sys.stdout.write(text)


def _csv(result: Any, pacsv: Any) -> str:
    import io

    sink = io.BytesIO()
    pacsv.write_csv(result.arrow, sink)
    return sink.getvalue().decode()


@tiers_app.command("status")
def status_command(data_dir: DataDir = None, warehouse: WarehouseOption = None) -> None:
    """Files, bytes and rows per warm table, last compaction, and the shipping backlog per object."""
    _require_tiers("dotdo tiers status")
    root = _data_dir(data_dir)
    # No runtime: a server may hold the data folder; its objects' files are read where they are free.
    warm = Warehouse(TierConfig(warehouse=warehouse), root)
    out = Console()
    out.print(f"[bold]warehouse[/] {warm.uri}\n[bold]catalog[/]   {warm.catalog_url}")
    tables = Table("table", "files", "bytes", "rows", "snapshots", "last compaction", "field columns")
    for t in warm.status():
        tables.add_row(
            t.name,
            str(t.files),
            f"{t.bytes:,}",
            f"{t.rows:,}",
            str(t.snapshots),
            t.last_compaction or "never",
            ", ".join(t.promoted_columns),
        )
    out.print(tables)
    backlog = Table("object", "rows waiting", "lag")
    for namespace, object_id, rows, lag in outbox_backlog(root):
        backlog.add_row(f"{namespace}/{object_id[:16]}", rows, lag)
    out.print(backlog)


def outbox_backlog(root: Path) -> list[tuple[str, str, str, str]]:
    """Each object's outbox backlog read from its file (read-only); "busy" while a server holds it."""
    found = []
    now = time.time()
    for path in sorted((root / "objects").glob("*/*/*.sqlite")):
        namespace, object_id = path.parent.parent.name, path.stem
        try:
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=0.1) as conn:
                count, oldest = conn.execute(f"SELECT count(*), min(queued_at) FROM {OUTBOX_TABLE}").fetchone()
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                continue
            found.append((namespace, object_id, "busy", "held by a running server"))
            continue
        lag = "-" if oldest is None else f"{max(0.0, now - oldest):.1f} s"
        found.append((namespace, object_id, str(count), lag))
    return found
