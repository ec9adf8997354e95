"""grep with -E -F -i -v -n -c -l -L -r -o -w -x -q -s -h -H -e -A -B -C."""

from __future__ import annotations

import posixpath
import re
import stat as stat_mod

from dotdo.primitives.bashx.commands.base import (
    CommandCall,
    CommandError,
    CommandResult,
    decode,
    encode,
    guarded,
    options,
)
from dotdo.primitives.bashx.commands.regex import compile_posix, posix_error


def _walk(call: CommandCall, path: str) -> list[str]:
    full = call.path(path)
    try:
        st = call.fs.stat(full)
    except (OSError, ValueError):
        return [path]
    if not stat_mod.S_ISDIR(st.st_mode):
        return [path]
    out: list[str] = []
    for name in call.fs.listdir(full):
        out.extend(_walk(call, posixpath.join(path, name)))
    return out


@guarded
def grep(call: CommandCall) -> CommandResult:
    """Search lines for a pattern."""
    opts, args = options(call, "EFGivnclLrRowxqshHe:f:A:B:C:m:", ["color=", "include=", "exclude="])
    flags = {o for o, _ in opts}
    patterns = [v for o, v in opts if o == "-e"]
    for o, v in opts:
        if o == "-f":
            try:
                patterns.extend(decode(call.fs.read(call.path(v))).splitlines())
            except OSError:
                raise CommandError(f"grep: {v}: No such file or directory", 2) from None
    if not patterns and "-f" not in flags:
        if not args:
            raise CommandError("Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.", 2)
        patterns = args.pop(0).split("\n")
    values = {o: v for o, v in opts}
    after = int(values.get("-A", values.get("-C", "0")))
    before = int(values.get("-B", values.get("-C", "0")))
    max_count = int(values["-m"]) if "-m" in values else None
    ignore = "-i" in flags
    try:
        if "-F" in flags:
            sources = [re.escape(p) for p in patterns]
        else:
            sources = [compile_posix(p, extended="-E" in flags).pattern for p in patterns]
        if "-w" in flags:
            sources = [rf"(?<!\w)(?:{s})(?!\w)" for s in sources]
        if "-x" in flags:
            sources = [rf"(?:{s})\Z" for s in sources]
            sources = [rf"\A{s}" for s in sources]
        regex = re.compile("|".join(f"(?:{s})" for s in sources), re.IGNORECASE if ignore else 0)
    except re.error as exc:
        raise CommandError(f"grep: {posix_error(exc)}", 2) from None
    recursive = bool(flags & {"-r", "-R"})
    includes = [v for o, v in opts if o == "--include"]
    files = args or (["."] if recursive else [])
    if recursive:
        expanded: list[str] = []
        for f in files:
            walked = _walk(call, f)
            expanded.extend(w[2:] if not args and w.startswith("./") else w for w in walked)
        if includes:
            expanded = [f for f in expanded if any(re.fullmatch(_glob(p), posixpath.basename(f)) for p in includes)]
        files = expanded
    show_names = ("-H" in flags or len(files) > 1 or recursive) and "-h" not in flags
    out: list[str] = []
    errors: list[str] = []
    any_match = False
    for name in files or ["-"]:
        if name == "-":
            data = call.stdin
            label = "(standard input)"
        else:
            try:
                data = call.fs.read(call.path(name))
            except IsADirectoryError:
                errors.append(f"grep: {name}: Is a directory")
                continue
            except OSError:
                if "-s" not in flags:
                    errors.append(f"grep: {name}: No such file or directory")
                continue
            label = name
        text = decode(data)
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        count = 0
        last_printed = -1
        pending_after = 0
        for number, line in enumerate(lines, 1):
            matched = bool(regex.search(line)) != ("-v" in flags)
            if max_count is not None and count >= max_count:
                break
            prefix = f"{label}:" if show_names else ""
            if matched:
                count += 1
                any_match = True
                if flags & {"-c", "-l", "-L", "-q"}:
                    continue
                if before:
                    start = max(last_printed + 1, number - 1 - before)
                    if last_printed >= 0 and start > last_printed + 1 and (before or after):
                        out.append("--")
                    for k in range(start, number - 1):
                        out.append(_line(label if show_names else "", k + 1, lines[k], "-n" in flags, "-"))
                elif after and last_printed >= 0 and number - 1 > last_printed + 1:
                    out.append("--")
                if "-o" in flags and "-v" not in flags:
                    for m in regex.finditer(line):
                        if m.group():
                            out.append(prefix + (f"{number}:" if "-n" in flags else "") + m.group())
                else:
                    out.append(_line(label if show_names else "", number, line, "-n" in flags, ":"))
                last_printed = number - 1
                pending_after = after
            elif pending_after and not flags & {"-c", "-l", "-L", "-q"}:
                out.append(_line(label if show_names else "", number, line, "-n" in flags, "-"))
                last_printed = number - 1
                pending_after -= 1
        if "-c" in flags:
            out.append((f"{label}:" if show_names else "") + str(count))
        if "-l" in flags and count:
            out.append(label)
        if "-L" in flags and not count:
            out.append(label)
        if "-q" in flags and any_match:
            return CommandResult(b"", b"", 0)
    stdout = "" if "-q" in flags else "".join(x + "\n" for x in out)
    stderr = "".join(e + "\n" for e in errors)
    status = 2 if errors and not ("-q" in flags and any_match) else (0 if any_match else 1)
    if errors and any_match and "-s" in flags:
        status = 0
    return CommandResult(encode(stdout), encode(stderr), status)


def _line(label: str, number: int, line: str, numbered: bool, sep: str) -> str:
    return (f"{label}{sep}" if label else "") + (f"{number}{sep}" if numbered else "") + line


def _glob(pattern: str) -> str:
    from dotdo.primitives.bashx.pattern import translate

    return translate([(pattern, True)])


def egrep(call: CommandCall) -> CommandResult:
    """``egrep``: ``grep -E``."""
    return grep(CommandCall(["grep", "-E", *call.argv[1:]], call.cwd, call.env, call.fs, call.input, call.run))


def fgrep(call: CommandCall) -> CommandResult:
    """``fgrep``: ``grep -F``."""
    return grep(CommandCall(["grep", "-F", *call.argv[1:]], call.cwd, call.env, call.fs, call.input, call.run))


COMMANDS = {"grep": grep, "egrep": egrep, "fgrep": fgrep}
