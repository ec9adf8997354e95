"""`dotdo restore CLASS NAME --at ISO [--to NEW_NAME]`: point-in-time restore from the change log."""

from __future__ import annotations

import asyncio
import os
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from .runtime.errors import StorageError
from .runtime.log_store import LogStore
from .runtime.restore import RestoreResult, restore

console = Console(stderr=True)


def _instant(text: str) -> float:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not an ISO 8601 time such as 2026-12-01T10:00:00Z") from None
    if moment.tzinfo is None:
        raise typer.BadParameter(f"{text!r} has no time zone: add Z (UTC) or an offset such as +01:00")
    return moment.timestamp()


def restore_command(
    class_name: Annotated[str, typer.Argument(metavar="CLASS", help="The object's class (its namespace).")],
    name: Annotated[str, typer.Argument(metavar="NAME", help="The object's name.")],
    at: Annotated[str, typer.Option(help="The instant to restore, ISO 8601 with a zone (2026-12-01T10:00:00Z).")],
    to: Annotated[
        str | None,
        typer.Option(help="Restore into a new object of this name instead of in place.", show_default=False),
    ] = None,
    log: Annotated[
        str | None,
        typer.Option(
            help="The change log: a folder or s3://bucket/prefix (default: log in the data folder).", show_default=False
        ),
    ] = None,
    data_dir: Annotated[
        Path | None, typer.Option(help="Data folder (default: $DOTDO_DATA_DIR or .dotdo).", show_default=False)
    ] = None,
    s3_endpoint: Annotated[
        str | None,
        typer.Option(help="S3-compatible server for an s3:// log (e.g. http://127.0.0.1:9000).", show_default=False),
    ] = None,
) -> None:
    """Restore an object to its state at an instant, from its change log alone.

    In place, the restore happens when the object next activates (restart the runtime, or let it
    be evicted); with --to, a new object starts from that state.
    """
    when = _instant(at)
    root = Path(data_dir or os.environ.get("DOTDO_DATA_DIR") or ".dotdo").expanduser().resolve()
    location = log or str(root / "log")
    options = {"endpoint": s3_endpoint} if s3_endpoint else None
    try:
        store = LogStore.open(location, options)
        with Progress(
            TextColumn("[bold]restoring[/] {task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("commits"),
            TimeElapsedColumn(),
            console=console,
        ) as progress:
            task = progress.add_task(f"{class_name} {name!r}", total=None)

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            result: RestoreResult = asyncio.run(restore(store, class_name, name, when, to_name=to, progress=advance))
    except StorageError as exc:
        console.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(code=1) from None
    where = (
        f"{class_name} {name!r} is restored at its next activation"
        if result.in_place
        else f"new object {class_name} {result.target!r} starts from it"
    )
    typer.echo(
        f"{class_name} {name!r} at {at}: commit {result.commit} (bookmark {result.bookmark}, "
        f"{result.size:,} bytes); {where}"
    )
