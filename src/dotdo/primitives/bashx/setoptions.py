"""``set``: the shell's ``-o`` options by name and letter, its positional parameters, and the
listings ``set -o``, ``set +o`` and ``shopt -o`` print.

bashx acts on errexit, nounset, pipefail, xtrace, noglob and noclobber; every other option bash 5.2
knows is kept and reported, so scripts that turn one on and test it behave as under bash.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dotdo.primitives.bashx.commands.base import encode

OPTION_LETTERS: dict[str, str] = {
    "allexport": "a",
    "braceexpand": "B",
    "emacs": "",
    "errexit": "e",
    "errtrace": "E",
    "functrace": "T",
    "hashall": "h",
    "histexpand": "H",
    "history": "",
    "ignoreeof": "",
    "interactive-comments": "",
    "keyword": "k",
    "monitor": "m",
    "noclobber": "C",
    "noexec": "n",
    "noglob": "f",
    "nolog": "",
    "notify": "b",
    "nounset": "u",
    "onecmd": "t",
    "physical": "P",
    "pipefail": "",
    "posix": "",
    "privileged": "p",
    "verbose": "v",
    "vi": "",
    "xtrace": "x",
}
"""Every ``set -o`` option bash 5.2 knows, in the order it lists them, with its letter if any."""
LETTER_OPTIONS = {letter: name for name, letter in OPTION_LETTERS.items() if letter}
FLAG_ORDER = "abefhikmnptuvxBCEHPT"
"""The order of the letters in ``$-``."""
ACTED_ON = ("errexit", "nounset", "pipefail", "xtrace", "noglob", "noclobber")
"""Options held as attributes of :class:`~.state.Options` because bashx changes behaviour by them."""
USAGE = "set: usage: set [-abefhkmnptuvxBCEHPT] [-o option-name] [--] [-] [arg ...]"


class SetError(Exception):
    """A bad option to ``set``: print it, then the usage line when there is one, and return ``status``."""

    def __init__(self, message: str, status: int = 2, usage: bool = False) -> None:
        self.status = status
        self.usage = usage
        super().__init__(message)


def is_on(options: Any, name: str) -> bool:
    """Whether the ``set -o`` option ``name`` is on."""
    if name in ACTED_ON:
        return bool(getattr(options, name))
    return name in options.others


def turn(options: Any, name: str, on: bool) -> None:
    """Turn the option ``name`` on or off (emacs and vi exclude each other, as in bash)."""
    if name in ACTED_ON:
        setattr(options, name, on)
        return
    others = set(options.others)
    if on:
        others.add(name)
        if name in ("emacs", "vi"):
            others.discard("vi" if name == "emacs" else "emacs")
    else:
        others.discard(name)
    options.others = frozenset(others)


def flags(options: Any) -> str:
    """The value of ``$-``: the letters of the options that are on, then ``c`` (a script is given
    to bashx as a string, as to ``bash -c``)."""
    on = {letter for name, letter in OPTION_LETTERS.items() if letter and is_on(options, name)}
    return "".join(ch for ch in FLAG_ORDER if ch in on) + "c"


def listing(options: Any, names: Sequence[str], *, reusable: bool) -> str:
    """``set -o`` (a table) or ``set +o`` (commands that set the options again) for ``names``."""
    if reusable:
        return "".join(f"set {'-' if is_on(options, n) else '+'}o {n}\n" for n in names)
    return "".join(f"{n:<15}\t{'on' if is_on(options, n) else 'off'}\n" for n in names)


def b_set(sh: Any, argv: list[str], io: dict[int, Any]) -> int:
    """``set [-+abefhkmnptuvxBCEHPT] [-+o name] [--] [args]``."""
    try:
        return _set(sh, argv[1:], io)
    except SetError as exc:
        sh.error(io, f"set: {exc}")
        if exc.usage:
            io[2].write(encode(USAGE + "\n"))
        return exc.status


def _set(sh: Any, args: list[str], io: dict[int, Any]) -> int:
    options = sh.state.options
    if not args:
        return 0
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            sh.state.positional = args[i + 1 :]
            return 0
        if arg == "-":
            turn(options, "xtrace", False)
            turn(options, "verbose", False)
            sh.state.positional = args[i + 1 :] if i + 1 < len(args) else sh.state.positional
            return 0
        if len(arg) < 2 or arg[0] not in "-+":
            sh.state.positional = args[i:]
            return 0
        i += 1
        on = arg[0] == "-"
        for ch in arg[1:]:
            if ch == "o":
                if i >= len(args) or args[i].startswith(("-", "+")):
                    io[1].write(encode(listing(options, list(OPTION_LETTERS), reusable=not on)))
                    continue
                name = args[i]
                i += 1
                if name not in OPTION_LETTERS:
                    raise SetError(f"{name}: invalid option name")
                turn(options, name, on)
                continue
            name = LETTER_OPTIONS.get(ch)
            if name is None:
                raise SetError(f"{arg[0]}{ch}: invalid option", usage=True)
            turn(options, name, on)
    return 0
