"""``ctx.py``: run Python against the object's files in a bubblewrap sandbox, with limits and packages.

A call copies the object's files into a warm sandbox (see ``pool``), runs the code there with no
network (unless granted), its own memory and time limits, and the object's virtualenv when it has
packages, then writes what the code changed back to the object's files, only when the code
succeeded. The last expression's value comes back JSON-compatible (or as its ``repr``), with what
the code printed and how long it ran; a failure comes back as ``PyError`` carrying the sandbox's
traceback, and the object's files are as they were.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import re
import signal
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from dotdo.primitives.bashx import SandboxExecutor, SandboxLimits
from dotdo.primitives.bashx.workspace import SANDBOX_NAMES, Workspace, materialize, sync_back, workspace_size
from dotdo.primitives.pyx.analysis import PyAnalysis, analyze
from dotdo.primitives.pyx.errors import PyBlockedError, PyError, PyLimitError, PySandboxUnavailableError
from dotdo.primitives.pyx.pip import Pip
from dotdo.primitives.pyx.pool import PoolKey, SandboxPool, WarmSandbox
from dotdo.runtime.durable_object import current_object

WATCH_INTERVAL = 0.05
"""Seconds between two checks of a running call's wall clock and workspace size."""
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?i?b?)\s*", re.IGNORECASE)


@dataclass
class PyConfig:
    """Settings of ``ctx.py``: the sandbox's limits (the most a call may ask for), defaults, pool size."""

    limits: SandboxLimits = field(default_factory=lambda: SandboxLimits(wall_clock_seconds=300.0))
    default_timeout: float = 30.0
    default_memory: int = 512 * 1024 * 1024
    python: str = "/usr/bin/python3"
    """The host interpreter the sandbox runs (it must live under ``/usr``, which the sandbox mounts)."""
    warm: int = 2
    """How many started sandboxes wait per interpreter."""


@dataclass
class PyResult:
    """What a call returned: the last expression's ``value``, the output, and the wall-clock ``duration``."""

    value: Any
    stdout: str
    stderr: str
    duration: float
    value_is_repr: bool = False
    """True when the value was not JSON-compatible, so ``value`` holds its ``repr``."""
    changed: list[str] = field(default_factory=list)
    """The object's paths the call created, changed or removed."""


def parse_memory(memory: int | str) -> int:
    """Bytes from ``memory``: an int, or a size such as ``"256MB"``, ``"1GiB"`` or ``"512k"``."""
    if isinstance(memory, bool):
        raise TypeError("memory is a number of bytes or a size such as '256MB', not a bool")
    if isinstance(memory, int):
        if memory <= 0:
            raise ValueError(f"memory must be positive, not {memory}")
        return memory
    if not isinstance(memory, str):
        raise TypeError(f"memory is a number of bytes or a size such as '256MB', not {type(memory).__name__}")
    match = _SIZE.fullmatch(memory)
    if match is None:
        raise ValueError(f"memory must be a size such as '256MB' or '1GiB', not {memory!r}")
    number, unit = float(match.group(1)), match.group(2).lower()
    base = 1024 if "i" in unit else 1000
    scale = base ** "bkmgt".index(unit[0]) if unit and unit[0] != "b" else 1
    value = int(number * scale)
    if value <= 0:
        raise ValueError(f"memory must be positive, not {memory!r}")
    return value


