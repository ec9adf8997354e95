"""``ctx.npm``: npm inside the object — install, ci, ls, uninstall and run, on the object's own files.

``Npm(fs)`` works on the project at ``prefix`` (``/`` by default) of an fsx filesystem: it reads
``package.json``, ``package-lock.json`` and ``.npmrc`` there (and ``/.npmrc``), resolves by npm's
rules (``resolver``), fetches from the registry through a shared tarball cache (``registry``,
``tarball_cache``) and writes ``node_modules`` exactly as npm lays it out (``reify``). Scripts run
through bashx, with the packages' commands (``node_modules/.bin``) available to them.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from dotdo.primitives.npmx.errors import NpmError, NpmLockError
from dotdo.primitives.npmx.flags import calculate_flags
from dotdo.primitives.npmx.lockfile import check_in_sync, lock_edges, locked_versions, tree_from_lock
from dotdo.primitives.npmx.npmrc import NpmConfig, parse_npmrc
from dotdo.primitives.npmx.registry import DEFAULT_CONCURRENCY, Registry
from dotdo.primitives.npmx.reify import ReifyResult, reify
from dotdo.primitives.npmx.resolver import Resolver
from dotdo.primitives.npmx.tarball_cache import TarballCache
from dotdo.primitives.npmx.tree import Node
from dotdo.primitives.npmx.versions import ALIAS, check_name, is_tag, parse_spec, split_alias

DEPENDENCY_GROUPS = ("dependencies", "devDependencies", "optionalDependencies")


@dataclass
class InstallResult:
    """What an install left: every installed package by folder, and what changed."""

    packages: dict[str, str]
    """Folder (``node_modules/a``) -> version, for every installed package."""
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    downloaded: int = 0
    """Tarballs fetched from the registry (the others came from the shared cache)."""


@dataclass
class RunResult:
    """What ``npm run`` printed across ``pre``, the script and ``post``."""

    stdout: str
    stderr: str
    exit_code: int
    scripts: list[str]
    """The scripts that ran, in order (``prebuild``, ``build``, ``postbuild``)."""


class Npm:
    """npm over an fsx filesystem: ``await npm.install("lodash@^4.17")``, ``ci``, ``ls``, ``uninstall``, ``run``."""

    def __init__(
        self,
        fs: Any,
        *,
        prefix: str = "/",
        bash: Any = None,
        cache: TarballCache | None = None,
        registry: str | None = None,
        env: Mapping[str, str] | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        transport: httpx.AsyncBaseTransport | None = None,
        on_package: Callable[[str], None] | None = None,
    ) -> None:
        if not isinstance(prefix, str) or not prefix.startswith("/"):
            raise ValueError(f"prefix is an absolute folder of the object's files, not {prefix!r}")
        self.fs = fs
        self.sync_fs = getattr(fs, "sync", fs)
        self.prefix = posixpath.normpath(prefix)
        self.bash = bash
        self.cache = cache
        self.registry_url = registry
        self.env = dict(env or {})
        self.concurrency = concurrency
        self.transport = transport
        self.on_package = on_package

    def at(self, prefix: str) -> Npm:
        """The same npm for the project in another folder."""
        return Npm(
            self.fs,
            prefix=prefix,
            bash=self.bash,
            cache=self.cache,
            registry=self.registry_url,
            env=self.env,
            concurrency=self.concurrency,
            transport=self.transport,
            on_package=self.on_package,
        )

    # -- configuration -----------------------------------------------------------------------------

    def config(self) -> NpmConfig:
        """Registry and credentials from ``/.npmrc`` then ``<prefix>/.npmrc`` (the project's wins)."""
        config = NpmConfig()
        seen = []
        for folder in ("/", self.prefix):
            path = posixpath.join(folder, ".npmrc")
            if path in seen:
                continue
            seen.append(path)
            try:
                text = self.sync_fs.read(path).decode()
            except (FileNotFoundError, NotADirectoryError):
                continue
            config = parse_npmrc(text, self.env, config)
        if self.registry_url:
            config.registry = self.registry_url if self.registry_url.endswith("/") else self.registry_url + "/"
        return config

    def _path(self, name: str) -> str:
        return posixpath.join(self.prefix, name)

    def _read_json(self, name: str, *, missing: Any = None) -> Any:
        try:
            raw = self.sync_fs.read(self._path(name))
        except (FileNotFoundError, NotADirectoryError):
            return missing
        try:
            return json.loads(raw)
        except ValueError as exc:
            raise NpmError(f"{self._path(name)} is not valid JSON ({exc}); fix it or remove it") from None

    def package_json(self) -> dict[str, Any]:
        """The project's ``package.json`` ({} when there is none)."""
        document = self._read_json("package.json", missing={})
        if not isinstance(document, dict):
            raise NpmError(f"{self._path('package.json')} must hold a JSON object")
        for group in (*DEPENDENCY_GROUPS, "peerDependencies"):
            if group in document and not isinstance(document[group], dict):
                raise NpmError(f"{self._path('package.json')}: {group} must be an object of name -> range")
        for unsupported in ("workspaces", "bundleDependencies", "bundledDependencies"):
            if document.get(unsupported):
                raise NotImplementedError(
                    f"{self._path('package.json')} uses {unsupported}, which npmx does not support yet; "
                    "install each package folder on its own (Npm.at(folder))"
                )
        return document

    def _registry(self) -> Registry:
        return Registry(self.config(), cache=self.cache, concurrency=self.concurrency, transport=self.transport)

    # -- commands ----------------------------------------------------------------------------------

    async def install(self, *specs: str, dev: bool = False, exact: bool = False) -> InstallResult:
        """Add ``specs`` (``"lodash@^4.17"``, ``"left-pad"``, ``"@scope/x@next"``) and install the whole tree.

        Without specs, installs what ``package.json`` asks (keeping the lockfile's versions that
        still satisfy). A name given without a range (or with a dist-tag) is saved as
        ``^<version>`` (``exact=True``: the version itself), as npm saves it.
        """
        parsed = [parse_spec(spec) for spec in specs]
        package_json = self.package_json()
        group = "devDependencies" if dev else "dependencies"
        for spec in parsed:
            for other in DEPENDENCY_GROUPS:
                if other != group and spec.name in (package_json.get(other) or {}):
                    package_json[other].pop(spec.name)
            package_json.setdefault(group, {})[spec.name] = spec.range
        old_lock = self._read_json("package-lock.json")
        async with self._registry() as registry:
            root = await Resolver(registry, locked=locked_versions(old_lock)).build(package_json)
            for spec in parsed:
                real, wanted = split_alias(spec.name, spec.range)
                if wanted in ("latest", "", "*") or is_tag(wanted):
                    chosen = root.children[spec.name].version
                    saved = chosen if exact else f"^{chosen}"
                    package_json[group][spec.name] = f"{ALIAS}{real}@{saved}" if real != spec.name else saved
            for name in list(package_json):
                if name in DEPENDENCY_GROUPS and not package_json[name] and name != "dependencies":
                    package_json.pop(name)
            calculate_flags(root, lock_edges)
            done = await reify(
                self.sync_fs, self.prefix, root, registry, package_json=package_json, on_package=self.on_package
            )
        return _result(root, done)

    async def ci(self, *, omit: tuple[str, ...] = ()) -> InstallResult:
        """Install exactly what ``package-lock.json`` pins; refuses a lockfile out of sync with ``package.json``.

        ``omit=("dev",)`` leaves out packages only development needs (``"optional"``, ``"peer"`` too).
        """
        for kind in omit:
            if kind not in ("dev", "optional", "peer"):
                raise ValueError(f"omit takes 'dev', 'optional' or 'peer', not {kind!r}")
        package_json = self.package_json()
        document = self._read_json("package-lock.json")
        if document is None:
            raise NpmLockError(
                f"`ci` needs {self._path('package-lock.json')}, which does not exist: run install to create it"
            )
        root = tree_from_lock(document, package_json)
        check_in_sync(document, package_json, root)
        if omit:
            _omit(root, set(omit))
        async with self._registry() as registry:
            done = await reify(self.sync_fs, self.prefix, root, registry, lock=document, on_package=self.on_package)
        return _result(root, done)

    async def uninstall(self, *names: str) -> InstallResult:
        """Remove ``names`` from ``package.json`` and from ``node_modules`` (with what only they needed)."""
        if not names:
            raise ValueError("uninstall needs at least one package name")
        package_json = self.package_json()
        for name in names:
            check_name(name)
            found = [g for g in DEPENDENCY_GROUPS if name in (package_json.get(g) or {})]
            if not found:
                raise NpmError(f"{name} is not a dependency of {self._path('package.json')}")
            for group in found:
                package_json[group].pop(name)
        old_lock = self._read_json("package-lock.json")
        async with self._registry() as registry:
            root = await Resolver(registry, locked=locked_versions(old_lock)).build(package_json)
            calculate_flags(root, lock_edges)
            done = await reify(
                self.sync_fs, self.prefix, root, registry, package_json=package_json, on_package=self.on_package
            )
        return _result(root, done)

    async def ls(self, *, all: bool = False) -> dict[str, Any]:
        """The installed tree as ``npm ls --json`` shows it (``all=True``: every level, as ``--all``)."""
        package_json = self.package_json()
        document = self._read_json("package-lock.json")
        if document is None:
            return {"name": package_json.get("name"), "version": package_json.get("version"), "dependencies": {}}
        root = tree_from_lock(document, package_json)
        return {
            "name": package_json.get("name"),
            "version": package_json.get("version"),
            "dependencies": _listing(root, all, set()),
        }

    async def run(
        self,
        script: str,
        *args: str,
        timeout: float | None = None,
        confirm: bool = False,
        env: Mapping[str, str] | None = None,
    ) -> RunResult:
        """Run the ``package.json`` script ``script`` (with its ``pre``/``post`` scripts) through bashx.

        ``args`` are appended to the script, shell-quoted. The packages' commands
        (``node_modules/.bin``) run as commands of the shell; one written for Node runs ``node`` in
        bashx's sandbox tier, which needs Node.js on the host. Raises ``NpmScriptError`` when the
        script is missing or exits non-zero.
        """
        if self.bash is None:
            raise NpmError("npm run needs a bashx shell: build Npm(fs, bash=Bash(fs)) (ctx.npm has one)")
        from dotdo.primitives.npmx.scripts import run_scripts

        return await run_scripts(self, script, list(args), timeout=timeout, confirm=confirm, env=env or {})


def _omit(root: Node, kinds: set[str]) -> None:
    for node in root.walk()[1:]:
        if (
            ("dev" in kinds and node.dev)
            or ("optional" in kinds and node.optional)
            or ("peer" in kinds and node.peer)
            or ({"dev", "optional"} <= kinds and node.dev_optional)
        ):
            assert node.parent is not None
            node.parent.children.pop(node.name, None)


def _listing(node: Node, every_level: bool, seen: set[Node]) -> dict[str, Any]:
    listing: dict[str, Any] = {}
    for edge in lock_edges(node):
        target = edge.target
        if target is None:
            continue
        entry: dict[str, Any] = {"version": target.version}
        if target.resolved:
            entry["resolved"] = target.resolved
        if every_level:
            if target in seen:
                entry["deduped"] = True
            else:
                seen.add(target)
                children = _listing(target, every_level, seen)
                if children:
                    entry["dependencies"] = children
        listing[edge.name] = entry
    return listing


def _result(root: Node, done: ReifyResult) -> InstallResult:
    packages = {node.location: node.version for node in root.walk()[1:]}
    return InstallResult(packages, done.added, done.removed, done.downloaded)
