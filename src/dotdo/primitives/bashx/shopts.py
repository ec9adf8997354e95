"""``shopt``: bash's optional behaviours, by name, with bash 5.2's defaults for a script.

bashx acts on ``nullglob``, ``failglob``, ``nocasematch``, ``dotglob``, ``globstar``, ``lastpipe``
and ``xpg_echo``; ``extglob`` patterns are always understood (a script that turns it on gets what
it asked for). The others are kept and reported so that scripts which set and test them behave as
under bash.
"""

from __future__ import annotations

from typing import Any

OPTIONS: tuple[str, ...] = (
    "autocd",
    "assoc_expand_once",
    "cdable_vars",
    "cdspell",
    "checkhash",
    "checkjobs",
    "checkwinsize",
    "cmdhist",
    "compat31",
    "compat32",
    "compat40",
    "compat41",
    "compat42",
    "compat43",
    "compat44",
    "complete_fullquote",
    "direxpand",
    "dirspell",
    "dotglob",
    "execfail",
    "expand_aliases",
    "extdebug",
    "extglob",
    "extquote",
    "failglob",
    "force_fignore",
    "globasciiranges",
    "globskipdots",
    "globstar",
    "gnu_errfmt",
    "histappend",
    "histreedit",
    "histverify",
    "hostcomplete",
    "huponexit",
    "inherit_errexit",
    "interactive_comments",
    "lastpipe",
    "lithist",
    "localvar_inherit",
    "localvar_unset",
    "login_shell",
    "mailwarn",
    "no_empty_cmd_completion",
    "nocaseglob",
    "nocasematch",
    "noexpand_translation",
    "nullglob",
    "patsub_replacement",
    "progcomp",
    "progcomp_alias",
    "promptvars",
    "restricted_shell",
    "shift_verbose",
    "sourcepath",
    "varredir_close",
    "xpg_echo",
)
DEFAULTS = frozenset(
    {
        "checkwinsize",
        "cmdhist",
        "complete_fullquote",
        "extquote",
        "force_fignore",
        "globasciiranges",
        "globskipdots",
        "hostcomplete",
        "interactive_comments",
        "patsub_replacement",
        "progcomp",
        "promptvars",
        "sourcepath",
    }
)
"""The options on in a fresh non-interactive bash."""


USAGE = "shopt: usage: shopt [-pqsu] [-o] [optname ...]"


def b_shopt(sh: Any, argv: list[str], io: dict[int, Any]) -> int:
    """``shopt [-pqsu] [-o] [name ...]`` (``-o`` works on ``set -o``'s options)."""
    from dotdo.primitives.bashx import setoptions
    from dotdo.primitives.bashx.commands.base import encode

    flags = ""
    args = argv[1:]
    while args and args[0].startswith("-") and len(args[0]) > 1:
        word = args.pop(0)
        if word == "--":
            break
        bad = next((ch for ch in word[1:] if ch not in "pqsuo"), None)
        if bad is not None:
            sh.error(io, f"shopt: -{bad}: invalid option")
            io[2].write(encode(USAGE + "\n"))
            return 2
        flags += word[1:]
    if "s" in flags and "u" in flags:
        sh.error(io, "shopt: cannot set and unset shell options simultaneously")
        return 1
    if "o" in flags:
        options = sh.state.options
        known: tuple[str, ...] = tuple(setoptions.OPTION_LETTERS)

        def is_on(name: str) -> bool:
            return setoptions.is_on(options, name)

        def turn(name: str, on: bool) -> None:
            setoptions.turn(options, name, on)

        def line(name: str) -> str:
            return f"set {'-' if is_on(name) else '+'}o {name}\n"
    else:
        enabled: set[str] = sh.state.shopts
        known = OPTIONS

        def is_on(name: str) -> bool:
            return name in enabled

        def turn(name: str, on: bool) -> None:
            if on:
                enabled.add(name)
            else:
                enabled.discard(name)

        def line(name: str) -> str:
            return f"shopt {'-s' if is_on(name) else '-u'} {name}\n"

    status = 0
    for name in args:
        if name not in known:
            sh.error(io, f"shopt: {name}: invalid {'' if 'o' in flags else 'shell '}option name")
            status = 1
    names = [n for n in args if n in known]

    def report(shown: list[str]) -> None:
        if "q" in flags:
            return
        if "p" in flags:
            io[1].write(encode("".join(line(n) for n in shown)))
        else:
            io[1].write(encode("".join(f"{n:<15}\t{'on' if is_on(n) else 'off'}\n" for n in shown)))

    if "s" in flags or "u" in flags:
        if not args:
            report([n for n in known if is_on(n) == ("s" in flags)])
            return 0
        for name in names:
            turn(name, "s" in flags)
        return status
    report(names if args else list(known))
    if status:
        return status
    return 0 if all(is_on(n) for n in names) else 1
