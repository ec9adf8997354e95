"""Shell builtins: the commands that change the shell itself (cd, export, local, set, read, ...)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from dotdo.primitives.bashx.aliases import b_alias, b_unalias
from dotdo.primitives.bashx.commands.base import decode, encode
from dotdo.primitives.bashx.control import BreakLoop, ContinueLoop, ExitShell, ReturnFromFunction
from dotdo.primitives.bashx.declarations import DECLARATION_BUILTINS, b_set
from dotdo.primitives.bashx.directories import DIRECTORY_BUILTINS
from dotdo.primitives.bashx.jobcontrol import JOB_BUILTINS
from dotdo.primitives.bashx.limits import LIMIT_BUILTINS
from dotdo.primitives.bashx.lookup import LOOKUP_BUILTINS
from dotdo.primitives.bashx.mapfiles import b_mapfile
from dotdo.primitives.bashx.shopts import b_shopt
from dotdo.primitives.bashx.state import GETOPTS_POSITION
from dotdo.primitives.bashx.traps import b_trap

NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
ELEMENT_NAME_RE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\[(.*)\]$", re.S)
Builtin = Callable[[Any, list[str], dict[int, Any]], int]


class ShellBuiltinError(Exception):
    """A builtin failed: print ``bash: line N: message`` and return ``status``."""

    def __init__(self, message: str, status: int = 1) -> None:
        self.status = status
        super().__init__(message)


def _numeric(name: str, text: str, status: int = 2) -> int:
    if not re.fullmatch(r"[-+]?\d+", text.strip()):
        raise ShellBuiltinError(f"{name}: {text}: numeric argument required", status)
    return int(text)


def b_colon(sh: Any, argv: list[str], io: dict[int, Any]) -> int:
    """``:`` and ``true``."""
    return 0


def b_false(sh: Any, argv: list[str], io: dict[int, Any]) -> int:
    """``false``."""
    return 1


def b_shift(sh: Any, argv: list[str], io: dict[int, Any]) -> int:
    """``shift [n]``."""
    n = _numeric("shift", argv[1], status=1) if len(argv) > 1 else 1
    if n < 0:
        raise ShellBuiltinError(f"shift: {argv[1]}: shift count out of range", 1)
    if n > len(sh.state.positional):
        return 1
    del sh.state.positional[:n]  # in place: `source file args` tells a shift from `set --` by this
    return 0


def b_exit(sh: Any, argv: list[str], io: dict[int, Any]) -> int:
    """``exit [n]``."""
    status = _numeric("exit", argv[1]) & 0xFF if len(argv) > 1 else sh.state.last_status
    raise ExitShell(status)


def b_return(sh: Any, argv: list[str], io: dict[int, Any]) -> int:
    """``return [n]``."""
    if not sh.state.locals_stack and not sh.state.sourcing:
        raise ShellBuiltinError("return: can only `return' from a function or sourced script")
    status = _numeric("return", argv[1]) & 0xFF if len(argv) > 1 else sh.state.last_status
    raise ReturnFromFunction(status)


LOOP_ONLY = "only meaningful in a `for', `while', or `until' loop"


def _loop_count(sh: Any, name: str, argv: list[str], io: dict[int, Any]) -> tuple[int, int]:
    """The loops ``break``/``continue`` leave (at most the loops there are) and the status after.

    A bad count is reported as bash does and counts as 1, with status 1.
    """
    if len(argv) < 2:
        return 1, 0
    text = argv[1]
    if not re.fullmatch(r"[-+]?\d+", text.strip()):
        sh.error(io, f"{name}: {text}: numeric argument required")
        raise ExitShell(128)  # as bash does: the shell ends
    count = int(text)
    if count < 1:
        sh.error(io, f"{name}: {text}: loop count out of range")
        return 1, 1
    return min(count, sh.loop_depth), 0


def b_break(sh: Any, argv: list[str], io: dict[int, Any]) -> int:
    """``break [n]``."""
    if not sh.loop_depth:
        sh.error(io, f"break: {LOOP_ONLY}")
        return 0
    raise BreakLoop(*_loop_count(sh, "break", argv, io))


def b_continue(sh: Any, argv: list[str], io: dict[int, Any]) -> int:
    """``continue [n]``."""
    if not sh.loop_depth:
        sh.error(io, f"continue: {LOOP_ONLY}")
        return 0
    raise ContinueLoop(*_loop_count(sh, "continue", argv, io))


def b_eval(sh: Any, argv: list[str], io: dict[int, Any]) -> int:
    """``eval args...``: parse and run the joined arguments."""
    from dotdo.primitives.bashx.parser import parse

    source = " ".join(argv[1:])
    if not source.strip():
        return 0
    return sh.run_top_level(parse(source), io)


def b_source(sh: Any, argv: list[str], io: dict[int, Any]) -> int:
    """``source file`` / ``. file``: run a script from the object's filesystem here."""
    from dotdo.primitives.bashx.parser import parse

    if len(argv) < 2:
        raise ShellBuiltinError(f"{argv[0]}: filename argument required", 2)
    try:
        source = decode(sh.fs.read(sh.resolve(argv[1])))
    except (OSError, ValueError):
        if "posix" in sh.state.options.others and not sh.state.through_command:
            # a special builtin's error ends a posix shell (unless `command` ran it)
            sh.error(io, f"{argv[1]}: No such file or directory")
            raise ExitShell(1) from None
        raise ShellBuiltinError(f"{argv[1]}: No such file or directory") from None
    saved = sh.state.positional
    own = argv[2:]
    if own:
        sh.state.positional = own
    sh.state.sourcing += 1
    try:
        return sh.run_top_level(parse(source), io)
    except ReturnFromFunction as exc:  # `return` in the file ends the file
        return exc.status
    finally:
        sh.state.sourcing -= 1
        if own and sh.state.positional is own:  # kept when the file set its own with `set --`
            sh.state.positional = saved


