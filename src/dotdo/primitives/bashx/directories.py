"""The working directory and the directory stack: ``cd``, ``pwd``, ``pushd``, ``popd``, ``dirs``.

The stack lives in the ``DIRSTACK`` array, as bash shows it: element 0 is the current directory,
then the saved ones, most recently pushed first. A script that assigns an element of ``DIRSTACK``
changes the stack, as in bash.
"""

from __future__ import annotations

import posixpath
import stat as stat_mod
from typing import Any

from dotdo.primitives.bashx.arrays import IndexedArray
from dotdo.primitives.bashx.commands.base import encode

USAGES = {
    "cd": "cd [-L|[-P [-e]] [-@]] [dir]",
    "pwd": "pwd [-LP]",
    "pushd": "pushd [-n] [+N | -N | dir]",
    "popd": "popd [-n] [+N | -N]",
    "dirs": "dirs [-clpv] [+N] [-N]",
}


class DirectoryError(Exception):
    """A failed directory builtin: print ``name: message`` (and the usage line) and return ``status``."""

    def __init__(self, message: str, status: int = 1, usage: bool = False) -> None:
        self.status = status
        self.usage = usage
        super().__init__(message)


def change_directory(sh: Any, target: str) -> None:
    """Make ``target`` the working directory, setting ``PWD`` and ``OLDPWD`` (and ``DIRSTACK[0]``)."""
    path = sh.resolve(target)
    try:
        st = sh.fs.stat(path)
    except (OSError, ValueError):
        raise DirectoryError(f"{target}: No such file or directory") from None
    if not stat_mod.S_ISDIR(st.st_mode):
        raise DirectoryError(f"{target}: Not a directory")
    sh.state.variables["OLDPWD"] = sh.state.cwd
    sh.state.cwd = path
    sh.state.variables["PWD"] = path
    if "DIRSTACK" in sh.state.variables:
        _save(sh, _stack(sh)[1:])


def _stack(sh: Any) -> list[str]:
    """The current directory, then the saved ones (most recent first)."""
    return stack_of(sh.state)


def stack_of(state: Any) -> list[str]:
    """The directory stack of the shell state ``state``, its current directory first."""
    value = state.variables.get("DIRSTACK")
    if isinstance(value, dict):
        saved = [value[key] for key in sorted(value, key=int)][1:]
    elif isinstance(value, list):
        saved = value[1:]
    else:
        saved = []
    return [state.cwd, *saved]


def tilde_directory(state: Any, prefix: str) -> str | None:
    """What ``~+``, ``~-``, ``~N``, ``~+N`` and ``~-N`` stand for (None for any other tilde prefix)."""
    if prefix in ("+", "-"):
        return state.get("PWD" if prefix == "+" else "OLDPWD")
    if not prefix or not _number(prefix if prefix[0] in "+-" else "+" + prefix):
        return None
    stack = stack_of(state)
    index = _index(prefix if prefix[0] in "+-" else "+" + prefix, len(stack))
    return None if index is None else stack[index]


def _save(sh: Any, saved: list[str]) -> None:
    sh.state.variables["DIRSTACK"] = IndexedArray.of([sh.state.cwd, *saved])


def _shown(sh: Any, path: str, long: bool) -> str:
    """A directory as ``dirs`` prints it: ``$HOME`` as ``~`` unless ``long``."""
    home = sh.state.get("HOME") or ""
    if long or len(home) < 2 or not (path == home or path.startswith(home + "/")):
        return path
    return "~" + path[len(home) :]


def _index(text: str, size: int) -> int | None:
    """Where ``+N`` (from the left, 0 the current directory) or ``-N`` (from the right) points."""
    number = int(text[1:])
    index = number if text[0] == "+" else size - 1 - number
    return index if 0 <= index < size else None


def _number(text: str) -> bool:
    body = text[1:]
    return body.isdigit() or (body[:1] in "+-" and body[1:].isdigit())


def _run(name: str, body: Any, sh: Any, argv: list[str], io: dict[int, Any]) -> int:
    try:
        return body(sh, argv[1:], io)
    except DirectoryError as exc:
        sh.error(io, f"{name}: {exc}")
        if exc.usage:
            io[2].write(encode(f"{name}: usage: {USAGES[name]}\n"))
        return exc.status


def _options(args: list[str], letters: str) -> tuple[set[str], list[str]]:
    """Leading ``-x`` options among ``letters`` (``--`` ends them); the rest of the words."""
    seen: set[str] = set()
    while args and args[0].startswith("-") and len(args[0]) > 1 and not _number(args[0]):
        word = args.pop(0)
        if word == "--":
            break
        for ch in word[1:]:
            if ch not in letters:
                raise DirectoryError(f"-{ch}: invalid option", 2, usage=True)
            seen.add(ch)
    return seen, args


def b_cd(sh: Any, argv: list[str], io: dict[int, Any]) -> int:
    """``cd [-L|-P] [dir]`` (``-`` goes back to ``$OLDPWD`` and prints it)."""

    def body(sh: Any, args: list[str], io: dict[int, Any]) -> int:
        _, args = _options(args, "LPe@")
        if len(args) > 1:
            raise DirectoryError("too many arguments")
        target = args[0] if args else (sh.state.get("HOME") or "/")
        if target == "-":
            target = sh.state.get("OLDPWD") or sh.state.cwd
            change_directory(sh, target)
            io[1].write(encode(sh.state.cwd + "\n"))
            return 0
        found = cdpath_directory(sh, target)
        change_directory(sh, found or target)
        if found:
            io[1].write(encode(sh.state.cwd + "\n"))
        return 0

    return _run("cd", body, sh, argv, io)


