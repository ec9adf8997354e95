"""How a command name resolves, as bash answers it: ``type``, ``command -v/-V``, ``hash``, ``enable``.

A name is an alias, a keyword, a function, a builtin, or a file. bashx's native programs (``mv``,
``grep``, ...) stand where bash finds them on a standard system, in ``/usr/bin``; the names bash
builds in are builtins whether bashx runs them as builtins or as native commands. ``hash``
remembers where names were found (``hash -p`` sets a place, which the next run then uses) and
``enable -n`` turns a builtin off, so the program of that name runs instead.
"""

from __future__ import annotations

from typing import Any

from dotdo.primitives.bashx.commands.base import encode

PROGRAM_FOLDER = "/usr/bin"
"""Where bashx's native programs are reported to live."""
KEYWORDS = frozenset(
    {"if", "then", "else", "elif", "fi", "case", "esac", "for", "select", "while", "until", "do", "done"}
    | {"in", "function", "time", "{", "}", "!", "[[", "]]", "coproc"}
)
SPECIAL_BUILTINS = (".", ":", "break", "continue", "eval", "exec", "exit", "export", "readonly", "return")
SPECIAL_BUILTINS += ("set", "shift", "source", "times", "trap", "unset")
BASH_BUILTINS = frozenset(SPECIAL_BUILTINS) | {
    "[", "alias", "bg", "bind", "builtin", "caller", "cd", "command", "compgen", "complete", "compopt",
    "declare", "dirs", "disown", "echo", "enable", "false", "fc", "fg", "getopts", "hash", "help",
    "history", "jobs", "kill", "let", "local", "logout", "mapfile", "popd", "printf", "pushd", "pwd",
    "read", "readarray", "suspend", "test", "true", "type", "typeset", "ulimit", "umask", "unalias",
    "wait",
}  # fmt: skip
"""Every builtin of bash 5.2."""
ALSO_PROGRAMS = frozenset({"[", "echo", "false", "kill", "printf", "pwd", "test", "true"})
"""Builtins a standard system also has as programs (``type -a`` lists both)."""


def is_builtin(sh: Any, name: str) -> bool:
    """Whether ``name`` runs as an enabled bash builtin."""
    return name in BASH_BUILTINS and name not in sh.state.disabled


def program_path(sh: Any, name: str) -> str | None:
    """Where the program ``name`` is found: a hashed place, a path that exists, or the folder of
    bashx's native programs (None when there is no such program)."""
    if name in sh.state.hashed:
        return sh.state.hashed[name][0]
    from dotdo.primitives.bashx.reentry import SHELL_PROGRAMS

    if "/" in name:
        return name if name in SHELL_PROGRAMS or sh.fs.exists(sh.resolve(name)) else None
    if name in sh.commands or name in SHELL_PROGRAMS or name in ALSO_PROGRAMS:
        return f"{PROGRAM_FOLDER}/{name}"
    return None


def remember(sh: Any, name: str) -> None:
    """Count a run of the program ``name`` in the hash table (adding it there), as bash does."""
    if "/" in name or is_builtin(sh, name):
        return
    path = program_path(sh, name)
    if path is not None:
        hits = sh.state.hashed.get(name, (path, 0))[1]
        sh.state.hashed[name] = (path, hits + 1)


def hashed_path_missing(sh: Any, name: str) -> str | None:
    """The place ``hash -p`` gave ``name`` when nothing is there (running it then fails)."""
    from dotdo.primitives.bashx.reentry import SHELL_PROGRAMS

    entry = sh.state.hashed.get(name)
    if entry is None or entry[0] in SHELL_PROGRAMS or entry[0] == f"{PROGRAM_FOLDER}/{name}":
        return None
    return None if sh.fs.exists(sh.resolve(entry[0])) else entry[0]


