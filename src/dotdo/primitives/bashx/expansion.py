"""Word expansion in bash's order: braces, tilde, parameters, commands, arithmetic, splitting, globs."""

from __future__ import annotations

import dataclasses
import random
import re
import time
from dataclasses import dataclass
from typing import Protocol

from dotdo.primitives.bashx import arrays, declaration, deparse, globbing, setoptions
from dotdo.primitives.bashx.arithmetic import ArithmeticError_, Evaluator
from dotdo.primitives.bashx.ast import Word
from dotdo.primitives.bashx.directories import tilde_directory
from dotdo.primitives.bashx.exfiltration import SecretFlow
from dotdo.primitives.bashx.jobs import JobTable
from dotdo.primitives.bashx.pattern import compile_pattern, has_glob
from dotdo.primitives.bashx.state import ShellState
from dotdo.primitives.bashx.subscripts import with_placeholders
from dotdo.primitives.bashx.words import (
    ArithSub,
    CommandSub,
    Lit,
    Param,
    Part,
    ProcessSub,
    WordSyntaxError,
    brace_expand,
    decode_ansi_c,
    lex,
    lex_arithmetic,
    lex_heredoc,
    skip_dollar,
)


class ExpansionError(Exception):
    """An expansion failed; ``fatal`` errors abandon the top-level command, and those with status
    127 (``set -u``, ``${x?}``) end a non-interactive shell, as in bash."""

    def __init__(self, message: str, *, fatal: bool = True, status: int = 1) -> None:
        self.fatal = fatal
        self.status = status
        super().__init__(message)


class ExpansionHost(Protocol):
    """What the expander needs from the interpreter."""

    state: ShellState
    fs: object
    secrets: SecretFlow
    jobs: JobTable

    def command_substitution(self, source: str) -> str:
        """Run ``source`` in a subshell and return its stdout."""
        ...

    def process_substitution(self, source: str) -> str:
        """Run ``source`` and return the path of a file holding its output."""
        ...

    def set_var(self, name: str, value: str | arrays.IndexedArray | arrays.AssocArray) -> None:
        """Assign a variable with its attributes applied."""
        ...

    def report(self, message: str) -> None:
        """Print a diagnostic that does not stop the expansion (bash's ``bad array subscript``)."""
        ...


SHELL_PID = 4242
"""``$$``: the script's shell is one process as far as scripts can tell; subshells get their own ``$BASHPID``."""
ASSIGNMENT_WORD_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=")
INDIRECT_ELEMENT_RE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\[(.+)\]", re.S)
CASE_OPERATORS = frozenset({"^^", "^", ",,", ",", "~~", "~"})
TRANSFORMS = frozenset("QEPAKaUuLk")
"""The letters of ``${name@X}``."""


def shell_quoted(value: str) -> str:
    """``${x@Q}``: the value quoted for reuse as input, as bash writes it."""
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        escaped = "".join(
            {"\n": "\\n", "\t": "\\t", "\r": "\\r", "'": "\\'", "\\": "\\\\"}.get(c)
            or (f"\\{ord(c):03o}" if ord(c) < 32 or ord(c) == 127 else c)
            for c in value
        )
        return "$'" + escaped + "'"
    return "'" + value.replace("'", "'\\''") + "'"


def transformed(value: str, letter: str) -> str:
    """``${x@letter}`` applied to one value."""
    if letter in "QKk":
        return shell_quoted(value)
    if letter == "E":
        return decode_ansi_c(value)
    if letter == "U":
        return value.upper()
    if letter == "u":
        return value[:1].upper() + value[1:]
    if letter == "L":
        return value.lower()
    return value  # P (prompt escapes) and A (assignment) keep the value


@dataclass
class Seg:
    """A piece of an expanded word: ``quoted`` text is literal; ``split`` text is subject to IFS."""

    text: str
    quoted: bool
    split: bool = False


class FieldBreak:
    """Marks a field boundary produced by ``"$@"``."""


BREAK = FieldBreak()
Item = Seg | FieldBreak


