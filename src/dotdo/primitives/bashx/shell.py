"""The public ``Bash`` object: interpolate, analyze, then interpret natively with tiered fallbacks."""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast

from dotdo.primitives.bashx.analysis import Analysis, Analyzer
from dotdo.primitives.bashx.arrays import as_container
from dotdo.primitives.bashx.builtins import BUILTINS
from dotdo.primitives.bashx.catalog import ALWAYS_SAFE, MAX_SOURCED_BYTES, SANDBOXED_WITHOUT_CONFIRM
from dotdo.primitives.bashx.commands import default_commands
from dotdo.primitives.bashx.commands.base import CommandCall, CommandHandler, CommandResult, decode
from dotdo.primitives.bashx.errors import BlockedError, ExecutorUnavailableError
from dotdo.primitives.bashx.interpreter import Interpreter
from dotdo.primitives.bashx.parser import script_segments
from dotdo.primitives.bashx.quoting import interpolate
from dotdo.primitives.bashx.sandbox import Executor, SandboxConfig, SandboxExecutor
from dotdo.primitives.bashx.state import ShellState
from dotdo.runtime.durable_object import current_object

Tier = Literal["native", "sandbox", "container"]
TIER_ORDER: tuple[Tier, ...] = ("native", "sandbox", "container")


@dataclass
class BashResult:
    """What a script printed and returned, how it was classified, and the highest tier it needed."""

    stdout: str
    stderr: str
    exit_code: int
    analysis: Analysis
    tier: Tier = "native"

    @property
    def ok(self) -> bool:
        """True when the exit code is 0."""
        return self.exit_code == 0


SHELL_VARIABLES = {
    "UID": "1000",
    "EUID": "1000",
    "BASH": "/bin/bash",
    "BASH_VERSION": "5.2.15(1)-release",
    "BASH_VERSINFO": ["5", "2", "15", "1", "release", "x86_64-pc-linux-gnu"],
    "SHLVL": "1",
    "OSTYPE": "linux-gnu",
    "HOSTTYPE": "x86_64",
    "MACHTYPE": "x86_64-pc-linux-gnu",
    "IFS": " \t\n",
    "OPTIND": "1",
    "OPTERR": "1",
}
"""Variables bash sets for itself (a script runs unprivileged: ``UID`` 1000 unless ``env`` says otherwise)."""

DEFAULT_TIMEOUT = 30.0
"""Seconds a script may run when no ``timeout=`` is given: a runaway loop must not hold its object forever."""


