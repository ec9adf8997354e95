"""File attributes and names: chmod, stat, realpath, mktemp."""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import secrets
import stat as stat_mod

from dotdo.primitives.bashx.commands.base import (
    CommandCall,
    CommandError,
    CommandResult,
    encode,
    guarded,
    os_message,
    stderr_of,
)

WHO = {"u": 0o4700, "g": 0o2070, "o": 0o1007, "a": 0o7777}
PERMS = {"r": 0o444, "w": 0o222, "x": 0o111, "s": 0o6000, "t": 0o1000}


def apply_mode(spec: str, mode: int, is_dir: bool) -> int:
    """Apply an octal (``755``) or symbolic (``u+x,go-w``) mode to ``mode``'s permission bits."""
    if re.fullmatch(r"[0-7]{1,4}", spec):
        return int(spec, 8)
    result = mode & 0o7777
    for clause in spec.split(","):
        m = re.fullmatch(r"([ugoa]*)([-+=])([rwxXst]*)", clause)
        if not m:
            raise CommandError(f"chmod: invalid mode: '{spec}'\nTry 'chmod --help' for more information.")
        who = m.group(1) or "a"
        mask = 0
        for ch in who:
            mask |= WHO[ch]
        bits = 0
        for ch in m.group(3):
            if ch == "X":
                if is_dir or result & 0o111:
                    bits |= 0o111
            else:
                bits |= PERMS[ch]
        bits &= mask
        if not m.group(1):
            bits &= ~0o022 if m.group(2) == "+" else 0o7777
        op = m.group(2)
        if op == "+":
            result |= bits
        elif op == "-":
            result &= ~bits
        else:
            result = (result & ~mask) | bits
    return result


@guarded
def chmod(call: CommandCall) -> CommandResult:
    """``chmod [-R] MODE files`` (octal or symbolic modes)."""
    args = call.argv[1:]
    recursive = False
    while args and args[0] in ("-R", "-r", "--recursive", "-v", "-f"):
        recursive = recursive or args[0] in ("-R", "--recursive")
        args = args[1:]
    if len(args) < 2:
        raise CommandError("chmod: missing operand\nTry 'chmod --help' for more information.")
    spec, paths = args[0], args[1:]
    apply_mode(spec, 0, False)
    errors: list[str] = []

    def change(path: str) -> None:
        full = call.path(path)
        st = call.fs.stat(full)
        call.fs.chmod(full, apply_mode(spec, st.st_mode, stat_mod.S_ISDIR(st.st_mode)))
        if recursive and stat_mod.S_ISDIR(st.st_mode):
            for name in call.fs.listdir(full):
                child = posixpath.join(path, name)
                if not stat_mod.S_ISLNK(call.fs.lstat(call.path(child)).st_mode):
                    change(child)

    for path in paths:
        try:
            change(path)
        except FileNotFoundError:
            errors.append(f"chmod: cannot access '{path}': No such file or directory")
        except OSError as exc:
            errors.append(f"chmod: changing permissions of '{path}': {os_message(exc)}")
    return CommandResult(b"", stderr_of(errors), 1 if errors else 0)


def _file_type(mode: int, size: int) -> str:
    if stat_mod.S_ISDIR(mode):
        return "directory"
    if stat_mod.S_ISLNK(mode):
        return "symbolic link"
    return "regular empty file" if size == 0 else "regular file"


def _mode_string(mode: int) -> str:
    kind = "d" if stat_mod.S_ISDIR(mode) else "l" if stat_mod.S_ISLNK(mode) else "-"
    return kind + "".join(ch if mode & (1 << (8 - i)) else "-" for i, ch in enumerate("rwxrwxrwx"))


def _stamp(seconds: float) -> str:
    when = dt.datetime.fromtimestamp(seconds, dt.UTC)
    return when.strftime("%Y-%m-%d %H:%M:%S.%f000 +0000")