def _kinds(sh: Any, name: str, *, aliases: bool, functions: bool, every: bool) -> list[tuple[str, str]]:
    """Each way ``name`` resolves, first the one that runs: (kind, ``type``'s sentence)."""
    found: list[tuple[str, str]] = []
    if aliases and name in sh.state.aliases and "expand_aliases" in sh.state.shopts:
        found.append(("alias", f"{name} is aliased to `{sh.state.aliases[name]}'"))
    if name in KEYWORDS:
        found.append(("keyword", f"{name} is a shell keyword"))
    if functions and name in sh.state.functions:
        found.append(("function", f"{name} is a function"))
    if is_builtin(sh, name):
        found.append(("builtin", f"{name} is a shell builtin"))
    path = program_path(sh, name)
    if path is not None and (every or not found):
        if name in sh.state.hashed and not every:
            found.append(("file", f"{name} is hashed ({path})"))
        else:
            found.append(("file", f"{name} is {path}"))
        if every and "/" not in name and path == f"{PROGRAM_FOLDER}/{name}":
            found.append(("file", f"{name} is /bin/{name}"))  # the /bin that links to /usr/bin
    return found if every else found[:1]


def _count_hit(sh: Any, name: str) -> None:
    if name in sh.state.hashed:
        path, hits = sh.state.hashed[name]
        sh.state.hashed[name] = (path, hits + 1)


def b_type(sh: Any, argv: list[str], io: dict[int, Any]) -> int:
    """``type [-afptP] name...``: how each name would run."""
    flags: set[str] = set()
    names = argv[1:]
    while names and names[0].startswith("-") and len(names[0]) > 1:
        word = names.pop(0)
        if word == "--":
            break
        for ch in word[1:]:
            if ch not in "afptP":
                sh.error(io, f"type: -{ch}: invalid option")
                io[2].write(encode("type: usage: type [-afptP] name [name ...]\n"))
                return 2
            flags.add(ch)
    status = 0
    for name in names:
        if "p" in flags and name in sh.state.aliases and "expand_aliases" in sh.state.shopts:
            continue  # bash finds the alias, and prints no path for it
        if "P" in flags:
            path = program_path(sh, name)
            found = [] if path is None else [("file", path)]
        else:
            found = _kinds(sh, name, aliases="p" not in flags, functions="f" not in flags, every="a" in flags)
        if not found:
            if not flags & {"t", "p", "P"}:
                sh.error(io, f"type: {name}: not found")
            status = 1
            continue
        _count_hit(sh, name)
        for kind, sentence in found:
            if "t" in flags:
                io[1].write(encode(kind + "\n"))
            elif flags & {"p", "P"}:
                if kind == "file":
                    io[1].write(encode((program_path(sh, name) or name) + "\n"))
            else:
                io[1].write(encode(sentence + "\n"))
                if kind == "function":
                    io[1].write(encode(sh.function_text(name)))
    return status


def b_command(sh: Any, argv: list[str], io: dict[int, Any]) -> int:
    """``command [-pVv] name [args]``: run a command skipping functions, or say what it is."""
    args = argv[1:]
    flags: set[str] = set()
    while args and args[0].startswith("-") and len(args[0]) > 1:
        word = args.pop(0)
        if word == "--":
            break
        flags.update(word[1:])
    if flags & {"v", "V"}:
        status = 0
        for name in args:
            found = _kinds(sh, name, aliases=True, functions=True, every=False)
            if not found:
                if "V" in flags:
                    sh.error(io, f"command: {name}: not found")
                status = 1
                continue
            kind, sentence = found[0]
            if "V" in flags:
                io[1].write(encode(sentence + "\n"))
                if kind == "function":
                    io[1].write(encode(sh.function_text(name)))
            elif kind == "alias":
                io[1].write(encode(f"alias {name}='{sh.state.aliases[name]}'\n"))
            elif kind == "file":
                io[1].write(encode((program_path(sh, name) or name) + "\n"))
            else:
                io[1].write(encode(name + "\n"))
        return status
    if not args:
        return 0
    saved, saved_through = sh.state.functions, sh.state.through_command
    sh.state.functions, sh.state.through_command = {}, True
    try:
        return sh.invoke(args, io)
    finally:
        sh.state.functions, sh.state.through_command = saved, saved_through