def cdpath_directory(sh: Any, target: str) -> str | None:
    """Where ``$CDPATH`` sends ``cd target``: a directory under one of its entries, or None for
    an ordinary ``cd`` (an absolute or ``./`` target, no match, or a match through an empty
    entry, the one kind bash does not announce)."""
    cdpath = sh.state.get("CDPATH")
    if not cdpath or target.startswith("/") or target.split("/")[0] in (".", ".."):
        return None
    for entry in cdpath.split(":"):
        candidate = posixpath.join(sh.resolve(entry or "."), target)
        try:
            is_dir = sh.fs.is_dir(candidate)
        except (OSError, ValueError):
            is_dir = False
        if is_dir:
            return None if entry == "" else candidate
    return None


def b_pwd(sh: Any, argv: list[str], io: dict[int, Any]) -> int:
    """``pwd [-LP]``."""

    def body(sh: Any, args: list[str], io: dict[int, Any]) -> int:
        _options(args, "LP")
        io[1].write(encode(sh.state.cwd + "\n"))
        return 0

    return _run("pwd", body, sh, argv, io)


def _print(sh: Any, io: dict[int, Any], stack: list[str], flags: set[str], index: int | None = None) -> None:
    long = "l" in flags
    entries = list(enumerate(stack)) if index is None else [(index, stack[index])]
    if "v" in flags:
        text = "".join(f"{i:2d}  {_shown(sh, path, long)}\n" for i, path in entries)
    elif "p" in flags:
        text = "".join(_shown(sh, path, long) + "\n" for _, path in entries)
    else:
        text = " ".join(_shown(sh, path, long) for _, path in entries) + "\n"
    io[1].write(encode(text))


def b_dirs(sh: Any, argv: list[str], io: dict[int, Any]) -> int:
    """``dirs [-clpv] [+N] [-N]``: print (or with ``-c`` clear) the directory stack."""

    def body(sh: Any, args: list[str], io: dict[int, Any]) -> int:
        flags: set[str] = set()
        index = None
        stack = _stack(sh)
        for word in args:
            if word in ("-c", "-l", "-p", "-v"):
                flags.add(word[1])
            elif word[:1] in "+-" and len(word) > 1:
                if not _number(word):
                    raise DirectoryError(f"{word}: invalid number", 2, usage=True)
                index = _index(word, len(stack))
                if index is None:
                    raise DirectoryError(f"{word[1:]}: directory stack index out of range")
            else:
                raise DirectoryError(f"{word}: invalid option", 2, usage=True)
        if "c" in flags:
            _save(sh, [])
            return 0
        _print(sh, io, stack, flags, index)
        return 0

    return _run("dirs", body, sh, argv, io)


def _split(args: list[str]) -> tuple[bool, list[str]]:
    """``-n`` (keep the working directory) and the other words."""
    keep = False
    rest: list[str] = []
    for word in args:
        if word == "-n":
            keep = True
        elif word.startswith("-") and len(word) > 1 and word != "--" and not _number(word):
            raise DirectoryError(f"{word}: invalid number", 2, usage=True)
        elif word != "--":
            rest.append(word)
    return keep, rest


def b_pushd(sh: Any, argv: list[str], io: dict[int, Any]) -> int:
    """``pushd [-n] [+N | -N | dir]``: push a directory, swap the top two, or rotate the stack."""

    def body(sh: Any, args: list[str], io: dict[int, Any]) -> int:
        keep, words = _split(args)
        stack = _stack(sh)
        if not words:
            if len(stack) < 2:
                raise DirectoryError("no other directory")
            rotated = [stack[1], stack[0], *stack[2:]]
        elif words[0][:1] in "+-" and len(words[0]) > 1:
            if not _number(words[0]):
                raise DirectoryError(f"{words[0]}: invalid number", 2, usage=True)
            index = _index(words[0], len(stack))
            if index is None:
                raise DirectoryError(f"{words[0]}: directory stack index out of range")
            rotated = stack[index:] + stack[:index]
            if keep:  # the saved directories turn; the working one stays, and bash prints nothing
                _save(sh, rotated[1:])
                return 0
        elif keep:
            _save(sh, [words[0], *stack[1:]])
            _print(sh, io, _stack(sh), set())
            return 0
        else:
            change_directory(sh, words[0])
            _save(sh, stack)
            _print(sh, io, _stack(sh), set())
            return 0
        if rotated[0] != sh.state.cwd:
            change_directory(sh, rotated[0])
        _save(sh, rotated[1:])
        _print(sh, io, _stack(sh), set())
        return 0

    return _run("pushd", body, sh, argv, io)


def b_popd(sh: Any, argv: list[str], io: dict[int, Any]) -> int:
    """``popd [-n] [+N | -N]``: remove a directory from the stack (the top one changes directory)."""

    def body(sh: Any, args: list[str], io: dict[int, Any]) -> int:
        keep, words = _split(args)
        stack = _stack(sh)
        if words and not (words[0][:1] in "+-" and _number(words[0])):
            raise DirectoryError(f"{words[0]}: invalid argument", 2, usage=True)
        if len(stack) < 2:
            raise DirectoryError("directory stack empty")
        index = 1 if keep else 0
        if words:
            found = _index(words[0], len(stack))
            if found is None:
                raise DirectoryError(f"{words[0]}: directory stack index out of range")
            index = found
        rest = stack[:index] + stack[index + 1 :]
        if index == 0:
            change_directory(sh, rest[0])
        _save(sh, rest[1:])
        _print(sh, io, _stack(sh), set())
        return 0

    return _run("popd", body, sh, argv, io)


DIRECTORY_BUILTINS = {"cd": b_cd, "pwd": b_pwd, "pushd": b_pushd, "popd": b_popd, "dirs": b_dirs}
