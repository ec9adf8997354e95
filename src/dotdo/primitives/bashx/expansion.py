"""Word expansion in bash's order: braces, tilde, parameters, commands, arithmetic, splitting, globs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from dotdo.primitives.bashx import globbing
from dotdo.primitives.bashx.arithmetic import ArithmeticError_, Evaluator
from dotdo.primitives.bashx.ast import Word
from dotdo.primitives.bashx.pattern import compile_pattern, has_glob
from dotdo.primitives.bashx.state import ShellState
from dotdo.primitives.bashx.words import (
    ArithSub,
    CommandSub,
    Lit,
    Param,
    Part,
    WordSyntaxError,
    brace_expand,
    lex,
    lex_heredoc,
)


class ExpansionError(Exception):
    """An expansion failed; ``fatal`` errors end a non-interactive shell, as in bash."""

    def __init__(self, message: str, *, fatal: bool = True) -> None:
        self.fatal = fatal
        super().__init__(message)


class ExpansionHost(Protocol):
    """What the expander needs from the interpreter."""

    state: ShellState
    fs: object

    def command_substitution(self, source: str) -> str:
        """Run ``source`` in a subshell and return its stdout."""
        ...


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

    @property
    def state(self) -> ShellState:
        return self.host.state

    # public entry points --------------------------------------------------------------
    def words(self, words: list[Word]) -> list[str]:
        """Fully expand command words into argv."""
        out: list[str] = []
        for word in words:
            for text in brace_expand(word.text) if "{" in word.text else [word.text]:
                out.extend(self.fields(self.items(self.lex(text), tilde=True)))
        return out

    def single(self, word: Word | str, *, tilde: bool = True) -> str:
        """Expand without splitting or globbing (assignments, redirect targets, case words)."""
        text = word.text if isinstance(word, Word) else word
        items = self.items(self.lex(text), tilde=tilde, assignment=tilde)
        return self.join_at(items)

    def pattern(self, word: Word | str) -> list[tuple[str, bool]]:
        """Expand to (text, active) pattern pieces: quoted text matches literally."""
        text = word.text if isinstance(word, Word) else word
        return [(s.text, not s.quoted) for s in self.items(self.lex(text), tilde=True) if isinstance(s, Seg)]

    def heredoc(self, body: str) -> str:
        """Expand a here-document body."""
        return self.join_at(self.items(lex_heredoc(body), tilde=False))

    def arithmetic(self, text: str) -> int:
        """Expand ``$`` forms inside ``text`` and evaluate it."""
        expanded = self.join_at(self.items(self.lex_arith(text), tilde=False))
        evaluator = Evaluator(self._arith_get, self._arith_set)
        try:
            return evaluator.evaluate(expanded)
        except ArithmeticError_ as exc:
            raise ExpansionError(str(exc)) from None
        except RecursionError:
            raise ExpansionError(f"{text}: expression recursion level exceeded") from None

    # internals ------------------------------------------------------------------------
    def lex(self, text: str) -> tuple[Part, ...]:
        try:
            return lex(text)
        except WordSyntaxError as exc:
            raise ExpansionError(str(exc)) from None

    def lex_arith(self, text: str) -> tuple[Part, ...]:
        parts = self.lex(text)
        return tuple(Lit(p.text, True) if isinstance(p, Lit) else p for p in parts)

    def _arith_get(self, name: str) -> str:
        value = self.state.get(name)
        if value is None and self.state.options.nounset:
            raise ExpansionError(f"{name}: unbound variable")
        return value or ""

    def _arith_set(self, name: str, value: str) -> None:
        self.assign(name, value)

    def assign(self, name: str, value: str) -> None:
        """Assign a scalar, reporting readonly variables as expansion errors."""
        try:
            self.state.set(name, value)
        except PermissionError as exc:
            raise ExpansionError(str(exc), fatal=False) from None

    def join_at(self, items: list[Item]) -> str:
        return "".join(s.text if isinstance(s, Seg) else " " for s in items)

    def items(self, parts: tuple[Part, ...], *, tilde: bool, assignment: bool = False) -> list[Item]:
        out: list[Item] = []
        for index, part in enumerate(parts):
            if isinstance(part, Lit):
                text = part.text
                if index == 0 and tilde and not part.quoted and text.startswith("~"):
                    text = self.tilde(text, assignment)
                out.append(Seg(text, part.quoted))
            elif isinstance(part, Param):
                out.extend(self.param(part))
            elif isinstance(part, CommandSub):
                value = self.host.command_substitution(part.source).rstrip("\n")
                out.append(Seg(value, part.quoted, split=not part.quoted))
            elif isinstance(part, ArithSub):
                out.append(Seg(str(self.arithmetic(part.expression)), part.quoted, split=not part.quoted))
        return out

    def tilde(self, text: str, assignment: bool) -> str:
        head, sep, rest = text.partition("/")
        if head == "~":
            home = self.state.get("HOME") or "/"
            return home + sep + rest
        return text

    # parameters -------------------------------------------------------------------------
    def lookup(self, name: str, index: str | None = None) -> str | list[str] | None:
        st = self.state
        if name.isdigit():
            n = int(name)
            if n == 0:
                return st.script_name
            return st.positional[n - 1] if n <= len(st.positional) else None
        if name in ("@", "*"):
            return list(st.positional)
        if name == "#":
            return str(len(st.positional))
        if name == "?":
            return str(st.last_status)
        if name == "$":
            return "4242"
        if name == "!":
            return ""
        if name == "-":
            return st.options.flags()
        value = st.variables.get(name)
        if index is not None:
            if index in ("@", "*"):
                if value is None:
                    return []
                return list(value) if isinstance(value, list) else [value]
            try:
                i = self.arithmetic(index)
            except ExpansionError:
                raise
            items = value if isinstance(value, list) else ([value] if value is not None else [])
            if i < 0:
                i += len(items)
            return items[i] if 0 <= i < len(items) else None
        if isinstance(value, list):
            return value[0] if value else None
        return value

    def param(self, p: Param) -> list[Item]:
        name = p.name
        if p.indirect:
            target = self.lookup(name)
            if isinstance(target, list):
                target = " ".join(target)
            if not target:
                raise ExpansionError(f"{name}: invalid indirect expansion", fatal=False)
            name = target
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
        if self.state.options.nounset and name not in ("@", "*"):
            label = f"{name}[{p.index}]" if p.index else name
            raise ExpansionError(f"{label}: unbound variable")

    def emit(self, value: str | list[str] | None, p: Param, *, star: bool = False) -> list[Item]:
        if isinstance(value, list):
            if not p.quoted:
                return [Seg(v, False, split=True) if i == 0 else Seg(" " + v, False, split=True)
                        for i, v in enumerate(value)]  # fmt: skip
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
        op = p.op
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
            text = self.join_at(self.sub_word(p.arg or "", True))
            if op.endswith("="):
                if name.isdigit() or name in "@*#?$!-":
                    raise ExpansionError(f"${name}: cannot assign in this way")
                self.assign(name, text)
                return [Seg(text, p.quoted, split=not p.quoted)]
            message = text or ("parameter null or not set" if op == ":?" else "parameter not set")
            raise ExpansionError(f"{name}: {message}")
        if value is None and not is_list:
            self.check_unset(name, p)
        values = value if isinstance(value, list) else [value or ""]
        if op == ":":
            return self.emit(
                self.substring(values if is_list else scalar or "", p, is_list), p, star=name == "*"
            )
        results = [self.transform(v, p) for v in values]
        return self.emit(results if is_list else results[0], p, star=name == "*")

    def sub_word(self, text: str, quoted: bool) -> list[Item]:
        items = self.items(self.lex(text), tilde=True)
        if quoted:
            return [Seg(s.text, True) if isinstance(s, Seg) else s for s in items]
        return [Seg(s.text, s.quoted, split=not s.quoted) if isinstance(s, Seg) else s for s in items]

    def substring(self, value: str | list[str], p: Param, is_list: bool) -> str | list[str]:
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
                return value
            body = compile_pattern(tuple(pieces)).pattern
            anchor = {"/#": "^(?:" + body + ")", "/%": "(?:" + body + ")$"}.get(op, body)
            regex = re.compile(anchor, re.DOTALL)
            return _greedy_sub(regex, replacement, value, count=0 if op == "//" else 1)
        if op in ("^^", "^", ",,", ","):
            if not value:
                return value
            if op == "^^":
                return value.upper()
            if op == ",,":
                return value.lower()
            return (value[0].upper() if op == "^" else value[0].lower()) + value[1:]
        raise ExpansionError(f"${{{p.name}{op}}}: bad substitution")

    # splitting and globbing -------------------------------------------------------------
    def fields(self, items: list[Item]) -> list[str]:
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
                matches = globbing.glob(self.host.fs, self.state.cwd, pieces)
                if matches:
                    out.extend(matches)
                    continue
            out.append(literal)
        return out


class _AtMark(FieldBreak):
    """Marks that ``"$@"`` appeared, so zero parameters produce zero fields."""


AT_MARK = _AtMark()


def _greedy_sub(regex: re.Pattern[str], replacement: str, value: str, *, count: int) -> str:
    # Shell patterns match the longest string at each position; Python's leftmost-first `.*` agrees.
    return regex.sub(lambda _m: replacement, value, count=count)
