"""The declaration builtins: ``declare``/``typeset``, ``local``, ``export``, ``readonly``, ``unset``.

They give variables their attributes (``-a -A -i -l -u -c -n -r -t -x``), scope them to a
function, and print them back as shell input (``-p``), as bash 5.2 does.
"""

from __future__ import annotations

import re
from typing import Any

from dotdo.primitives.bashx import arrays, declaration, setoptions
from dotdo.primitives.bashx.ast import Word
from dotdo.primitives.bashx.commands.base import encode
from dotdo.primitives.bashx.words import WordSyntaxError, split_words

NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
ELEMENT_NAME_RE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\[(.*)\]$", re.S)
DECLARE_LETTERS = frozenset("aAcfFgiIlnprtux")
EXCLUSIVE = {"l": "uc", "u": "lc", "c": "lu", "a": "A", "A": "a"}
"""Setting one case attribute clears the other two; an array is of one kind."""


class DeclarationError(Exception):
    """A usage error: print it and return ``status``."""

    def __init__(self, message: str, status: int = 2) -> None:
        self.status = status
        super().__init__(message)


def parse_options(command: str, argv: list[str], allowed: frozenset[str]) -> tuple[set[str], set[str], list[str]]:
    """(letters turned on, letters turned off, operands) for ``-abc``/``+abc`` options."""
    on: set[str] = set()
    off: set[str] = set()
    index = 1
    while index < len(argv):
        arg = argv[index]
        if arg == "--":
            index += 1
            break
        if len(arg) < 2 or arg[0] not in "-+" or (arg[0] == "-" and arg == "-"):
            break
        for letter in arg[1:]:
            if letter not in allowed:
                raise DeclarationError(f"{command}: {arg[0]}{letter}: invalid option")
            (on if arg[0] == "-" else off).add(letter)
        index += 1
    return on, off, argv[index:]


def _run(sh: Any, io: dict[int, Any], body: Any) -> int:
    try:
        return body()
    except DeclarationError as exc:
        sh.error(io, str(exc))
        return exc.status


def all_variables(sh: Any) -> dict[str, Any]:
    """Every variable by name, with bash's ``BASH_ALIASES`` and ``BASH_CMDS`` tables."""
    table: dict[str, Any] = {
        name: value for name, value in sh.state.variables.items() if not name.startswith("__bashx")
    }
    table.setdefault("BASH_ALIASES", arrays.AssocArray(sh.state.aliases))
    table.setdefault("BASH_CMDS", arrays.AssocArray())
    for name in ("BASH_ARGC", "BASH_ARGV", "BASH_LINENO", "BASH_SOURCE", "DIRSTACK"):
        table.setdefault(name, arrays.IndexedArray())
    table.setdefault("FUNCNAME", None)  # declared, and unset outside a function
    return table


def print_assignments(sh: Any, io: dict[int, Any], *, functions: bool) -> int:
    """``set`` and ``declare`` alone: every variable as ``name=value``, then (outside posix mode)
    every function's definition."""
    state = sh.state
    posix = "posix" in state.options.others
    lines: list[str] = []
    for name, value in sorted(all_variables(sh).items()):
        if value is None:
            continue
        if isinstance(value, arrays.IndexedArray | arrays.AssocArray):
            lines.append(f"{name}={declaration.array_body(value)}\n")
        else:
            lines.append(f"{name}={declaration.set_word(value, posix=posix)}\n")
    if functions and not posix:
        lines.extend(sh.function_text(name).rstrip("\n") + "\n" for name in sorted(state.functions))
    io[1].write(encode("".join(lines)))
    return 0


def b_set(sh: Any, argv: list[str], io: dict[int, Any]) -> int:
    """``set`` alone lists the shell's variables and functions; with arguments, see :func:`setoptions.b_set`."""
    if len(argv) == 1:
        return print_assignments(sh, io, functions=True)
    return setoptions.b_set(sh, argv, io)


