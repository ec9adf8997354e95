"""`dotdo npm install|ci|ls`: npm on one object's files from a shell, with Rich progress.

The object is named as `--object Class/name` in the data folder (`--data-dir`, default
`$DOTDO_DATA_DIR` or `.dotdo`), whose lock is held meanwhile, so a server cannot run the object at
the same time. npmx is imported when a command runs: the `npm` extra is needed only then.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from ..extras import MissingExtraError
from ..runtime.data_folder import DataFolder
from ..runtime.errors import DotdoError
from ..runtime.folder_lock import FolderLock
from ..runtime.ids import id_from_name

npm_app = typer.Typer(help="npm on an object's files: install, ci, ls.", no_args_is_help=True)
console = Console(stderr=True)

ObjectOption = Annotated[
    str, typer.Option("--object", help="The object as Class/name (its class's namespace, then its name).")
]
DataDir = Annotated[
    Path | None, typer.Option(help="Data folder (default: $DOTDO_DATA_DIR or .dotdo).", show_default=False)
]
PrefixOption = Annotated[str, typer.Option(help="The project's folder in the object's files.")]
RegistryOption = Annotated[
    str | None, typer.Option(help="Registry URL (default: from the object's .npmrc).", show_default=False)
]


def _fail(message: str) -> None:
    console.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(1)


def _with_npm(
    target: str,
    data_dir: Path | None,
    prefix: str,
    registry: str | None,
    work: Callable[[Any], Coroutine[Any, Any, Any]],
) -> Any:
    """Run `work(npm)` on the object `target`, holding the data folder, with a progress line per package."""
    namespace, _, name = target.partition("/")
    if not namespace or not name:
        _fail(f"--object is Class/name, such as Site/acme, not {target!r}")
    try:
        from .fsx import FileSystem
        from .npmx import Npm, NpmError
    except MissingExtraError as exc:
        _fail(str(exc))
    from ..runtime.storage import Storage

    folder = DataFolder(data_dir or os.environ.get("DOTDO_DATA_DIR") or ".dotdo")
    lock = FolderLock(folder.root)
    try:
        folder.prepare()
        lock.acquire()
    except DotdoError as exc:
        _fail(str(exc))
    oid = id_from_name(namespace, name)
    path = folder.object_path(oid.namespace, oid.hex)
    path.parent.mkdir(parents=True, exist_ok=True)
    storage = Storage(path)
    failure: str | None = None
    try:
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console) as bar:
            task = bar.add_task(f"npm in {target}: resolving", total=None)
            fetched = 0

            def on_package(what: str) -> None:
                nonlocal fetched
                fetched += 1
                bar.update(task, description=f"npm in {target}: {fetched} packages fetched ({what})")

            npm = Npm(FileSystem(storage), prefix=prefix, registry=registry, on_package=on_package)
            try:
                return asyncio.run(work(npm))
            except (NpmError, ValueError, NotImplementedError) as exc:
                failure = str(exc)
    finally:
        storage.close()
        lock.release()
        if failure is not None:
            _fail(failure)


@npm_app.command()
def install(
    specs: Annotated[list[str] | None, typer.Argument(help="Packages as name, name@range or name@tag.")] = None,
    target: ObjectOption = "",
    dev: Annotated[bool, typer.Option("--dev", help="Save to devDependencies.")] = False,
    data_dir: DataDir = None,
    prefix: PrefixOption = "/",
    registry: RegistryOption = None,
) -> None:
    """Install SPECS (or everything package.json asks) into the object's node_modules."""
    result = _with_npm(target, data_dir, prefix, registry, lambda npm: npm.install(*(specs or []), dev=dev))
    console.print(
        f"[bold green]installed[/] {len(result.packages)} packages in {target} "
        f"({len(result.added)} written, {result.downloaded} downloaded)"
    )


@npm_app.command()
def ci(
    target: ObjectOption = "",
    omit: Annotated[list[str] | None, typer.Option(help="Leave out dev, optional or peer packages.")] = None,
    data_dir: DataDir = None,
    prefix: PrefixOption = "/",
    registry: RegistryOption = None,
) -> None:
    """Install exactly the object's package-lock.json (refusing one out of sync with package.json)."""
    result = _with_npm(target, data_dir, prefix, registry, lambda npm: npm.ci(omit=tuple(omit or ())))
    console.print(f"[bold green]installed[/] {len(result.packages)} packages in {target} from the lockfile")


@npm_app.command("ls")
def list_packages(
    target: ObjectOption = "",
    every_level: Annotated[bool, typer.Option("--all", help="Every level, not only direct dependencies.")] = False,
    data_dir: DataDir = None,
    prefix: PrefixOption = "/",
) -> None:
    """Print the object's installed tree as JSON (as `npm ls --json`)."""
    tree = _with_npm(target, data_dir, prefix, None, lambda npm: npm.ls(all=every_level))
    print(json.dumps(tree, indent=2))