class Expander:
    """Expands words for one interpreter."""

    def __init__(self, host: ExpansionHost) -> None:
        self.host = host
        self.random = random.Random()
        self.started = time.monotonic()

    @property
    def state(self) -> ShellState:
        """The shell state being expanded against."""
        return self.host.state

    # public entry points --------------------------------------------------------------
    def words(self, words: list[Word]) -> list[str]:
        """Fully expand command words into argv."""
        out: list[str] = []
        for word in words:
            try:
                texts = brace_expand(word.text) if "{" in word.text else [word.text]
            except WordSyntaxError as exc:
                raise ExpansionError(str(exc)) from None
            for text in texts:
                # A word that looks like an assignment expands ~ after = and : too (bash, not posix).
                assignment = ASSIGNMENT_WORD_RE.match(text) is not None and not setoptions.is_on(
                    self.state.options, "posix"
                )
                out.extend(self.fields(self.items(self.lex(text), tilde=True, assignment=assignment)))
        return out

    def single(self, word: Word | str, *, tilde: bool = True, value: bool = False) -> str:
        """Expand without splitting or globbing (assignments, redirect targets, case words);
        ``value``: the word is the value of an assignment, whose own ``name=`` is already gone."""
        text = word.text if isinstance(word, Word) else word
        items = self.items(self.lex(text), tilde=tilde, assignment=tilde, named=tilde and not value)
        return self.join_at(items)

    def pattern(self, word: Word | str) -> list[tuple[str, bool]]:
        """Expand to (text, active) pattern pieces: quoted text matches literally."""
        text = word.text if isinstance(word, Word) else word
        return [(s.text, not s.quoted) for s in self.items(self.lex(text), tilde=True) if isinstance(s, Seg)]

    def heredoc(self, body: str) -> str:
        """Expand a here-document body."""
        return self.join_at(self.items(lex_heredoc(body), tilde=False))

    def arithmetic(self, text: str) -> int:
        """Expand ``$`` forms inside ``text`` and evaluate it (array subscripts are read first)."""
        template, refs = with_placeholders(text)
        expanded = self.join_at(self.items(self.lex_arith(template), tilde=False))
        evaluator = Evaluator(
            lambda name: self._arith_get(name, refs), lambda name, value: self._arith_set(name, value, refs)
        )
        try:
            return evaluator.evaluate(expanded)
        except ArithmeticError_ as exc:
            message = str(exc)
            for placeholder, (name, subscript) in reversed(refs.items()):
                message = message.replace(placeholder, f"{name}[{subscript}]")
            raise ExpansionError(message) from None
        except RecursionError:
            raise ExpansionError(f"{text}: expression recursion level exceeded") from None

    def subscript_key(self, container: object, name: str, subscript: str) -> str | int:
        """The key an arithmetic ``name[subscript]`` names: an associative array's expanded
        subscript, or an indexed array's evaluated (and counted from the end when negative) index."""
        if isinstance(container, arrays.AssocArray) or self.state.has(name, "A"):
            return self.single(subscript)
        index = self.arithmetic(subscript)
        if index < 0:
            top = container.next_index() if isinstance(container, arrays.IndexedArray) else 1
            index += top
            if index < 0:
                self.host.report(f"{name}: bad array subscript")
        return index

    # internals ------------------------------------------------------------------------
    def lex(self, text: str) -> tuple[Part, ...]:
        """Lex a word, turning malformed words into expansion errors."""
        try:
            return lex(text)
        except WordSyntaxError as exc:
            raise ExpansionError(str(exc)) from None

    def lex_arith(self, text: str) -> tuple[Part, ...]:
        """Lex arithmetic text (all literal text is quoted: no globbing)."""
        try:
            parts = lex_arithmetic(text)
        except WordSyntaxError as exc:
            raise ExpansionError(str(exc)) from None
        return tuple(Lit(p.text, True) if isinstance(p, Lit) else p for p in parts)

    def _arith_get(self, name: str, refs: dict[str, tuple[str, str]]) -> str:
        if name in refs:
            base, subscript = refs[name]
            base = self.state.resolve(base)
            container = self.state.variables.get(base)
            key = self.subscript_key(container, base, subscript)
            if isinstance(container, arrays.IndexedArray | arrays.AssocArray):
                value = container.get(key)  # type: ignore[arg-type]
            else:
                value = container if key == 0 else None
            if value is None and self.state.options.nounset:
                raise ExpansionError(f"{base}[{subscript}]: unbound variable", status=127)
            return value or ""
        found = self.lookup(name)
        value = found if isinstance(found, str) else None
        if value is None and self.state.options.nounset:
            raise ExpansionError(f"{name}: unbound variable", status=127)
        return value or ""

    def _arith_set(self, name: str, value: str, refs: dict[str, tuple[str, str]]) -> None:
        if name not in refs:
            self.host.set_var(name, value)
            return
        base, subscript = refs[name]
        base = self.state.resolve(base)
        container = self.state.variables.get(base)
        key = self.subscript_key(container, base, subscript)
        if isinstance(key, int) and key < 0:
            raise ExpansionError(f"{base}[{subscript}]: bad array subscript")
        if isinstance(container, arrays.AssocArray) or self.state.has(base, "A"):
            updated: arrays.IndexedArray | arrays.AssocArray = arrays.AssocArray(container or {})  # type: ignore[arg-type]
        elif isinstance(container, arrays.IndexedArray):
            updated = arrays.IndexedArray(container)
        else:
            updated = arrays.IndexedArray({} if container is None else {0: container})
        updated[key] = value  # type: ignore[index]
        self.host.set_var(base, updated)

    def assign(self, name: str, value: str) -> None:
        """Assign a scalar, reporting readonly variables as expansion errors."""
        try:
            self.state.set(name, value)
        except PermissionError as exc:
            raise ExpansionError(str(exc)) from None

    def join_at(self, items: list[Item]) -> str:
        """Join expanded pieces into one string (``"$@"`` joined by spaces)."""
        return "".join(s.text if isinstance(s, Seg) else "" if s is AT_MARK else " " for s in items)

    def items(
        self, parts: tuple[Part, ...], *, tilde: bool, assignment: bool = False, named: bool = True
    ) -> list[Item]:
        """Expand parts into pieces that remember their quoting (``named``: an assignment word
        still starts with its ``name=``, after which ``~`` expands)."""
        out: list[Item] = []
        for index, part in enumerate(parts):
            if isinstance(part, Lit):
                text = part.text
                prefix_ends_here = "/" in text or (assignment and ":" in text) or index + 1 == len(parts)
                if index == 0 and tilde and not part.quoted and text.startswith("~") and prefix_ends_here:
                    text = self.tilde(text, assignment)
                elif index == 0 and assignment and named and not part.quoted:
                    head = ASSIGNMENT_WORD_RE.match(text)
                    if head is not None and text.startswith("~", head.end()):
                        text = head.group() + self.tilde(text[head.end() :], assignment)
                if assignment and not part.quoted and ":~" in text:
                    # In an assignment, `~` after each `:` expands too (PATH=a:~/bin).
                    home = self.state.get("HOME") or "/"
                    text = re.sub(r"(?<=:)~(?=/|:|$)", home.replace("\\", "\\\\"), text)
                out.append(Seg(text, part.quoted))
            elif isinstance(part, Param):
                out.extend(self.param(part))
            elif isinstance(part, CommandSub):
                value = self.host.command_substitution(part.source).rstrip("\n")
                out.append(Seg(value, part.quoted, split=not part.quoted))
            elif isinstance(part, ProcessSub):
                out.append(Seg(self.host.process_substitution(part.source), True))
            elif isinstance(part, ArithSub):
                out.append(Seg(str(self.arithmetic(part.expression)), part.quoted, split=not part.quoted))
        return out

    def tilde(self, text: str, assignment: bool) -> str:
        """Expand a leading ``~`` to $HOME."""
        head, sep, rest = text.partition("/")
        if assignment and ":" in head:
            head, sep, rest = text.partition(":")
        if head == "~":
            home = self.state.get("HOME") or "/"
            return home + sep + rest
        directory = tilde_directory(self.state, head[1:])
        return text if directory is None else directory + sep + rest

    # parameters -------------------------------------------------------------------------
    def lookup(self, name: str, index: str | None = None) -> str | list[str] | None:
        """The value of a parameter: positional, special, scalar, or array element."""
        st = self.state
        if name.isdigit():
            n = int(name)
            if n == 0:
                argv0 = st.variables.get("BASH_ARGV0")
                return argv0 if isinstance(argv0, str) else st.script_name
            return st.positional[n - 1] if n <= len(st.positional) else None
        if name in ("@", "*"):
            return list(st.positional)
        if name == "#":
            return str(len(st.positional))
        if name == "?":
            return str(st.last_status)
        if name == "$":
            return str(SHELL_PID)
        if name == "BASHPID" and name not in st.variables:
            return str(st.bashpid or SHELL_PID)
        if name == "BASH_COMMAND" and name not in st.variables:
            command = getattr(self.host, "current_command", None)
            return "" if command is None else deparse.command_text(command)
        if name == "!":
            pid = self.host.jobs.last_pid
            return None if pid is None else str(pid)
        if name == "RANDOM" and name not in st.variables:
            return str(self.random.randrange(32768))
        if name == "EPOCHSECONDS" and name not in st.variables:
            return str(int(time.time()))
        if name == "EPOCHREALTIME" and name not in st.variables:
            return f"{time.time():.6f}"
        if name == "BASH_ARGV0" and name not in st.variables:
            return st.script_name
        if name == "SECONDS" and name not in st.variables:
            return str(int(time.monotonic() - self.started))
        if name == "LINENO" and name not in st.variables:
            return str(getattr(self.host, "line", 1))
        if name == "-":
            return st.options.flags()
        if name == "SHELLOPTS" and name not in st.variables:
            return ":".join(sorted(n for n in setoptions.OPTION_LETTERS if setoptions.is_on(st.options, n)))
        name, index = self.resolve_reference(name, index)
        value = st.variables.get(name)
        if value is not None:
            self.host.secrets.saw_variable(name)
        if index in ("@", "*"):
            return arrays.values(value)
        if index is not None:
            try:
                return arrays.element(self, value, index)
            except arrays.BadSubscriptError as exc:
                raise ExpansionError(str(exc), fatal=False) from None
        if isinstance(value, arrays.IndexedArray):
            return value.get(0)
        if isinstance(value, arrays.AssocArray):
            return value.get("0")
        return value

    def resolve_reference(self, name: str, index: str | None) -> tuple[str, str | None]:
        """``name`` after namerefs; a reference to ``array[subscript]`` gives that subscript."""
        target = self.state.resolve(name)
        if target != name and "[" in target and target.endswith("]") and index is None:
            base, _, subscript = target.partition("[")
            return base, subscript[:-1]
        return target, index

    def attributes(self, name: str) -> str:
        """``${name@a}``: the flags ``declare`` would show."""
        return declaration.attribute_letters(self.state, self.state.resolve(name))

    def param(self, p: Param) -> list[Item]:
        """Expand one ``$name`` or ``${...}``."""
        name = p.name
        if p.op == "!prefix":
            found = sorted(n for n in self.state.variables if n.startswith(name) and not n.startswith("__bashx"))
            return self.emit(found, p, star=p.arg == "*")
        if p.indirect and p.index in ("@", "*"):
            found = arrays.keys(self.state.variables.get(self.state.resolve(name)))
            return self.emit(found, p, star=p.index == "*")
        if p.indirect and self.state.has(name, "n"):
            # ${!ref} of a nameref is the name it refers to.
            return self.emit(self.state.variables.get(name), p)  # type: ignore[arg-type]
        if p.indirect:
            target = self.lookup(name)
            if isinstance(target, list):
                target = " ".join(target)
            if target is None and name.isdigit() and p.op:
                return self.operator(p, name, None, False)  # an unset positional is an unset name
            if not target:
                raise ExpansionError(f"{name}: invalid indirect expansion", fatal=False)
            name = target
            element = INDIRECT_ELEMENT_RE.fullmatch(target)
            if element is not None and p.index is None:
                # ${!ref} where ref='a[@]' or 'a[1]' expands that array or element.
                name = element.group(1)
                p = dataclasses.replace(p, index=element.group(2))
        value = self.lookup(name, p.index)
        is_list = isinstance(value, list) and (name in ("@", "*") or p.index in ("@", "*"))
        if p.length:
            if is_list:
                return [Seg(str(len(value or [])), p.quoted, split=not p.quoted)]
            if value is None:
                self.check_unset(name, p)
            return [Seg(str(len(value or "")), p.quoted, split=not p.quoted)]
        if not p.op:
            if value is None and not is_list:
                self.check_unset(name, p)
            return self.emit(value, p, star=name == "*" or p.index == "*")
        return self.operator(p, name, value, is_list)

    def check_unset(self, name: str, p: Param) -> None:
        """Fail on an unset variable under ``set -u``."""
        if self.state.options.nounset and name not in ("@", "*"):
            label = f"{name}[{p.index}]" if p.index else name
            raise ExpansionError(f"{label}: unbound variable", status=127)

    def emit(self, value: str | list[str] | None, p: Param, *, star: bool = False) -> list[Item]:
        """Pieces for a value: arrays and ``$@`` become several fields when quoted."""
        if isinstance(value, list):
            if not p.quoted:
                return [
                    Seg(v, False, split=True) if i == 0 else Seg(" " + v, False, split=True)
                    for i, v in enumerate(value)
                ]
            if star:
                ifs = self.state.get("IFS")
                sep = " " if ifs is None else ifs[:1]
                return [Seg(sep.join(value), True)]
            out: list[Item] = [AT_MARK]
            for i, v in enumerate(value):
                if i:
                    out.append(BREAK)
                out.append(Seg(v, True))
            return out
        return [Seg(value or "", p.quoted, split=not p.quoted)]

    def operator(self, p: Param, name: str, value: str | list[str] | None, is_list: bool) -> list[Item]:
        """The ``${name<op>word}`` forms."""
        op = p.op
        if op == "@":
            if p.arg not in TRANSFORMS:
                raise ExpansionError(f"${{{name}@{p.arg}}}: bad substitution")
            if p.arg == "a":
                return [Seg(self.attributes(name), p.quoted, split=not p.quoted)]
            if p.arg in "AKk" and name not in ("@", "*"):
                return self.assignment_transform(p, name, value, is_list)
            if value is None:
                self.check_unset(name, p)
                return [Seg("", p.quoted)]
            values = value if isinstance(value, list) else [value]
            results = [transformed(v, p.arg or "") for v in values]
            return self.emit(results if is_list else results[0], p, star=name == "*" or p.index == "*")
        scalar = " ".join(value) if isinstance(value, list) else value
        if op in (":-", "-", ":=", "=", ":+", "+", ":?", "?"):
            unset = value is None or (is_list and not value)
            empty = unset or scalar == ""
            use_default = empty if op.startswith(":") else unset
            if op.endswith("+"):
                if use_default:
                    return [Seg("", p.quoted)]
                return self.sub_word(p.arg or "", p.quoted)
            if not use_default:
                return self.emit(value, p, star=name == "*")
            if op.endswith("-"):
                return self.sub_word(p.arg or "", p.quoted)
            text = self.join_at(self.sub_word(p.arg or "", p.quoted or op.endswith("?")))
            if op.endswith("="):
                if name.isdigit() or name in "@*#?$!-":
                    raise ExpansionError(f"${name}: cannot assign in this way")
                self.assign(name, text)
                return [Seg(text, p.quoted, split=not p.quoted)]
            message = text or ("parameter null or not set" if op == ":?" else "parameter not set")
            raise ExpansionError(f"{name}: {message}", status=127)
        if value is None and not is_list:
            self.check_unset(name, p)
        values = value if isinstance(value, list) else [value or ""]
        if op == ":":
            if is_list and name not in ("@", "*"):
                container = self.state.variables.get(self.state.resolve(name))
                if isinstance(container, arrays.IndexedArray):
                    return self.emit(self.array_slice(container, p), p, star=p.index == "*")
                if isinstance(container, str):
                    return self.emit(self.substring(container, p, False), p)  # a scalar's [@] is itself
            return self.emit(self.substring(values if is_list else scalar or "", p, is_list), p, star=name == "*")
        results = [self.transform(v, p) for v in values]
        return self.emit(results if is_list else results[0], p, star=name == "*")

    def assignment_transform(self, p: Param, name: str, value: str | list[str] | None, is_list: bool) -> list[Item]:
        """``${x@A}``, ``${a[@]@K}`` and ``${a[@]@k}``: the variable written back as shell input."""
        target, index = self.resolve_reference(name, p.index)
        container = self.state.variables.get(target)
        whole = index in ("@", "*") or (index is None and p.arg == "A")
        if p.arg == "A":
            element = value if isinstance(value, str) else None
            text = declaration.assignment_form(self.state, target, element, whole=index in ("@", "*"))
            return [Seg(text, p.quoted, split=not p.quoted)]
        if whole and isinstance(container, arrays.IndexedArray | arrays.AssocArray):
            if p.arg == "K":
                return [Seg(declaration.key_value_pairs(container), p.quoted, split=not p.quoted)]
            pairs = [part for key, item in arrays.items(container) for part in (key, item)]
            return self.emit(pairs, p, star=p.index == "*")
        if value is None:
            return [Seg("", p.quoted)]
        values = value if isinstance(value, list) else [value]
        results = [shell_quoted(v) for v in values]
        return self.emit(results if is_list else results[0], p, star=p.index == "*")

    def array_slice(self, container: arrays.IndexedArray, p: Param) -> list[str]:
        """``${a[@]:offset:length}``: elements from index ``offset`` on (a negative one counts
        back from one past the highest index)."""
        offset = self.arithmetic(p.arg or "0")
        length = self.arithmetic(p.arg2) if p.arg2 is not None else None
        if length is not None and length < 0:
            raise ExpansionError(f"{p.arg2}: substring expression < 0")
        if offset < 0:
            offset += container.next_index()
            if offset < 0:
                return []
        chosen = [container[i] for i in container.indices() if i >= offset]
        return chosen if length is None else chosen[:length]

    def sub_word(self, text: str, quoted: bool) -> list[Item]:
        """Expand the word inside ``${...}``."""
        if quoted:
            # Inside double quotes the word is read as double-quoted text: '...' stays literal.
            try:
                parts = lex('"' + _without_nested_quotes(text) + '"')
            except WordSyntaxError:
                parts = self.lex(text)
            items = self.items(parts, tilde=False)
            return [Seg(s.text, True) if isinstance(s, Seg) else s for s in items] or [Seg("", True)]
        items = self.items(self.lex(text), tilde=True)
        return [Seg(s.text, s.quoted, split=not s.quoted) if isinstance(s, Seg) else s for s in items]

    def substring(self, value: str | list[str], p: Param, is_list: bool) -> str | list[str]:
        """``${name:offset:length}``."""
        offset = self.arithmetic(p.arg or "0")
        length = self.arithmetic(p.arg2) if p.arg2 is not None else None
        if is_list and isinstance(value, list) and p.name in ("@", "*"):
            value = [self.state.script_name, *value]
        size = len(value)
        start = offset if offset >= 0 else max(size + offset, 0)
        if length is None:
            end = size
        elif length < 0:
            if isinstance(value, list):
                raise ExpansionError(f"{length}: substring expression < 0")
            end = size + length
            if end < start:
                raise ExpansionError(f"{p.arg2}: substring expression < 0")
        else:
            end = start + length
        return value[start:end]

    def transform(self, value: str, p: Param) -> str:
        """Pattern removal, replacement and case changes."""
        op = p.op
        if op in ("#", "##", "%", "%%"):
            regex = compile_pattern(tuple(self.pattern(p.arg or "")))
            candidates = range(len(value) + 1)
            if op in ("#", "##"):
                order = candidates if op == "#" else reversed(candidates)
                for i in order:
                    if regex.fullmatch(value[:i]):
                        return value[i:]
                return value
            order = reversed(candidates) if op == "%" else candidates
            for i in order:
                if regex.fullmatch(value[i:]):
                    return value[:i]
            return value
        if op in ("/", "//", "/#", "/%"):
            pieces = self.pattern(p.arg or "")
            replacement = self.join_at(self.sub_word(p.arg2 or "", True)) if p.arg2 is not None else ""
            if not any(t for t, _ in pieces):
                # An empty pattern matches only where it is anchored: ${x/#/pre}, ${x/%/post}.
                return {"/#": replacement + value, "/%": value + replacement}.get(op, value)
            body = compile_pattern(tuple(pieces)).pattern
            anchor = {"/#": "^(?:" + body + ")", "/%": "(?:" + body + ")$"}.get(op, body)
            regex = re.compile(anchor, re.DOTALL)
            return _replace(regex, replacement, value, every=op == "//")
        if op in CASE_OPERATORS:
            return self.change_case(value, op, p.arg or "")
        raise ExpansionError(f"${{{p.name}{op}}}: bad substitution")

    def change_case(self, value: str, op: str, pattern: str) -> str:
        """``${x^pat}``, ``${x^^pat}``, ``${x,pat}``, ``${x,,pat}``, ``${x~}``, ``${x~~}``: the first
        (or every) character matching ``pat`` (any, when empty) upper-, lower- or swap-cased."""
        regex = compile_pattern(tuple(self.pattern(pattern))) if pattern else None
        convert = {"^": str.upper, ",": str.lower, "~": str.swapcase}[op[0]]
        chars = list(value)
        for i, ch in enumerate(chars if len(op) == 2 else chars[:1]):
            if regex is None or regex.fullmatch(ch):
                chars[i] = convert(ch)
        return "".join(chars)

    # splitting and globbing -------------------------------------------------------------
    def fields(self, items: list[Item]) -> list[str]:
        """Split on IFS, then expand globs against the filesystem."""
        if items and all(isinstance(i, Seg) for i in items) and any(i.split for i in items):  # type: ignore[union-attr]
            separators = self.state.get("IFS")
            separators = " \t\n" if separators is None else separators
            if all(not i.split or (i.text and not any(c in separators for c in i.text)) for i in items):  # type: ignore[union-attr]
                # Nothing to split (a number from $((...)), a word without blanks): one field.
                items = [Seg(i.text, i.quoted) for i in items]  # type: ignore[union-attr]
        if items and all(isinstance(i, Seg) and not i.split for i in items):
            pieces = [(s.text, not s.quoted) for s in items]  # type: ignore[union-attr]
            if self.state.options.noglob or not has_glob(pieces):
                joined = "".join(text for text, _ in pieces)
                if not joined and not any(s.quoted for s in items):  # type: ignore[union-attr]
                    return []  # an unquoted expansion that came to nothing is no word at all
                return [joined]
        ifs = self.state.get("IFS")
        if ifs is None:
            ifs = " \t\n"
        ifs_white = "".join(c for c in ifs if c in " \t\n")
        fields: list[list[tuple[str, bool]]] = []
        current: list[tuple[str, bool]] = []
        has_content = False
        at_seen = False
        for item in items:
            if item is AT_MARK:
                at_seen = True
                continue
            if isinstance(item, FieldBreak):
                fields.append(current)
                current, has_content = [], True
                continue
            if not item.split or not ifs:
                current.append((item.text, not item.quoted))
                if item.quoted or item.text:
                    has_content = True
                continue
            text = item.text
            i = 0
            while i < len(text):
                ch = text[i]
                if ch in ifs:
                    if ch in ifs_white:
                        while i < len(text) and text[i] in ifs_white:
                            i += 1
                        if i < len(text) and text[i] in ifs and text[i] not in ifs_white:
                            i += 1
                            while i < len(text) and text[i] in ifs_white:
                                i += 1
                    else:
                        i += 1
                        while i < len(text) and text[i] in ifs_white:
                            i += 1
                    if has_content:
                        fields.append(current)
                    elif ch not in ifs_white:
                        fields.append([])
                    current, has_content = [], False
                    continue
                j = i
                while j < len(text) and text[j] not in ifs:
                    j += 1
                current.append((text[i:j], True))
                has_content = True
                i = j
        if has_content:
            fields.append(current)
        elif at_seen and not fields:
            return []
        out: list[str] = []
        for pieces in fields:
            literal = "".join(t for t, _ in pieces)
            if not self.state.options.noglob and has_glob(pieces):
                shopts = self.state.shopts
                matches = globbing.glob(
                    self.host.fs,
                    self.state.cwd,
                    pieces,
                    globstar="globstar" in shopts,
                    dotglob="dotglob" in shopts,
                )
                if matches:
                    out.extend(matches)
                    continue
                if "failglob" in self.state.shopts:
                    raise ExpansionError(f"no match: {literal}")
                if "nullglob" in self.state.shopts:
                    continue
            out.append(literal)
        return out


class _AtMark(FieldBreak):
    """Marks that ``"$@"`` appeared, so zero parameters produce zero fields."""


AT_MARK = _AtMark()


def _without_nested_quotes(text: str) -> str:
    """The word of ``"${x-word}"`` with its own double quotes dropped: inside them the text is
    double-quoted as around them, so ``"${x-"'a'"}"`` keeps the single quotes."""
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            out.append(text[i : i + 2])
            i += 2
        elif ch == "$":
            end = max(skip_dollar(text, i), i + 1)
            out.append(text[i:end])
            i = end
        elif ch == '"':
            i += 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _replace(regex: re.Pattern[str], replacement: str, value: str, *, every: bool) -> str:
    """``${x/pattern/replacement}``: the first (or every) match replaced; an empty match counts
    only when the value is empty, as in bash."""
    if not value:
        return replacement if regex.fullmatch("") else value
    out: list[str] = []
    i = 0
    while i < len(value):
        match = regex.match(value, i)
        if match is None or match.end() == i:
            out.append(value[i])
            i += 1
            continue
        out.append(replacement)
        i = match.end()
        if not every:
            out.append(value[i:])
            return "".join(out)
    return "".join(out)
