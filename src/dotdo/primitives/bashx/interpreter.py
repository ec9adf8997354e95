"""Tier 1: interpret the syntax tree natively against the object's filesystem."""

from __future__ import annotations

import contextlib
import posixpath
import re
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from dotdo.primitives.bashx import aliases, arrays, ast, deparse, lookup
from dotdo.primitives.bashx.assignments import (
    ASSIGNMENT_WORD,
    DECLARATION_BUILTINS,
    VariableAssignment,
    with_keyword_assignments,
)
from dotdo.primitives.bashx.builtins import BUILTINS, ShellBuiltinError
from dotdo.primitives.bashx.commands.base import (
    CommandCall,
    CommandHandler,
    CommandResult,
    decode,
    encode,
    os_message,
)
from dotdo.primitives.bashx.control import (
    SIGPIPE_STATUS,
    AbortCommand,
    BreakLoop,
    ContinueLoop,
    ExitShell,
    Killed,
    ReturnFromFunction,
)
from dotdo.primitives.bashx.coprocs import start_coproc
from dotdo.primitives.bashx.errors import BashSyntaxError, BashTimeoutError
from dotdo.primitives.bashx.exfiltration import ENVIRONMENT_DUMPS, SecretFlow, is_network_sink
from dotdo.primitives.bashx.expansion import Expander, ExpansionError
from dotdo.primitives.bashx.jobs import JobTable, SerializedFs
from dotdo.primitives.bashx.limits import timing_report
from dotdo.primitives.bashx.parser import Segment, parse
from dotdo.primitives.bashx.pattern import compile_pattern
from dotdo.primitives.bashx.redirections import apply_redirects
from dotdo.primitives.bashx.reentry import SHELL_PROGRAMS, reenter, run_script_file
from dotdo.primitives.bashx.state import ShellState
from dotdo.primitives.bashx.streams import (
    BufferSink,
    InputStream,
    OutputLimitError,
    Pipe,
    PipeClosed,
    PipeReader,
)
from dotdo.primitives.bashx.testexpr import evaluate_test
from dotdo.primitives.bashx.traps import function_traps
from dotdo.primitives.bashx.words import WordSyntaxError

IO = dict[int, Any]
Fallback = Callable[[CommandCall], CommandResult | None]
Guard = Callable[[list[str], str], str | None]
"""Checks a command line as it is about to run (argv, cwd): a refusal message, or None to run it."""
MAX_DEPTH = 60
VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
SETS_PIPESTATUS = frozenset({ast.SimpleCommand, ast.Subshell, ast.ArithCommand, ast.TestExpr, ast.Not})
"""Commands that are a pipeline of one: ``PIPESTATUS`` holds their status alone afterwards."""


STANDARD_BIN_DIRS = ("/bin/", "/usr/bin/", "/usr/local/bin/", "/sbin/", "/usr/sbin/")
"""Where a path names a standard program (``/bin/echo``) that bashx provides natively."""