def b_hash(sh: Any, argv: list[str], io: dict[int, Any]) -> int:
    """``hash [-lr] [-p path] [-dt] [name ...]``: the places of programs found so far."""
    args = argv[1:]
    flags: set[str] = set()
    place = None
    while args and args[0].startswith("-") and len(args[0]) > 1:
        word = args.pop(0)
        if word == "--":
            break
        for ch in word[1:]:
            if ch not in "lrpdt":
                sh.error(io, f"hash: -{ch}: invalid option")
                io[2].write(encode("hash: usage: hash [-lr] [-p pathname] [-dt] [name ...]\n"))
                return 2
            if ch == "p":
                place = args.pop(0) if args else ""
            flags.add(ch)
    table: dict[str, tuple[str, int]] = sh.state.hashed
    if "r" in flags:
        table.clear()
    status = 0
    if not args:
        if "r" in flags or place is not None:
            return 0
        if not table:
            io[1].write(encode("hash: hash table empty\n"))
            return 0
        if "l" in flags:
            io[1].write(encode("".join(f"builtin hash -p {path} {name}\n" for name, (path, _) in table.items())))
        else:
            rows = "".join(f"{hits:4d}\t{path}\n" for path, hits in table.values())
            io[1].write(encode("hits\tcommand\n" + rows))
        return 0
    for name in args:
        if place is not None:
            table[name] = (place, 0)
        elif "d" in flags:
            if table.pop(name, None) is None:
                sh.error(io, f"hash: {name}: not found")
                status = 1
        elif "t" in flags:
            if name in table:
                io[1].write(encode((f"{name}\t" if len(args) > 1 else "") + table[name][0] + "\n"))
            else:
                sh.error(io, f"hash: {name}: not found")
                status = 1
        elif not is_builtin(sh, name) and name not in sh.state.functions:
            path = program_path(sh, name)
            if path is None:
                sh.error(io, f"hash: {name}: not found")
                status = 1
            else:
                table[name] = (path, 0)
    return status


def b_enable(sh: Any, argv: list[str], io: dict[int, Any]) -> int:
    """``enable [-a] [-nps] [name ...]``: list builtins, or turn them off (``-n``) and on."""
    args = argv[1:]
    flags: set[str] = set()
    while args and args[0].startswith("-") and len(args[0]) > 1:
        word = args.pop(0)
        if word == "--":
            break
        for ch in word[1:]:
            if ch not in "anpsdf":
                sh.error(io, f"enable: -{ch}: invalid option")
                io[2].write(encode("enable: usage: enable [-a] [-dnps] [-f filename] [name ...]\n"))
                return 2
            flags.add(ch)
    if flags & {"f", "d"}:
        sh.error(io, "enable: loading builtins from shared objects is not supported")
        return 1
    if not args:
        names = SPECIAL_BUILTINS if "s" in flags else tuple(sorted(BASH_BUILTINS))
        lines = []
        for name in names:
            off = name in sh.state.disabled
            if "a" in flags or off == ("n" in flags):
                lines.append(f"enable {'-n ' if off else ''}{name}\n")
        io[1].write(encode("".join(lines)))
        return 0
    status = 0
    for name in args:
        if name not in BASH_BUILTINS:
            sh.error(io, f"enable: {name}: not a shell builtin")
            status = 1
        elif "n" in flags:
            sh.state.disabled.add(name)
        else:
            sh.state.disabled.discard(name)
    return status


LOOKUP_BUILTINS = {"type": b_type, "command": b_command, "hash": b_hash, "enable": b_enable}
