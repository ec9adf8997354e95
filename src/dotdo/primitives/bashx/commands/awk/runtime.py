"""Evaluate a parsed awk program over input records."""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from dotdo.primitives.bashx.commands.awk.parser import Node, Program
from dotdo.primitives.bashx.commands.awk.values import (
    UNINIT,
    StrNum,
    Value,
    compare,
    looks_numeric,
    to_num,
    to_str,
    truthy,
)
from dotdo.primitives.bashx.commands.regex import compile_posix


class AwkRuntimeError(Exception):
    """A fatal awk error (status 2)."""


class _Next(Exception):
    pass


class _Exit(Exception):
    def __init__(self, status: int) -> None:
        self.status = status


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class _Return(Exception):
    def __init__(self, value: Value) -> None:
        self.value = value


FORMAT_RE = re.compile(r"%([-+ #0]*)(\*|\d+)?(?:\.(\*|\d*))?([diouxXeEfFgGcs%])")


class Runtime:
    """One run of an awk program."""

    def __init__(
        self,
        program: Program,
        *,
        write_file: Callable[[str, str, bool], None],
        read_file: Callable[[str], str],
        write_out: Callable[[str], None],
    ) -> None:
        self.program = program
        self.write_file = write_file
        self.read_file = read_file
        self.write_out = write_out
        self.vars: dict[str, Any] = {
            "FS": " ",
            "OFS": " ",
            "ORS": "\n",
            "RS": "\n",
            "NR": 0.0,
            "NF": 0.0,
            "FNR": 0.0,
            "SUBSEP": "\x1c",
            "OFMT": "%.6g",
            "CONVFMT": "%.6g",
            "FILENAME": "",
            "RSTART": 0.0,
            "RLENGTH": -1.0,
            "ENVIRON": {},
        }
        self.fields: list[str] = [""]
        self.opened: set[str] = set()
        self.locals: list[dict[str, Any]] = []
        self.range_active: dict[int, bool] = {}
        self.getline_sources: dict[str, list[str]] = {}
        self.records: Iterator[str] = iter(())
        self.exit_status = 0
        self.rng = random.Random(0)

    # records and fields -----------------------------------------------------------------
    def set_record(self, text: str) -> None:
        """Set ``$0`` and split it into fields."""
        self.fields = [text, *self.split(text, to_str(self.vars["FS"]))]
        self.vars["NF"] = float(len(self.fields) - 1)

    def split(self, text: str, fs: str) -> list[str]:
        """Split text on a field separator (``" "``: runs of blanks)."""
        if fs == " ":
            return text.split()
        if text == "":
            return []
        if len(fs) == 1 and fs != "\\":
            return text.split(fs)
        return re.split(compile_posix(fs, extended=True).pattern, text)

    def rebuild(self) -> None:
        """Rebuild ``$0`` from the fields with OFS."""
        ofs = to_str(self.vars["OFS"])
        self.fields[0] = ofs.join(self.fields[1:])

    def get_field(self, index: int) -> Value:
        """The value of ``$index``."""
        if index < 0:
            raise AwkRuntimeError(f"awk: trying to access out of range field {index}")
        return StrNum(self.fields[index]) if index < len(self.fields) else UNINIT

    def set_field(self, index: int, value: str) -> None:
        """Assign ``$index`` (extending NF as needed)."""
        if index == 0:
            self.set_record(value)
            return
        while len(self.fields) <= index:
            self.fields.append("")
        self.fields[index] = value
        self.vars["NF"] = float(len(self.fields) - 1)
        self.rebuild()

    # variables ------------------------------------------------------------------------
    def scope(self, name: str) -> dict[str, Any]:
        """The local frame holding ``name``, or the globals."""
        if self.locals and name in self.locals[-1]:
            return self.locals[-1]
        return self.vars

    def array(self, name: str) -> dict[str, Value]:
        """The array called ``name`` (created on first use)."""
        scope = self.scope(name)
        value = scope.get(name)
        if not isinstance(value, dict):
            if value not in (None, UNINIT):
                raise AwkRuntimeError(f"awk: can't use scalar {name} as array")
            value = {}
            scope[name] = value
        return value

    def key(self, index: list[Node]) -> str:
        """The SUBSEP-joined subscript of an index list."""
        sep = to_str(self.vars["SUBSEP"])
        return sep.join(self.str(self.eval(i)) for i in index)

    def str(self, value: Value) -> str:
        """A value as a string (numbers through CONVFMT)."""
        return to_str(value, to_str(self.vars["CONVFMT"]))

    def assign(self, target: Node, value: Value) -> Value:
        """Assign to a variable, field or element."""
        kind = target[0]
        if kind == "var":
            name = target[1]
            if name == "NF":
                count = int(to_num(value))
                self.fields = self.fields[: count + 1] + [""] * max(0, count + 1 - len(self.fields))
                self.vars["NF"] = float(count)
                self.rebuild()
                return value
            scope = self.scope(name)
            if isinstance(scope.get(name), dict):
                raise AwkRuntimeError(f"awk: can't assign to {name}; it's an array name.")
            scope[name] = value
        elif kind == "field":
            self.set_field(int(to_num(self.eval(target[1]))), self.str(value))
        else:
            self.array(target[1])[self.key(target[2])] = value
        return value

    # statements -----------------------------------------------------------------------
    def run_block(self, node: Node | None) -> None:
        """Run an action if there is one."""
        if node is None:
            return
        self.execute(node)

    def execute(self, node: Node) -> None:
        """Run one statement."""
        kind = node[0]
        if kind == "block":
            for stmt in node[1]:
                self.execute(stmt)
        elif kind == "expr":
            self.eval(node[1])
        elif kind in ("print", "printf"):
            self.print_stmt(node)
        elif kind == "if":
            if truthy(self.eval(node[1])):
                self.execute(node[2])
            elif node[3] is not None:
                self.execute(node[3])
        elif kind == "while":
            while truthy(self.eval(node[1])):
                try:
                    self.execute(node[2])
                except _Break:
                    break
                except _Continue:
                    continue
        elif kind == "do":
            while True:
                try:
                    self.execute(node[1])
                except _Break:
                    break
                except _Continue:
                    pass
                if not truthy(self.eval(node[2])):
                    break
        elif kind == "for":
            if node[1] is not None:
                self.execute(node[1])
            while node[2] is None or truthy(self.eval(node[2])):
                try:
                    self.execute(node[4])
                except _Break:
                    break
                except _Continue:
                    pass
                if node[3] is not None:
                    self.execute(node[3])
        elif kind == "forin":
            for key in list(self.array(node[2]).keys()):
                self.assign(("var", node[1]), StrNum(key))
                try:
                    self.execute(node[3])
                except _Break:
                    break
                except _Continue:
                    continue
        elif kind == "next":
            raise _Next
        elif kind == "exit":
            raise _Exit(int(to_num(self.eval(node[1]))) if node[1] is not None else self.exit_status)
        elif kind == "return":
            raise _Return(self.eval(node[1]) if node[1] is not None else UNINIT)
        elif kind == "break":
            raise _Break
        elif kind == "continue":
            raise _Continue
        elif kind == "delete":
            array = self.array(node[1])
            if node[2] is None:
                array.clear()
            else:
                array.pop(self.key(node[2]), None)
        else:
            raise AwkRuntimeError(f"awk: unsupported statement {kind}")

    def print_stmt(self, node: Node) -> None:
        """``print`` and ``printf``, with redirection."""
        kind, args, redirect = node
        if kind == "print":
            ofmt = to_str(self.vars["OFMT"])
            values = [self.eval(a) for a in args] if args else [StrNum(self.fields[0])]
            text = to_str(self.vars["OFS"]).join(to_str(v, ofmt) for v in values) + to_str(self.vars["ORS"])
        else:
            if not args:
                raise AwkRuntimeError("awk: printf: no format")
            text = self.sprintf([self.eval(a) for a in args])
        if redirect is None:
            self.write_out(text)
            return
        op, target = redirect
        if op == "|":
            raise AwkRuntimeError("awk: output to a command pipe is not supported by bashx")
        name = self.str(self.eval(target))
        append = op == ">>" or name in self.opened
        self.opened.add(name)
        if name in ("/dev/stdout", "-"):
            self.write_out(text)
        elif name == "/dev/stderr":
            self.write_file("/dev/stderr", text, True)
        else:
            self.write_file(name, text, append)

    def sprintf(self, values: list[Value]) -> str:
        """Format values like C's printf."""
        fmt = self.str(values[0])
        args = values[1:]
        index = 0
        out: list[str] = []
        pos = 0

        def take() -> Value:
            nonlocal index
            index += 1
            return args[index - 1] if index - 1 < len(args) else UNINIT

        for m in FORMAT_RE.finditer(fmt):
            out.append(fmt[pos : m.start()])
            pos = m.end()
            flags, width, precision, conv = m.groups()
            if conv == "%":
                out.append("%")
                continue
            if width == "*":
                width = str(int(to_num(take())))
            if precision == "*":
                precision = str(int(to_num(take())))
            spec = "%" + flags + (width or "") + ("." + precision if precision is not None else "")
            value = take()
            if conv in "di":
                number = to_num(value)
                out.append((spec + "d") % (int(number) if math.isfinite(number) else 0))
            elif conv in "ouxX":
                out.append((spec + conv) % int(to_num(value)))
            elif conv in "eEfFgG":
                out.append((spec + conv) % to_num(value))
            elif conv == "c":
                char = chr(int(to_num(value))) if isinstance(value, float) else self.str(value)[:1]
                out.append((spec + "s") % char)
            else:
                out.append((spec + "s") % self.str(value))
        out.append(fmt[pos:])
        return "".join(out)

    # expressions ----------------------------------------------------------------------
    def regex(self, node: Node) -> re.Pattern[str]:
        """Compile a regex literal or dynamic regex."""
        source = node[1] if node[0] == "regex" else self.str(self.eval(node))
        try:
            return compile_posix(source, extended=True)
        except re.error as exc:
            raise AwkRuntimeError(f"awk: invalid regex /{source}/: {exc}") from None

    def eval(self, node: Node) -> Value:
        """Evaluate an expression."""
        kind = node[0]
        if kind == "num":
            return node[1]
        if kind == "str":
            return node[1]
        if kind == "regex":
            return 1.0 if self.regex(node).search(self.fields[0]) else 0.0
        if kind == "var":
            name = node[1]
            value = self.scope(name).get(name, UNINIT)
            if isinstance(value, dict):
                raise AwkRuntimeError(f"awk: can't use array {name} in scalar context")
            return value
        if kind == "field":
            return self.get_field(int(to_num(self.eval(node[1]))))
        if kind == "index":
            array = self.array(node[1])
            key = self.key(node[2])
            if key not in array:
                array[key] = UNINIT
            return array[key]
        if kind == "group":
            return self.eval(node[1])
        if kind == "assign":
            return self.eval_assign(node)
        if kind == "cond":
            return self.eval(node[2]) if truthy(self.eval(node[1])) else self.eval(node[3])
        if kind == "or":
            return 1.0 if truthy(self.eval(node[1])) or truthy(self.eval(node[2])) else 0.0
        if kind == "and":
            return 1.0 if truthy(self.eval(node[1])) and truthy(self.eval(node[2])) else 0.0
        if kind == "in":
            return 1.0 if self.key(node[1]) in self.array(node[2]) else 0.0
        if kind == "match":
            text = self.str(self.eval(node[2]))
            hit = bool(self.regex(node[3]).search(text))
            return 1.0 if hit != node[1] else 0.0
        if kind == "cmp":
            result = compare(self.eval(node[2]), self.eval(node[3]))
            op = node[1]
            ok = {
                "<": result < 0,
                "<=": result <= 0,
                "==": result == 0,
                "!=": result != 0,
                ">": result > 0,
                ">=": result >= 0,
            }[op]
            return 1.0 if ok else 0.0
        if kind == "concat":
            return self.str(self.eval(node[1])) + self.str(self.eval(node[2]))
        if kind == "binop":
            return self.arith(node[1], to_num(self.eval(node[2])), to_num(self.eval(node[3])))
        if kind == "unary":
            value = self.eval(node[2])
            if node[1] == "!":
                return 0.0 if truthy(value) else 1.0
            return -to_num(value) if node[1] == "-" else to_num(value)
        if kind in ("preinc", "postinc"):
            old = to_num(self.eval(node[2]))
            new = old + (1 if node[1] == "++" else -1)
            self.assign(node[2], new)
            return new if kind == "preinc" else old
        if kind == "call":
            return self.call(node[1], node[2])
        if kind == "builtin":
            return self.builtin(node[1], node[2])
        if kind == "getline":
            return self.getline(node[1], node[2])
        if kind == "grouping":
            raise AwkRuntimeError("awk: syntax error: a parenthesized list must be followed by `in`")
        raise AwkRuntimeError(f"awk: unsupported expression {kind}")

    def arith(self, op: str, a: float, b: float) -> float:
        """Apply an arithmetic operator."""
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op == "/":
            if b == 0:
                raise AwkRuntimeError("awk: division by zero")
            return a / b
        if op == "%":
            if b == 0:
                raise AwkRuntimeError("awk: division by zero in %")
            return math.fmod(a, b)
        try:
            return float(a**b)
        except (OverflowError, ZeroDivisionError):
            return math.inf

    def eval_assign(self, node: Node) -> Value:
        """Evaluate an assignment expression."""
        _, op, target, expr = node
        value = self.eval(expr)
        if op != "=":
            current = to_num(self.eval(target))
            value = self.arith("^" if op == "**=" else op[0], current, to_num(value))
        elif isinstance(value, StrNum) and value is not UNINIT:
            value = StrNum(value)
        return self.assign(target, value)

    def call(self, name: str, args: list[Node]) -> Value:
        """Call a user-defined function."""
        if name not in self.program.functions:
            raise AwkRuntimeError(f"awk: calling undefined function {name}")
        params, body = self.program.functions[name]
        frame: dict[str, Any] = {}
        for i, param in enumerate(params):
            if i >= len(args):
                frame[param] = UNINIT
                continue
            arg = args[i]
            if arg[0] == "var" and isinstance(self.scope(arg[1]).get(arg[1]), dict):
                frame[param] = self.scope(arg[1])[arg[1]]
            else:
                frame[param] = self.eval(arg)
        self.locals.append(frame)
        try:
            self.execute(body)
            return UNINIT
        except _Return as r:
            return r.value
        finally:
            self.locals.pop()

    # builtins -------------------------------------------------------------------------
    def builtin(self, name: str, args: list[Node]) -> Value:
        """Call a built-in function."""
        if name == "length":
            if not args:
                return float(len(self.fields[0]))
            if args[0][0] == "var" and isinstance(self.scope(args[0][1]).get(args[0][1]), dict):
                return float(len(self.scope(args[0][1])[args[0][1]]))
            return float(len(self.str(self.eval(args[0]))))
        if name == "substr":
            text = self.str(self.eval(args[0]))
            start = to_num(self.eval(args[1]))
            start_i = round(start) if math.isfinite(start) else 1
            if len(args) > 2:
                length = to_num(self.eval(args[2]))
                end_i = start_i + (round(length) if math.isfinite(length) else len(text))
            else:
                end_i = len(text) + 1
            lo, hi = max(start_i, 1), min(end_i, len(text) + 1)
            return text[lo - 1 : hi - 1] if hi > lo else ""
        if name == "index":
            return float(self.str(self.eval(args[0])).find(self.str(self.eval(args[1]))) + 1)
        if name == "split":
            text = self.str(self.eval(args[0]))
            array = self.array(args[1][1])
            array.clear()
            if len(args) > 2:
                sep = args[2][1] if args[2][0] == "regex" else self.str(self.eval(args[2]))
                parts = (
                    self.split(text, sep)
                    if args[2][0] != "regex"
                    else re.split(self.regex(args[2]), text)
                    if text
                    else []
                )
            else:
                parts = self.split(text, to_str(self.vars["FS"]))
            for i, part in enumerate(parts, 1):
                array[str(i)] = StrNum(part)
            return float(len(parts))
        if name in ("sub", "gsub"):
            regex = self.regex(args[0])
            template = self.str(self.eval(args[1]))
            target = args[2] if len(args) > 2 else ("field", ("num", 0.0))
            text = self.str(self.eval(target))
            count = 0

            def repl(m: re.Match[str]) -> str:
                nonlocal count
                count += 1
                return _awk_replacement(template, m.group(0))

            new = regex.sub(repl, text, count=0 if name == "gsub" else 1)
            if count:
                self.assign(target, new)
            return float(count)
        if name == "match":
            text = self.str(self.eval(args[0]))
            m = self.regex(args[1]).search(text)
            self.vars["RSTART"] = float(m.start() + 1) if m else 0.0
            self.vars["RLENGTH"] = float(len(m.group())) if m else -1.0
            return self.vars["RSTART"]
        if name == "sprintf":
            return self.sprintf([self.eval(a) for a in args]) if args else ""
        if name == "tolower":
            return self.str(self.eval(args[0])).lower()
        if name == "toupper":
            return self.str(self.eval(args[0])).upper()
        if name == "int":
            value = to_num(self.eval(args[0]))
            return float(math.trunc(value)) if math.isfinite(value) else value
        if name in ("sqrt", "exp", "log", "sin", "cos"):
            value = to_num(self.eval(args[0]))
            try:
                return float(getattr(math, name)(value))
            except ValueError:
                return math.nan
        if name == "atan2":
            return math.atan2(to_num(self.eval(args[0])), to_num(self.eval(args[1])))
        if name == "rand":
            return self.rng.random()
        if name == "srand":
            previous = self.vars.get("__seed", 0.0)
            seed = to_num(self.eval(args[0])) if args else 0.0
            self.vars["__seed"] = seed
            self.rng.seed(seed)
            return previous
        if name in ("close", "fflush"):
            if args:
                self.opened.discard(self.str(self.eval(args[0])))
            return 0.0
        if name == "system":
            raise AwkRuntimeError("awk: system() is not supported by bashx")
        raise AwkRuntimeError(f"awk: function {name} never defined")

    def getline(self, target: Node | None, source: Node | None) -> Value:
        """``getline [var] [< file]``."""
        if source is not None:
            name = self.str(self.eval(source))
            if name not in self.getline_sources:
                try:
                    text = self.read_file(name)
                except OSError:
                    return -1.0
                lines = text.split("\n")
                if lines and lines[-1] == "":
                    lines.pop()
                self.getline_sources[name] = lines
            lines = self.getline_sources[name]
            if not lines:
                return 0.0
            line = lines.pop(0)
            if target is None:
                self.set_record(line)
            else:
                self.assign(target, StrNum(line))
            return 1.0
        line = next(self.records, None)
        if line is None:
            return 0.0
        self.vars["NR"] = to_num(self.vars["NR"]) + 1
        self.vars["FNR"] = to_num(self.vars["FNR"]) + 1
        if target is None:
            self.set_record(line)
        else:
            self.assign(target, StrNum(line))
        return 1.0

    # driving --------------------------------------------------------------------------
    def run(self, inputs: Iterable[tuple[str, Iterator[str]]]) -> int:
        """Run BEGIN, the rules over every record, then END.

        Each input is its text in pieces; records are split off as the pieces arrive, so a
        stream of any length runs in the memory of one record (a multi-character or paragraph
        ``RS`` needs the whole input).
        """
        try:
            for action in self.program.begin:
                self.run_block(action)
            if self.program.rules or self.program.end:
                for filename, pieces in inputs:
                    self.vars["FILENAME"] = filename if filename != "-" else ""
                    self.vars["FNR"] = 0.0
                    self.records = _stream_records(pieces, to_str(self.vars["RS"]))
                    while (line := next(self.records, None)) is not None:
                        self.vars["NR"] = to_num(self.vars["NR"]) + 1
                        self.vars["FNR"] = to_num(self.vars["FNR"]) + 1
                        self.set_record(line)
                        try:
                            self.rules()
                        except _Next:
                            continue
        except _Exit as e:
            self.exit_status = e.status
        try:
            for action in self.program.end:
                self.run_block(action)
        except _Exit as e:
            self.exit_status = e.status
        return self.exit_status

    def rules(self) -> None:
        """Apply the pattern-action rules to the current record."""
        for position, (pattern, pattern2, action) in enumerate(self.program.rules):
            if pattern is not None and pattern2 is not None:
                active = self.range_active.get(position, False)
                if not active:
                    if not truthy(self.eval(pattern)):
                        continue
                    self.range_active[position] = not truthy(self.eval(pattern2))
                elif truthy(self.eval(pattern2)):
                    self.range_active[position] = False
            elif pattern is not None and not truthy(self.eval(pattern)):
                continue
            if action is None:
                self.write_out(self.fields[0] + to_str(self.vars["ORS"]))
            else:
                self.execute(action)


def _awk_replacement(template: str, matched: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(template):
        ch = template[i]
        if ch == "\\" and i + 1 < len(template) and template[i + 1] in "&\\":
            out.append(template[i + 1])
            i += 2
        elif ch == "&":
            out.append(matched)
            i += 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _stream_records(pieces: Iterator[str], rs: str) -> Iterator[str]:
    """The records of a text arriving in pieces, each yielded once its separator is seen."""
    if len(rs) != 1:
        yield from _records("".join(pieces), rs)
        return
    pending = ""
    for piece in pieces:
        parts = (pending + piece).split(rs)
        pending = parts.pop()
        yield from parts
    if pending:
        yield pending


def _records(text: str, rs: str) -> list[str]:
    if rs == "":
        return [r.strip("\n") for r in re.split(r"\n\n+", text.strip("\n"))] if text.strip("\n") else []
    sep = rs[0] if len(rs) == 1 else None
    parts = text.split(sep) if sep else re.split(rs, text)
    if parts and parts[-1] == "":
        parts.pop()
    return parts


__all__ = ["AwkRuntimeError", "Runtime", "looks_numeric"]
