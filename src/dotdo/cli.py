"""The `dotdo` command: `dotdo init NAME`, `dotdo dev [APP]`, `dotdo query SQL`, `dotdo tiers status`, `dotdo npm`."""

from __future__ import annotations

import errno
import importlib
import json
import os
import re
import socket
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from . import __version__
from .cli_templates import APP, README, TEST
from .cluster.commands import cluster_app
from .compat.commands import compat_cli
from .inspector.commands import add_commands as add_operator_commands
from .primitives.npm_commands import npm_app
from .restore_command import restore_command
from .runtime.data_folder import DataFolder, DataFolderError
from .runtime.folder_lock import FolderLock
from .tiers.commands import query_command, tiers_app

cli = typer.Typer(
    name="dotdo",
    help="Durable Objects for Python: stateful objects with their own SQLite, addressed by name.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(stderr=True)


class Durability(StrEnum):
    """When a write counts as acknowledged."""

    process = "process"
    power = "power"
    replicated = "replicated"


INSPECTOR_SHUTDOWN_GRACE = 5
"""Seconds `dotdo dev` waits, when stopped, for requests in flight (and inspector streams) before closing them."""


class LogFormat(StrEnum):
    """How the server writes its log."""

    text = "text"
    json = "json"


class AppLoadError(Exception):
    """The APP argument names nothing importable."""


def _version(value: bool) -> None:
    if value:
        typer.echo(f"dotdo {__version__}")
        raise typer.Exit()


@cli.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Durable Objects for Python."""


def load_app(target: str) -> Any:
    """Import `module:attribute` from the current folder, with errors that say what to fix."""
    module_name, _, attribute = target.partition(":")
    attribute = attribute or "app"
    if not module_name:
        raise AppLoadError(f"APP must look like module:attribute (for example app:app), not {target!r}")
    cwd = str(Path.cwd())
    if cwd not in sys.path:
        sys.path.insert(0, cwd)
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name or module_name.startswith(f"{exc.name}."):
            raise AppLoadError(
                f"Could not import module {module_name!r} from {cwd}: is there a {module_name}.py here? "
                "Run dotdo dev from your app's folder, or create one with `dotdo init NAME`."
            ) from None
        raise
    try:
        return getattr(module, attribute)
    except AttributeError:
        raise AppLoadError(
            f"Module {module_name!r} has no attribute {attribute!r}: define `{attribute} = API(YourObject)` "
            f"in {module_name}.py or pass the right APP (module:attribute)"
        ) from None


def build_dev_app() -> Any:
    """The app `dotdo dev` serves, from the environment it set (also the `--reload` factory)."""
    app = load_app(os.environ["DOTDO_APP"])
    token = os.environ.get("DOTDO_DEV_TOKEN")
    if os.environ.get("DOTDO_INSPECTOR", "1") == "1":
        from .http.app import API

        if isinstance(app, API):
            from .inspector import Inspector

            inspector = Inspector(token=token or None, write=os.environ.get("DOTDO_INSPECTOR_WRITE") == "1")
            app = inspector.attach(app)
    if token:
        from .http.bearer_token import BearerTokenMiddleware

        return BearerTokenMiddleware(app, token)
    return app


def _is_api(app: Any) -> bool:
    from .http.app import API

    return isinstance(app, API)


CLUSTER_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")
"""What `dotdo serve --name` accepts: it becomes part of Ray actor names."""


def _check_port(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise AppLoadError(
                    f"Port {port} on {host} is busy: stop the server using it or pass another --port"
                ) from None
            raise AppLoadError(f"Cannot listen on {host}:{port}: {exc.strerror}") from None


DURABILITY_HELP = (
    "process: survives kill -9 (default); power: fsync before acknowledging; replicated: acknowledged once "
    "the commit is in the change log (--replicate-to)."
)
ReplicateTo = Annotated[
    str | None,
    typer.Option(
        help="Ship every commit to this change log: s3://bucket/prefix or a folder (point-in-time restore, "
        "rebuilding objects elsewhere). With --durability replicated, writes wait for it.",
        envvar="DOTDO_REPLICATE_TO",
        show_default=False,
    ),
]
ReplicateOptions = Annotated[
    list[str] | None,
    typer.Option(
        "--replicate-option",
        help="An option of an s3:// change log as NAME=VALUE (endpoint, region, access_key_id, "
        "secret_access_key, token); repeatable. Credentials may come from the AWS_* variables instead.",
        show_default=False,
    ),
]


def _replication(replicate_to: str | None, pairs: list[str] | None) -> dict[str, str]:
    """The change log's options, after checking that the store can be opened with them."""
    from .runtime.log_store import LogStore, LogStoreError, parse_store_options

    try:
        options = parse_store_options(pairs or [])
        if options and replicate_to is None:
            raise LogStoreError("--replicate-option goes with --replicate-to (the change log it configures)")
        if replicate_to is not None:
            LogStore.open(replicate_to, options)
    except LogStoreError as exc:
        _fail(str(exc))
    return options


def _fail(message: str) -> None:
    console.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code=1)


