"""How bash writes a variable back as shell input: ``declare -p``, ``${x@A}``, ``${a[@]@K}``."""

from __future__ import annotations

from dotdo.primitives.bashx.arrays import AssocArray, IndexedArray
from dotdo.primitives.bashx.state import ShellState

ATTRIBUTE_ORDER = "aAinrtulcx"
"""The order in which bash lists a variable's attribute letters."""

SHELL_METAS = frozenset(" \t\n'\"\\|&;()<>!{}*[?]^$`")
ANSI_C_ESCAPES = {"\a": "\\a", "\b": "\\b", "\x1b": "\\E", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
ANSI_C_ESCAPES |= {"\v": "\\v", "\\": "\\\\", "'": "\\'"}


def attribute_letters(state: ShellState, name: str) -> str:
    """The attribute letters ``declare -p`` shows for ``name`` (``""`` for none)."""
    value = state.variables.get(name)
    letters = set(state.attributes.get(name, ()))
    if isinstance(value, IndexedArray):
        letters.add("a")
    elif isinstance(value, AssocArray):
        letters.add("A")
    if name in state.readonly:
        letters.add("r")
    if name in state.exported:
        letters.add("x")
    return "".join(ch for ch in ATTRIBUTE_ORDER if ch in letters)


def needs_ansi_c(text: str) -> bool:
    """Whether bash writes ``text`` as ``$'...'`` (it holds a byte that does not print)."""
    return any(ord(ch) < 32 or ord(ch) >= 127 for ch in text)


def ansi_c_quoted(text: str) -> str:
    """``text`` as ``$'...'``."""
    out = []
    for ch in text:
        if ch in ANSI_C_ESCAPES:
            out.append(ANSI_C_ESCAPES[ch])
        elif ord(ch) < 32 or ord(ch) == 127:
            out.append(f"\\{ord(ch):03o}")
        elif 0xDC80 <= ord(ch) <= 0xDCFF:
            out.append(f"\\{ord(ch) - 0xDC00:03o}")
        else:
            out.append(ch)
    return "$'" + "".join(out) + "'"


def double_quoted(text: str) -> str:
    """``text`` in double quotes with ``"``, ``$``, `````` and ``\\`` escaped."""
    return '"' + "".join("\\" + ch if ch in '"$`\\' else ch for ch in text) + '"'


def value_word(text: str) -> str:
    """A value as ``declare -p`` writes it."""
    return ansi_c_quoted(text) if needs_ansi_c(text) else double_quoted(text)


def key_word(key: str) -> str:
    """An associative array key as ``declare -p`` writes it inside ``[...]``."""
    if any(ch in SHELL_METAS for ch in key) or key.startswith(("~", "#")) or key in ("@", "*"):
        return double_quoted(key)
    if needs_ansi_c(key):
        return ansi_c_quoted(key)
    return key


def array_body(value: IndexedArray | AssocArray) -> str:
    """``([0]="a" [1]="b")`` or, for an associative array, ``([k]="v" )``."""
    if isinstance(value, AssocArray):
        if not value:
            return "()"
        return "(" + "".join(f"[{key_word(k)}]={value_word(value[k])} " for k in value.ordered_keys()) + ")"
    return "(" + " ".join(f"[{i}]={value_word(value[i])}" for i in value.indices()) + ")"


def declare_line(state: ShellState, name: str) -> str:
    """``declare -p name``'s line (without the newline)."""
    letters = attribute_letters(state, name) or "-"
    value = state.variables.get(name)
    head = f"declare -{letters} {name}"
    if value is None:
        return head
    if isinstance(value, IndexedArray | AssocArray):
        return f"{head}={array_body(value)}"
    return f"{head}={value_word(value)}"


def single_quoted(text: str) -> str:
    """``text`` in single quotes, as ``${x@Q}`` writes printable text."""
    return "'" + text.replace("'", "'\\''") + "'"


def assignment_form(state: ShellState, name: str, element: str | None, *, whole: bool) -> str:
    """``${x@A}``: a command that recreates ``x`` (``whole``: every element of an array, else
    ``element``, the value the expansion chose)."""
    letters = attribute_letters(state, name)
    value = state.variables.get(name)
    if whole and isinstance(value, IndexedArray | AssocArray):
        return f"declare -{letters} {name}={array_body(value)}"
    if element is None:
        return f"declare -{letters} {name}" if letters else ""
    quoted = ansi_c_quoted(element) if needs_ansi_c(element) else single_quoted(element)
    if letters:
        return f"declare -{letters} {name}={quoted}"
    return f"{name}={quoted}"


def key_value_pairs(value: IndexedArray | AssocArray) -> str:
    """``${a[@]@K}``: ``key "value"`` pairs (an associative array's end with a space, as bash's)."""
    if isinstance(value, AssocArray):
        return "".join(f"{key_word(k)} {value_word(value[k])} " for k in value.ordered_keys())
    return " ".join(f"{i} {value_word(value[i])}" for i in value.indices())


SET_METAS = frozenset(" \t\n'\"\\|&;()<>!{}*[?]^$`")
"""Characters that make ``set`` quote a value (``~`` and ``#`` count only where they would act)."""


def set_word(text: str, *, posix: bool) -> str:
    """A scalar as ``set`` and ``declare`` without options write it: bare when it is plain,
    ``$'...'`` when it holds a byte that does not print (not in posix mode), else single-quoted."""
    if not posix and needs_ansi_c(text):
        return ansi_c_quoted(text)
    tilde = text.startswith("~") or any(text[i + 1 : i + 2] == "~" for i, ch in enumerate(text) if ch in "=:")
    if not (set(text) & SET_METAS or tilde or text.startswith("#")):
        return text
    if text == "'":
        return "\\'"
    return single_quoted(text)
