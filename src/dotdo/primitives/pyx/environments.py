"""Virtualenvs for objects' Python packages: one per distinct lock, shared by every object on the host.

An object's environment is named by what it pins (its lock, ``name==version`` lines), so objects
that pin the same packages share one folder, built once; wheels are cached once for all of them
(uv's cache, or pip's). Environments are built with uv when it is installed (the ``uv`` package or
a ``uv`` program), with ``python -m venv`` and pip otherwise, always from wheels only
(``--only-binary :all:``): an install never runs a package's build code on the host. A build is
staged in its own folder and renamed into place, so two builds of one lock never see each
other's half-written folder. The sandbox mounts an environment read-only at ``/run/pyx-env``.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


class PipError(RuntimeError):
    """An install failed (unknown package, no matching wheel, unreachable index); the message is the installer's."""


def default_root() -> Path:
    """``$DOTDO_PYX_ENVS``, else a folder of this user's under the system's temporary folder.

    The sandbox runs as an unprivileged user that must be able to reach the environment, so the
    default is not under a home folder (often private to its owner).
    """
    configured = os.environ.get("DOTDO_PYX_ENVS")
    if configured:
        return Path(configured)
    return Path(tempfile.gettempdir()) / f"dotdo-pyx-{os.geteuid()}"


def default_wheel_cache() -> Path:
    """``$DOTDO_PIP_CACHE``, else ``$XDG_CACHE_HOME/dotdo/pip``, else ``~/.cache/dotdo/pip``."""
    configured = os.environ.get("DOTDO_PIP_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "dotdo" / "pip"


def requirement_name(spec: str) -> str:
    """The normalized project name of a requirement (``"Pandas==2.2.*"`` -> ``"pandas"``)."""
    match = _NAME.match(spec)
    if match is None:
        raise ValueError(f"not a Python requirement: {spec!r} (write it as pip does, such as 'pandas==2.2.*')")
    return re.sub(r"[-_.]+", "-", match.group(1)).lower()


def find_uv() -> str | None:
    """The uv program: the ``uv`` package's binary, or ``uv`` on the PATH; None when neither is installed."""
    try:
        import uv  # type: ignore[import-not-found]

        return uv.find_uv_bin()
    except (ImportError, FileNotFoundError):
        pass
    beside = Path(sys.executable).parent / "uv"
    if beside.exists():
        return str(beside)
    return shutil.which("uv")


@dataclass
class PipConfig:
    """Where environments and wheels live, which index to install from, and which installer to use."""

    root: Path = field(default_factory=default_root)
    wheel_cache: Path = field(default_factory=default_wheel_cache)
    python: str = "/usr/bin/python3"
    index_url: str | None = None
    find_links: list[str] = field(default_factory=list)
    no_index: bool = False
    installer: str | None = None
    """``"uv"``, ``"pip"``, or None to use uv when it is installed."""
    timeout: float = 900.0


class Environments:
    """Builds and finds the virtualenv of a lock (``name==version`` lines)."""

    def __init__(self, config: PipConfig | None = None) -> None:
        self.config = config or PipConfig()

    @property
    def installer(self) -> str:
        """The installer this host uses: ``"uv"`` or ``"pip"``."""
        if self.config.installer is not None:
            if self.config.installer not in ("uv", "pip"):
                raise ValueError(f"installer is 'uv' or 'pip', not {self.config.installer!r}")
            return self.config.installer
        return "uv" if find_uv() is not None else "pip"

    def env_dir(self, lock: str) -> Path:
        """Where the environment of ``lock`` lives (whether or not it is built)."""
        digest = hashlib.sha256(normalize_lock(lock).encode()).hexdigest()[:20]
        return self.config.root / "envs" / digest

    def for_lock(self, lock: str) -> Path:
        """The environment of ``lock``, built (from the pinned versions, without resolving) if missing."""
        target = self.env_dir(lock)
        if (target / "pyvenv.cfg").exists():
            return target
        pins = [line for line in normalize_lock(lock).splitlines() if line]
        staging = self._new_env()
        try:
            if pins:
                self._install(staging, pins, no_deps=True)
            return self._publish(staging, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def resolve(self, requested: list[str]) -> tuple[str, Path]:
        """Install ``requested`` (with their dependencies) into a fresh environment: its lock and folder."""
        staging = self._new_env()
        try:
            if requested:
                self._install(staging, requested, no_deps=False)
            lock = normalize_lock(self._freeze(staging))
            return lock, self._publish(staging, self.env_dir(lock))
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    # -- building ----------------------------------------------------------------------------------

    def _prepare_root(self) -> Path:
        envs = self.config.root / "envs"
        envs.mkdir(parents=True, exist_ok=True)
        for folder in (self.config.root, envs):
            st = folder.stat()
            if st.st_uid != os.geteuid() or st.st_mode & 0o022:
                raise PermissionError(
                    f"{folder} must belong to this user and be writable by nobody else (it holds the "
                    "environments every sandbox runs): remove it or set DOTDO_PYX_ENVS to another folder"
                )
            # The sandbox's unprivileged user must reach the environments, never list them.
            os.chmod(folder, 0o711)
        # A server running as root hands the sandbox to an unprivileged user (see bashx's SandboxConfig).
        for parent in self.config.root.resolve().parents if os.geteuid() == 0 else ():
            if not parent.stat().st_mode & 0o001:
                raise PermissionError(
                    f"the sandbox's unprivileged user cannot reach {self.config.root}: {parent} is private "
                    "to its owner; keep the environments elsewhere (PipConfig(root=...) or DOTDO_PYX_ENVS)"
                )
        return envs

    def _new_env(self) -> Path:
        envs = self._prepare_root()
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=envs))
        os.chmod(staging, 0o755)
        target = staging / "env"
        if self.installer == "uv":
            uv = find_uv()
            assert uv is not None
            self._run([uv, "venv", "--quiet", "--python", self.config.python, str(target)])
        else:
            self._run([self.config.python, "-m", "venv", str(target)])
        return staging

    def _install(self, staging: Path, requirements: list[str], *, no_deps: bool) -> None:
        python = str(staging / "env" / "bin" / "python")
        options = ["--only-binary", ":all:"]
        if no_deps:
            options.append("--no-deps")
        if self.config.index_url:
            options += ["--index-url", self.config.index_url]
        for link in self.config.find_links:
            options += ["--find-links", link]
        if self.config.no_index:
            options.append("--no-index")
        self.config.wheel_cache.mkdir(parents=True, exist_ok=True)
        if self.installer == "uv":
            uv = find_uv()
            assert uv is not None
            command = [uv, "pip", "install", "--quiet", "--python", python, "--cache-dir", str(self.config.wheel_cache)]
        else:
            command = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
            command += ["--cache-dir", str(self.config.wheel_cache)]
        self._run([*command, *options, "--", *requirements])

    def _freeze(self, staging: Path) -> str:
        python = str(staging / "env" / "bin" / "python")
        if self.installer == "uv":
            uv = find_uv()
            assert uv is not None
            return self._run([uv, "pip", "freeze", "--python", python])
        return self._run([python, "-m", "pip", "freeze", "--disable-pip-version-check", "--exclude-editable"])

    def _publish(self, staging: Path, target: Path) -> Path:
        if (target / "pyvenv.cfg").exists():
            return target
        for current, dirs, files in os.walk(staging / "env"):
            for name in dirs + files:
                path = os.path.join(current, name)
                if not os.path.islink(path):
                    os.chmod(path, os.stat(path).st_mode | 0o044 | (0o011 if name in dirs else 0))
        try:
            os.rename(staging / "env", target)
        except OSError:
            if not (target / "pyvenv.cfg").exists():  # not another build's finished environment
                raise
        return target

    def _run(self, argv: list[str]) -> str:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_", "VIRTUAL_ENV", "PYTHON"))}
        env["UV_NO_CONFIG"] = "1"
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=self.config.timeout, env=env)
        except FileNotFoundError as exc:
            raise PipError(f"cannot run {argv[0]}: {exc}; install uv (`pip install uv`) or python3-venv") from None
        except subprocess.TimeoutExpired:
            raise PipError(
                f"{' '.join(argv[:3])} ran past {self.config.timeout:g}s; raise PipConfig(timeout=...)"
            ) from None
        if done.returncode != 0:
            message = (done.stderr or done.stdout).strip()
            raise PipError(f"installing failed:\n{message}")
        return done.stdout


def normalize_lock(lock: str) -> str:
    """A lock's ``name==version`` lines, sorted, without comments or blank lines (what names its environment)."""
    lines = []
    for raw in lock.splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            lines.append(line)
    return "".join(f"{line}\n" for line in sorted(set(lines), key=str.lower))