class Python:
    """Python in a sandbox over an fsx filesystem: ``await py("1 + 1")`` returns a ``PyResult``.

    ``py(code, packages=["pandas"], timeout=10, memory="256MB", network=False, confirm=False)``;
    ``py.analyze(code)`` classifies the code without running it.
    """

    def __init__(
        self,
        fs: Any,
        *,
        config: PyConfig | None = None,
        pool: SandboxPool | None = None,
        pip: Pip | None = None,
    ) -> None:
        self.fs = fs
        self.sync_fs = getattr(fs, "sync", fs)
        self.config = config or PyConfig()
        self.pool = pool if pool is not None else shared_pool(self.config)
        self.executor = self.pool.executor
        self.pip = pip

    def analyze(self, code: str) -> PyAnalysis:
        """The safety verdict on ``code`` (safe / needs_confirm / blocked) and the findings behind it."""
        return analyze(code)

    async def __call__(
        self,
        code: str,
        *,
        packages: Iterable[str] = (),
        timeout: float | None = None,
        memory: int | str | None = None,
        network: bool = False,
        confirm: bool = False,
        cwd: str = "/",
    ) -> PyResult:
        """Run ``code``; raises ``PyError`` (nothing written back) when it fails or hits a limit.

        ``packages`` are installed into the object's environment first (see ``ctx.pip``);
        ``network=True`` grants the sandbox the host's network; ``confirm=True`` runs code the
        analysis says needs a confirmation. Inside an object's event, the object's other events
        wait until the call is done, as for any turn.
        """
        obj = current_object.get()
        if obj is None:
            return await self._run(code, packages, timeout, memory, network, confirm, cwd)
        return await obj.block_concurrency_while(
            lambda: self._run(code, packages, timeout, memory, network, confirm, cwd)
        )

    async def _run(
        self,
        code: str,
        packages: Iterable[str],
        timeout: float | None,
        memory: int | str | None,
        network: bool,
        confirm: bool,
        cwd: str,
    ) -> PyResult:
        request, key = self._prepare(code, packages, timeout, memory, network, confirm, cwd)
        packages = list(packages)
        if self.pip is not None:
            env_dir = await self.pip.ensure(packages)
            if env_dir is not None:
                key = PoolKey(key.python, str(env_dir), key.network)
        elif packages:
            raise PyError("packages= needs the object's environment: build Python(fs, pip=Pip(fs))")
        sandbox = self.pool.acquire(key)
        try:
            workspace = self._materialize(sandbox)
            started = time.perf_counter()
            sandbox.send(request)
            stopped = await asyncio.to_thread(self._watch, sandbox, workspace, request["timeout"])
            duration = time.perf_counter() - started
            result = self._outcome(sandbox, stopped, duration, request)
            result.changed = self._write_back(workspace)
            return result
        finally:
            self.pool.release(sandbox)

    def _prepare(
        self,
        code: str,
        packages: Iterable[str],
        timeout: float | None,
        memory: int | str | None,
        network: bool,
        confirm: bool,
        cwd: str,
    ) -> tuple[dict[str, Any], PoolKey]:
        if isinstance(packages, str):
            raise TypeError(f"packages is a list of requirements such as ['pandas==2.2.*'], not the str {packages!r}")
        reason = self.executor.unavailable_reason()
        if reason is not None:
            raise PySandboxUnavailableError(f"ctx.py cannot run here: {reason}")
        if not os.path.exists(self.config.python):
            raise PySandboxUnavailableError(
                f"ctx.py runs {self.config.python} in its sandbox, which is not installed: "
                "run `apt-get install -y python3` or pass PyConfig(python=...)"
            )
        found = analyze(code)
        if found.syntax_error is not None:
            raise PyError(found.syntax_error, type_name="SyntaxError")
        if found.verdict == "blocked" or (found.verdict == "needs_confirm" and not confirm):
            raise PyBlockedError(found)
        limits = self.config.limits
        if timeout is None:
            timeout = self.config.default_timeout
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0:
            raise ValueError(f"timeout is a positive number of seconds, not {timeout!r}")
        if timeout > limits.wall_clock_seconds:
            raise ValueError(
                f"timeout={timeout} is over this sandbox's limit of {limits.wall_clock_seconds:g}s; "
                "raise PyConfig(limits=SandboxLimits(wall_clock_seconds=...))"
            )
        memory_bytes = parse_memory(memory if memory is not None else self.config.default_memory)
        if memory_bytes > limits.memory_bytes:
            raise ValueError(
                f"memory={memory_bytes} is over this sandbox's limit of {limits.memory_bytes} bytes; "
                "raise PyConfig(limits=SandboxLimits(memory_bytes=...))"
            )
        if not isinstance(cwd, str) or not cwd.startswith("/"):
            raise ValueError(f"cwd is an absolute path of the object's files, not {cwd!r}")
        top = cwd.strip("/").split("/", 1)[0]
        if top in SANDBOX_NAMES:
            raise ValueError(f"cwd {cwd!r} is under /{top}, which belongs to the sandbox; use another folder")
        if cwd != "/" and not self.sync_fs.is_dir(cwd):
            raise FileNotFoundError(f"cwd {cwd!r} is not a folder of the object's files")
        request = {
            "code": code,
            "cwd": cwd,
            "memory": memory_bytes,
            "cpu_seconds": min(limits.cpu_seconds, math.ceil(timeout) + 1),
            "timeout": float(timeout),
        }
        return request, PoolKey(self.config.python, None, bool(network))

    def _materialize(self, sandbox: WarmSandbox) -> Workspace:
        """Copy the object's files into the sandbox's root, which it already sees as ``/``."""
        limits = self.config.limits
        copy = materialize(
            self.sync_fs, max_bytes=limits.workspace_bytes, exclude=SANDBOX_NAMES, owner=self.executor.host_owner()
        )
        try:
            for name in os.listdir(copy.root):
                os.rename(os.path.join(copy.root, name), os.path.join(sandbox.root, name))
        finally:
            copy.cleanup()
        return Workspace(
            sandbox.base,
            sandbox.root,
            snapshot=copy.snapshot,
            excluded=SANDBOX_NAMES,
            max_bytes=limits.workspace_bytes,
        )

    def _watch(self, sandbox: WarmSandbox, workspace: Workspace, timeout: float) -> str | None:
        """Wait for the sandbox to exit; the name of the limit that stopped it, if one did."""
        deadline = time.monotonic() + timeout
        while True:
            if sandbox.wait(max(0.0, min(WATCH_INTERVAL, deadline - time.monotonic()))) is not None:
                return None
            if time.monotonic() >= deadline:
                sandbox.kill()
                return "timeout"
            if workspace_size(workspace) > self.config.limits.workspace_bytes:
                sandbox.kill()
                return "workspace_bytes"

    def _outcome(self, sandbox: WarmSandbox, stopped: str | None, duration: float, request: dict[str, Any]) -> PyResult:
        raw_out, raw_err, raw_report = sandbox.outputs()
        stdout = raw_out.decode("utf-8", "replace")
        stderr = raw_err.decode("utf-8", "replace")
        if stopped is not None:
            raise self._limit_error(stopped, request, stdout, stderr)
        try:
            report = json.loads(raw_report) if raw_report else None
        except ValueError:
            report = None
        if report is None:
            raise self._death(sandbox.process.returncode, request, stdout, stderr)
        if report.get("limit"):
            raise self._limit_error(report["limit"], request, stdout, stderr)
        if not report["ok"]:
            raise PyError(
                report["message"],
                type_name=report["type"],
                traceback=report["traceback"],
                stdout=stdout,
                stderr=stderr,
            )
        return PyResult(report["value"], stdout, stderr, duration, value_is_repr=report["kind"] == "repr")

    def _limit_error(self, limit: str, request: dict[str, Any], stdout: str, stderr: str) -> PyLimitError:
        """The error for a limit that stopped the code, saying how to give it more."""
        limits = self.config.limits
        raise_it = "nothing was written back: raise PyConfig(limits=SandboxLimits({}=...))"
        messages = {
            "timeout": f"the code ran past its timeout of {request['timeout']:g}s; "
            "nothing was written back: pass a larger timeout=",
            "cpu": f"the code used its {request['cpu_seconds']}s of CPU time; "
            "nothing was written back: pass a larger timeout=",
            "memory": f"the code ran out of its memory limit ({request['memory']} bytes); "
            "nothing was written back: pass a larger memory=",
            "file_size_bytes": f"the code wrote a file (or output) past {limits.file_size_bytes} bytes; "
            + raise_it.format("file_size_bytes"),
            "workspace_bytes": f"the code's files grew past the workspace limit ({limits.workspace_bytes} bytes); "
            + raise_it.format("workspace_bytes"),
        }
        return PyLimitError(limit, messages[limit], stdout=stdout, stderr=stderr)

    def _death(self, status: int | None, request: dict[str, Any], stdout: str, stderr: str) -> PyError:
        """The error for a sandbox that exited without a report (a signal, a limit, a crash)."""
        signals = {signal.SIGXCPU: "cpu", signal.SIGXFSZ: "file_size_bytes"}
        if status is not None and status < 0 and -status in signals:
            return self._limit_error(signals[signal.Signals(-status)], request, stdout, stderr)
        if "MemoryError" in stderr or "Cannot allocate memory" in stderr:
            return self._limit_error("memory", request, stdout, stderr)
        if status is not None and status < 0:
            what = f"was killed by signal {-status} ({signal.Signals(-status).name})"
        else:
            what = f"exited with status {status} before reporting a result"
        tail = stderr.strip().splitlines()[-5:]
        detail = ("\n" + "\n".join(tail)) if tail else ""
        return PyError(
            f"the sandboxed interpreter {what}; nothing was written back{detail}", stdout=stdout, stderr=stderr
        )

    def _write_back(self, workspace: Workspace) -> list[str]:
        try:
            return sync_back(self.sync_fs, workspace)
        except OverflowError as exc:
            raise PyLimitError("workspace_bytes", str(exc)) from None


_pools: dict[tuple[int, str], SandboxPool] = {}


def shared_pool(config: PyConfig) -> SandboxPool:
    """The process's pool of warm sandboxes for ``config``'s limits (made on first use, shared by every object)."""
    limits = config.limits
    key = (config.warm, repr(limits))
    pool = _pools.get(key)
    if pool is None:
        from dotdo.primitives.bashx import SandboxConfig

        pool = _pools[key] = SandboxPool(SandboxExecutor(SandboxConfig(limits=limits)), size=config.warm)
    return pool
