"""Variable assignment as the interpreter performs it: ``name=value``, ``name+=value``,
``name[i]=value`` and ``name=(words)``, through namerefs and with the variable's attributes."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import re
from collections.abc import Iterator
from typing import Any

from dotdo.primitives.bashx import arrays, ast
from dotdo.primitives.bashx.expansion import ExpansionError
from dotdo.primitives.bashx.state import Value

ASSIGNMENT_WORD = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(\[[^\]]*\])?(\+?)=")
DECLARATION_BUILTINS = frozenset({"local", "export", "declare", "typeset", "readonly"})


def with_keyword_assignments(node: ast.SimpleCommand) -> ast.SimpleCommand:
    """Under ``set -k``: every ``name=value`` word after the command name is an assignment for the
    command's environment, wherever it stands (array literals and declaration builtins aside)."""
    if len(node.words) < 2 or node.words[0].text in DECLARATION_BUILTINS:
        return node
    words: list[ast.Word] = [node.words[0]]
    assignments = list(node.assignments)
    for word in node.words[1:]:
        match = ASSIGNMENT_WORD.match(word.text)
        if match is None or word.text[match.end() :].startswith("("):
            words.append(word)
            continue
        value = ast.Word(word.text[match.end() :], word.line, word.column + match.end())
        assignments.append(ast.Assignment(match.group(1) + (match.group(2) or ""), value, bool(match.group(3))))
    return dataclasses.replace(node, words=words, assignments=assignments)


SPECIAL_BUILTINS = frozenset(
    {":", ".", "source", "break", "continue", "eval", "exec", "exit", "export", "readonly", "return"}
    | {"set", "shift", "times", "trap", "unset"}
)
"""POSIX's special builtins: in posix mode the assignments before one stay in the shell."""


def declared_names(argv: list[str]) -> set[str]:
    """The variable names a declaration builtin's operands name (``x`` of ``x`` or ``x=1``)."""
    options = "".join(arg for arg in argv[1:] if arg.startswith(("-", "+")))
    if argv[0] not in DECLARATION_BUILTINS or "p" in options or "f" in options:
        return set()
    return {arg.partition("=")[0].rstrip("+") for arg in argv[1:] if not arg.startswith(("-", "+"))}