@guarded
def stat(call: CommandCall) -> CommandResult:
    """``stat [-L] [-c FORMAT] files`` (%n %s %a %A %F %Y %y %h %i %U %G)."""
    args = call.argv[1:]
    fmt = None
    follow = False
    paths: list[str] = []
    i = 0
    while i < len(args):
        if args[i] in ("-c", "--format", "--printf"):
            fmt = args[i + 1] + ("\n" if args[i] != "--printf" else "")
            i += 2
            continue
        if args[i].startswith("--format="):
            fmt = args[i][9:] + "\n"
        elif args[i] in ("-L", "--dereference"):
            follow = True
        else:
            paths.append(args[i])
        i += 1
    if not paths:
        raise CommandError("stat: missing operand\nTry 'stat --help' for more information.")
    out: list[str] = []
    errors: list[str] = []
    for path in paths:
        try:
            st = call.fs.stat(call.path(path)) if follow else call.fs.lstat(call.path(path))
        except (OSError, ValueError):
            errors.append(f"stat: cannot statx '{path}': No such file or directory")
            continue
        values = {
            "n": path, "s": str(st.st_size), "a": f"{stat_mod.S_IMODE(st.st_mode):o}", "A": _mode_string(st.st_mode),
            "F": _file_type(st.st_mode, st.st_size), "Y": str(int(st.st_mtime)), "y": _stamp(st.st_mtime),
            "h": str(st.st_nlink), "i": str(st.st_ino), "U": "user", "G": "user", "%": "%",
        }  # fmt: skip
        if fmt is None:
            text = (
                f"  File: {path}\n  Size: {st.st_size}\t{_file_type(st.st_mode, st.st_size)}\n"
                f"Access: ({stat_mod.S_IMODE(st.st_mode):04o}/{_mode_string(st.st_mode)})  Links: {st.st_nlink}\n"
                f"Modify: {_stamp(st.st_mtime)}\n"
            )
        else:
            text = re.sub(r"%(.)", lambda m, v=values: v.get(m.group(1), m.group(0)), fmt)
        out.append(text)
    return CommandResult(encode("".join(out)), stderr_of(errors), 1 if errors else 0)


@guarded
def realpath(call: CommandCall) -> CommandResult:
    """``realpath paths``: absolute paths with symlinks resolved."""
    paths = [a for a in call.argv[1:] if not a.startswith("-")]
    if not paths:
        raise CommandError("realpath: missing operand\nTry 'realpath --help' for more information.")
    out, errors = [], []
    for path in paths:
        try:
            out.append(call.fs.realpath(call.path(path)))
        except (OSError, ValueError):
            errors.append(f"realpath: {path}: No such file or directory")
    return CommandResult(encode("".join(p + "\n" for p in out)), stderr_of(errors), 1 if errors else 0)


@guarded
def mktemp(call: CommandCall) -> CommandResult:
    """``mktemp [-d] [-p DIR] [TEMPLATE]``: a new uniquely named file (or directory)."""
    args = call.argv[1:]
    directory = False
    parent: str | None = None
    template = "tmp.XXXXXXXXXX"
    while args:
        arg = args.pop(0)
        if arg == "-d":
            directory = True
        elif arg == "-p":
            parent = args.pop(0)
        elif arg.startswith("-"):
            raise CommandError(f"mktemp: invalid option -- '{arg.lstrip('-')}'")
        else:
            template = arg
    m = re.search(r"X{3,}$", template)
    if not m:
        raise CommandError(f"mktemp: too few X's in template '{template}'")
    if parent is None and "/" not in template:
        parent = "/tmp"
        call.fs.mkdir("/tmp", exist_ok=True)
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    for _ in range(100):
        name = template[: m.start()] + "".join(secrets.choice(alphabet) for _ in range(len(m.group())))
        shown = posixpath.join(parent, name) if parent else name
        full = call.path(shown)
        if call.fs.exists(full):
            continue
        if directory:
            call.fs.mkdir(full, mode=0o700)
        else:
            call.fs.write(full, b"", mode=0o600, exclusive=True)
        return CommandResult(encode(shown + "\n"))
    raise CommandError(f"mktemp: failed to create file via template '{template}'")


COMMANDS = {"chmod": chmod, "stat": stat, "realpath": realpath, "mktemp": mktemp}
