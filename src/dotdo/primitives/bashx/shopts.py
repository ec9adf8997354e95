"""``shopt``: bash's optional behaviours, by name, with bash 5.2's defaults for a script.

bashx acts on ``nullglob``, ``failglob``, ``nocasematch`` and ``dotglob``; ``extglob`` patterns are
always understood (a script that turns it on gets what it asked for). The others are kept and
reported so that scripts which set and test them behave as under bash.
"""

from __future__ import annotations

from collections.abc import Sequence
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


def b_shopt(sh: Any, argv: list[str], io: dict[int, Any]) -> int:
    """``shopt [-pqsu] [-o] [name ...]``."""
    from dotdo.primitives.bashx.commands.base import encode

    flags = ""
    args = argv[1:]
    while args and args[0].startswith("-") and len(args[0]) > 1:
        flags += args.pop(0)[1:]
    if "o" in flags:
        return sh.run_command(["set", ("-o" if "s" in flags else "+o") if flags.strip("o") else "-o", *args], io)
    enabled: set[str] = sh.state.shopts
    status = 0
    for name in args:
        if name not in OPTIONS:
            sh.error(io, f"shopt: {name}: invalid shell option name")
            status = 1
    names = [n for n in args if n in OPTIONS]
    if "s" in flags or "u" in flags:
        if status:
            return status
        if not args:
            names = [n for n in OPTIONS if (n in enabled) == ("s" in flags)]
            return _report(io, names, enabled, "p" in flags, encode)
        for name in names:
            if "s" in flags:
                enabled.add(name)
            else:
                enabled.discard(name)
        return 0
    shown = names if args else list(OPTIONS)
    if "q" not in flags:
        _report(io, shown, enabled, "p" in flags, encode)
    if status:
        return status
    return 0 if all(n in enabled for n in names) else 1


def _report(io: dict[int, Any], names: Sequence[str], enabled: set[str], reusable: bool, encode: Any) -> int:
    if reusable:
        text = "".join(f"shopt {'-s' if n in enabled else '-u'} {n}\n" for n in names)
    else:
        text = "".join(f"{n:<15}\t{'on' if n in enabled else 'off'}\n" for n in names)
    io[1].write(encode(text))
    return 0
