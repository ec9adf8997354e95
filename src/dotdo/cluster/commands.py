"""`dotdo cluster ...`: look at a running `dotdo serve` (no Ray needed here: it asks over HTTP)."""

from __future__ import annotations

from typing import Annotated

import httpx
import typer
from rich.console import Console
from rich.table import Table

cluster_app = typer.Typer(help="Look at a running `dotdo serve` cluster.", no_args_is_help=True)
console = Console()


@cluster_app.command("status")
def status(
    url: Annotated[str, typer.Option(help="Where `dotdo serve` listens.")] = "http://127.0.0.1:8787",
) -> None:
    """Print the hosts of a running `dotdo serve`: process, labels, live objects, leases held, activations."""
    try:
        answer = httpx.get(f"{url.rstrip('/')}/_dotdo/status", timeout=10)
    except httpx.HTTPError as exc:
        console.print(f"[bold red]error:[/] cannot reach {url}: {exc}. Is `dotdo serve` running there?")
        raise typer.Exit(code=1) from None
    if answer.status_code != 200 or "hosts" not in answer.text:
        console.print(
            f"[bold red]error:[/] {url} answered {answer.status_code} to /_dotdo/status: it is not `dotdo serve`"
        )
        raise typer.Exit(code=1)
    report = answer.json()
    table = Table(title=f"dotdo serve at {url} (directory version {report['view_version']})")
    for column in ("host", "pid", "wire", "labels", "live objects", "leases", "activations", "state"):
        table.add_column(column)
    for host in report["hosts"]:
        if "error" in host:
            table.add_row(host["host"], "", "", "", "", "", "", f"[red]{host['error']}")
            continue
        table.add_row(
            host["host"],
            str(host["pid"]),
            str(host["wire"]),
            ", ".join(host.get("labels", [])),
            str(host["live_objects"]),
            str(host["leases"]),
            str(host["activations"]),
            "draining" if host["draining"] else "serving",
        )
    console.print(table)
