"""Tier 2: run programs that are not native in a bubblewrap sandbox over a copy of the workspace."""

from __future__ import annotations

import contextlib
import json
import os
import resource
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any

from dotdo.primitives.bashx.catalog import DEFAULT_SANDBOX_ALLOW
from dotdo.primitives.bashx.commands.base import CommandCall, CommandResult
from dotdo.primitives.bashx.errors import ExecutorUnavailableError
from dotdo.primitives.bashx.workspace import SANDBOX_NAMES, Workspace, materialize, sync_back, workspace_size

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
SANDBOX_UID = 1000
"""The uid and gid a sandboxed program has inside its user namespace."""
ETC_BYTES = 64 * 1024
"""Size of the tmpfs under the sandbox's /etc (read-only once the host's files are mounted in it)."""
SHM_BYTES = 4 * 1024 * 1024
"""Size of the sandbox's /dev/shm (POSIX semaphores and small shared segments)."""
WATCH_INTERVAL = 0.2
"""Seconds between two checks of a running sandbox's workspace size and wall clock."""


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
    host_user: tuple[int, int] = (65534, 65534)
    """The unprivileged host (uid, gid) bubblewrap runs as when the server runs as root (nobody)."""

    def __post_init__(self) -> None:
        if len(self.host_user) != 2 or 0 in self.host_user:
            raise ValueError(
                f"host_user must be an unprivileged (uid, gid), not {self.host_user!r}: "
                "a sandbox run as root keeps root's files within reach"
            )


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
    """Runs a program under bubblewrap over a fresh copy of the workspace.

    The sandbox's root is a new private directory holding the object's files; the host's ``/usr``
    and a few files of ``/etc`` are mounted read-only at names the object's files never use
    (:data:`SANDBOX_NAMES`). The program runs as an unprivileged user in its own user, PID, IPC,
    UTS, cgroup and network namespaces with every capability dropped, a clean environment and
    rlimits; a server running as root starts it as ``SandboxConfig.host_user``.
    """

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

    def host_owner(self) -> tuple[int, int] | None:
        """The unprivileged host (uid, gid) to start bubblewrap as, or None to stay the current user."""
        if os.geteuid() != 0:
            return None
        return self.config.host_user

    def command_line(self, root: str, cwd: str, env: dict[str, str], argv: list[str], network: bool) -> list[str]:
        """The bwrap invocation for ``argv``."""
        limits = self.config.limits
        args = [
            self.config.bwrap,
            "--unshare-all",
            "--unshare-user",
            "--disable-userns",
            "--uid",
            str(SANDBOX_UID),
            "--gid",
            str(SANDBOX_UID),
            "--cap-drop",
            "ALL",
            "--die-with-parent",
            "--new-session",
        ]
        if network:
            args.append("--share-net")
        # The root is a fresh directory: every mount point below is created there, never through
        # a path the object's files could redirect (their top-level names never collide).
        args += ["--bind", root, "/", "--size", str(ETC_BYTES), "--tmpfs", "/etc"]
        for path in HOST_READ_ONLY + (NETWORK_FILES if network else ()):
            if os.path.exists(path):
                args += ["--ro-bind", path, path]
        args += ["--remount-ro", "/etc"]
        for link, target in (
            ("/bin", "usr/bin"),
            ("/lib", "usr/lib"),
            ("/lib64", "usr/lib64"),
            ("/sbin", "usr/sbin"),
        ):
            if os.path.lexists(link) and os.path.islink(link):
                args += ["--symlink", target, link]
        # tmpfs pages are memory outside RLIMIT_AS: /tmp is sized to the memory limit, /dev/shm
        # holds little more than semaphores.
        args += ["--proc", "/proc", "--dev", "/dev", "--size", str(limits.memory_bytes), "--tmpfs", "/tmp"]
        args += ["--size", str(SHM_BYTES), "--tmpfs", "/dev/shm", "--remount-ro", "/dev"]
        args += ["--chdir", cwd, "--clearenv"]
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
        name = call.argv[0]
        if not self.program_exists(name):
            return None
        top = call.cwd.strip("/").split("/", 1)[0]
        if top in SANDBOX_NAMES:
            owned = ", ".join("/" + n for n in sorted(SANDBOX_NAMES))
            message = (
                f"bashx: {name}: the sandbox cannot run in {call.cwd}: /{top} belongs to the sandbox "
                f"(its own {owned}); run it from another directory\n"
            )
            return CommandResult(b"", message.encode(), 126)
        limits = self.config.limits
        owner = self.host_owner()
        try:
            ws = materialize(call.fs, max_bytes=limits.workspace_bytes, exclude=SANDBOX_NAMES, owner=owner)
        except OverflowError as exc:
            return CommandResult(b"", f"bashx: {name}: {exc}\n".encode(), 1)
        try:
            env = {"PATH": SAFE_PATH, "HOME": "/", "LANG": "C.UTF-8", "TMPDIR": "/tmp"}
            env.update({k: v for k, v in call.env.items() if k not in ("PATH", "LD_PRELOAD", "LD_LIBRARY_PATH")})
            argv = self.command_line(ws.root, call.cwd, env, call.argv, network or self.config.network)
            budget = _wall_clock(limits, timeout)
            # Output goes to files, so RLIMIT_FSIZE bounds it as well: an endless writer cannot
            # fill the host's memory.
            with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
                code, stopped = self._supervise(argv, call.stdin, out, err, ws, budget, owner)
                stdout, stderr = _read(out), _read(err)
            if stopped is not None:
                return CommandResult(stdout, stderr + self._stop_message(name, stopped, limits, timeout), 124)
            try:
                sync_back(call.fs, ws)
            except OverflowError as exc:
                return CommandResult(stdout, stderr + f"bashx: {name}: {exc}\n".encode(), 1)
            return _with_limit_message(name, stdout, stderr, code, limits)
        finally:
            ws.cleanup()

    def _supervise(
        self,
        argv: list[str],
        stdin: bytes,
        out: Any,
        err: Any,
        ws: Workspace,
        budget: float,
        owner: tuple[int, int] | None,
    ) -> tuple[int, str | None]:
        """Run ``argv`` until it exits (its status, None) or a limit stops it (its status, the limit's name)."""
        drop: dict[str, Any] = {}
        if owner is not None:
            drop = {"user": owner[0], "group": owner[1], "extra_groups": []}
        info_read, info_write = os.pipe()
        os.set_blocking(info_read, False)
        # bwrap writes the host pid of the sandbox's init process to --info-fd once it has started.
        argv = [argv[0], "--info-fd", str(info_write), *argv[1:]]
        try:
            with tempfile.TemporaryFile() as feed:
                feed.write(stdin)
                feed.seek(0)
                proc = subprocess.Popen(
                    argv,
                    stdin=feed,
                    stdout=out,
                    stderr=err,
                    preexec_fn=self.preexec,
                    pass_fds=(info_write,),
                    **drop,
                )
            os.close(info_write)
            info_write = -1
            deadline = time.monotonic() + budget
            stopped: str | None = None
            try:
                while True:
                    try:
                        return proc.wait(timeout=max(0.0, min(WATCH_INTERVAL, deadline - time.monotonic()))), None
                    except subprocess.TimeoutExpired:
                        pass
                    if time.monotonic() >= deadline:
                        stopped = "wall_clock"
                    elif workspace_size(ws) > self.config.limits.workspace_bytes:
                        stopped = "workspace_bytes"
                    if stopped is not None:
                        return _stop(proc, info_read), stopped
            except BaseException:
                _stop(proc, info_read)
                raise
        finally:
            os.close(info_read)
            if info_write >= 0:
                os.close(info_write)

    def _stop_message(self, name: str, stopped: str, limits: SandboxLimits, timeout: float | None) -> bytes:
        if stopped == "workspace_bytes":
            text = (
                f"bashx: {name}: stopped by the workspace_bytes limit ({limits.workspace_bytes}); "
                "nothing was synced back: raise SandboxLimits(workspace_bytes=...)\n"
            )
        elif timeout is not None and timeout < limits.wall_clock_seconds:
            text = f"bashx: {name}: stopped when the script's timeout ran out; pass a larger timeout=\n"
        else:
            text = (
                f"bashx: {name}: stopped by the wall_clock_seconds limit ({limits.wall_clock_seconds:g}s); "
                "raise SandboxLimits(wall_clock_seconds=...)\n"
            )
        return text.encode()


def _stop(proc: subprocess.Popen[Any], info: int) -> int:
    """Kill a sandbox and return once every process in it is gone.

    Killing the sandbox's init (its PID namespace's pid 1) makes the kernel kill and reap every
    other process of the namespace before init's own exit completes, and bwrap exits only after
    that: so when ``wait()`` returns, nothing can still write into the workspace.
    """
    try:
        text = os.read(info, 65536).decode()
        child = int(json.loads(text)["child-pid"])
    except (OSError, ValueError, KeyError, TypeError):
        child = None
    if child is not None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, signal.SIGKILL)
    else:
        proc.kill()
    try:
        return proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait()


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
