"""Tier 2: run programs that are not native in a bubblewrap sandbox over a copy of the workspace."""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass, field
from typing import Any

from dotdo.primitives.bashx.analysis import DEFAULT_SANDBOX_ALLOW
from dotdo.primitives.bashx.commands.base import CommandCall, CommandResult
from dotdo.primitives.bashx.errors import ExecutorUnavailableError
from dotdo.primitives.bashx.workspace import materialize, sync_back

HOST_READ_ONLY = (
    "/usr",
    "/etc/alternatives",
    "/etc/ssl",
    "/etc/ca-certificates",
    "/etc/ld.so.cache",
    "/etc/localtime",
    "/etc/nsswitch.conf",
    "/etc/hosts",
)
NETWORK_FILES = ("/etc/resolv.conf",)
SAFE_PATH = "/usr/local/bin:/usr/bin:/bin"


@dataclass
class SandboxLimits:
    """Resource limits of one sandboxed process (each hit is reported by name)."""

    cpu_seconds: int = 30
    memory_bytes: int = 1024 * 1024 * 1024
    file_size_bytes: int = 256 * 1024 * 1024
    processes: int = 64
    wall_clock_seconds: float = 60.0
    workspace_bytes: int = 512 * 1024 * 1024


@dataclass
class SandboxConfig:
    """Tier 2 settings: limits, the programs that are ``safe`` to run sandboxed, and network access."""

    limits: SandboxLimits = field(default_factory=SandboxLimits)
    allow: frozenset[str] = DEFAULT_SANDBOX_ALLOW
    network: bool = False
    bwrap: str = "bwrap"


class Executor:
    """The contract of tiers 2 and 3: run one command line against the workspace of ``call.fs``."""

    tier = "sandbox"

    def unavailable_reason(self) -> str | None:
        """None when this executor can run here, else why not (with what to do)."""
        raise NotImplementedError

    def run(self, call: CommandCall, *, network: bool = False, timeout: float | None = None) -> CommandResult | None:
        """Run ``call.argv`` (at most ``timeout`` seconds); None when the program does not exist here."""
        raise NotImplementedError


def _limit_names() -> dict[int, str]:
    return {signal.SIGXCPU: "cpu_seconds", signal.SIGXFSZ: "file_size_bytes"}


class SandboxExecutor(Executor):
    """Runs a program under bubblewrap: private copy of the workspace, no network, rlimits, clean env."""

    tier = "sandbox"

    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.config = config or SandboxConfig()

    def unavailable_reason(self) -> str | None:
        """Explain how to install bubblewrap when it is missing."""
        if shutil.which(self.config.bwrap) is None:
            return (
                "tier 2 needs bubblewrap, which is not installed: run `apt-get install -y bubblewrap` "
                "(or pass sandbox=SandboxConfig(bwrap='/path/to/bwrap'))"
            )
        return None

    def program_exists(self, name: str) -> bool:
        """Whether ``name`` resolves inside the sandbox's PATH."""
        if "/" in name:
            return False
        return shutil.which(name, path=SAFE_PATH) is not None

    def command_line(self, root: str, cwd: str, env: dict[str, str], argv: list[str], network: bool) -> list[str]:
        """The bwrap invocation for ``argv``."""
        args = [self.config.bwrap, "--unshare-all", "--die-with-parent", "--new-session"]
        if network:
            args.append("--share-net")
        args += ["--bind", root, "/"]
        for path in HOST_READ_ONLY + (NETWORK_FILES if network else ()):
            if os.path.exists(path):
                args += ["--ro-bind", path, path]
        for link, target in (
            ("/bin", "usr/bin"),
            ("/lib", "usr/lib"),
            ("/lib64", "usr/lib64"),
            ("/sbin", "usr/sbin"),
        ):
            if os.path.lexists(link) and os.path.islink(link):
                args += ["--symlink", target, link]
        args += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--chdir", cwd, "--clearenv"]
        for key, value in env.items():
            args += ["--setenv", key, value]
        return [*args, "--", *argv]

    def preexec(self) -> None:
        """Apply the rlimits in the child before bwrap starts (they are inherited by the program)."""
        limits = self.config.limits
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1))
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_size_bytes, limits.file_size_bytes))
        resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    def run(self, call: CommandCall, *, network: bool = False, timeout: float | None = None) -> CommandResult | None:
        """Materialize, run, sync back; limits hit are reported on stderr by name."""
        reason = self.unavailable_reason()
        if reason is not None:
            raise ExecutorUnavailableError(reason)
        if not self.program_exists(call.argv[0]):
            return None
        limits = self.config.limits
        try:
            ws = materialize(call.fs, max_bytes=limits.workspace_bytes)
        except OverflowError as exc:
            return CommandResult(b"", f"bashx: {call.argv[0]}: {exc}\n".encode(), 1)
        try:
            env = {"PATH": SAFE_PATH, "HOME": "/", "LANG": "C.UTF-8", "TMPDIR": "/tmp"}
            env.update({k: v for k, v in call.env.items() if k not in ("PATH", "LD_PRELOAD", "LD_LIBRARY_PATH")})
            argv = self.command_line(ws.root, call.cwd, env, call.argv, network or self.config.network)
            # Output goes to files, so RLIMIT_FSIZE bounds it as well: an endless writer cannot
            # fill the host's memory.
            with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
                try:
                    proc = subprocess.run(
                        argv,
                        input=call.stdin,
                        stdout=out,
                        stderr=err,
                        timeout=_wall_clock(limits, timeout),
                        preexec_fn=self.preexec,
                        check=False,
                    )
                except subprocess.TimeoutExpired:
                    message = (
                        f"bashx: {call.argv[0]}: stopped by the wall_clock_seconds limit "
                        f"({limits.wall_clock_seconds:g}s); "
                        "raise SandboxLimits(wall_clock_seconds=...)\n"
                    )
                    return CommandResult(_read(out), _read(err) + message.encode(), 124)
                stdout, stderr = _read(out), _read(err)
            sync_back(call.fs, ws)
            return _with_limit_message(call.argv[0], stdout, stderr, proc.returncode, limits)
        finally:
            ws.cleanup()


def _read(handle: Any) -> bytes:
    handle.seek(0)
    return handle.read()


def _with_limit_message(name: str, stdout: bytes, stderr: bytes, code: int, limits: SandboxLimits) -> CommandResult:
    limit = None
    if code < 0:
        limit = _limit_names().get(-code)
        if limit is None and -code == signal.SIGKILL:
            limit = "cpu_seconds"
        code = 128 - code
    elif code > 128 and (code - 128) in _limit_names():
        limit = _limit_names()[code - 128]
    elif b"File too large" in stderr:
        limit = "file_size_bytes"
    elif b"MemoryError" in stderr or b"Cannot allocate memory" in stderr or b"out of memory" in stderr.lower():
        limit = "memory_bytes"
    if limit is not None:
        value = getattr(limits, limit)
        hint = f"raise SandboxLimits({limit}=...)"
        stderr += f"bashx: {name}: stopped by the {limit} limit ({value}); {hint}\n".encode()
    return CommandResult(stdout, stderr, code)


def _wall_clock(limits: SandboxLimits, timeout: float | None) -> float:
    """The wall-clock budget: the limit, or less when the script's own timeout comes sooner."""
    if timeout is None:
        return limits.wall_clock_seconds
    return max(0.01, min(limits.wall_clock_seconds, timeout))