@cli.command()
def dev(
    app: Annotated[str, typer.Argument(help="The ASGI app as module:attribute, importable from here.")] = "app:app",
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8787,
    data_dir: Annotated[
        Path | None, typer.Option(help="Data folder (default: $DOTDO_DATA_DIR or .dotdo).", show_default=False)
    ] = None,
    durability: Annotated[Durability | None, typer.Option(help=DURABILITY_HELP)] = None,
    replicate_to: ReplicateTo = None,
    replicate_option: ReplicateOptions = None,
    reload: Annotated[bool, typer.Option("--reload", help="Restart when Python files change.")] = False,
    token: Annotated[
        str | None, typer.Option(help="Require 'Authorization: Bearer TOKEN' on every request.", show_default=False)
    ] = None,
    access_log: Annotated[
        bool, typer.Option("--access-log/--no-access-log", help="Log every request (costs ~1/3 of throughput).")
    ] = False,
    inspector: Annotated[
        bool,
        typer.Option("--inspector/--no-inspector", help="Serve the inspector at /_dotdo/ (behind --token if given)."),
    ] = True,
    inspector_write: Annotated[
        bool, typer.Option("--inspector-write", help="Let the inspector change objects (replay, cancel, SQL writes).")
    ] = False,
    log_format: Annotated[
        LogFormat, typer.Option(help="text, or json: one JSON object a line with class, object and request id.")
    ] = LogFormat.text,
) -> None:
    """Serve APP on 127.0.0.1 with embedded defaults: SQLite files under the data folder; the inspector at /_dotdo/."""
    import uvicorn

    if data_dir is not None:
        os.environ["DOTDO_DATA_DIR"] = str(data_dir)
    if durability is not None:
        os.environ["DOTDO_DURABILITY"] = durability.value
    replicate_options = _replication(replicate_to, replicate_option)
    if replicate_to is not None:
        from .runtime.log_store import OPTIONS_VARIABLE

        os.environ["DOTDO_REPLICATE_TO"] = replicate_to
        os.environ[OPTIONS_VARIABLE] = json.dumps(replicate_options)
    if token:
        os.environ["DOTDO_DEV_TOKEN"] = token
    os.environ["DOTDO_APP"] = app
    os.environ["DOTDO_INSPECTOR"] = "1" if inspector else "0"
    os.environ["DOTDO_INSPECTOR_WRITE"] = "1" if inspector_write else "0"
    log_config: dict[str, Any] | None = None
    if log_format is LogFormat.json:
        from .inspector.logs import json_log_config

        log_config = json_log_config()
    folder = DataFolder(os.environ.get("DOTDO_DATA_DIR") or ".dotdo")
    try:
        # The app and the port first: a start that fails on them leaves no data folder behind.
        served = build_dev_app()
        _check_port(host, port)
        folder.prepare()
        # Fail now, not at the first request, when another process serves this data folder.
        FolderLock(folder.root).check()
    except (AppLoadError, DataFolderError) as exc:
        _fail(str(exc))
        return
    console.print(
        f"[bold green]dotdo dev[/] serving [bold]{app}[/] on [link]http://{host}:{port}[/] "
        f"(data {folder.root}, durability {os.environ.get('DOTDO_DURABILITY', 'process')}"
        f"{f', change log {replicate_to}' if replicate_to else ''})"
    )
    if inspector:
        console.print(
            f"inspector: [link]http://{host}:{port}/_dotdo/[/] ({'read and write' if inspector_write else 'read-only'}"
            f"{', log in with the token as password' if token else ''})"
        )
    server_options: dict[str, Any] = {"log_config": log_config} if log_config is not None else {}
    if inspector:
        # An open inspector tab follows the timeline on a stream that never ends by itself; without
        # a bound, Ctrl-C would wait for the browser to go away.
        server_options["timeout_graceful_shutdown"] = INSPECTOR_SHUTDOWN_GRACE
    if reload:
        uvicorn.run(
            "dotdo.cli:build_dev_app",
            factory=True,
            host=host,
            port=port,
            reload=True,
            reload_dirs=[str(Path.cwd())],
            log_level="info",
            access_log=access_log,
            **server_options,
        )
    else:
        uvicorn.run(
            served, host=host, port=port, log_level="info", lifespan="on", access_log=access_log, **server_options
        )