class Interpreter(VariableAssignment):
    """Runs one script; holds the shell state, the command table and the output sinks."""

    def __init__(
        self,
        fs: Any,
        commands: dict[str, CommandHandler],
        *,
        state: ShellState | None = None,
        fallback: Fallback | None = None,
        deadline: float | None = None,
        output_limit: int = 64 * 1024 * 1024,
        guard: Guard | None = None,
        cancel: tuple[threading.Event, ...] = (),
    ) -> None:
        self.fs: Any = fs if isinstance(fs, SerializedFs) else SerializedFs(fs)
        self.cancel = cancel
        self.jobs = JobTable()
        self.secrets = SecretFlow()
        self.commands = commands
        self.state = state or ShellState()
        self.fallback = fallback
        self.guard = guard
        self.deadline = deadline
        self.output_limit = output_limit
        self.expander = Expander(self)
        self.line = 1
        self.depth = 0
        self.in_condition = 0
        self.io: IO = {}
        self.substitution_status: int | None = None
        self.traps: dict[str, str] = {}
        self.active_aliases: frozenset[str] = frozenset()
        self.in_trap = False
        self.started = time.monotonic()
        self.temporary_files: list[str] = []
        self.block_io: IO | None = None
        self.loop_depth = 0
        self.script_stdin: Any = None
        """The standard input the script started with: a background job reads an empty one
        instead, unless a redirection or a pipe gave it another."""
        self.current_command: ast.Node | None = None
        """The simple command running (``$BASH_COMMAND``); a trap's own commands leave it alone."""

    # entry point ----------------------------------------------------------------------
    def run(self, source: str | list[Segment], stdin: bytes = b"") -> tuple[bytes, bytes, int]:
        """Run a script (its source, or its segments from :func:`script_segments`).

        Returns (stdout, stderr, exit status).
        """
        out, err = BufferSink(self.output_limit), BufferSink(self.output_limit)
        io: IO = {0: InputStream(stdin), 1: out, 2: err}
        self.io = io
        self.script_stdin = io[0]
        try:
            status = self.run_segments([Segment(source)] if isinstance(source, str) else source, io)
        except (ExitShell, AbortCommand) as exc:
            status = exc.status
        except (BreakLoop, ContinueLoop):
            status = 0
        except ReturnFromFunction as exc:
            status = exc.status
        except BashSyntaxError as exc:
            err.write(f"bash: line {exc.line}: syntax error: {exc}\n".encode())
            status = 2
        except OutputLimitError as exc:
            err.buffer += f"bash: {exc}\n".encode()
            status = 1
        except RecursionError:
            err.buffer += b"bash: expression or nesting too deep for bashx; simplify the script\n"
            status = 1
        self.jobs.end_all(self.deadline)
        status = self.run_exit_trap(io, status)
        return out.getvalue(), err.getvalue(), status

    def run_segments(self, segments: list[Segment], io: IO) -> int:
        """Run each segment's commands; a command that does not parse fails alone, or ends the script."""
        status = 0
        for segment in segments:
            status = self.run_top_level(parse(segment.source), io)
            error = segment.error
            if error is None:
                continue
            if segment.fatal:
                raise error
            self.line = error.line
            self.error(io, f"syntax error: bashx cannot parse this command: {error.reason}")
            status = self.state.last_status = 2
            self.errexit(status)
        return status

    def run_top_level(self, seq: ast.Sequence, io: IO) -> int:
        """Run top-level commands (of a script, ``eval`` or ``source``): an expansion error
        abandons the command it happened in, and the next one runs."""
        status = 0
        aborted_line = None
        outer, self.block_io = self.block_io, io
        try:
            for node in seq.body:
                if aborted_line is not None and ast.first_line(node) == aborted_line:
                    continue  # the rest of the line that failed: bash reads and runs a line at once
                try:
                    status = self.exec(node, io)
                    aborted_line = None
                except AbortCommand as exc:
                    status = self.state.last_status = exc.status
                    aborted_line = self.line
                except (ExpansionError, WordSyntaxError) as exc:  # met outside a command's own handling
                    self.error(io, str(exc))
                    status = self.state.last_status = 1
                    aborted_line = self.line
        finally:
            self.block_io = outer
        return status

    def run_exit_trap(self, io: IO, status: int) -> int:
        """Run the ``trap ... EXIT`` commands once, with ``$?`` set to the exit status."""
        action = self.traps.pop("EXIT", None)
        if not action:
            return status
        self.state.last_status = status
        try:
            self.exec_block(parse(action), io)
        except (ExitShell, AbortCommand) as exc:
            return exc.status
        except (BreakLoop, ContinueLoop, ReturnFromFunction, BashSyntaxError):
            pass
        return status

    # helpers --------------------------------------------------------------------------
    def error(self, io: IO, message: str) -> None:
        """Print a shell diagnostic the way bash -c does (nowhere, when stderr is closed)."""
        with contextlib.suppress(OSError):
            io[2].write(encode(f"bash: line {self.line}: {message}\n"))

    def report(self, message: str) -> None:
        """Print a diagnostic on the running command's stderr."""
        if self.io:
            self.error(self.io, message)

    def check_deadline(self) -> None:
        """Raise :class:`BashTimeoutError` once the script's timeout has passed."""
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise BashTimeoutError("script ran past its timeout; raise timeout= or make it do less")
        for event in self.cancel:
            if event.is_set():
                raise Killed()

    def spawn(self, cancel: threading.Event) -> Interpreter:
        """A subshell that runs on its own thread (a pipeline stage, a job), stopped by ``cancel``."""
        child = Interpreter(
            self.fs,
            self.commands,
            state=self.state.snapshot(),
            fallback=self.fallback,
            deadline=self.deadline,
            output_limit=self.output_limit,
            guard=self.guard,
            cancel=(*self.cancel, cancel),
        )
        child.state.bashpid = self.jobs.new_pid()
        child.secrets = self.secrets
        child.script_stdin = self.script_stdin
        child.jobs.outer = self.jobs
        child.line = self.line
        child.depth = self.depth
        child.in_condition = self.in_condition
        return child

    def fresh(self, state: ShellState) -> Interpreter:
        """A new shell (``bash -c``) on the same filesystem, commands and limits, from ``state``."""
        child = Interpreter(
            self.fs,
            self.commands,
            state=state,
            fallback=self.fallback,
            deadline=self.deadline,
            output_limit=self.output_limit,
            guard=self.guard,
            cancel=self.cancel,
        )
        child.secrets = self.secrets
        child.depth = self.depth + 1
        return child

    def run_isolated(self, node: ast.Node, io: IO) -> int:
        """Run ``node`` as the whole of this subshell: its exit, a closed pipe or a kill end only
        it; an EXIT trap it set runs as it ends."""
        try:
            status = self.contained(lambda: self.exec(node, io), io)
        finally:
            self.jobs.end_all(self.deadline)
        return self.contained(lambda: self.run_exit_trap(io, status), io)

    def contained(self, body: Callable[[], int], io: IO) -> int:
        """``body``'s status, with what ends a subshell turned into its status."""
        try:
            return body()
        except (ExitShell, AbortCommand) as exc:
            return exc.status
        except (ExpansionError, WordSyntaxError) as exc:
            self.error(io, str(exc))
            return 1
        except (BreakLoop, ContinueLoop):
            return 0
        except ReturnFromFunction as exc:
            return exc.status
        except PipeClosed:
            return SIGPIPE_STATUS
        except Killed as exc:
            return exc.status

    def resolve(self, path: str) -> str:
        """An absolute, normalized path inside the object's filesystem."""
        if path.startswith("/"):
            return posixpath.normpath(path).replace("//", "/") or "/"
        return posixpath.normpath(posixpath.join(self.state.cwd, path))

    @contextlib.contextmanager
    def subshell(self) -> Iterator[None]:
        """Run the body on a copy of the shell state."""
        saved, saved_cond = self.state, self.in_condition
        self.state = saved.snapshot()
        self.state.bashpid = self.jobs.new_pid()
        try:
            yield
        finally:
            self.state, self.in_condition = saved, saved_cond

    def run_subshell(self, body: Callable[[], int]) -> int:
        """Run ``body`` as a subshell; ``exit`` ends only the subshell."""
        with self.subshell():
            try:
                return body()
            except (ExitShell, AbortCommand) as exc:
                return exc.status
            except (BreakLoop, ContinueLoop):
                return 0
            except ReturnFromFunction as exc:
                return exc.status

    def errexit(self, status: int) -> None:
        """Run the ERR trap, then exit under ``set -e``, after a failure outside conditions."""
        if not status or self.in_condition:
            return
        if self.traps.get("ERR"):
            self.run_trap("ERR", status)
        if self.state.options.errexit:
            raise ExitShell(status)

    def run_trap(self, name: str, status: int) -> None:
        """Run the ``name`` trap's commands with ``$?`` at ``status`` (never from inside a trap)."""
        if self.in_trap:
            return
        self.in_trap = True
        saved_line = self.line
        self.state.last_status = status
        try:
            # Parsed at the trapped command's line, so $LINENO in the trap is that line, as in bash.
            self.exec_block(parse("\n" * (saved_line - 1) + self.traps[name]), self.io)
        finally:
            self.in_trap = False
            self.line = saved_line
            self.state.last_status = status

    @contextlib.contextmanager
    def condition(self) -> Iterator[None]:
        """Mark code whose failure must not trigger ``set -e``."""
        self.in_condition += 1
        try:
            yield
        finally:
            self.in_condition -= 1

    # statements -----------------------------------------------------------------------
    def exec_block(self, seq: ast.Sequence, io: IO) -> int:
        """Run statements in order; the status is the last one's."""
        status = 0
        outer, self.block_io = self.block_io, io
        try:
            for node in seq.body:
                status = self.exec(node, io)
        finally:
            self.block_io = outer
        return status

    def exec(self, node: ast.Node, io: IO) -> int:
        """Run one node and record ``$?``."""
        self.check_deadline()
        method = getattr(self, "exec_" + type(node).__name__)
        outer, self.io = self.io, io
        keep = len(self.temporary_files)
        try:
            status = method(node, io)
        finally:
            self.io = outer
            if len(self.temporary_files) > keep:
                self.remove_temporary_files(keep)
        self.state.last_status = status
        if type(node) in SETS_PIPESTATUS:
            self.state.variables["PIPESTATUS"] = arrays.IndexedArray({0: str(status)})
        return status

    def exec_Sequence(self, node: ast.Sequence, io: IO) -> int:
        """Run a list of statements."""
        return self.exec_block(node, io)

    def exec_SimpleCommand(self, node: ast.SimpleCommand, io: IO) -> int:
        """Run a simple command (after the DEBUG trap)."""
        self.line = node.line
        if not self.in_trap:
            self.current_command = node
        if self.traps.get("DEBUG") and not self.in_trap:
            self.run_trap("DEBUG", self.state.last_status)
        if self.state.aliases and "expand_aliases" in self.state.shopts:
            found = aliases.expanded(node, self.state.aliases, self.active_aliases)
            if found is not None:
                return self.run_alias(node, *found, io)
        status = self.simple_command(node, io)
        self.errexit(status)
        return status

    def run_alias(self, node: ast.SimpleCommand, source: str, used: set[str], io: IO) -> int:
        """Run what an aliased command stands for, with the command's redirections around it."""
        saved = self.active_aliases
        self.active_aliases = saved | used
        try:
            body: ast.Node = parse("\n" * (node.line - 1) + source)  # its line number stays
            if node.redirects:
                body = ast.Redirected(body, node.redirects)
            return self.exec(body, io)
        finally:
            self.active_aliases = saved

    def exec_Pipeline(self, node: ast.Pipeline, io: IO) -> int:
        """Run the stages at once, each a subshell on its own thread, joined by bounded pipes."""
        if len(node.commands) == 1:
            return self.exec(node.commands[0], io)
        if node.negated:
            self.in_condition += 1
        try:
            with self.condition():
                statuses = self.run_stages(node, io)
        finally:
            if node.negated:
                self.in_condition -= 1
        self.state.variables["PIPESTATUS"] = arrays.IndexedArray.of(str(s) for s in statuses)
        status = statuses[-1]
        if self.state.options.pipefail:
            status = next((s for s in reversed(statuses) if s), 0)
        if node.negated:
            return int(status == 0)
        self.errexit(status)
        return status

    def run_stages(self, node: ast.Pipeline, io: IO) -> list[int]:
        """Each stage's exit status; a stage whose reader ended first stops with SIGPIPE's 141."""
        count = len(node.commands)
        abort = threading.Event()

        def check() -> None:
            if abort.is_set():
                raise Killed()
            self.check_deadline()

        pipes = [Pipe(check) for _ in range(count - 1)]
        statuses = [0] * count
        errors: list[BaseException | None] = [None] * count

        def stage(index: int) -> None:
            stage_io = dict(io)
            if index:
                stage_io[0] = pipes[index - 1].reader
            if index < count - 1:
                stage_io[1] = pipes[index].writer
                if index < len(node.stderr_too) and node.stderr_too[index]:
                    stage_io[2] = pipes[index].writer
            try:
                if index == count - 1 and "lastpipe" in self.state.shopts:
                    # shopt -s lastpipe: the last stage runs in this shell, so its assignments stay.
                    statuses[index] = self.exec(node.commands[index], stage_io)
                else:
                    statuses[index] = self.spawn(abort).run_isolated(node.commands[index], stage_io)
            except BaseException as exc:
                errors[index] = exc
                abort.set()
            finally:
                if index < count - 1:
                    pipes[index].close_writer()
                if index:
                    pipes[index - 1].close_reader()

        # The last stage runs on this thread (a thread fewer to start); the others beside it.
        threads = [threading.Thread(target=stage, args=(i,), daemon=True) for i in range(count - 1)]
        for thread in threads:
            thread.start()
        stage(count - 1)
        for thread in threads:
            while thread.is_alive():
                thread.join(0.05)
                if self.deadline is not None and time.monotonic() > self.deadline:
                    abort.set()
        failure = next((e for e in errors if e is not None and not isinstance(e, Killed)), None)
        if failure is not None:
            raise failure
        self.check_deadline()
        return statuses

    def exec_Background(self, node: ast.Background, io: IO) -> int:
        """``command &``: a job on its own thread (reading an empty standard input in place of the script's)."""
        job_io = dict(io)
        if io.get(0) is self.script_stdin:
            job_io[0] = InputStream(b"")

        def body(cancel: threading.Event) -> int:
            return self.spawn(cancel).run_isolated(node.body, job_io)

        self.jobs.start(node.text, body)
        return 0

    def exec_Timed(self, node: ast.Timed, io: IO) -> int:
        """``time [-p] pipeline``: run it, then report the time it took on stderr, as bash does."""
        started = time.monotonic()
        status = 0 if node.body is None else self.exec(node.body, io)
        elapsed = time.monotonic() - started
        with contextlib.suppress(OSError):
            io[2].write(encode(timing_report(elapsed, posix=node.posix)))
        return status

    def exec_Coproc(self, node: ast.Coproc, io: IO) -> int:
        """``coproc [NAME] command``."""
        return start_coproc(self, node, io)

    def exec_AndOr(self, node: ast.AndOr, io: IO) -> int:
        """``a && b`` and ``a || b``."""
        with self.condition():
            status = self.exec(node.left, io)
        if (status == 0) == (node.op == "&&"):
            return self.exec(node.right, io)
        return status

    def exec_Not(self, node: ast.Not, io: IO) -> int:
        """``! command``."""
        with self.condition():
            return int(self.exec(node.body, io) == 0)

    def exec_Subshell(self, node: ast.Subshell, io: IO) -> int:
        """``( ... )``: its own traps (ignored signals stay ignored), EXIT trap and jobs."""
        saved_traps, saved_jobs = self.traps, self.jobs
        self.traps = {name: action for name, action in saved_traps.items() if not action}
        self.jobs = JobTable()
        self.jobs.next_pid = saved_jobs.next_pid
        try:
            status = self.run_subshell(lambda: self.exec_block(node.body, io))
            status = self.run_exit_trap(io, status)
        finally:
            saved_jobs.adopt(self.jobs)
            self.traps, self.jobs = saved_traps, saved_jobs
        self.errexit(status)
        return status

    def exec_Group(self, node: ast.Group, io: IO) -> int:
        """``{ ...; }``."""
        return self.exec_block(node.body, io)

    def exec_Redirected(self, node: ast.Redirected, io: IO) -> int:
        """A compound command with redirections."""
        try:
            inner = apply_redirects(self, node.redirects, io)
        except (OSError, ExpansionError, ShellBuiltinError) as exc:
            return self.redirect_failed(io, exc)
        return self.exec(node.body, inner)

    def exec_If(self, node: ast.If, io: IO) -> int:
        """``if``/``elif``/``else``."""
        for condition, body in node.clauses:
            with self.condition():
                status = self.exec_block(condition, io)
            if status == 0:
                return self.exec_block(body, io)
        if node.else_body is not None:
            return self.exec_block(node.else_body, io)
        return 0

    def loop_body(self, body: ast.Sequence, io: IO) -> tuple[int, bool]:
        """Run one iteration; returns (status, stop)."""
        self.loop_depth += 1
        try:
            return self.exec_block(body, io), False
        except BreakLoop as exc:
            if exc.levels > 1:
                exc.levels -= 1
                raise
            return exc.status, True
        except ContinueLoop as exc:
            if exc.levels > 1:
                exc.levels -= 1
                raise
            return exc.status, False
        finally:
            self.loop_depth -= 1

    def exec_While(self, node: ast.While, io: IO) -> int:
        """``while`` and ``until``."""
        status = 0
        while True:
            self.check_deadline()
            with self.condition():
                # The condition is inside the loop: `while break` leaves it, `while continue` retries.
                cond, stop = self.loop_body(node.condition, io)
            if stop:
                status = cond
                break
            if (cond == 0) == node.until:
                break
            status, stop = self.loop_body(node.body, io)
            if stop:
                break
        return status

    def exec_For(self, node: ast.For, io: IO) -> int:
        """``for name in words``."""
        if not VARIABLE_NAME.fullmatch(node.name):
            self.error(io, f"`{node.name}': not a valid identifier")
            return 1
        try:
            values = list(self.state.positional) if node.words is None else self.expander.words(node.words)
        except ExpansionError as exc:
            return self.expansion_failed(io, exc)
        status = 0
        for value in values:
            self.check_deadline()
            self.set_var(node.name, value)
            status, stop = self.loop_body(node.body, io)
            if stop:
                break
        return status

    def exec_ArithFor(self, node: ast.ArithFor, io: IO) -> int:
        """``for (( init; cond; update ))``."""
        status = 0
        try:
            if node.init.strip():
                self.expander.arithmetic(node.init)
            while True:
                self.check_deadline()
                if node.condition.strip() and self.expander.arithmetic(node.condition) == 0:
                    break
                status, stop = self.loop_body(node.body, io)
                if stop:
                    break
                if node.update.strip():
                    self.expander.arithmetic(node.update)
        except ExpansionError as exc:
            return self.expansion_failed(io, exc)
        return status

    def exec_Case(self, node: ast.Case, io: IO) -> int:
        """``case`` with ``;;``, ``;&`` and ``;;&``."""
        try:
            subject = self.expander.single(node.word)
        except ExpansionError as exc:
            return self.expansion_failed(io, exc)
        matched = False
        status = 0
        for item in node.items:
            if not matched:
                for pattern in item.patterns:
                    pieces = self.expander.pattern(pattern)
                    if compile_pattern(tuple(pieces), nocase="nocasematch" in self.state.shopts).fullmatch(subject):
                        matched = True
                        break
            if matched:
                status = self.exec_block(item.body, io)
                if item.terminator == ";;":
                    return status
                if item.terminator == ";;&":
                    matched = False
        return status

    def exec_FunctionDef(self, node: ast.FunctionDef, io: IO) -> int:
        """Define a function (not over a read-only one)."""
        if node.name in self.state.readonly_functions:
            self.error(io, f"{node.name}: readonly function")
            return 1
        self.state.functions[node.name] = node.body
        return 0

    def exec_ArithCommand(self, node: ast.ArithCommand, io: IO) -> int:
        """``(( expression ))``: a bad expression fails this command only (status 1), as in bash."""
        try:
            status = int(self.expander.arithmetic(node.expression) == 0)
        except ExpansionError as exc:
            self.error(io, f"((: {exc}")
            return 1
        self.errexit(status)
        return status

    def exec_TestExpr(self, node: ast.TestExpr, io: IO) -> int:
        """``[[ ... ]]``."""
        try:
            status = evaluate_test(self, node.tokens)
        except ExpansionError as exc:
            return self.expansion_failed(io, exc)
        except ShellBuiltinError as exc:
            self.error(io, str(exc))
            status = 2
        self.errexit(status)
        return status

    def expansion_failed(self, io: IO, exc: ExpansionError) -> int:
        """Report an expansion error; fatal ones end the script."""
        self.error(io, str(exc))
        if exc.fatal and exc.status == 127:
            # `set -u` ends the shell: with 127 the script's own, with 1 a subshell
            raise ExitShell(exc.status if self.state.bashpid is None else 1)
        if exc.fatal:
            raise AbortCommand(exc.status)
        return exc.status

    def redirect_failed(self, io: IO, exc: Exception) -> int:
        """Report a failed redirection (the command does not run), on the standard error as the
        redirections before it left it (``2>&1 >&9`` reports into the pipe)."""
        io = getattr(exc, "partial_io", io)
        if isinstance(exc, ExpansionError):
            return self.expansion_failed(io, exc)
        if isinstance(exc, OSError):
            self.error(io, f"{exc.filename or ''}: {os_message(exc)}")
        else:
            self.error(io, str(exc))
        return 1

    # simple commands ------------------------------------------------------------------
    def simple_command(self, node: ast.SimpleCommand, io: IO) -> int:
        """Expand, redirect and run a simple command."""
        self.substitution_status = None
        if "keyword" in self.state.options.others:
            node = with_keyword_assignments(node)
        try:
            argv = self.expand_argv(node.words)
        except ExpansionError as exc:
            return self.expansion_failed(io, exc)
        if not argv:
            try:
                for assignment in node.assignments:
                    self.assign(assignment)
                apply_redirects(self, node.redirects, io)
            except (ExpansionError, OSError, ShellBuiltinError) as exc:
                return self.redirect_failed(io, exc)
            return self.substitution_status or 0
        try:
            inner = apply_redirects(self, node.redirects, io)
        except (ExpansionError, OSError, ShellBuiltinError) as exc:
            return self.redirect_failed(io, exc)
        env_overrides: dict[str, str] = {}
        try:
            for assignment in node.assignments:
                env_overrides[assignment.name] = self.temporary_value(assignment)
        except ExpansionError as exc:
            return self.expansion_failed(io, exc)
        if self.state.options.xtrace:
            inner[2].write(encode("+ " + " ".join(argv) + "\n"))
        return self.invoke(argv, inner, env_overrides)

    def remove_temporary_files(self, keep: int) -> None:
        """Delete the files process substitutions wrote for the command that just ran."""
        while len(self.temporary_files) > keep:
            path = self.temporary_files.pop()
            try:
                if self.fs.is_dir(path):
                    if not self.fs.listdir(path):
                        self.fs.rmdir(path)
                else:
                    self.fs.unlink(path)
            except OSError:
                pass

    def process_substitution(self, source: str) -> str:
        """``<(commands)``: their output, in a temporary file whose path is the word's value."""
        output = encode(self.command_substitution(source))
        if not self.fs.exists("/tmp"):
            self.fs.mkdir("/tmp")
            self.temporary_files.append("/tmp")
        path = f"/tmp/.bashx-procsub-{len(self.temporary_files)}-{time.monotonic_ns()}"
        self.fs.write(path, output)
        self.temporary_files.append(path)
        return path

    def run_command(self, argv: list[str], io: IO, *, argv0: str | None = None) -> int:
        """Run ``argv`` as a program, skipping functions and builtins of the same name; ``argv0``
        is the name the program is told it has (``exec -a``; a new shell's ``$0``)."""
        return self.invoke(argv, io, programs_only=True, argv0=argv0)

    def make_redirects_permanent(self, io: IO) -> None:
        """``exec >file``: the redirections of this command stay for the rest of the block."""
        if self.block_io is not None and self.block_io is not io:
            self.block_io.clear()  # descriptors it closed stay closed
            self.block_io.update(io)

    def expand_argv(self, words: list[ast.Word]) -> list[str]:
        """Expand words into argv (declaration builtins keep ``name=value`` whole)."""
        if not words:
            return []
        head = self.expander.words([words[0]])
        if head and head[0] in DECLARATION_BUILTINS and len(head) == 1:
            out = list(head)
            for word in words[1:]:
                m = ASSIGNMENT_WORD.match(word.text)
                if m and word.text[m.end() :].startswith("(") and word.text.endswith(")"):
                    out.append(word.text)  # an array literal: the builtin expands each element
                elif m:
                    out.append(self.expander.single(word))
                else:
                    out.extend(self.expander.words([word]))
            return out
        return head + self.expander.words(words[1:])

    def invoke(
        self,
        argv: list[str],
        io: IO,
        env_overrides: dict[str, str] | None = None,
        *,
        programs_only: bool = False,
        argv0: str | None = None,
    ) -> int:
        """Run a command line (function, builtin, native command, or the fallback tier)."""
        name = argv[0]
        env_overrides = env_overrides or {}
        self.secrets.saw_words(argv)
        if name in ENVIRONMENT_DUMPS:
            self.secrets.saw_dump(argv, list(self.state.variables))
        if is_network_sink(name):
            if isinstance(io[0], PipeReader):
                # What flows in may be a secret an upstream stage is still reading: let it finish.
                io = {**io, 0: InputStream(io[0].read_all())}
            refusal = self.secrets.refusal(name)
            if refusal is not None:
                self.error(io, refusal)
                return 126
        if name in self.state.functions and not programs_only:
            return self.call_function(name, argv, io, env_overrides)
        builtin = None if programs_only or name in self.state.disabled else BUILTINS.get(name)
        if builtin is not None:
            try:
                with self.builtin_environment(argv, env_overrides):
                    return builtin(self, argv, io)
            except ShellBuiltinError as exc:
                self.error(io, str(exc))
                return exc.status
            except ExpansionError as exc:
                return self.expansion_failed(io, exc)
            except OSError as exc:
                self.error(io, f"{name}: write error: {os_message(exc)}")
                return 1
        missing = lookup.hashed_path_missing(self, name)
        if missing is not None:
            self.error(io, f"{missing}: No such file or directory")
            return 127
        lookup.remember(self, name)
        if name in SHELL_PROGRAMS:
            return reenter(self, argv, io, env_overrides, argv0=argv0)
        if self.guard is not None:
            refusal = self.guard(argv, self.state.cwd)
            if refusal is not None:
                self.error(io, refusal)
                return 126
        handler = self.commands.get(name)
        if handler is None and name.startswith(STANDARD_BIN_DIRS) and not self.fs.exists(name):
            # `/bin/echo` names the native command when the object's files hold no such program.
            program = posixpath.basename(name)
            if program in ("true", "false", "test", "["):
                return self.invoke([program, *argv[1:]], io, env_overrides)
            handler = self.commands.get(program)
        if handler is None and "/" in name:
            status = run_script_file(self, argv, io, env_overrides)
            if status is not None:
                return status
        env = self.state.environment()
        env.update(env_overrides)
        call = CommandCall(
            argv, self.state.cwd, env, self.fs, io[0], self.run_argv, self.line, self.deadline, io[1], self.cancel
        )
        if handler is None:
            result = self.fallback(call) if self.fallback is not None else None
            if result is None:
                self.error(io, f"{name}: command not found")
                return 127
        else:
            try:
                result = handler(call)
            except OSError as exc:
                result = CommandResult(b"", encode(f"{name}: {os_message(exc)}\n"), 1)
            except (ValueError, UnicodeError) as exc:
                result = CommandResult(b"", encode(f"{name}: {exc}\n"), 1)
            # A native command that stopped early for the timeout or a kill (`yes`, `seq`) ends the
            # script here; a sandboxed program reports its own timeout (status 124).
            self.check_deadline()
        try:
            io[1].write(result.stdout)
            io[2].write(result.stderr)
        except OSError as exc:
            self.error(io, f"{name}: write error: {os_message(exc)}")
            return 1
        return result.exit_code

    def run_argv(self, argv: list[str], stdin: bytes) -> CommandResult:
        """Run a command line with captured output (xargs, find -exec)."""
        out, err = BufferSink(self.output_limit), BufferSink(self.output_limit)
        status = self.invoke(argv, {0: InputStream(stdin), 1: out, 2: err})
        return CommandResult(out.getvalue(), err.getvalue(), status)

    def function_text(self, name: str) -> str:
        """The function ``name`` as bash prints it (``type``, ``declare -f``)."""
        return deparse.function_text(name, self.state.functions[name])

    def call_function(self, name: str, argv: list[str], io: IO, env: dict[str, str]) -> int:
        """Call a shell function with its own positional parameters and locals."""
        if self.depth >= MAX_DEPTH:
            self.error(io, f"{name}: maximum function nesting level exceeded ({MAX_DEPTH})")
            raise ExitShell(1)
        body = self.state.functions[name]
        saved_positional = self.state.positional
        self.state.positional = argv[1:]
        self.state.locals_stack.append({})
        for key, value in env.items():
            self.state.declare_local(key)
            self.state.locals_stack[-1][key].temporary = True
            self.set_var(key, value)
            self.state.exported.add(key)  # a function's temporary environment is exported
        self.depth += 1
        saved_loops, self.loop_depth = self.loop_depth, 0  # break/continue do not reach the caller's loops
        callers = self.state.variables.get("FUNCNAME")
        outer = callers.ordered() if isinstance(callers, arrays.IndexedArray) else []
        self.state.variables["FUNCNAME"] = arrays.IndexedArray.of([name, *outer])
        try:
            with function_traps(self):
                return self.exec(body, io)
        except ReturnFromFunction as exc:
            return exc.status
        finally:
            if outer:
                self.state.variables["FUNCNAME"] = arrays.IndexedArray.of(outer)
            else:
                self.state.variables.pop("FUNCNAME", None)
            self.depth -= 1
            self.loop_depth = saved_loops
            self.state.pop_frame()
            self.state.positional = saved_positional

    def command_substitution(self, source: str) -> str:
        """Run ``source`` in a subshell, returning its standard output."""
        out = BufferSink(self.output_limit)
        io = dict(self.io)
        io[1] = out
        saved_line = self.line

        def body() -> int:
            self.state.options.errexit = False  # bash clears -e in a substitution (its copy of the state)
            return self.exec_block(parse(source), io)

        saved_condition, self.in_condition = self.in_condition, 0
        try:
            status = self.run_subshell(body)
        finally:
            self.in_condition = saved_condition
        self.line = saved_line
        self.state.last_status = status
        self.substitution_status = status
        return decode(out.getvalue())