def listing_line(sh: Any, name: str, value: Any) -> str:
    """``declare -p``'s line for ``name``, which may be one of bash's own arrays bashx lists only."""
    state = sh.state
    if name in state.variables or name in state.attributes:
        return declaration.declare_line(state, name)
    kind = "A" if isinstance(value, arrays.AssocArray) else "a"
    return f"declare -{kind} {name}" + ("" if value is None else f"={declaration.array_body(value)}")


def print_declared(sh: Any, io: dict[int, Any], names: list[str], letters: set[str], command: str) -> int:
    """``declare -p [names]``: each variable as the ``declare`` command that recreates it."""
    state = sh.state
    status = 0
    lines: list[str] = []
    if not names:
        known = all_variables(sh)
        for name in sorted(set(known) | set(state.attributes)):
            line = listing_line(sh, name, known.get(name))
            flags = line.split(" ", 2)[1][1:]
            if all(letter in flags for letter in letters - {"p", "g"}):
                lines.append(line)
    for name in names:
        if name in state.variables or name in state.attributes:
            lines.append(declaration.declare_line(state, name))
        elif name in ("BASH_ALIASES", "BASH_CMDS"):
            lines.append(listing_line(sh, name, all_variables(sh)[name]))
        else:
            sh.error(io, f"{command}: {name}: not found")
            status = 1
    io[1].write(encode("".join(line + "\n" for line in lines)))
    return status


def _array_words(body: str) -> list[Word]:
    try:
        return [Word(text) for text in split_words(body)]
    except WordSyntaxError as exc:
        raise DeclarationError(str(exc), 1) from None


def declare_one(sh: Any, io: dict[int, Any], command: str, arg: str, on: set[str], off: set[str], local: bool) -> int:
    """Declare one ``name[=value]`` operand; returns its status."""
    state = sh.state
    name, eq, value = arg.partition("=")
    append = name.endswith("+") and bool(eq)
    if append:
        name = name[:-1]
    element = ELEMENT_NAME_RE.match(name)
    base = element.group(1) if element else name
    if not NAME_RE.match(base) or (element is not None and not eq and "n" in on):
        sh.error(io, f"{command}: `{arg}': not a valid identifier")
        return 1
    if "n" in on and eq and not re.match(r"^[A-Za-z_][A-Za-z0-9_]*(\[.*\])?$", value, re.S):
        sh.error(io, f"{command}: `{value}': invalid variable name for name reference")
        return 1
    if "n" in on and value == base:
        sh.error(io, f"{command}: {base}: nameref variable self references not allowed")
        return 1
    if "n" in off and eq and element is None and state.has(base, "n"):
        # `declare +n ref=value` assigns through the reference, then makes ref a plain variable.
        sh.assign_text(state.resolve(base), value, append=append)
        state.attributes[base].discard("n")
        return 0
    if "n" not in on and element is None:
        base = state.resolve(base)
        if "[" in base:
            element = ELEMENT_NAME_RE.match(base)
            name = base
            base = element.group(1) if element else base
    if local and state.is_local(base):
        state.locals_stack[-1][base].temporary = False  # `local x` keeps a temporary x as a local
    elif local:
        try:
            state.declare_local(base)
        except PermissionError as exc:
            sh.error(io, f"{command}: {exc}")
            return 1
    current = state.variables.get(base)
    indexed = isinstance(current, arrays.IndexedArray) or state.has(base, "a")
    associative = isinstance(current, arrays.AssocArray) or state.has(base, "A")
    if "A" in on and indexed:
        sh.error(io, f"{command}: {base}: cannot convert indexed to associative array")
        return 1
    if "a" in on and associative:
        sh.error(io, f"{command}: {base}: cannot convert associative to indexed array")
        return 1
    if base in state.readonly and (eq or on - {"r", "x", "g", "p"}):
        sh.error(io, f"{command}: {base}: readonly variable")
        return 1
    is_array = (
        isinstance(current, arrays.IndexedArray | arrays.AssocArray) or state.has(base, "a") or state.has(base, "A")
    )
    if off & {"a", "A"} and is_array:
        sh.error(io, f"{command}: {base}: cannot destroy array variables in this way")
        return 1
    letters = state.attributes.setdefault(base, set())
    if element is not None and not eq and "A" not in on and not isinstance(current, arrays.AssocArray):
        on = on | {"a"}  # `declare -r c[100]` declares an indexed array
    for letter in on & set("aAilucnt"):
        letters -= set(EXCLUSIVE.get(letter, ""))
        letters.add(letter)
    letters -= off & set("ilucnt")
    if "a" in on and isinstance(current, str):
        state.variables[base] = arrays.IndexedArray({0: current})
    elif "A" in on and isinstance(current, str):
        state.variables[base] = arrays.AssocArray({"0": current})
    if eq:
        try:
            if element is not None:
                sh.assign_text(f"{base}[{element.group(2)}]", value, append=append)
            elif "n" in letters:
                state.set(base, value)  # a nameref's own value: the name it refers to
            elif value.startswith("(") and value.endswith(")"):
                sh.assign_array(base, _array_words(value[1:-1]), append=append)
            else:
                sh.assign_text(base, value, append=append)
        except PermissionError as exc:
            sh.error(io, f"{command}: {exc}")
            return 1
    elif on & {"i", "l", "u", "c"} and base in state.variables:
        sh.set_var(base, state.variables[base])
    if not letters and base in state.variables:
        state.attributes.pop(base, None)  # an empty entry marks a name declared without a value
    if "x" in on:
        state.exported.add(base)
    if "x" in off:
        state.exported.discard(base)
    if "r" in on:
        state.readonly.add(base)
    return 0


