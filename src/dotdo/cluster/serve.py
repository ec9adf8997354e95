"""`dotdo serve`: an app on a cluster of host processes, until SIGTERM or Ctrl-C, then a clean drain."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console

from .cluster import Cluster


async def serve_cluster(
    app: str,
    *,
    host: str,
    port: int,
    workers: int | None,
    ray_address: str | None,
    data_dir: Path,
    durability: str,
    drain_timeout: float,
    console: Console,
    wrap_app: Callable[[Any], Any] | None = None,
    name: str = "dotdo",
    replace_dead_hosts: bool = True,
    attach_only: bool = False,
    replicate_to: str | None = None,
    replicate_options: dict[str, str] | None = None,
) -> None:
    """Start the hosts (or, on a joined Ray, find the ones a previous `dotdo serve` of this `name` left
    serving), serve until SIGTERM/SIGINT, then drain every host and stop what was started.

    `wrap_app` is called in each host with the imported app (see `Cluster`). `attach_only`: the port
    is taken, so only a running cluster of this name (whose hosts hold the port) may be served;
    `ClusterNotRunningError` if there is none. `replicate_to`: every host ships its commits to this
    change log (see `Cluster`).
    """
    stop = asyncio.Event()
    cluster = Cluster(
        address=ray_address,
        hosts=workers,
        data_dir=data_dir,
        durability=durability,
        app=app,
        http_host=host,
        http_port=port,
        drain_timeout=drain_timeout,
        log_to_driver=True,
        wrap_app=wrap_app,
        name=name,
        replace_dead_hosts=replace_dead_hosts,
        attach_only=attach_only,
        replicate_to=replicate_to,
        replicate_options=replicate_options,
    )
    with console.status(f"Starting {'a local Ray instance and ' if ray_address is None else ''}the hosts"):
        await cluster.start()
    if cluster.attached:
        console.print(f"Found the cluster [bold]{name}[/] running on Ray: serving its hosts (their objects stay live)")
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        hosts = ", ".join(f"{host_id} (pid {info.pid})" for host_id, info in sorted(cluster.view.hosts.items()))
        console.print(
            f"[bold green]dotdo serve[/] serving [bold]{app}[/] on [link]http://{host}:{port}[/] with "
            f"{len(cluster.view.hosts)} host{'s' if len(cluster.view.hosts) != 1 else ''}: {hosts} "
            f"(cluster {name}, data {data_dir.resolve()}, durability {durability}"
            f"{f', change log {replicate_to}' if replicate_to else ''}"
            f"{', dead hosts started again' if replace_dead_hosts else ''})"
        )
        await stop.wait()
        console.print(f"Draining (up to {drain_timeout:g} s): finishing requests in flight, committing, closing")
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
        # Also when this process attached to hosts a previous `dotdo serve` started: it serves them now.
        await cluster.close(stop_hosts=True)
    console.print("[bold]dotdo serve[/] stopped")
