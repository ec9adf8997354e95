"""The operator commands: `dotdo objects`, `sql`, `kv`, `alarms`, `tail`, `export`, `import`, `bash`.

Each reads a data folder directly (`--data-dir`, default `$DOTDO_DATA_DIR` or `.dotdo`) or asks a
running server (`--url`, with `--token` if it has one).
"""

from __future__ import annotations

import json
import os
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from ..runtime.data_folder import DataFolder
from ..runtime.folder_lock import FolderLock
from .archive import ArchiveError, import_archive
from .sources import FolderSource, ServerSource, Source, SourceError

console = Console()
errors = Console(stderr=True)

DataDir = Annotated[
    Path | None,
    typer.Option(help="Data folder to read (default: $DOTDO_DATA_DIR or .dotdo).", show_default=False),
]
Url = Annotated[
    str | None, typer.Option(help="Ask the server running at this URL instead of reading a folder.", show_default=False)
]
Token = Annotated[
    str | None,
    typer.Option(help="The server's token (--token of dotdo dev); default $DOTDO_TOKEN.", show_default=False),
]
ClassArg = Annotated[str, typer.Argument(help="The object's class (its namespace).")]
NameArg = Annotated[str, typer.Argument(help="The object's name (or its 64-hex id).")]


def fail(message: str) -> None:
    """Print an error and exit with status 1."""
    errors.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code=1)


def source_for(data_dir: Path | None, url: str | None, token: str | None) -> Source:
    """The folder or server the command reads."""
    if url is not None and data_dir is not None:
        fail("Pass --data-dir or --url, not both")
    try:
        if url is not None:
            return ServerSource(url, token or os.environ.get("DOTDO_TOKEN"))
        return FolderSource(data_dir or Path(os.environ.get("DOTDO_DATA_DIR") or ".dotdo"))
    except SourceError as exc:
        fail(str(exc))
        raise