def print_locals(sh: Any, io: dict[int, Any]) -> int:
    """``local`` alone: the running function's variables, as ``declare -p`` writes them."""
    state = sh.state
    lines = []
    for name, saved in sorted(state.locals_stack[-1].items()):
        if saved.temporary or name.startswith("__bashx"):
            continue
        if name in state.variables or name in state.attributes:
            lines.append(declaration.declare_line(state, name))
        else:
            lines.append(f"declare -- {name}")
    io[1].write(encode("".join(line + "\n" for line in lines)))
    return 0


def function_declaration(state: Any, name: str) -> str:
    """``declare -F``'s line for a function: ``declare -f``, with ``r`` and ``x`` when marked so."""
    letters = ("r" if name in state.readonly_functions else "") + ("x" if name in state.exported_functions else "")
    return f"declare -f{letters} {name}"


def declare_command(sh: Any, argv: list[str], io: dict[int, Any], command: str, *, local: bool) -> int:
    """The body shared by ``declare``, ``typeset`` and ``local``."""

    def body() -> int:
        on, off, operands = parse_options(command, argv, DECLARE_LETTERS)
        if "f" in on or "F" in on:
            state = sh.state
            bad = sorted((on | off) & set("aAilucn"))
            if bad:
                raise DeclarationError(f"{command}: -{bad[0]}: invalid option", 1)
            missing = [name for name in operands if name not in state.functions]
            present = [name for name in operands if name in state.functions] or (
                [] if operands else sorted(state.functions)
            )
            locked = [name for name in present if name in state.readonly_functions]
            if operands and "r" in off and locked:
                raise DeclarationError(f"{command}: {locked[0]}: readonly function", 1)
            if operands and "x" in off:
                state.exported_functions.difference_update(present)
            if operands and "r" in on:
                state.readonly_functions.update(present)
            if operands and "x" in on:
                state.exported_functions.update(present)
            if not operands and "x" in on:
                present = [name for name in present if name in state.exported_functions]
            if not operands and "r" in on:
                present = [name for name in present if name in state.readonly_functions]
            marking = bool((on | off) & {"r", "x"})
            if operands and marking:
                pass  # declare -fr name: the attributes are set, nothing is printed
            elif "F" in on:
                lines = [function_declaration(state, n) if not operands else n for n in present]
                io[1].write(encode("".join(line + "\n" for line in lines)))
            else:
                for n in present:  # with -r/-x, each definition is followed by the declare that marks it
                    marked = f"{function_declaration(state, n)}\n" if marking else ""
                    io[1].write(encode(sh.function_text(n).rstrip("\n") + "\n" + marked))
            return 1 if missing else 0
        if local and not operands and not on - {"p"}:
            return print_locals(sh, io)
        if "p" in on or not operands:
            if not operands and not on:
                return print_assignments(sh, io, functions=True)
            return print_declared(sh, io, operands, on, command)
        in_function = bool(sh.state.locals_stack)
        status = 0
        for arg in operands:
            if "g" in on and not local:
                with sh.state.global_scope(arg.partition("=")[0].partition("[")[0].rstrip("+")):
                    status |= declare_one(sh, io, command, arg, on, off, False)
                continue
            status |= declare_one(sh, io, command, arg, on, off, local or in_function)
        return status

    return _run(sh, io, body)