def b_read(sh: Any, argv: list[str], io: dict[int, Any]) -> int:
    """``read [-r] [-a array] [-d delim] [-p prompt] [name...]``."""
    raw = False
    array = None
    delim = "\n"
    names: list[str] = []
    nchars: int | None = None
    exact = False
    stream = io[0]
    args = argv[1:]
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "-r":
            raw = True
        elif arg == "-a":
            i += 1
            array = args[i]
        elif arg == "-d":
            i += 1
            delim = args[i][:1] or "\0"
        elif arg in ("-n", "-N") or re.fullmatch(r"-[nN]\d+", arg):
            count_text = arg[2:] or (args[i + 1] if i + 1 < len(args) else "")
            i += 0 if arg[2:] else 1
            if not count_text.isdigit():
                raise ShellBuiltinError(f"read: {count_text}: invalid number", 1)
            nchars, exact = int(count_text), arg.startswith("-N")
        elif arg == "-u":
            i += 1
            source = args[i] if i < len(args) else ""
            if not source.isdigit():
                raise ShellBuiltinError(f"read: {source}: invalid file descriptor specification")
            if int(source) not in io:
                raise ShellBuiltinError(f"read: {source}: invalid file descriptor: Bad file descriptor")
            stream = io[int(source)]
        elif arg in ("-p", "-t"):
            i += 1
        elif arg == "-s":
            pass
        else:
            names.append(arg)
        i += 1
    if not hasattr(stream, "readline"):
        return 1
    chunks: list[str] = []
    found = False
    if nchars is not None:
        # -n N stops at N characters or the delimiter; -N N reads exactly N, delimiters included.
        data = b""
        while len(data) < nchars:
            byte = stream.read(1)
            if not byte:
                break
            if not exact and decode(byte) == delim:
                found = True
                break
            data += byte
        found = found or len(data) == nchars
        chunks.append(decode(data))
    while nchars is None:
        line = decode(stream.readline()) if delim == "\n" else _read_until(stream, delim)
        if not line:
            break
        if line.endswith(delim):
            found = True
            line = line[: -len(delim)]
        if not raw and line.endswith("\\") and not line.endswith("\\\\") and found:
            chunks.append(line[:-1])
            found = False
            continue
        chunks.append(line)
        break
    text = "".join(chunks)
    if not raw:
        text = re.sub(r"\\(.)", r"\1", text)
    ifs = sh.state.get("IFS")
    ifs = " \t\n" if ifs is None else ifs
    white = "".join(c for c in ifs if c in " \t\n")
    if array is not None:
        sh.set_var(
            array,
            ifs_fields(text, ifs) if ifs else [text],
        )
        return 0 if found else 1
    names = names or ["REPLY"]
    if names == ["REPLY"] and "REPLY" not in argv:
        sh.set_var("REPLY", text)
        return 0 if found else 1
    rest = text.strip(white) if white else text
    for index, name in enumerate(names):
        if index == len(names) - 1:
            sh.set_var(name, rest.rstrip(white) if white else rest)
            break
        m = re.match("([^" + re.escape(ifs) + "]*)", rest) if ifs else None
        field = m.group(1) if m else rest
        rest = rest[len(field) :]
        rest = rest.lstrip(white)
        if rest[:1] and rest[0] in ifs and rest[0] not in white:
            rest = rest[1:].lstrip(white)
        sh.set_var(name, field)
    return 0 if found else 1