class VariableAssignment:
    """The assignment half of the interpreter (it needs ``state``, ``expander``, ``io`` and ``error``)."""

    state: Any
    expander: Any
    io: Any
    error: Any

    def set_var(self, name: str, value: Value | list[str]) -> None:
        """Assign a variable (through namerefs, with its attributes applied), reporting readonly ones."""
        target = self.state.resolve(name)
        if target == "FUNCNAME":
            return  # bash's own call stack: assignments to it are ignored
        if "[" in target and isinstance(value, str):
            self.assign_text(target, value, append=False)
            return
        try:
            self.state.set(target, self.with_attributes(target, arrays.as_container(value)))
        except PermissionError as exc:
            raise ExpansionError(str(exc)) from None

    def with_attributes(self, name: str, value: Value) -> Value:
        """``value`` as a variable with ``declare -i``, ``-l``, ``-u`` or ``-c`` stores it."""
        letters = self.state.attributes.get(name)
        if not letters or not letters & {"i", "l", "u", "c"}:
            return value

        def convert(text: str) -> str:
            if "i" in letters:
                text = str(self.expander.arithmetic(text)) if text.strip() else "0"
            if "u" in letters:
                return text.upper()
            if "l" in letters:
                return text.lower()
            if "c" in letters:
                return text[:1].upper() + text[1:].lower()
            return text

        if isinstance(value, arrays.IndexedArray):
            return arrays.IndexedArray({i: convert(v) for i, v in value.items()})
        if isinstance(value, arrays.AssocArray):
            return arrays.AssocArray({k: convert(v) for k, v in value.items()})
        return convert(value)

    def assign(self, assignment: ast.Assignment) -> None:
        """Perform one ``name=value``, ``name+=value`` or array assignment."""
        if assignment.array is not None:
            self.assign_array(assignment.name, list(assignment.array), append=assignment.append)
            return
        value = self.expander.single(assignment.value, value=True) if assignment.value is not None else ""
        self.assign_text(assignment.name, value, append=assignment.append)

    def assign_array(self, name: str, words: list[ast.Word], *, append: bool) -> None:
        """``name=(words)`` or ``name+=(words)``."""
        name = self.state.resolve(name)
        if "[" in name:
            raise ExpansionError(f"{name}: cannot assign list to array member", fatal=False)
        old = self.state.variables.get(name)
        warn = functools.partial(self.error, self.io)
        if isinstance(old, arrays.AssocArray) or self.state.has(name, "A"):
            base = old if append and isinstance(old, arrays.AssocArray) else None
            self.set_var(
                name,
                arrays.literal(
                    self.expander, words, assoc=True, base=base, warn=warn, name=name, integer=self.state.has(name, "i")
                ),
            )
            return
        merged = arrays.IndexedArray()
        if append:
            merged = arrays.IndexedArray(old) if isinstance(old, arrays.IndexedArray) else arrays.IndexedArray()
            if isinstance(old, str):
                merged[0] = old
        integer = self.state.has(name, "i")
        values = arrays.literal(self.expander, words, assoc=False, base=merged, warn=warn, name=name, integer=integer)
        self.set_var(name, values)

    def assign_text(self, name: str, value: str, *, append: bool) -> None:
        """``name=value``, ``name+=value`` or ``name[index]=value`` with ``value`` expanded."""
        base, index = name, None
        if "[" in name and name.endswith("]"):
            base, _, rest = name.partition("[")
            index = rest[:-1]
        base, index = self.expander.resolve_reference(base, index)
        old = self.state.variables.get(base)
        if old is None and self.state.has(base, "A"):
            old = arrays.AssocArray()
        elif old is None and self.state.has(base, "a"):
            old = arrays.IndexedArray()
        integer = self.state.has(base, "i")
        if index is None and isinstance(old, arrays.IndexedArray | arrays.AssocArray):
            index = "0"
        if index is not None:
            if integer and append:
                current = arrays.element(self.expander, old, index) or "0"
                value, append = str(self.expander.arithmetic(f"({current})+({value or 0})")), False
            try:
                element = arrays.with_element(self.expander, old, index, value, append=append, name=base)
            except arrays.BadSubscriptError as exc:
                raise ExpansionError(str(exc)) from None
            self.set_var(base, element)
            return
        if append and integer:
            value = str(self.expander.arithmetic(f"({old or 0})+({value or 0})"))
        elif append:
            value = (old if isinstance(old, str) else "") + value
        self.set_var(base, value)

    def temporary_value(self, assignment: ast.Assignment) -> str:
        """The value ``name=value`` or ``name+=value`` gives a command's temporary environment
        (``+=`` adds to an integer variable, appends to any other)."""
        value = self.expander.single(assignment.value, value=True) if assignment.value is not None else ""
        if not assignment.append:
            return value
        old = self.state.get(assignment.name) or ""
        if self.state.has(self.state.resolve(assignment.name), "i"):
            return str(self.expander.arithmetic(f"({old or 0})+({value or 0})"))
        return old + value

    @contextlib.contextmanager
    def builtin_environment(self, argv: list[str], assignments: dict[str, str]) -> Iterator[None]:
        """``x=1 builtin``: ``x`` is set and exported while the builtin runs, then put back as it
        was, except where bash keeps it: a declaration builtin naming it (``x=1 export x``) and,
        in posix mode, a special builtin."""
        state = self.state
        targets = {state.resolve(key): value for key, value in assignments.items()}
        saved = {key: state.saved(key) for key in targets}
        already_local = {key for key in targets if state.is_local(key)}
        for key, value in targets.items():
            self.set_var(key, value)
            state.exported.add(key)
        try:
            yield
        finally:
            posix = "posix" in state.options.others and argv[0] in SPECIAL_BUILTINS
            kept = declared_names(argv)
            for key, old in saved.items():
                if key in kept and key not in already_local and state.is_local(key):
                    # the local takes the temporary value; the caller's variable is as it was
                    if key not in state.variables:
                        state.variables[key] = targets[key]
                        state.exported.add(key)
                    state.locals_stack[-1][key] = old
                elif key in kept or posix:
                    continue
                elif key not in state.readonly:
                    state.restore(key, old)