def _cell(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def _result_table(result: dict[str, Any], title: str) -> Table:
    table = Table(title=title)
    for column in result["columns"]:
        table.add_column(str(column))
    for row in result["rows"]:
        table.add_row(*(_cell(v) for v in row))
    return table


def objects(
    cls: Annotated[str | None, typer.Argument(help="Only objects of this class.", show_default=False)] = None,
    search: Annotated[str, typer.Option("--search", "-s", help="Only names or ids containing this.")] = "",
    limit: Annotated[int, typer.Option(help="Show at most this many.", min=1)] = 100,
    data_dir: DataDir = None,
    url: Url = None,
    token: Token = None,
) -> None:
    """List stored objects by class and name: id, size, last activity, live or evicted."""
    source = source_for(data_dir, url, token)
    try:
        found, total = source.objects(cls, search, limit)
    except SourceError as exc:
        fail(str(exc))
        return
    table = Table(title=f"{total} object{'s' if total != 1 else ''}" + (f" (first {limit})" if total > limit else ""))
    for column in ("class", "name", "id", "size", "last activity", "state"):
        table.add_column(column)
    for o in found:
        table.add_row(
            o["class"],
            o["name"] or "",
            o["id"][:16],
            f"{o['size']:,} B",
            o["last_activity"],
            "live" if o["live"] else "evicted",
        )
    console.print(table)


def sql(
    cls: ClassArg,
    name: NameArg,
    statement: Annotated[str, typer.Argument(help='One SQL statement, e.g. "SELECT * FROM orders".')],
    write: Annotated[bool, typer.Option("--write", help="Allow statements that change the object.")] = False,
    data_dir: DataDir = None,
    url: Url = None,
    token: Token = None,
) -> None:
    """Run SQL in one object's database (read-only unless --write) and print the rows."""
    source = source_for(data_dir, url, token)
    try:
        result = source.sql(cls, name, statement, write)
    except (SourceError, ValueError) as exc:
        fail(str(exc))
        return
    console.print(_result_table(result, f"{cls} {name}"))
    if result.get("truncated"):
        console.print("[yellow]more rows than shown: add a LIMIT or a WHERE")
    if "rows_written" in result:
        console.print(f"{result['rows_written']} row{'s' if result['rows_written'] != 1 else ''} written")


class KvAction(StrEnum):
    """What `dotdo kv` does."""

    list = "list"
    get = "get"


def kv(
    cls: ClassArg,
    name: NameArg,
    action: Annotated[KvAction, typer.Argument(help="list: every entry (or --prefix); get KEY: one value.")],
    key: Annotated[str | None, typer.Argument(help="The key, for get.", show_default=False)] = None,
    prefix: Annotated[str, typer.Option(help="With list: only keys starting with this.")] = "",
    data_dir: DataDir = None,
    url: Url = None,
    token: Token = None,
) -> None:
    """Show one object's key-value entries (`list`) or one value (`get KEY`)."""
    source = source_for(data_dir, url, token)
    try:
        if action is KvAction.get:
            if key is None:
                fail("dotdo kv CLASS NAME get KEY: give the KEY")
                return
            typer.echo(json.dumps(source.kv_get(cls, name, key), indent=2))
            return
        entries = source.kv_list(cls, name, prefix)
    except SourceError as exc:
        fail(str(exc))
        return
    table = Table(title=f"{cls} {name}: {len(entries)} key{'s' if len(entries) != 1 else ''}")
    table.add_column("key")
    table.add_column("value")
    for entry in entries:
        table.add_row(entry["key"], json.dumps(entry["value"]))
    console.print(table)


def alarms(cls: ClassArg, name: NameArg, data_dir: DataDir = None, url: Url = None, token: Token = None) -> None:
    """Show one object's alarm and timers (durable-action resumes, schedules), soonest first."""
    source = source_for(data_dir, url, token)
    try:
        found = source.alarms(cls, name)
    except SourceError as exc:
        fail(str(exc))
        return
    table = Table(title=f"{cls} {name}: {len(found)} timer{'s' if len(found) != 1 else ''}")
    for column in ("timer", "kind", "fires at (UTC)", "retries"):
        table.add_column(column)
    for timer in found:
        table.add_row(timer["id"], timer["kind"], timer["fire_at"], str(timer["retries"]))
    console.print(table)


def tail(
    url: Annotated[str, typer.Option(help="The running server.")] = "http://127.0.0.1:8787",
    token: Token = None,
    cls: Annotated[str | None, typer.Option("--class", help="Only this class.", show_default=False)] = None,
) -> None:
    """Print what happens in a running server as it happens (requests, RPC, WebSockets, activations).

    Against `dotdo serve`, every host's timeline, each line labelled with its host.
    """
    source = ServerSource(url, token or os.environ.get("DOTDO_TOKEN"))
    errors.print(f"following {url} (Ctrl-C to stop)")
    try:
        for entry in source.follow():
            if cls is not None and entry["namespace"] != cls:
                continue
            # Under `dotdo serve` every host's entries come, each labelled with its host.
            host = f"[magenta]{entry['host']}[/] " if "host" in entry else ""
            console.print(
                f"[dim]{entry['at']:.3f}[/] {host}[bold]{entry['namespace']}[/] {entry['object']} "
                f"[cyan]{entry['kind']}[/] {entry['summary']}",
                highlight=False,
                soft_wrap=True,
            )
            console.file.flush()
    except SourceError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        return


def export(
    cls: ClassArg,
    name: NameArg,
    output: Annotated[Path, typer.Option("--output", "-o", help="The archive to write (.tar.gz).")],
    data_dir: DataDir = None,
    url: Url = None,
    token: Token = None,
) -> None:
    """Write one object to a portable archive: a consistent SQLite snapshot, its blobs and a manifest."""
    source = source_for(data_dir, url, token)
    try:
        archive = source.export(cls, name)
    except SourceError as exc:
        fail(str(exc))
        return
    try:
        output.write_bytes(archive)
    except OSError as exc:
        fail(f"Cannot write {output}: {exc.strerror}")
    console.print(f"[bold green]exported[/] {cls} {name} to {output} ({len(archive):,} bytes)")


def import_(
    archive: Annotated[Path, typer.Argument(help="An archive written by dotdo export.")],
    name: Annotated[
        str | None, typer.Option(help="Import under this name (default: the archived object's).", show_default=False)
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the object if it exists.")] = False,
    data_dir: DataDir = None,
) -> None:
    """Lay an exported object into a data folder that no server is running on."""
    folder = DataFolder(data_dir or Path(os.environ.get("DOTDO_DATA_DIR") or ".dotdo"))
    try:
        folder.prepare()
        lock = FolderLock(folder.root)
        lock.acquire()
    except Exception as exc:
        fail(f"{exc} (stop the server first: import writes the folder directly)")
        return
    try:
        namespace, hex_id = import_archive(archive, folder, name=name, force=force)
    except ArchiveError as exc:
        fail(str(exc))
        return
    finally:
        lock.release()
    console.print(f"[bold green]imported[/] {namespace} {name or ''} ({hex_id[:16]}) into {folder.root}")


def bash(
    cls: ClassArg,
    name: NameArg,
    command: Annotated[
        str | None, typer.Option("--command", "-c", help="Run this one script and exit.", show_default=False)
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """An interactive bashx prompt on the object's files (fsx), on a data folder no server is running on."""
    try:
        source = FolderSource(data_dir or Path(os.environ.get("DOTDO_DATA_DIR") or ".dotdo"))
    except SourceError as exc:
        fail(str(exc))
        return
    hex_id = source.catalog.id_of(cls, name)

    def run(script: str) -> int:
        async def in_object(obj: Any) -> Any:
            return await obj.ctx.bash(script)

        try:
            result: Any = source.in_object(cls, hex_id, name, in_object)
        except SourceError as exc:
            errors.print(f"[bold red]error:[/] {exc}")
            return 1
        typer.echo(result.stdout, nl=False)
        if result.stderr:
            typer.echo(result.stderr, nl=False, err=True)
        return result.exit_code

    if command is not None:
        raise typer.Exit(code=run(command))
    errors.print(f"bashx on {cls} {name!r} (each line runs as one script; Ctrl-D to leave)")
    while True:
        try:
            line = input("$ ")
        except EOFError:
            return
        if line.strip():
            run(line)


def add_commands(cli: typer.Typer) -> None:
    """Register the operator commands on the `dotdo` command."""
    cli.command("objects")(objects)
    cli.command("sql")(sql)
    cli.command("kv")(kv)
    cli.command("alarms")(alarms)
    cli.command("tail")(tail)
    cli.command("export")(export)
    cli.command("import")(import_)
    cli.command("bash")(bash)
