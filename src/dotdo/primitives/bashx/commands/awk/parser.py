"""Parse awk tokens into nested tuples: ``(kind, ...)`` for expressions and statements."""

from __future__ import annotations

from typing import Any

from dotdo.primitives.bashx.commands.awk.lexer import AwkSyntaxError, Token, tokenize

Node = tuple[Any, ...]
CONCAT_START = {
    "NUMBER",
    "STRING",
    "ERE",
    "NAME",
    "FUNC_NAME",
    "BUILTIN",
    "$",
    "!",
    "(",
    "-",
    "+",
    "++",
    "--",
}
COMPARE = {"<", "<=", "==", "!=", ">", ">="}


class Program:
    """A parsed program: BEGIN actions, pattern rules, END actions and functions."""

    def __init__(self) -> None:
        self.begin: list[Node] = []
        self.rules: list[tuple[Node | None, Node | None, Node | None]] = []
        self.end: list[Node] = []
        self.functions: dict[str, tuple[list[str], Node]] = {}


class Parser:
    """Recursive descent over the token list."""

    def __init__(self, source: str) -> None:
        self.tokens = tokenize(source)
        self.pos = 0

    @property
    def tok(self) -> Token:
        """The current token."""
        return self.tokens[self.pos]

    def error(self) -> AwkSyntaxError:
        """A syntax error at the current token."""
        tok = self.tok
        near = tok.value if tok.kind != "NEWLINE" else "end of line"
        return AwkSyntaxError(f"awk: line {tok.line}: syntax error at or near {near or 'end of file'}")

    def accept(self, kind: str) -> Token | None:
        """Consume the current token if it is of ``kind``."""
        if self.tok.kind == kind:
            tok = self.tok
            self.pos += 1
            return tok
        return None

    def expect(self, kind: str) -> Token:
        """Consume a token of ``kind`` or fail."""
        tok = self.accept(kind)
        if tok is None:
            raise self.error()
        return tok

    def newlines(self) -> None:
        """Skip newlines."""
        while self.tok.kind == "NEWLINE":
            self.pos += 1

    def terminators(self) -> None:
        """Skip newlines and semicolons."""
        while self.tok.kind in ("NEWLINE", ";"):
            self.pos += 1

    # program --------------------------------------------------------------------------
    def program(self) -> Program:
        """Parse a whole program."""
        prog = Program()
        self.terminators()
        while self.tok.kind != "EOF":
            if self.accept("BEGIN"):
                self.newlines()
                prog.begin.append(self.block())
            elif self.accept("END"):
                self.newlines()
                prog.end.append(self.block())
            elif self.tok.kind in ("function", "func"):
                self.pos += 1
                name = self.tok.value
                if self.tok.kind not in ("NAME", "FUNC_NAME"):
                    raise self.error()
                self.pos += 1
                self.expect("(")
                params: list[str] = []
                while self.tok.kind != ")":
                    params.append(self.expect("NAME").value)
                    if not self.accept(","):
                        break
                    self.newlines()
                self.expect(")")
                self.newlines()
                prog.functions[name] = (params, self.block())
            else:
                pattern = None if self.tok.kind == "{" else self.expression()
                pattern2 = None
                if self.accept(","):
                    self.newlines()
                    pattern2 = self.expression()
                action = self.block() if self.tok.kind == "{" else None
                prog.rules.append((pattern, pattern2, action))
            self.terminators()
        return prog

    def block(self) -> Node:
        """Parse ``{ statements }``."""
        self.expect("{")
        body: list[Node] = []
        self.terminators()
        while not self.accept("}"):
            if self.tok.kind == "EOF":
                raise self.error()
            body.append(self.statement())
            self.terminators()
        return ("block", body)

    def simple_end(self) -> None:
        """Consume the end of a simple statement."""
        if self.tok.kind in (";", "NEWLINE"):
            self.pos += 1
        elif self.tok.kind not in ("}", "EOF"):
            raise self.error()

    def statement(self) -> Node:
        """Parse one statement."""
        kind = self.tok.kind
        if kind == "{":
            return self.block()
        if kind == "if":
            self.pos += 1
            self.expect("(")
            cond = self.expression()
            self.expect(")")
            self.newlines()
            then = self.statement_or_empty()
            save = self.pos
            self.terminators()
            if self.accept("else"):
                self.newlines()
                return ("if", cond, then, self.statement_or_empty())
            self.pos = save
            return ("if", cond, then, None)
        if kind == "while":
            self.pos += 1
            self.expect("(")
            cond = self.expression()
            self.expect(")")
            if self.accept(";"):
                return ("while", cond, ("block", []))
            self.newlines()
            return ("while", cond, self.statement_or_empty())
        if kind == "do":
            self.pos += 1
            self.newlines()
            body = self.statement_or_empty()
            self.terminators()
            self.expect("while")
            self.expect("(")
            cond = self.expression()
            self.expect(")")
            self.simple_end()
            return ("do", body, cond)
        if kind == "for":
            return self.for_statement()
        if kind == ";":
            self.pos += 1
            return ("block", [])
        stmt = self.simple_statement()
        self.simple_end()
        return stmt

    def statement_or_empty(self) -> Node:
        """Parse a statement or a lone ``;``."""
        if self.accept(";"):
            return ("block", [])
        return self.statement()

    def for_statement(self) -> Node:
        """Parse ``for (;;)`` and ``for (k in a)``."""
        self.pos += 1
        self.expect("(")
        if self.tok.kind == "NAME" and self.tokens[self.pos + 1].kind == "in" and self.tokens[self.pos + 3].kind == ")":
            var = self.expect("NAME").value
            self.expect("in")
            array = self.expect("NAME").value
            self.expect(")")
            self.newlines()
            return ("forin", var, array, self.statement_or_empty())
        init = None if self.tok.kind == ";" else self.simple_statement()
        self.expect(";")
        self.newlines()
        cond = None if self.tok.kind == ";" else self.expression()
        self.expect(";")
        self.newlines()
        step = None if self.tok.kind == ")" else self.simple_statement()
        self.expect(")")
        if self.accept(";"):
            return ("for", init, cond, step, ("block", []))
        self.newlines()
        return ("for", init, cond, step, self.statement_or_empty())

    def simple_statement(self) -> Node:
        """Parse print, printf, next, exit, return, delete or an expression."""
        kind = self.tok.kind
        if kind in ("print", "printf"):
            self.pos += 1
            args: list[Node] = []
            if self.tok.kind not in (";", "NEWLINE", "}", ">", ">>", "|", "EOF"):
                if self.tok.kind == "(":
                    save = self.pos
                    self.pos += 1
                    inner = [self.expression()]
                    while self.accept(","):
                        self.newlines()
                        inner.append(self.expression())
                    if self.accept(")") and self.tok.kind in (";", "NEWLINE", "}", ">", ">>", "|", "EOF"):
                        args = inner
                    else:
                        self.pos = save
                        args = self.expression_list(no_gt=True)
                else:
                    args = self.expression_list(no_gt=True)
            redirect = None
            if self.tok.kind in (">", ">>", "|"):
                op = self.tok.kind
                self.pos += 1
                redirect = (op, self.concatenation(no_gt=True))
            return (kind, args, redirect)
        if kind == "next":
            self.pos += 1
            return ("next",)
        if kind == "nextfile":
            self.pos += 1
            return ("next",)
        if kind == "exit":
            self.pos += 1
            value = None if self.tok.kind in (";", "NEWLINE", "}", "EOF") else self.expression()
            return ("exit", value)
        if kind == "return":
            self.pos += 1
            value = None if self.tok.kind in (";", "NEWLINE", "}", "EOF") else self.expression()
            return ("return", value)
        if kind in ("break", "continue"):
            self.pos += 1
            return (kind,)
        if kind == "delete":
            self.pos += 1
            name = self.expect("NAME").value
            if self.accept("["):
                index = self.expression_list()
                self.expect("]")
                return ("delete", name, index)
            return ("delete", name, None)
        return ("expr", self.expression())

    def expression_list(self, no_gt: bool = False) -> list[Node]:
        """Parse comma-separated expressions."""
        items = [self.expression(no_gt)]
        while self.accept(","):
            self.newlines()
            items.append(self.expression(no_gt))
        return items

    # expressions ----------------------------------------------------------------------
    def expression(self, no_gt: bool = False) -> Node:
        """Parse an expression (``no_gt``: ``>`` redirects print)."""
        return self.ternary(no_gt)

    def is_lvalue(self, node: Node) -> bool:
        """True for variables, fields and array elements."""
        return node[0] in ("var", "field", "index")

    def ternary(self, no_gt: bool) -> Node:
        """Parse ``?:`` and assignments."""
        cond = self.or_expr(no_gt)
        if self.accept("?"):
            self.newlines()
            yes = self.ternary(no_gt)
            self.newlines()
            self.expect(":")
            self.newlines()
            no = self.ternary(no_gt)
            return ("cond", cond, yes, no)
        if self.tok.kind in ("=", "+=", "-=", "*=", "/=", "%=", "^=", "**=") and self.is_lvalue(cond):
            op = self.tok.kind
            self.pos += 1
            self.newlines()
            return ("assign", op, cond, self.ternary(no_gt))
        return cond

    def or_expr(self, no_gt: bool) -> Node:
        """Parse ``||``."""
        left = self.and_expr(no_gt)
        while self.accept("||"):
            self.newlines()
            left = ("or", left, self.and_expr(no_gt))
        return left

    def and_expr(self, no_gt: bool) -> Node:
        """Parse ``&&``."""
        left = self.in_expr(no_gt)
        while self.accept("&&"):
            self.newlines()
            left = ("and", left, self.in_expr(no_gt))
        return left

    def in_expr(self, no_gt: bool) -> Node:
        """Parse ``key in array``."""
        left = self.match_expr(no_gt)
        while self.tok.kind == "in":
            self.pos += 1
            name = self.expect("NAME").value
            keys = left[1] if left[0] == "grouping" else [left]
            left = ("in", keys, name)
        return left

    def match_expr(self, no_gt: bool) -> Node:
        """Parse ``~`` and ``!~``."""
        left = self.comparison(no_gt)
        while self.tok.kind in ("~", "!~"):
            negate = self.tok.kind == "!~"
            self.pos += 1
            left = ("match", negate, left, self.comparison(no_gt))
        return left

    def comparison(self, no_gt: bool) -> Node:
        """Parse comparisons."""
        left = self.concatenation(no_gt)
        kind = self.tok.kind
        if kind in COMPARE and not (no_gt and kind == ">"):
            self.pos += 1
            return ("cmp", kind, left, self.concatenation(no_gt))
        return left

    def concatenation(self, no_gt: bool = False) -> Node:
        """Parse string concatenation."""
        left = self.additive()
        while self.tok.kind in CONCAT_START and self.tok.kind not in ("-", "+", "!"):
            if self.tok.kind == "in":
                break
            left = ("concat", left, self.additive())
        return left

    def additive(self) -> Node:
        """Parse ``+`` and ``-``."""
        left = self.multiplicative()
        while self.tok.kind in ("+", "-"):
            op = self.tok.kind
            self.pos += 1
            left = ("binop", op, left, self.multiplicative())
        return left

    def multiplicative(self) -> Node:
        """Parse ``*``, ``/`` and ``%``."""
        left = self.unary()
        while self.tok.kind in ("*", "/", "%"):
            op = self.tok.kind
            self.pos += 1
            left = ("binop", op, left, self.unary())
        return left

    def unary(self) -> Node:
        """Parse unary ``!``, ``-``, ``+``."""
        if self.tok.kind in ("!", "-", "+"):
            op = self.tok.kind
            self.pos += 1
            return ("unary", op, self.unary())
        return self.power()

    def power(self) -> Node:
        """Parse ``^``."""
        base = self.postfix()
        if self.tok.kind in ("^", "**"):
            self.pos += 1
            return ("binop", "^", base, self.unary_power())
        return base

    def unary_power(self) -> Node:
        """Parse the unary operand of ``^``."""
        if self.tok.kind in ("-", "+", "!"):
            op = self.tok.kind
            self.pos += 1
            return ("unary", op, self.unary_power())
        return self.power()

    def postfix(self) -> Node:
        """Parse ``++``/``--``."""
        if self.tok.kind in ("++", "--"):
            op = self.tok.kind
            self.pos += 1
            target = self.postfix()
            if not self.is_lvalue(target):
                raise self.error()
            return ("preinc", op, target)
        node = self.primary()
        if self.tok.kind in ("++", "--") and self.is_lvalue(node):
            op = self.tok.kind
            self.pos += 1
            return ("postinc", op, node)
        return node

    def primary(self) -> Node:
        """Parse literals, fields, groups, variables, calls and getline."""
        tok = self.tok
        kind = tok.kind
        if kind == "NUMBER":
            self.pos += 1
            text = tok.value
            return ("num", float(int(text, 16)) if text.lower().startswith("0x") else float(text))
        if kind == "STRING":
            self.pos += 1
            return ("str", tok.value)
        if kind == "ERE":
            self.pos += 1
            return ("regex", tok.value)
        if kind == "$":
            self.pos += 1
            if self.tok.kind in ("++", "--"):
                return ("field", self.postfix())
            return ("field", self.primary())
        if kind == "(":
            self.pos += 1
            first = self.expression()
            if self.accept(","):
                items = [first]
                self.newlines()
                items.extend(self.expression_list())
                self.expect(")")
                if self.tok.kind != "in":
                    raise self.error()
                return ("grouping", items)
            self.expect(")")
            return ("group", first)
        if kind == "NAME":
            self.pos += 1
            if self.accept("["):
                index = self.expression_list()
                self.expect("]")
                return ("index", tok.value, index)
            return ("var", tok.value)
        if kind == "FUNC_NAME":
            self.pos += 1
            self.expect("(")
            args = [] if self.tok.kind == ")" else self.expression_list()
            self.expect(")")
            return ("call", tok.value, args)
        if kind == "BUILTIN":
            self.pos += 1
            args: list[Node] = []
            if self.accept("("):
                args = [] if self.tok.kind == ")" else self.expression_list()
                self.expect(")")
            return ("builtin", tok.value, args)
        if kind == "getline":
            self.pos += 1
            target = None
            if self.tok.kind in ("NAME", "$"):
                target = self.primary()
            source = None
            if self.accept("<"):
                source = self.primary()
            return ("getline", target, source)
        raise self.error()


def parse_program(source: str) -> Program:
    """Parse a whole awk program."""
    return Parser(source).program()
