"""find (-name -iname -path -type -mtime -mmin -size -empty -newer -maxdepth -mindepth -exec -delete)
and xargs (-n -I -0 -d -r -L)."""

from __future__ import annotations

import posixpath
import re
import stat as stat_mod
import time
from collections.abc import Callable
from typing import Any

from dotdo.primitives.bashx.commands.base import (
    CommandCall,
    CommandError,
    CommandResult,
    decode,
    encode,
    guarded,
    os_message,
)
from dotdo.primitives.bashx.pattern import compile_pattern

Predicate = Callable[[str, Any], bool]


class _Find:
    def __init__(self, call: CommandCall, tokens: list[str]) -> None:
        self.call = call
        self.tokens = tokens
        self.pos = 0
        self.maxdepth: int | None = None
        self.mindepth = 0
        self.has_action = False
        self.out: list[str] = []
        self.errors: list[str] = []
        self.now = time.time()
        self.deletions: list[str] = []

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        tok = self.peek()
        if tok is None:
            raise CommandError(f"find: missing argument to `{self.tokens[self.pos - 1]}'")
        self.pos += 1
        return tok

    def parse(self) -> Predicate:
        if self.peek() is None:
            return lambda p, st: True
        expr = self.or_expr()
        if self.peek() is not None:
            raise CommandError(f"find: paths must precede expression: `{self.peek()}'")
        return expr

    def or_expr(self) -> Predicate:
        left = self.and_expr()
        while self.peek() in ("-o", "-or"):
            self.take()
            right = self.and_expr()
            left = (lambda a, b: lambda p, st: a(p, st) or b(p, st))(left, right)
        return left

    def and_expr(self) -> Predicate:
        left = self.not_expr()
        while self.peek() not in (None, "-o", "-or", ")"):
            if self.peek() in ("-a", "-and"):
                self.take()
            right = self.not_expr()
            left = (lambda a, b: lambda p, st: a(p, st) and b(p, st))(left, right)
        return left

    def not_expr(self) -> Predicate:
        if self.peek() in ("!", "-not"):
            self.take()
            inner = self.not_expr()
            return lambda p, st: not inner(p, st)
        return self.primary()

    def numeric(self, text: str) -> Callable[[float], bool]:
        m = re.fullmatch(r"([-+]?)(\d+)", text)
        if not m:
            raise CommandError(f"find: invalid argument `{text}' to numeric test")
        n = int(m.group(2))
        if m.group(1) == "+":
            return lambda v: v > n
        if m.group(1) == "-":
            return lambda v: v < n
        return lambda v: v == n

    def primary(self) -> Predicate:
        tok = self.take()
        if tok == "(":
            expr = self.or_expr()
            if self.take() != ")":
                raise CommandError("find: invalid expression; expected `)'")
            return expr
        if tok in ("-name", "-iname"):
            pat = self.take()
            regex = compile_pattern(((pat.lower() if tok == "-iname" else pat, True),))
            if tok == "-iname":
                return lambda p, st: bool(regex.fullmatch(posixpath.basename(p).lower()))
            return lambda p, st: bool(regex.fullmatch(posixpath.basename(p.rstrip("/")) or p))
        if tok in ("-path", "-wholename"):
            regex = compile_pattern(((self.take(), True),))
            return lambda p, st: bool(regex.fullmatch(p))
        if tok == "-type":
            kind = self.take()
            checks = {"f": stat_mod.S_ISREG, "d": stat_mod.S_ISDIR, "l": stat_mod.S_ISLNK}
            if kind not in checks:
                raise CommandError(f"find: Unknown argument to -type: {kind}")
            return lambda p, st: checks[kind](st.st_mode)
        if tok in ("-mtime", "-mmin"):
            test = self.numeric(self.take())
            unit = 86400 if tok == "-mtime" else 60
            return lambda p, st: test(int((self.now - st.st_mtime) // unit))
        if tok == "-size":
            spec = self.take()
            m = re.fullmatch(r"([-+]?)(\d+)([bckMG]?)", spec)
            if not m:
                raise CommandError(f"find: invalid -size type `{spec}'")
            unit = {"": 512, "b": 512, "c": 1, "k": 1024, "M": 1 << 20, "G": 1 << 30}[m.group(3)]
            test = self.numeric(m.group(1) + m.group(2))
            return lambda p, st: test(-(-st.st_size // unit))
        if tok == "-empty":
            return lambda p, st: (
                st.st_size == 0 if not stat_mod.S_ISDIR(st.st_mode) else not self.call.fs.listdir(self.call.path(p))
            )
        if tok == "-newer":
            ref = self.call.fs.stat(self.call.path(self.take())).st_mtime
            return lambda p, st: st.st_mtime > ref
        if tok == "-maxdepth":
            self.maxdepth = int(self.take())
            return lambda p, st: True
        if tok == "-mindepth":
            self.mindepth = int(self.take())
            return lambda p, st: True
        if tok in ("-print", "-print0"):
            self.has_action = True
            end = "\0" if tok == "-print0" else "\n"
            return lambda p, st: self.out.append(p + end) is None
        if tok == "-delete":
            self.has_action = True
            return lambda p, st: self.deletions.append(p) is None
        if tok in ("-exec", "-execdir", "-ok"):
            return self.exec_action(tok)
        if tok in ("-true", "-false"):
            return lambda p, st: tok == "-true"
        raise CommandError(f"find: unknown predicate `{tok}'")

    def exec_action(self, tok: str) -> Predicate:
        self.has_action = True
        argv: list[str] = []
        while True:
            word = self.take()
            if word in (";", "+"):
                break
            argv.append(word)
        if not argv:
            raise CommandError(f"find: missing argument to `{tok}'")
        batch = word == "+"
        if batch:
            self.batch_argv = argv
            self.batch: list[str] = []
            return lambda p, st: self.batch.append(p) is None

        def run(path: str, st: Any) -> bool:
            assert self.call.run is not None
            result = self.call.run([a.replace("{}", path) for a in argv], b"")
            self.out.append(decode(result.stdout))
            self.errors.append(decode(result.stderr).rstrip("\n")) if result.stderr else None
            return result.exit_code == 0

        return run


def _visit(
    finder: _Find, path: str, depth: int, predicate: Predicate, fs: Any, call: CommandCall, st: Any = None
) -> None:
    if st is None:
        try:
            st = fs.lstat(call.path(path))
        except (OSError, ValueError):
            finder.errors.append(f"find: '{path}': No such file or directory")
            return
    if depth >= finder.mindepth and predicate(path, st) and not finder.has_action:
        finder.out.append(path + "\n")
    if stat_mod.S_ISDIR(st.st_mode) and (finder.maxdepth is None or depth < finder.maxdepth):
        entries = fs.scandir(call.path(path)) if hasattr(fs, "scandir") else None
        if entries is None:
            for name in fs.listdir(call.path(path)):
                child = path + name if path.endswith("/") else path + "/" + name
                _visit(finder, child, depth + 1, predicate, fs, call)
            return
        for entry in entries:
            child = path + entry.name if path.endswith("/") else path + "/" + entry.name
            _visit(finder, child, depth + 1, predicate, fs, call, entry.stat(follow_symlinks=False))


@guarded
def find(call: CommandCall) -> CommandResult:
    """Walk directories, printing (or acting on) entries that match an expression."""
    args = call.argv[1:]
    paths = []
    while args and not (args[0].startswith("-") or args[0] in ("(", "!", ")")):
        paths.append(args.pop(0))
    finder = _Find(call, args)
    predicate = finder.parse()
    for path in paths or ["."]:
        _visit(finder, path, 0, predicate, call.fs, call)
    if hasattr(finder, "batch") and finder.batch:
        assert call.run is not None
        argv = []
        for a in finder.batch_argv:
            argv.extend(finder.batch if a == "{}" else [a])
        result = call.run(argv, b"")
        finder.out.append(decode(result.stdout))
    status = 0
    for path in reversed(finder.deletions):
        try:
            full = call.path(path)
            if stat_mod.S_ISDIR(call.fs.lstat(full).st_mode):
                call.fs.rmdir(full)
            else:
                call.fs.unlink(full)
        except OSError as exc:
            finder.errors.append(f"find: cannot delete '{path}': {os_message(exc)}")
    errors = [e for e in finder.errors if e]
    if errors:
        status = 1
    return CommandResult(encode("".join(finder.out)), encode("".join(e + "\n" for e in errors)), status)


@guarded
def xargs(call: CommandCall) -> CommandResult:
    """Build command lines from standard input."""
    args = call.argv[1:]
    max_args: int | None = None
    replace: str | None = None
    delimiter: str | None = None
    no_empty = False
    max_lines: int | None = None
    while args and args[0].startswith("-") and args[0] != "-":
        flag = args.pop(0)
        if flag == "--":
            break
        if flag == "-n":
            max_args = int(args.pop(0))
        elif flag.startswith("-n"):
            max_args = int(flag[2:])
        elif flag == "-I":
            replace = args.pop(0)
        elif flag.startswith("-I"):
            replace = flag[2:]
        elif flag == "-0":
            delimiter = "\0"
        elif flag == "-d":
            delimiter = args.pop(0).encode().decode("unicode_escape")
        elif flag in ("-r", "--no-run-if-empty"):
            no_empty = True
        elif flag == "-L":
            max_lines = int(args.pop(0))
        elif flag == "-t":
            continue
        else:
            raise CommandError(f"xargs: invalid option -- '{flag.lstrip('-')}'")
    command = args or ["echo"]
    text = decode(call.stdin)
    if replace is not None:
        items = [line for line in text.split("\n") if line.strip()]
    elif delimiter is not None:
        items = text.split(delimiter)
        if items and items[-1] in ("", "\n"):
            items.pop()
    elif max_lines is not None:
        lines = [line.split() for line in text.split("\n") if line.strip()]
        items: list[str] = []
        groups = [[w for line in lines[i : i + max_lines] for w in line] for i in range(0, len(lines), max_lines)]
    else:
        items = _xargs_split(text)
        groups = []
    assert call.run is not None
    if replace is not None:
        batches = [[a.replace(replace, item) for a in command] for item in items]
    elif max_lines is not None:
        batches = [command + g for g in groups]
    elif max_args:
        batches = [command + items[i : i + max_args] for i in range(0, len(items), max_args)]
    else:
        batches = [command + items] if items or not no_empty else []
    out, err = bytearray(), bytearray()
    status = 0
    for argv in batches:
        result = call.run(argv, b"")
        out += result.stdout
        if result.exit_code == 127 and b"command not found" in result.stderr:
            err += encode(f"xargs: {argv[0]}: No such file or directory\n")
            return CommandResult(bytes(out), bytes(err), 127)
        err += result.stderr
        if result.exit_code:
            status = 123
    return CommandResult(bytes(out), bytes(err), status)


def _xargs_split(text: str) -> list[str]:
    items: list[str] = []
    for m in re.finditer(r"""(?:'([^']*)'|"([^"]*)"|\\(.)|([^\s'"\\]+))+""", text):
        token = m.group(0)
        items.append(
            re.sub(
                r"""'([^']*)'|"([^"]*)"|\\(.)""",
                lambda x: x.group(1) or x.group(2) or x.group(3) or "",
                token,
            )
        )
    return items


COMMANDS = {"find": find, "xargs": xargs}