@cli.command()
def serve(
    app: Annotated[str, typer.Argument(help="The ASGI app as module:attribute, importable from here.")] = "app:app",
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on (every host listens on it).")] = 8787,
    workers: Annotated[
        int | None,
        typer.Option(
            help="Host processes (default: 2 on a local Ray instance; with --ray, one per node, or as many as "
            "the node's dotdo_hosts custom resource says).",
            min=None,
        ),
    ] = None,
    ray: Annotated[
        str | None,
        typer.Option(
            "--ray",
            help="Join this Ray cluster (auto or host:port) instead of starting a local one.",
            show_default=False,
        ),
    ] = None,
    data_dir: Annotated[
        Path | None,
        typer.Option(help="Data folder shared by every host (default: $DOTDO_DATA_DIR or .dotdo).", show_default=False),
    ] = None,
    durability: Annotated[Durability | None, typer.Option(help=DURABILITY_HELP)] = None,
    replicate_to: ReplicateTo = None,
    replicate_option: ReplicateOptions = None,
    drain_timeout: Annotated[
        float, typer.Option(help="Seconds to finish requests in flight after SIGTERM or Ctrl-C.")
    ] = 30.0,
    inspector: Annotated[
        bool,
        typer.Option(
            "--inspector",
            help="Serve the inspector at /_dotdo/ on every host (only to this machine unless --inspector-token).",
        ),
    ] = False,
    inspector_write: Annotated[
        bool, typer.Option("--inspector-write", help="Let the inspector change objects (replay, cancel, SQL writes).")
    ] = False,
    inspector_token: Annotated[
        str | None,
        typer.Option(
            help="Require this token (Bearer, or as the Basic password) for the inspector; then it answers "
            "other machines too.",
            envvar="DOTDO_TOKEN",
            show_default=False,
        ),
    ] = None,
    name: Annotated[
        str,
        typer.Option(
            help="The cluster's name on Ray (its actors are NAME:directory and NAME:host-N). With --ray, a "
            "dotdo serve of the same name that is still running (or whose process was killed) is found and "
            "served again, with its objects and leases; other names run side by side."
        ),
    ] = "dotdo",
    replace_dead_hosts: Annotated[
        bool,
        typer.Option(
            help="Start a host that died again under its id (on its node, if that node is alive): its objects "
            "come back to it from the hosts that took them over."
        ),
    ] = True,
) -> None:
    """Serve APP on several host processes placed by Ray, objects spread over them by name (needs dotdo[cluster])."""
    import asyncio

    if inspector_write and not inspector:
        _fail("--inspector-write goes with --inspector (the inspector is off under dotdo serve unless asked)")
        return
    if workers is not None and workers < 1:
        _fail(f"--workers must be at least 1 (got {workers}): it is the number of host processes")
        return
    if drain_timeout < 0:
        _fail("--drain-timeout must be zero or more seconds")
        return
    if not CLUSTER_NAME.fullmatch(name):
        _fail(f"--name {name!r} is not a cluster name: use letters, digits, '-', '_' and '.' (up to 64)")
        return
    if durability is Durability.replicated and replicate_to is None:
        _fail(
            "--durability replicated under dotdo serve needs --replicate-to (an s3:// URL or a folder every host "
            "reaches): hosts share no data folder, so the change log is where a dead host's objects are rebuilt"
        )
        return
    replicate_options = _replication(replicate_to, replicate_option)
    folder = Path(data_dir or os.environ.get("DOTDO_DATA_DIR") or ".dotdo")
    port_taken = False
    try:
        loaded = load_app(app)
        if inspector and not _is_api(loaded):
            raise AppLoadError(f"--inspector attaches to an app made with API(...); {app} is {type(loaded).__name__}")
        try:
            _check_port(host, port)
        except AppLoadError:
            if ray is None:
                raise
            # Perhaps by the hosts of this cluster, left serving by a dotdo serve that was killed.
            port_taken = True
        from .cluster.ray_instance import import_ray

        import_ray()
    except (AppLoadError, DataFolderError) as exc:
        _fail(str(exc))
        return
    except Exception as exc:
        _fail(str(exc))
        return
    from .cluster.cluster import ClusterNotRunningError
    from .cluster.ray_instance import RayUnavailableError
    from .cluster.serve import serve_cluster
    from .inspector import InspectorOptions

    if inspector:
        console.print(
            f"inspector: [link]http://{host}:{port}/_dotdo/[/] on every host "
            f"({'read and write' if inspector_write else 'read-only'}, "
            f"{'behind the token' if inspector_token else 'answering this machine only'})"
        )
    try:
        asyncio.run(
            serve_cluster(
                app,
                host=host,
                port=port,
                workers=workers if workers is not None or ray is not None else 2,
                ray_address=ray,
                data_dir=folder,
                durability=(durability.value if durability else os.environ.get("DOTDO_DURABILITY", "process")),
                drain_timeout=drain_timeout,
                console=console,
                wrap_app=InspectorOptions(token=inspector_token or None, write=inspector_write) if inspector else None,
                name=name,
                replace_dead_hosts=replace_dead_hosts,
                attach_only=port_taken,
                replicate_to=replicate_to,
                replicate_options=replicate_options,
            )
        )
    except ClusterNotRunningError as exc:
        _fail(
            f"Port {port} on {host} is busy, and not by this cluster: {exc}. Stop the server using the port, "
            "pass another --port, or the --name of the dotdo serve running there"
        )
    except (RayUnavailableError, DataFolderError) as exc:
        _fail(str(exc))