class Bash:
    """A bash shell over an fsx ``FileSystem``.

    ``await bash("grep -c {} data.txt", pattern)`` quotes each value into the script, analyzes it,
    refuses what is blocked (or needs ``confirm=True``), and runs it natively on the filesystem;
    programs that are not native run in the tier 2 sandbox (``sandbox=SandboxConfig(...)``) or in
    an executor named for them (``executors={"ffmpeg": ContainerExecutor("jrottenberg/ffmpeg")}``).
    """

    def __init__(
        self,
        fs: Any,
        *,
        sandbox: SandboxConfig | bool | None = None,
        executors: Mapping[str, Executor] | None = None,
        output_limit: int = 64 * 1024 * 1024,
        default_timeout: float | None = DEFAULT_TIMEOUT,
    ) -> None:
        self.fs = fs
        self.default_timeout = default_timeout
        self.sync_fs = getattr(fs, "sync", fs)
        self.sandbox_config = sandbox if isinstance(sandbox, SandboxConfig) else SandboxConfig()
        self.sandbox_enabled = sandbox is not False
        self.sandbox = SandboxExecutor(self.sandbox_config)
        self.executors: dict[str, Executor] = dict(executors or {})
        self.commands: dict[str, CommandHandler] = default_commands()
        self.output_limit = output_limit

    def register_command(self, name: str, handler: CommandHandler) -> None:
        """Add a native command: ``handler(call: CommandCall) -> CommandResult``.

        ``call.argv`` holds the arguments, ``call.stdin`` the input bytes, ``call.cwd``/``call.env``
        the shell's directory and exported variables, ``call.fs`` the fsx sync core, and
        ``call.run(argv, stdin)`` runs another command line through the same shell.
        """
        if not isinstance(name, str) or not name or any(c in name for c in " \t\n/$`'\"\\;|&<>(){}"):
            raise ValueError(f"{name!r} is not a valid command name; use letters, digits, '-', '_' or '.'")
        if not callable(handler):
            raise TypeError("handler must be callable: handler(call) -> CommandResult")
        self.commands[name] = handler

    def analyze(self, script: str, *args: Any, cwd: str = "/") -> Analysis:
        """Classify ``script`` (after interpolating ``args``, to run in ``cwd``) without running anything."""
        source = interpolate(script, args) if args else script
        return self._analyzer(cwd).analyze(source)

    def _analyzer(self, cwd: str = "/") -> Analyzer:
        native = set(self.commands) | set(BUILTINS)
        return Analyzer(native=native, sandbox_allow=self._allowed_programs(), cwd=cwd, read_file=self._read_script)

    def _allowed_programs(self) -> set[str]:
        """Programs that may run outside the native tier without ``confirm=True``."""
        allow = set(self.sandbox_config.allow) | SANDBOXED_WITHOUT_CONFIRM if self.sandbox_enabled else set()
        return allow | set(self.executors)

    def _read_script(self, path: str) -> str | None:
        """The text of a file a script sources (None when missing, unreadable or too large to analyze)."""
        try:
            if self.sync_fs.stat(path).st_size > MAX_SOURCED_BYTES:
                return None
            return decode(self.sync_fs.read(path))
        except (OSError, ValueError):
            return None

    async def __call__(
        self,
        script: str,
        *args: Any,
        confirm: bool = False,
        cwd: str = "/",
        env: Mapping[str, str] | None = None,
        timeout: float | None = None,
        stdin: bytes | str = b"",
    ) -> BashResult:
        """Run ``script``; raises :class:`BlockedError` (running nothing) when it is not allowed.

        The script runs in a worker thread, so a ``sleep``, a busy loop or a sandboxed program never
        holds the event loop (other objects go on answering). Inside an object's event the object's
        input gate stays closed meanwhile: its own other events wait, as they would for any turn.
        """
        work = functools.partial(
            self.run_sync, script, *args, confirm=confirm, cwd=cwd, env=env, timeout=timeout, stdin=stdin
        )
        obj = current_object.get()
        if obj is None:
            return await self._off_the_loop(work)
        return await obj.block_concurrency_while(lambda: self._off_the_loop(work))

    async def _off_the_loop(self, work: Callable[[], BashResult]) -> BashResult:
        storage = getattr(self.sync_fs, "storage", None)
        if storage is None:
            return await _until_done(asyncio.ensure_future(asyncio.to_thread(work)))
        # Writes already made this turn commit first, so the worker's own writes (each committed by
        # itself off the loop) never share a transaction with the loop's.
        storage.commit()

        def locked() -> BashResult:
            outcome: list[tuple[BashResult | None, BaseException | None]] = []

            def batch() -> None:
                # A failing script keeps what it wrote, as bash does: the error leaves the block
                # only after its writes are committed.
                try:
                    outcome.append((work(), None))
                except BaseException as exc:
                    outcome.append((None, exc))

            with storage.thread_lock:
                # One commit for the whole script (off the loop each write would commit alone).
                storage.transaction_sync(batch)
            result, error = outcome[0]
            if error is not None:
                raise error
            assert result is not None
            return result

        return await _until_done(asyncio.ensure_future(asyncio.to_thread(locked)))

    def run_sync(
        self,
        script: str,
        *args: Any,
        confirm: bool = False,
        cwd: str = "/",
        env: Mapping[str, str] | None = None,
        timeout: float | None = None,
        stdin: bytes | str = b"",
    ) -> BashResult:
        """The synchronous core of ``__call__`` (for code already inside a turn)."""
        source = interpolate(script, args) if args else script
        if not isinstance(source, str):
            raise TypeError(f"a bash script is a str, not {type(source).__name__}")
        segments = script_segments(source)
        analyzer = self._analyzer(cwd if isinstance(cwd, str) else "/")
        for segment in segments:
            analysis = analyzer.analyze(segment.source)
        if analysis.verdict == "blocked" or (analysis.verdict == "needs_confirm" and not confirm):
            raise BlockedError(analysis)
        if timeout is None:
            timeout = self.default_timeout
        if timeout is not None and (not isinstance(timeout, int | float) or timeout <= 0):
            raise ValueError("timeout must be a positive number of seconds")
        state = self._state(cwd, env)
        tiers: set[str] = {"native"}
        network = self.sandbox_config.network or (confirm and "network" in analysis.types)

        allowed = self._allowed_programs()

        def fallback(call: CommandCall) -> CommandResult | None:
            if not confirm and call.argv[0] not in allowed:
                # The analysis saw no such program (it came through a wrapper, a variable or a
                # sourced file): the confirm gate holds at run time too.
                message = f"bashx: {call.argv[0]}: not on the sandbox allow-list; run the script with confirm=True\n"
                return CommandResult(b"", message.encode(), 126)
            executor = self.executors.get(call.argv[0])
            if executor is None:
                if not self.sandbox_enabled:
                    return None
                executor = self.sandbox
            remaining = None if deadline is None else deadline - time.monotonic()
            try:
                result = executor.run(call, network=network, timeout=remaining)
            except ExecutorUnavailableError as exc:
                return CommandResult(b"", f"bashx: {call.argv[0]}: {exc}\n".encode(), 126)
            if result is not None:
                tiers.add(executor.tier)
            return result

        native = set(self.commands) | set(BUILTINS)

        def guard(argv: list[str], cwd: str) -> str | None:
            # The command line as it runs, every word expanded: what the analysis could not see
            # (eval of a computed string, a variable holding "/", a sourced file changed meanwhile).
            if argv[0] in ALWAYS_SAFE:
                return None
            checker = Analyzer(native=native, sandbox_allow=allowed, cwd=cwd)
            checker.check(argv[0], list(argv[1:]))
            found = checker.result
            if found.verdict == "blocked" or (found.verdict == "needs_confirm" and not confirm):
                why = "; ".join(found.reasons) or found.verdict
                needs = "never runs" if found.verdict == "blocked" else "run the script with confirm=True"
                return f"{argv[0]}: refused as it was about to run ({why}): {needs}"
            return None

        deadline = time.monotonic() + timeout if timeout is not None else None
        interpreter = Interpreter(
            self.sync_fs,
            self.commands,
            state=state,
            fallback=fallback,
            deadline=deadline,
            output_limit=self.output_limit,
            guard=guard,
        )
        data = stdin.encode() if isinstance(stdin, str) else stdin
        out, err, status = interpreter.run(segments, data)
        tier = cast(Tier, max(tiers, key=TIER_ORDER.index))
        return BashResult(decode(out), decode(err), status, analysis, tier)

    def _state(self, cwd: str, env: Mapping[str, str] | None) -> ShellState:
        if not isinstance(cwd, str) or not cwd.startswith("/"):
            raise ValueError(f"cwd must be an absolute path inside the object's filesystem, not {cwd!r}")
        if not self.sync_fs.is_dir(cwd):
            raise FileNotFoundError(2, f"cwd {cwd!r} is not a directory in the object's filesystem; create it first")
        state = ShellState(cwd=cwd)
        state.variables.update({"HOME": "/", "PWD": cwd, "PATH": "/usr/local/bin:/usr/bin:/bin"})
        state.variables.update({name: as_container(value) for name, value in SHELL_VARIABLES.items()})
        state.readonly.add("BASH_VERSINFO")
        state.exported.update({"HOME", "PWD", "PATH"})
        for key, value in (env or {}).items():
            if not isinstance(key, str) or not isinstance(value, str):
                raise TypeError("env must map str names to str values")
            state.variables[key] = value
            state.exported.add(key)
        return state


async def _until_done(worker: asyncio.Future[BashResult]) -> BashResult:
    """Wait for a worker thread's result; a cancelled caller still waits (a thread cannot be stopped).

    The object's turn (its input gate) must outlast the thread, or the object's next event would
    run beside a script still using its files; the script's timeout bounds the wait.
    """
    cancelled = False
    while True:
        try:
            result = await asyncio.shield(worker)
            break
        except asyncio.CancelledError:
            if worker.done():
                raise
            cancelled = True
    if cancelled:
        raise asyncio.CancelledError
    return result