def b_declare(sh: Any, argv: list[str], io: dict[int, Any]) -> int:
    """``declare``/``typeset [-aAfFgilnprtux] [name[=value] ...]``."""
    return declare_command(sh, argv, io, argv[0], local=False)


def b_local(sh: Any, argv: list[str], io: dict[int, Any]) -> int:
    """``local [options] name[=value] ...``: a variable of the running function."""
    if not sh.state.locals_stack:
        sh.error(io, "local: can only be used in a function")
        return 1
    if argv[1:] == ["-"]:
        return 0  # `local -` saves the shell options; bashx's options are restored with the frame
    return declare_command(sh, argv, io, "local", local=True)


def b_export(sh: Any, argv: list[str], io: dict[int, Any]) -> int:
    """``export [-fnp] [name[=value] ...]``."""

    def body() -> int:
        on, _off, operands = parse_options("export", argv, frozenset("fnp"))
        state = sh.state
        if not operands:
            for name in sorted(state.exported):
                if not name.startswith("__bashx"):
                    io[1].write(encode(declaration.declare_line(state, name) + "\n"))
            return 0
        if "f" in on:
            missing = [name for name in operands if name.partition("=")[0] not in sh.state.functions]
            for name in missing:
                sh.error(io, f"export: {name}: not a function")
            named = {name.partition("=")[0] for name in operands} - set(missing)
            if "n" in on:
                state.exported_functions -= named
            else:
                state.exported_functions |= named
            return 1 if missing else 0
        if "n" in on:
            for name in operands:
                state.exported.discard(name.partition("=")[0])
            return 0
        status = 0
        for arg in operands:
            status |= declare_one(sh, io, "export", arg, {"x"}, set(), False)
            name = arg.partition("=")[0].rstrip("+")
            saved = state.locals_stack[-1].get(name) if state.locals_stack else None
            if saved is not None and saved.temporary:  # `x=1 f` where f exports x: x outlives f
                saved.propagate = True
        return status

    return _run(sh, io, body)


def b_readonly(sh: Any, argv: list[str], io: dict[int, Any]) -> int:
    """``readonly [-aAfp] [name[=value] ...]``."""

    def body() -> int:
        on, _off, operands = parse_options("readonly", argv, frozenset("aAfp"))
        state = sh.state
        if "f" in on:
            return readonly_functions(sh, io, operands)
        if not operands:
            dynamic = {"BASHOPTS": ":".join(sorted(state.shopts)), "SHELLOPTS": sh.expander.lookup("SHELLOPTS")}
            for name in sorted(state.readonly | set(dynamic)):
                if name in dynamic and name not in state.variables:  # bash's own, read-only and computed
                    line = f"declare -r {name}={declaration.value_word(dynamic[name] or '')}"
                else:
                    line = declaration.declare_line(state, name)
                flags = line.split(" ", 2)[1][1:]
                if all(letter in flags for letter in on & {"a", "A"}):
                    if setoptions.is_on(state.options, "posix"):
                        others = flags.replace("r", "")
                        line = f"readonly {'-' + others + ' ' if others else ''}{line.split(' ', 2)[2]}"
                    io[1].write(encode(line + "\n"))
            return 0
        status = 0
        for arg in operands:
            status |= declare_one(sh, io, "readonly", arg, {"r"} | (on & {"a", "A"}), set(), False)
        return status

    return _run(sh, io, body)


