"""Tier 3: run a command in a container engine (Docker or Podman), behind the tier 2 contract."""

from __future__ import annotations

import shutil
import subprocess

from dotdo.primitives.bashx.commands.base import CommandCall, CommandResult
from dotdo.primitives.bashx.errors import ExecutorUnavailableError
from dotdo.primitives.bashx.sandbox import Executor, SandboxLimits, _wall_clock, _with_limit_message
from dotdo.primitives.bashx.workspace import materialize, sync_back


class ContainerExecutor(Executor):
    """Runs ``argv`` in ``image`` with the workspace mounted at ``/workspace`` and no network by default."""

    tier = "container"

    def __init__(self, image: str, *, engine: str = "docker", limits: SandboxLimits | None = None) -> None:
        self.image = image
        self.engine = engine
        self.limits = limits or SandboxLimits()

    def unavailable_reason(self) -> str | None:
        """Why no container can run here (engine missing or its daemon not answering)."""
        if shutil.which(self.engine) is None:
            return (
                f"tier 3 needs a container engine, but {self.engine!r} is not installed here; "
                "install Docker or "
                "Podman, or run the program in tier 2 (the bubblewrap sandbox)"
            )
        try:
            probe = subprocess.run([self.engine, "info"], capture_output=True, timeout=10, check=False)
        except (OSError, subprocess.TimeoutExpired):
            probe = None
        if probe is None or probe.returncode != 0:
            return f"tier 3 needs a running container engine, but `{self.engine} info` fails: start the daemon"
        return None

    def run(self, call: CommandCall, *, network: bool = False, timeout: float | None = None) -> CommandResult | None:
        """Materialize, run in the container, sync back."""
        reason = self.unavailable_reason()
        if reason is not None:
            raise ExecutorUnavailableError(reason)
        limits = self.limits
        ws = materialize(call.fs, max_bytes=limits.workspace_bytes)
        try:
            argv = [
                self.engine,
                "run",
                "--rm",
                "-i",
                "--network",
                "bridge" if network else "none",
                "--memory",
                str(limits.memory_bytes),
                "--pids-limit",
                str(limits.processes),
                "--ulimit",
                f"cpu={limits.cpu_seconds}",
                "-v",
                f"{ws.root}:/workspace",
                "-w",
                "/workspace" + (call.cwd if call.cwd != "/" else ""),
            ]
            for key, value in call.env.items():
                argv += ["-e", f"{key}={value}"]
            argv += [self.image, *call.argv]
            try:
                proc = subprocess.run(
                    argv,
                    input=call.stdin,
                    capture_output=True,
                    timeout=_wall_clock(limits, timeout),
                    check=False,
                )
            except subprocess.TimeoutExpired:
                seconds = limits.wall_clock_seconds
                message = f"bashx: {call.argv[0]}: stopped by the wall_clock_seconds limit ({seconds:g}s)\n"
                return CommandResult(b"", message.encode(), 124)
            try:
                sync_back(call.fs, ws)
            except OverflowError as exc:
                return CommandResult(proc.stdout, proc.stderr + f"bashx: {call.argv[0]}: {exc}\n".encode(), 1)
            return _with_limit_message(call.argv[0], proc.stdout, proc.stderr, proc.returncode, limits)
        finally:
            ws.cleanup()
