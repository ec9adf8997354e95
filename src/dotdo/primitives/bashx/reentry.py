"""``bash -c`` and ``bash FILE``: a new shell on the same filesystem, started as bash starts one."""

from __future__ import annotations

import posixpath
import stat
from typing import Any

from dotdo.primitives.bashx.builtins import BUILTINS, ShellBuiltinError
from dotdo.primitives.bashx.commands.base import decode, encode, os_message
from dotdo.primitives.bashx.control import (
    SIGPIPE_STATUS,
    AbortCommand,
    BreakLoop,
    ContinueLoop,
    ExitShell,
    Killed,
    ReturnFromFunction,
)
from dotdo.primitives.bashx.coprocs import FIRST_NAMED_FD
from dotdo.primitives.bashx.errors import BashSyntaxError
from dotdo.primitives.bashx.parser import script_segments
from dotdo.primitives.bashx.state import ShellState
from dotdo.primitives.bashx.streams import PipeClosed

IO = dict[int, Any]
SHELL_PROGRAMS = frozenset({"bash", "sh", "/bin/bash", "/bin/sh", "/usr/bin/bash", "/usr/bin/sh"})
"""``bash ...`` and ``sh ...`` start a new bashx shell rather than a process."""
IGNORED_SHELL_OPTIONS = frozenset({"--norc", "--noprofile", "--posix", "--login", "-l", "-i", "-s", "-p"})


def reenter(sh: Any, argv: list[str], io: IO, env_overrides: dict[str, str], *, argv0: str | None = None) -> int:
    """``bash -c STRING [name [args]]``, ``bash FILE [args]`` or ``bash < script``: a new shell.

    It starts from the exported variables and functions (nothing else), like a new bash
    process, and runs natively on the same filesystem. ``argv0`` is the name it was started
    under (``exec -a``), its ``$0`` when no script or name says otherwise.
    """
    name, args = argv[0], argv[1:]
    started_as = argv0 or name
    options: list[str] = []
    from_string = False
    while args and args[0].startswith(("-", "+")) and args[0] not in ("-", "--"):
        option = args.pop(0)
        if option in IGNORED_SHELL_OPTIONS:
            continue
        if option in ("-o", "+o"):
            if args:
                options += [option, args.pop(0)]
            continue
        if "c" in option[1:]:
            from_string = True
            option = option.replace("c", "")
        if len(option) > 1:
            options.append(option)
    if args and args[0] in ("-", "--"):
        args.pop(0)
    state = ShellState(cwd=sh.state.cwd)
    env = sh.state.environment()
    env.update(env_overrides)
    state.variables.update(env)
    state.exported.update(env)
    exported = {name: sh.state.functions[name] for name in sh.state.exported_functions if name in sh.state.functions}
    state.functions.update(exported)
    state.exported_functions.update(exported)
    if from_string:
        if not args:
            sh.error(io, f"{name}: -c: option requires an argument")
            return 2
        source = args.pop(0)
        state.script_name = args.pop(0) if args else started_as
    elif args:
        path = args.pop(0)
        try:
            source = decode(sh.fs.read(sh.resolve(path)))
        except OSError as exc:
            io[2].write(encode(f"{name}: {path}: {os_message(exc)}\n"))
            return 127 if isinstance(exc, FileNotFoundError) else 126
        state.script_name = path
    else:
        source = decode(io[0].read_all())
        state.script_name = started_as
    state.positional = args
    child = sh.fresh(state)
    child.script_stdin = io[0]
    if options:
        try:
            BUILTINS["set"](child, ["set", *options], io)
        except ShellBuiltinError as exc:
            sh.error(io, str(exc))
            return 2
    try:
        segments = script_segments(source)
    except BashSyntaxError as exc:
        io[2].write(encode(f"{name}: line {exc.line}: syntax error: {exc}\n"))
        return 2
    # Descriptors from 10 up (``{name}>file``) close when bash starts a program, as there.
    io = {fd: stream for fd, stream in io.items() if fd < FIRST_NAMED_FD}
    try:
        status = child.run_segments(segments, io)
    except BashSyntaxError as exc:
        io[2].write(encode(f"{name}: line {exc.line}: syntax error: {exc}\n"))
        status = 2
    except (ExitShell, AbortCommand) as exc:
        status = exc.status
    except (BreakLoop, ContinueLoop):
        status = 0
    except ReturnFromFunction as exc:
        status = exc.status
    except PipeClosed:
        status = SIGPIPE_STATUS
    except Killed as exc:
        status = exc.status
    child.jobs.end_all(sh.deadline)
    return child.run_exit_trap(io, status)


SHELL_INTERPRETERS = frozenset({"sh", "bash"})
"""A ``#!`` line naming one of these makes a file a script bashx runs itself."""


def run_script_file(sh: Any, argv: list[str], io: IO, env_overrides: dict[str, str]) -> int | None:
    """``./script args``: a file of the object's filesystem run by path, as bash runs one.

    A file starting ``#!`` with ``sh`` or ``bash`` (or, as bash does, with no ``#!`` line at all)
    runs in a new bashx shell; None for anything else (another interpreter, a binary, no such
    file), which the caller hands on.
    """
    name = argv[0]
    path = sh.resolve(name)
    try:
        mode = sh.fs.stat(path).st_mode
    except (OSError, ValueError):
        return None
    if stat.S_ISDIR(mode):
        sh.error(io, f"{name}: Is a directory")
        return 126
    if not mode & 0o111:
        sh.error(io, f"{name}: Permission denied")
        return 126
    try:
        head = bytes(sh.fs.read(path)[:256])
    except OSError:
        return None
    if head.startswith(b"#!"):
        words = head[2:].split(b"\n", 1)[0].split()
        program = posixpath.basename(words[0].decode("utf-8", "replace")) if words else ""
        if program == "env" and len(words) > 1:
            program = words[1].decode("utf-8", "replace")
        if program not in SHELL_INTERPRETERS:
            return None
    elif b"\0" in head:
        return None
    return reenter(sh, ["bash", name, *argv[1:]], io, env_overrides)