def readonly_functions(sh: Any, io: dict[int, Any], names: list[str]) -> int:
    """``readonly -f [name ...]``: mark functions read-only, or list those that are."""
    state = sh.state
    if not names:
        for name in sorted(state.readonly_functions & set(state.functions)):
            text = sh.function_text(name).rstrip("\n")
            io[1].write(encode(f"{text}\n{function_declaration(state, name)}\n"))
        return 0
    status = 0
    for name in names:
        if name not in state.functions:
            sh.error(io, f"readonly: {name}: not a function")
            status = 1
        else:
            state.readonly_functions.add(name)
    return status


def b_unset(sh: Any, argv: list[str], io: dict[int, Any]) -> int:
    """``unset [-fnv] name ...``: variables, array elements, namerefs or functions."""

    def body() -> int:
        on, _off, operands = parse_options("unset", argv, frozenset("fnv"))
        if {"f", "v"} <= on:
            raise DeclarationError("unset: cannot simultaneously unset a function and a variable", 1)
        state = sh.state
        status = 0
        for name in operands:
            if "f" in on:
                if name in state.readonly_functions and name in state.functions:
                    sh.error(io, f"unset: {name}: cannot unset: readonly function")
                    status = 1
                    continue
                state.functions.pop(name, None)
                state.exported_functions.discard(name)
                continue
            element = ELEMENT_NAME_RE.match(name)
            base = element.group(1) if element else name
            if not NAME_RE.match(base):
                if "v" in on or element is not None:
                    sh.error(io, f"unset: `{name}': not a valid identifier")
                    status = 1
                else:
                    state.functions.pop(name, None)  # not a variable name: bash tries a function
                continue
            if "n" not in on:
                target = state.resolve(base)
                if target != base and element is None:
                    element = ELEMENT_NAME_RE.match(target)
                    base = element.group(1) if element else target
            if element is not None and element.group(2) in ("@", "*"):
                whole = state.variables.get(base)
                if isinstance(whole, arrays.IndexedArray):  # bash 5.2 empties it and keeps it declared
                    if base in state.readonly:
                        sh.error(io, f"unset: {base}: cannot unset: readonly variable")
                        status = 1
                    else:
                        state.variables[base] = arrays.IndexedArray()
                    continue
                if isinstance(whole, str):
                    sh.error(io, f"unset: {base}: not an array variable")
                    status = 1
                    continue
            if element is not None and not (
                element.group(2) in ("@", "*") and not isinstance(state.variables.get(base), arrays.AssocArray)
            ):
                if base in state.readonly:
                    sh.error(io, f"unset: {base}: cannot unset: readonly variable")
                    status = 1
                    continue
                old = state.variables.get(base)
                try:
                    state.variables[base] = arrays.without_element(sh.expander, old, element.group(2), base)
                except arrays.BadSubscriptError as exc:
                    sh.error(io, f"unset: {exc}")
                    status = 1
                if state.variables[base] is None:
                    state.variables.pop(base)
                continue
            if "v" not in on and element is None and base not in state.variables and base not in state.attributes:
                state.functions.pop(base, None)
                continue
            try:
                state.unset(base)
            except PermissionError as exc:
                sh.error(io, f"unset: {exc}")
                status = 1
        return status

    return _run(sh, io, body)


DECLARATION_BUILTINS = {
    "declare": b_declare,
    "typeset": b_declare,
    "local": b_local,
    "export": b_export,
    "readonly": b_readonly,
    "unset": b_unset,
}
