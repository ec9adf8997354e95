"""``alias`` and ``unalias``, and the expansion of an alias at the head of a command.

bash expands aliases while it reads a line, once ``shopt -s expand_aliases`` is on; bashx expands
the command's leading words when it runs it, which agrees wherever the alias was defined on an
earlier line (as bash requires for it to take effect). An alias is not expanded inside its own
expansion, and a value ending in a blank makes the next word a candidate too.
"""

from __future__ import annotations

from typing import Any

from dotdo.primitives.bashx import ast

NOT_ALIAS_NAME = frozenset("/$`=\"'\\ \t\n;&|<>()")


def quoted(value: str) -> str:
    """``value`` as bash prints it: in single quotes, each ``'`` written as ``'\\''``."""
    return "'" + value.replace("'", "'\\''") + "'"


def b_alias(sh: Any, argv: list[str], io: dict[int, Any]) -> int:
    """``alias [-p] [name[=value] ...]``."""
    from dotdo.primitives.bashx.commands.base import encode

    aliases: dict[str, str] = sh.state.aliases
    args = [a for a in argv[1:] if a != "-p"]
    if not args:
        io[1].write(encode("".join(f"alias {n}={quoted(v)}\n" for n, v in sorted(aliases.items()))))
        return 0
    status = 0
    for arg in args:
        name, eq, value = arg.partition("=")
        if eq:
            if not name or any(c in NOT_ALIAS_NAME for c in name):
                sh.error(io, f"alias: `{name}': invalid alias name")
                status = 1
                continue
            aliases[name] = value
        elif name in aliases:
            io[1].write(encode(f"alias {name}={quoted(aliases[name])}\n"))
        else:
            sh.error(io, f"alias: {name}: not found")
            status = 1
    return status


def b_unalias(sh: Any, argv: list[str], io: dict[int, Any]) -> int:
    """``unalias [-a] name ...``."""
    aliases: dict[str, str] = sh.state.aliases
    if "-a" in argv[1:]:
        aliases.clear()
        return 0
    status = 0
    for name in argv[1:]:
        if aliases.pop(name, None) is None:
            sh.error(io, f"unalias: {name}: not found")
            status = 1
    return status


def expanded(node: ast.SimpleCommand, aliases: dict[str, str], active: frozenset[str]) -> tuple[str, set[str]] | None:
    """The source ``node`` stands for once its leading aliases are expanded, and the aliases used;
    None when its first word is no alias (or one already being expanded)."""
    if any(a.array is not None for a in node.assignments):
        return None
    words = [w.text for w in node.words]
    out: list[str] = []
    used: set[str] = set()
    i = 0
    while i < len(words) and words[i] in aliases and words[i] not in active | used:
        value = aliases[words[i]]
        used.add(words[i])
        i += 1
        if i > 1:  # after a value ending in a blank, the alias's own head expands too
            while (head := value.split(" ", 1)[0]) in aliases and head not in active | used:
                used.add(head)
                value = aliases[head] + value[len(head) :]
        out.append(value)
        if not value.endswith((" ", "\t")):
            break
    if not used:
        return None
    prefix = [f"{a.name}{'+=' if a.append else '='}{a.value.text if a.value else ''}" for a in node.assignments]
    return " ".join([*prefix, *out, *words[i:]]), used
