"""``mapfile``/``readarray``: lines of input into an indexed array, with bash's options."""

from __future__ import annotations

from typing import Any

from dotdo.primitives.bashx import arrays
from dotdo.primitives.bashx.commands.base import decode, encode
from dotdo.primitives.bashx.parser import parse

USAGE = "mapfile [-d delim] [-n count] [-O origin] [-s count] [-t] [-u fd] [-C callback] [-c quantum] [array]"
NUMERIC = {"n": "line count", "O": "array index", "s": "line count", "c": "callback quantum", "u": "file descriptor"}


class MapfileError(Exception):
    """A bad option: print it (with the usage line when ``usage``) and return ``status``."""

    def __init__(self, message: str, status: int = 1, usage: bool = False) -> None:
        self.status = status
        self.usage = usage
        super().__init__(message)


def b_mapfile(sh: Any, argv: list[str], io: dict[int, Any]) -> int:
    """``mapfile [-d delim] [-n count] [-O origin] [-s count] [-t] [-u fd] [-C callback] [-c quantum] [array]``."""
    try:
        return _mapfile(sh, argv, io)
    except MapfileError as exc:
        sh.error(io, f"{argv[0]}: {exc}")
        if exc.usage:
            io[2].write(encode(f"{argv[0]}: usage: {USAGE}\n"))
        return exc.status


def _options(args: list[str]) -> tuple[dict[str, str], list[str]]:
    found: dict[str, str] = {}
    while args and args[0].startswith("-") and len(args[0]) > 1:
        word = args.pop(0)
        if word == "--":
            break
        i = 1
        while i < len(word):
            ch = word[i]
            if ch == "t":
                found["t"] = ""
                i += 1
                continue
            if ch not in "dnOsuCc":
                raise MapfileError(f"-{ch}: invalid option", 2, usage=True)
            value = word[i + 1 :] or (args.pop(0) if args else None)
            if value is None:
                raise MapfileError(f"-{ch}: option requires an argument", 2, usage=True)
            found[ch] = value
            break
    return found, args


def _number(options: dict[str, str], letter: str, default: int) -> int:
    text = options.get(letter)
    if text is None:
        return default
    if not text.isdigit():
        raise MapfileError(f"{text}: invalid {NUMERIC[letter]}")
    return int(text)


def _mapfile(sh: Any, argv: list[str], io: dict[int, Any]) -> int:
    options, names = _options(argv[1:])
    name = names[0] if names else "MAPFILE"
    count, origin = _number(options, "n", 0), _number(options, "O", 0)
    skip, quantum = _number(options, "s", 0), _number(options, "c", 5000)
    if quantum == 0:
        raise MapfileError(f"{options['c']}: invalid callback quantum")
    stream = io[0]
    if "u" in options:
        fd = _number(options, "u", 0)
        if fd not in io:
            raise MapfileError(f"{fd}: invalid file descriptor: Bad file descriptor")
        stream = io[fd]
    delimiter = options.get("d", "\n")[:1] or "\0"
    data = decode(stream.read_all()) if hasattr(stream, "read_all") else ""
    pieces = data.split(delimiter)
    lines = [piece + delimiter for piece in pieces[:-1]] + ([pieces[-1]] if pieces[-1] else [])
    lines = lines[skip:]
    if count:
        lines = lines[:count]
    value: Any = sh.state.variables.get(name) if "O" in options else None
    if value is None:
        value = []
        sh.set_var(name, value)
    callback = options.get("C")
    for offset, line in enumerate(lines):
        text = line[: -len(delimiter)] if "t" in options and line.endswith(delimiter) else line
        text = text.split("\0")[0]  # a shell value ends at a NUL byte
        index = origin + offset
        if callback is not None and (offset + 1) % quantum == 0:
            word = "'" + text.replace("'", "'\\''") + "'"  # the value about to be stored
            sh.run_top_level(parse(f"{callback} {index} {word}"), io)
        value = arrays.with_element(sh.expander, value, str(index), text, append=False, name=name)
        sh.set_var(name, value)
    return 0