def ifs_fields(text: str, ifs: str) -> list[str]:
    """``text`` split into fields by ``IFS``: blanks in IFS gather into one separator and trim the
    ends; each other IFS character separates two fields, so ``/a//b`` gives "", a, "", b."""
    white = {c for c in ifs if c in " \t\n"}
    fields: list[str] = []
    i, n = 0, len(text)
    while i < n and text[i] in white:
        i += 1
    while i < n:
        start = i
        while i < n and text[i] not in ifs:
            i += 1
        fields.append(text[start:i])
        while i < n and text[i] in white:
            i += 1
        if i < n and text[i] in ifs and text[i] not in white:
            i += 1
            while i < n and text[i] in white:
                i += 1
    return fields


def _read_until(stream: Any, delim: str) -> str:
    out = []
    while True:
        ch = stream.read(1)
        if not ch:
            break
        out.append(decode(ch))
        if out[-1] == delim:
            break
    return "".join(out)


def b_test(sh: Any, argv: list[str], io: dict[int, Any]) -> int:
    """``test`` and ``[``."""
    from dotdo.primitives.bashx.testexpr import TestSyntaxError, run_test

    args = argv[1:]
    if argv[0] == "[":
        if not args or args[-1] != "]":
            raise ShellBuiltinError("[: missing `]'", 2)
        args = args[:-1]
    try:
        return 0 if run_test(sh, args) else 1
    except TestSyntaxError as exc:
        raise ShellBuiltinError(f"{argv[0]}: {exc}", 2) from None


def b_let(sh: Any, argv: list[str], io: dict[int, Any]) -> int:
    """``let expr...``."""
    value = 0
    for expr in argv[1:]:
        value = sh.expander.arithmetic(expr)
    return 0 if value else 1


def b_builtin(sh: Any, argv: list[str], io: dict[int, Any]) -> int:
    """``builtin name args``: run the shell's own command of that name, skipping functions."""
    if len(argv) < 2:
        return 0
    name = argv[1]
    if name not in BUILTINS and name not in sh.commands:
        raise ShellBuiltinError(f"builtin: {name}: not a shell builtin")
    return sh.invoke(argv[1:], io, programs_only=name not in BUILTINS)


def b_printf(sh: Any, argv: list[str], io: dict[int, Any]) -> int:
    """``printf -v NAME format args`` stores the text; otherwise the native printf runs."""
    from dotdo.primitives.bashx.commands.output import has_count_directive, render

    if len(argv) > 2 and argv[1] == "-v":
        name = argv[2]
        if not NAME_RE.match(name):
            raise ShellBuiltinError(f"printf: `{name}': not a valid identifier")
        if len(argv) < 4:
            raise ShellBuiltinError("printf: usage: printf [-v var] format [arguments]", 2)
        errors: list[str] = []
        sh.set_var(name, render(argv[3], argv[4:], errors, sh.set_var))
        for error in errors:
            sh.error(io, error)
        return 1 if errors else 0
    args = argv[2:] if argv[1:2] == ["--"] else argv[1:]
    if args and has_count_directive(args[0]):  # %n assigns a variable: only the builtin can
        errors = []
        text = render(args[0], args[1:], errors, sh.set_var)
        io[1].write(encode(text))
        for error in errors:
            sh.error(io, error)
        return 1 if errors else 0
    return sh.run_command(argv, io)