@cli.command()
def init(
    name: Annotated[str, typer.Argument(help="Folder to create (also the app's name).")],
) -> None:
    """Scaffold NAME/: an app.py with one object, a test and a README; `dotdo dev` runs in it as is."""
    target = Path(name)
    if target.exists() and any(target.iterdir()):
        _fail(f"{target} already exists and is not empty; choose another NAME")
    title = target.name
    try:
        target.mkdir(parents=True, exist_ok=True)
        (target / "app.py").write_text(APP.format(name=title))
        (target / "test_app.py").write_text(TEST.format(name=title))
        (target / "README.md").write_text(README.format(name=title))
    except OSError as exc:
        _fail(f"Cannot write {target}: {exc.strerror}")
    console.print(f"[bold green]created[/] {target}/ (app.py, test_app.py, README.md)")
    console.print(f"next: [bold]cd {target} && dotdo dev[/], then [bold]curl -X POST http://127.0.0.1:8787/acme[/]")
    console.print('tests: [bold]pip install "dotdo\\[test]" && pytest[/]')


cli.command("query")(query_command)
add_operator_commands(cli)
cli.add_typer(tiers_app, name="tiers")
cli.command("restore")(restore_command)
cli.add_typer(cluster_app, name="cluster")
cli.add_typer(compat_cli, name="compat")
cli.add_typer(npm_app, name="npm")


def main() -> None:
    """Entry point of the `dotdo` script."""
    cli()