def b_getopts(sh: Any, argv: list[str], io: dict[int, Any]) -> int:
    """``getopts OPTSTRING NAME [args]`` with OPTIND and OPTARG."""
    usage = "getopts: usage: getopts optstring name [arg ...]"
    if len(argv) > 1 and argv[1].startswith("-") and argv[1] != "--" and len(argv[1]) > 1:
        raise ShellBuiltinError(f"getopts: {argv[1][:2]}: invalid option\n{usage}", 2)
    if len(argv) > 1 and argv[1] == "--":
        argv = argv[1:]
    if len(argv) < 3:
        raise ShellBuiltinError(usage, 2)
    spec, name = argv[1], argv[2]
    args = argv[3:] if len(argv) > 3 else list(sh.state.positional)
    silent = spec.startswith(":")
    index = int(sh.state.get("OPTIND") or "1")
    position = int(sh.state.get(GETOPTS_POSITION) or "1")
    if index > len(args) or not args[index - 1].startswith("-") or args[index - 1] in ("-", "--"):
        if index <= len(args) and args[index - 1] == "--":
            sh.state.variables["OPTIND"] = str(index + 1)
        sh.set_var(name, "?")
        return 1
    word = args[index - 1]
    letter = word[position]
    position += 1
    if position >= len(word):
        index, position = index + 1, 1
    sh.state.variables.pop("OPTARG", None)
    where = spec.find(letter)
    if letter == ":" or where < 0:
        sh.set_var(name, "?")
        if silent:
            sh.state.variables["OPTARG"] = letter
        else:
            sh.error(io, f"illegal option -- {letter}")
    elif where + 1 < len(spec) and spec[where + 1] == ":":
        if position > 1:
            sh.state.variables["OPTARG"] = word[position:]
            index, position = index + 1, 1
        elif index <= len(args):
            sh.state.variables["OPTARG"] = args[index - 1]
            index += 1
        else:
            sh.set_var(name, ":" if silent else "?")
            if silent:
                sh.state.variables["OPTARG"] = letter
            else:
                sh.error(io, f"option requires an argument -- {letter}")
            sh.state.variables["OPTIND"] = str(index)
            sh.state.variables[GETOPTS_POSITION] = str(position)
            return 0
        sh.set_var(name, letter)
    else:
        sh.set_var(name, letter)
    sh.state.variables["OPTIND"] = str(index)
    sh.state.variables[GETOPTS_POSITION] = str(position)
    return 0


def b_echo(sh: Any, argv: list[str], io: dict[int, Any]) -> int:
    """``echo``: the native command, reading backslash escapes by default under ``shopt -s xpg_echo``."""
    if "xpg_echo" in sh.state.shopts:
        argv = [argv[0], "-e", *argv[1:]]
    return sh.run_command(argv, io)


def b_exec(sh: Any, argv: list[str], io: dict[int, Any]) -> int:
    """``exec``: with only redirections they apply to the rest of the script; with a command it
    runs and the shell exits with its status."""
    args = argv[1:]
    argv0 = None
    while args and args[0].startswith("-") and len(args[0]) > 1:
        word = args.pop(0)
        if word == "--":
            break
        for ch in word[1:]:
            if ch == "a":
                argv0, args = (args[0] if args else None), args[1:]
            elif ch not in "cl":
                sh.error(io, f"exec: -{ch}: invalid option")
                io[2].write(encode(f"exec: usage: {EXEC_USAGE}\n"))
                return 2
    if not args:
        sh.make_redirects_permanent(io)
        return 0
    raise ExitShell(sh.run_command(args, io, argv0=argv0))


EXEC_USAGE = "exec [-cl] [-a name] [command [argument ...]] [redirection ...]"


BUILTINS: dict[str, Builtin] = {
    ":": b_colon,
    "echo": b_echo,
    "true": b_colon,
    "false": b_false,
    "set": b_set,
    "shift": b_shift,
    "exit": b_exit,
    "return": b_return,
    "break": b_break,
    "continue": b_continue,
    "eval": b_eval,
    "source": b_source,
    ".": b_source,
    "read": b_read,
    "test": b_test,
    "[": b_test,
    "let": b_let,
    "shopt": b_shopt,
    "builtin": b_builtin,
    "trap": b_trap,
    "alias": b_alias,
    "unalias": b_unalias,
    "printf": b_printf,
    "mapfile": b_mapfile,
    "readarray": b_mapfile,
    "getopts": b_getopts,
    "exec": b_exec,
    **JOB_BUILTINS,
    **DIRECTORY_BUILTINS,
    **DECLARATION_BUILTINS,
    **LOOKUP_BUILTINS,
    **LIMIT_BUILTINS,
}
