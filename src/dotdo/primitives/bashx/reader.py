"""Read bash source by bash's own grammar (recursive descent) where tree-sitter-bash gives up.

tree-sitter-bash rejects much that bash accepts: extended globs and brackets in ``case``
patterns, ``case`` inside ``$( )``, two here-documents on one line, expansions it does not know
(``${x!y}``, ``$((1+))``) that bash only checks as they run. This reader follows bash's parser
instead: words are cut where bash cuts them (quotes, ``$( )``, ``${ }``, backquotes and extended
globs kept whole) and their insides are left to the expander, as bash leaves them to its
expansion. It builds the same :mod:`~dotdo.primitives.bashx.ast` tree as the tree-sitter reader.
"""

from __future__ import annotations

import bisect
import re

from dotdo.primitives.bashx import ast, words
from dotdo.primitives.bashx.errors import BashSyntaxError

METACHARACTERS = frozenset(" \t\n;&|<>()")
OPERATORS = (
    ";;&",
    "&>>",
    "<<<",
    "<<-",
    "&&",
    "||",
    ";;",
    ";&",
    "|&",
    "&>",
    ">>",
    ">|",
    "<>",
    "<&",
    ">&",
    "<<",
    ";",
    "&",
    "|",
    "(",
    ")",
    "<",
    ">",
    "\n",
)
VARIABLE_FD_RE = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\}")
"""``{name}`` before a redirection operator: the descriptor's number goes into ``name``."""
REDIRECTIONS = frozenset({"&>>", "<<<", "<<-", "&>", ">>", ">|", "<>", "<&", ">&", "<<", "<", ">"})
RESERVED = frozenset(
    {"if", "then", "elif", "else", "fi", "do", "done", "case", "esac", "while", "until", "for", "in"}
    | {"select", "function", "{", "}", "!", "[[", "]]", "time", "coproc"}
)
CLOSERS = frozenset({"then", "elif", "else", "fi", "do", "done", "esac", "}"})
"""Reserved words that end a list (they never start a command)."""
ASSIGNMENT_RE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(\[.*?\])?(\+?)=", re.S)
ASSIGNMENT_WORD_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\[.*\])?\+?=", re.S)
SUBSCRIPT_START_RE = re.compile(r"(?:[A-Za-z_][A-Za-z0-9_]*)?\[")
EXTGLOB_OPENERS = frozenset("?*+@!")


class _Heredoc:
    """A here-document whose body starts after the line its operator is on."""

    def __init__(self, op: str, fd: int | None, delimiter: str, expand: bool) -> None:
        self.op = op
        self.fd = fd
        self.delimiter = delimiter
        self.expand = expand
        self.holder: list[ast.Redirect] = []
        self.index = 0


class _Reader:
    """One pass over a script's source; :func:`read` is the way in."""

    def __init__(self, source: str, pos: int = 0, line_starts: list[int] | None = None) -> None:
        self.src = source
        self.pos = pos
        self.line_starts = line_starts if line_starts is not None else _line_starts(source)
        self.pending: list[_Heredoc] = []

    # positions and errors ---------------------------------------------------------------
    def where(self, pos: int) -> tuple[int, int]:
        row = bisect.bisect_right(self.line_starts, pos) - 1
        return row + 1, pos - self.line_starts[row] + 1

    def fail(self, message: str, pos: int | None = None) -> BashSyntaxError:
        line, column = self.where(self.pos if pos is None else pos)
        return BashSyntaxError(message, line=line, column=column)

    # tokens -----------------------------------------------------------------------------
    def skip_blanks(self) -> None:
        src = self.src
        while self.pos < len(src):
            c = src[self.pos]
            if c in " \t":
                self.pos += 1
            elif c == "\\" and src.startswith("\\\n", self.pos):
                self.pos += 2
            elif c == "#":
                end = src.find("\n", self.pos)
                self.pos = len(src) if end < 0 else end
            else:
                return

    def peek_operator(self) -> str | None:
        self.skip_blanks()
        for op in OPERATORS:
            if self.src.startswith(op, self.pos):
                return op
        return None

    def take_operator(self, op: str) -> None:
        self.skip_blanks()
        if not self.src.startswith(op, self.pos):
            raise self.fail(f"expected {op!r}")
        self.pos += len(op)
        if op == "\n":
            self.read_heredoc_bodies()

    def command_ends(self) -> bool:
        """Whether no command follows (``time`` and ``!`` may stand alone)."""
        return self.at_end() or self.peek_operator() in (";", "\n", "&", "&&", "||", ")", "|", ";;")

    def at_end(self) -> bool:
        self.skip_blanks()
        return self.pos >= len(self.src)

    def newlines(self) -> None:
        """Skip newlines (and the here-document bodies after them)."""
        while self.peek_operator() == "\n":
            self.take_operator("\n")

    def peek_word(self) -> str | None:
        """The next word's text without taking it (None at an operator or the end)."""
        self.skip_blanks()
        if self.pos >= len(self.src) or self.peek_operator() is not None:
            return None
        return self.src[self.pos : self.scan_word(self.pos)]

    def take_word(self) -> ast.Word:
        self.skip_blanks()
        start = self.pos
        end = self.scan_word(start)
        if end == start:
            raise self.fail("expected a word")
        self.pos = end
        line, column = self.where(start)
        return ast.Word(without_continuations(self.src[start:end]), line, column)

    def take_reserved(self, word: str) -> None:
        if self.peek_word() != word:
            raise self.fail(f"expected {word!r}")
        self.take_word()

    # words ------------------------------------------------------------------------------
    def scan_word(self, i: int) -> int:
        """The end of the word starting at ``i``, cut where bash cuts it."""
        src = self.src
        n = len(src)
        start = i
        i = self.skip_subscript(i)
        while i < n:
            c = src[i]
            if c in "<>" and i == start and src.startswith("(", i + 1):
                i = self.skip_command_list(i + 2)  # process substitution
            elif c == "(" and i > start and src[i - 1] in EXTGLOB_OPENERS:
                i = self.skip_parens(i + 1)
            elif c == "(" and src[i - 1 : i] == "=" and ASSIGNMENT_WORD_RE.fullmatch(src, start, i):
                i = self.skip_parens(i + 1)  # `declare a=(...)`: an array literal inside a word
            elif c in METACHARACTERS:
                break
            elif c == "\\":
                i += 2
            elif c == "'":
                i = self.skip_single(i + 1)
            elif c == '"':
                i = self.skip_double(i + 1)
            elif c == "`":
                i = self.skip_backquote(i + 1)
            elif c == "$":
                i = self.skip_dollar(i)
            else:
                i += 1
        return min(i, n)

    def skip_subscript(self, i: int) -> int:
        """Past ``name[subscript]`` or ``[subscript]`` at the start of an assignment word (the
        subscript may hold blanks, as in ``a[foo bar]=x``); ``i`` itself when that is not there."""
        match = SUBSCRIPT_START_RE.match(self.src, i)
        if match is None:
            return i
        j, depth, n = match.end(), 1, len(self.src)
        while j < n and depth:
            c = self.src[j]
            if c == "\\":
                j += 2
                continue
            if c == "'":
                j = self.skip_single(j + 1)
                continue
            if c == '"':
                j = self.skip_double(j + 1)
                continue
            if c == "$":
                j = self.skip_dollar(j)
                continue
            if c == "`":
                j = self.skip_backquote(j + 1)
                continue
            if c == "\n":
                return i
            depth += {"[": 1, "]": -1}.get(c, 0)
            j += 1
        if depth == 0 and (self.src.startswith("=", j) or self.src.startswith("+=", j)):
            return j
        return i

    def skip_single(self, i: int) -> int:
        end = self.src.find("'", i)
        if end < 0:
            raise self.fail("unexpected end of file while looking for matching `''", i - 1)
        return end + 1

    def skip_double(self, i: int) -> int:
        src = self.src
        while i < len(src):
            c = src[i]
            if c == '"':
                return i + 1
            if c == "\\":
                i += 2
            elif c == "`":
                i = self.skip_backquote(i + 1)
            elif c == "$" and src.startswith(("$(", "${"), i):  # `$'` and `$"` are plain inside quotes
                i = self.skip_dollar(i)
            else:
                i += 1
        raise self.fail("unexpected end of file while looking for matching `\"'")

    def skip_backquote(self, i: int) -> int:
        src = self.src
        while i < len(src):
            if src[i] == "\\":
                i += 2
            elif src[i] == "`":
                return i + 1
            else:
                i += 1
        raise self.fail("unexpected end of file while looking for matching ``'")

    def skip_dollar(self, i: int) -> int:
        src = self.src
        if src.startswith("$((", i):
            return self.skip_parens(i + 3, depth=2)
        if src.startswith("$(", i):
            return self.skip_command_list(i + 2)
        if src.startswith("${", i):
            return self.skip_braces(i + 2)
        if src.startswith("$'", i):
            j = i + 2
            while j < len(src) and src[j] != "'":
                j += 2 if src[j] == "\\" else 1
            if j >= len(src):
                raise self.fail("unexpected end of file while looking for matching `''", i)
            return j + 1
        if src.startswith('$"', i):
            return self.skip_double(i + 2)
        return i + 1

    def skip_braces(self, i: int) -> int:
        src = self.src
        while i < len(src):
            c = src[i]
            if c == "}":
                return i + 1
            if c == "\\":
                i += 2
            elif c == "'":
                i = self.skip_single(i + 1)
            elif c == '"':
                i = self.skip_double(i + 1)
            elif c == "`":
                i = self.skip_backquote(i + 1)
            elif c == "$":
                i = self.skip_dollar(i)
            else:
                i += 1
        raise self.fail("unexpected end of file while looking for matching `}'")

    def skip_parens(self, i: int, depth: int = 1) -> int:
        """The end of text closing ``depth`` open parentheses (arithmetic, extended globs)."""
        src = self.src
        while i < len(src):
            c = src[i]
            if c == "(":
                depth += 1
                i += 1
            elif c == ")":
                depth -= 1
                i += 1
                if depth == 0:
                    return i
            elif c == "\\":
                i += 2
            elif c == "'":
                i = self.skip_single(i + 1)
            elif c == '"':
                i = self.skip_double(i + 1)
            elif c == "`":
                i = self.skip_backquote(i + 1)
            elif c == "$":
                i = self.skip_dollar(i)
            else:
                i += 1
        raise self.fail("unexpected end of file while looking for matching `)'")

    def skip_command_list(self, i: int) -> int:
        """The end of ``$( ... )``: its inside is read as commands, so ``case`` arms do not close it."""
        inner = _Reader(self.src, i, self.line_starts)
        inner.compound_list(frozenset({")"}), empty=True)
        if inner.peek_operator() != ")":
            raise self.fail("unexpected end of file while looking for matching `)'", i)
        return inner.pos + 1

    # here-documents ---------------------------------------------------------------------
    def read_heredoc_bodies(self) -> None:
        pending, self.pending = self.pending, []
        for doc in pending:
            lines: list[str] = []
            while self.pos < len(self.src):
                end = self.src.find("\n", self.pos)
                end = len(self.src) if end < 0 else end
                line = self.src[self.pos : end]
                self.pos = min(end + 1, len(self.src))
                if doc.op == "<<-":
                    line = line.lstrip("\t")
                while doc.expand and _continues(line) and self.pos < len(self.src):
                    # An unquoted here-document joins backslash-newline first, delimiter included.
                    end = self.src.find("\n", self.pos)
                    end = len(self.src) if end < 0 else end
                    line = line[:-1] + self.src[self.pos : end]
                    self.pos = min(end + 1, len(self.src))
                if line == doc.delimiter:
                    break
                lines.append(line + "\n")
            delimiter = doc.holder[doc.index].target  # as written, quotes and all: printing shows it
            redirect = ast.Redirect(
                doc.op,
                doc.fd,
                delimiter,
                heredoc="".join(lines),
                heredoc_expand=doc.expand,
                variable=doc.holder[doc.index].variable,
            )
            doc.holder[doc.index] = redirect

    # grammar ----------------------------------------------------------------------------
    def program(self) -> ast.Sequence:
        body = self.compound_list(frozenset(), empty=True)
        if not self.at_end():
            raise self.fail(f"unexpected {self.src[self.pos : self.pos + 20].splitlines()[0]!r}")
        if self.pending:
            self.read_heredoc_bodies()
        return body

    def compound_list(self, closers: frozenset[str], *, empty: bool = False) -> ast.Sequence:
        """Commands up to a closing reserved word or operator in ``closers`` (not taken); bash
        rejects an empty list except at the top and in a ``case`` arm (``empty``)."""
        body: list[ast.Node] = []
        while True:
            self.newlines()
            if self.at_end():
                break
            op = self.peek_operator()
            if op is not None and (op in closers or op in (")", ";;", ";&", ";;&")):
                break
            word = self.peek_word()
            if word in CLOSERS or (word in closers and word is not None):
                break
            start = self.pos
            node = self.and_or()
            op = self.peek_operator()
            if op == "&":
                self.take_operator("&")
                node = ast.Background(node, self.src[start : self.pos - 1].strip())
            elif op == ";":
                self.take_operator(";")
            elif op == "\n":
                self.take_operator("\n")
            elif not (op in (")", ";;", ";&", ";;&") or self.at_end() or self.peek_word() in CLOSERS):
                raise self.fail(f"unexpected {self.src[self.pos : self.pos + 20].splitlines()[0]!r}")
            body.append(node)
        if not body and not empty:
            found = self.peek_word() or self.peek_operator() or "end of file"
            raise self.fail(f"syntax error near unexpected token `{found.strip() or 'newline'}'")
        return ast.Sequence(body)

    def and_or(self) -> ast.Node:
        node = self.pipeline()
        while (op := self.peek_operator()) in ("&&", "||"):
            self.take_operator(op)
            self.newlines()
            node = ast.AndOr(node, op, self.pipeline())
        return node

    def pipeline(self) -> ast.Node:
        if self.peek_word() == "time":
            self.take_word()
            posix = self.peek_word() == "-p"
            if posix:
                self.take_word()
                if self.peek_word() == "--":
                    self.take_word()
            return ast.Timed(None if self.command_ends() else self.pipeline(), posix)
        negated = False
        while self.peek_word() == "!":
            self.take_word()
            negated = not negated
            if self.command_ends():
                return ast.Not(ast.Sequence([])) if negated else ast.Sequence([])
            if self.peek_word() == "time":
                timed = self.pipeline()
                return ast.Not(timed) if negated else timed
        commands = [self.command()]
        stderr: list[bool] = []
        while (op := self.peek_operator()) in ("|", "|&"):
            self.take_operator(op)
            self.newlines()
            stderr.append(op == "|&")
            commands.append(self.command())
        if len(commands) == 1:
            return ast.Not(commands[0]) if negated else commands[0]
        return ast.Pipeline(commands, negated=negated, stderr_too=stderr)

    def command(self) -> ast.Node:
        op = self.peek_operator()
        if op == "(":
            if self.src.startswith("((", self.pos) and (end := self.arith_end(self.pos + 2)) is not None:
                text = self.src[self.pos + 2 : end - 2]
                self.pos = end
                return self.with_redirects(ast.ArithCommand(text))
            self.take_operator("(")
            body = self.compound_list(frozenset({")"}))
            self.take_operator(")")
            return self.with_redirects(ast.Subshell(body))
        word = self.peek_word()
        compound = {
            "{": self.group,
            "if": self.if_clause,
            "while": self.while_clause,
            "until": self.while_clause,
            "for": self.for_clause,
            "case": self.case_clause,
            "[[": self.conditional,
            "function": self.function_keyword,
        }.get(word or "")
        if compound is not None:
            return compound()
        if word == "coproc":
            return self.coproc()
        if word == "select":
            raise self.fail(f"{word} is not supported by bashx")
        if word in CLOSERS:
            raise self.fail(f"syntax error near unexpected token `{word}'")
        save = self.pos
        if word is not None and _is_function_name(word):
            self.take_word()
            if self.peek_operator() == "(":
                self.take_operator("(")
                if self.peek_operator() == ")":
                    self.take_operator(")")
                    return self.function_body(word)
            self.pos = save
        return self.simple_command()

    def arith_end(self, i: int) -> int | None:
        """Where ``(( ... ))`` ends, or None when the parentheses are a nested subshell."""
        try:
            end = self.skip_parens(i, depth=2)
        except BashSyntaxError:
            return None
        return end if self.src[end - 2 : end] == "))" else None

    def with_redirects(self, node: ast.Node) -> ast.Node:
        redirects: list[ast.Redirect] = []
        while self.redirect_ahead():
            self.redirection(redirects)
        return ast.Redirected(node, redirects) if redirects else node

    def redirect_ahead(self) -> bool:
        op = self.peek_operator()
        if op in REDIRECTIONS:
            return True
        word = self.peek_word()
        return bool(
            word
            and (word.isdigit() or VARIABLE_FD_RE.fullmatch(word))
            and self.src[self.pos + len(word) : self.pos + len(word) + 1] in ("<", ">")
        )

    def redirection(self, into: list[ast.Redirect]) -> None:
        fd: int | None = None
        variable: str | None = None
        word = self.peek_word()
        if word is not None and word.isdigit():
            self.pos += len(word)
            fd = int(word)
        elif word is not None and VARIABLE_FD_RE.fullmatch(word):
            self.pos += len(word)
            variable = word[1:-1]
        op = self.peek_operator()
        if op not in REDIRECTIONS:
            raise self.fail("expected a redirection")
        self.take_operator(op)
        if op in ("<<", "<<-"):
            target = self.take_word().text
            delimiter = re.sub(r"\\(.)|['\"]", lambda m: m.group(1) or "", target)
            doc = _Heredoc(op, fd, delimiter, expand=not any(q in target for q in "'\"\\"))
            doc.holder, doc.index = into, len(into)
            into.append(
                ast.Redirect(op, fd, ast.Word(target), heredoc="", heredoc_expand=doc.expand, variable=variable)
            )
            self.pending.append(doc)
            return
        if op in (">&", "<&") and self.src.startswith("-", self.pos) and self.scan_word(self.pos) == self.pos + 1:
            self.pos += 1
            into.append(ast.Redirect(op + "-", fd, None, variable=variable))
            return
        into.append(ast.Redirect(op, fd, self.take_word(), variable=variable))

    def simple_command(self) -> ast.Node:
        self.skip_blanks()
        line, _ = self.where(self.pos)
        cmd = ast.SimpleCommand(line=line)
        while True:
            if self.redirect_ahead():
                self.redirection(cmd.redirects)
                continue
            word = self.peek_word()
            if word is None:
                break
            match = ASSIGNMENT_RE.match(word) if not cmd.words else None
            if match is not None:
                cmd.assignments.append(self.assignment(match))
                continue
            cmd.words.append(self.take_word())
        if not (cmd.words or cmd.assignments or cmd.redirects):
            op = self.peek_operator()
            raise self.fail(f"syntax error near unexpected token `{op or 'end of file'}'")
        return cmd

    def assignment(self, match: re.Match[str]) -> ast.Assignment:
        name = match.group(1) + (match.group(2) or "")
        append = bool(match.group(3))
        self.skip_blanks()
        head = self.pos + match.end()
        if self.src.startswith("(", head):
            self.pos = head + 1
            items: list[ast.Word] = []
            while True:
                self.newlines()
                if self.peek_operator() == ")":
                    self.take_operator(")")
                    break
                if self.at_end():
                    raise self.fail("unexpected end of file in an array assignment")
                items.append(self.take_word())
            return ast.Assignment(name, None, append, tuple(items))
        word = self.take_word()
        value = word.text[match.end() :]
        return ast.Assignment(name, ast.Word(value, word.line, word.column + match.end()), append)

    # compound commands ------------------------------------------------------------------
    def group(self) -> ast.Node:
        self.take_reserved("{")
        body = self.compound_list(frozenset({"}"}))
        self.take_reserved("}")
        return self.with_redirects(ast.Group(body))

    def if_clause(self) -> ast.Node:
        self.take_reserved("if")
        clauses: list[tuple[ast.Sequence, ast.Sequence]] = []
        else_body: ast.Sequence | None = None
        while True:
            condition = self.compound_list(frozenset({"then"}))
            self.take_reserved("then")
            clauses.append((condition, self.compound_list(frozenset({"elif", "else", "fi"}))))
            word = self.peek_word()
            self.take_word()
            if word == "elif":
                continue
            if word == "else":
                else_body = self.compound_list(frozenset({"fi"}))
                self.take_reserved("fi")
            elif word != "fi":
                raise self.fail("expected `fi'")
            break
        return self.with_redirects(ast.If(clauses, else_body))

    def while_clause(self) -> ast.Node:
        until = self.take_word().text == "until"
        condition = self.compound_list(frozenset({"do"}))
        return self.with_redirects(ast.While(condition, self.do_group(), until))

    def do_group(self) -> ast.Sequence:
        self.newlines()
        if self.peek_word() == "{":
            self.take_word()
            body = self.compound_list(frozenset({"}"}))
            self.take_reserved("}")
            return body
        self.take_reserved("do")
        body = self.compound_list(frozenset({"done"}))
        self.take_reserved("done")
        return body

    def for_clause(self) -> ast.Node:
        self.take_reserved("for")
        self.skip_blanks()
        if self.src.startswith("((", self.pos):
            end = self.skip_parens(self.pos + 2, depth=2)
            parts = arith_for_parts(self.src[self.pos + 2 : end - 2])
            if len(parts) != 3:
                raise self.fail("for (( )) needs init; condition; update")
            self.pos = end
            if self.peek_operator() in (";", "\n"):
                self.take_operator(self.peek_operator() or ";")
            return self.with_redirects(ast.ArithFor(parts[0], parts[1], parts[2], self.do_group()))
        name = self.take_word().text
        self.newlines()
        words: list[ast.Word] | None = None
        if self.peek_word() == "in":
            self.take_word()
            words = []
            while self.peek_word() is not None:
                words.append(self.take_word())
        if self.peek_operator() in (";", "\n"):
            self.take_operator(self.peek_operator() or ";")
        return self.with_redirects(ast.For(name, words, self.do_group()))

    def case_clause(self) -> ast.Node:
        self.take_reserved("case")
        subject = self.take_word()
        self.newlines()
        self.take_reserved("in")
        items: list[ast.CaseItem] = []
        while True:
            self.newlines()
            if self.peek_word() == "esac":
                self.take_word()
                break
            if self.peek_operator() == "(":
                self.take_operator("(")
            patterns = [self.take_word()]
            while self.peek_operator() == "|":
                self.take_operator("|")
                patterns.append(self.take_word())
            self.take_operator(")")
            body = self.compound_list(frozenset({"esac"}), empty=True)
            terminator = self.peek_operator()
            if terminator in (";;", ";&", ";;&"):
                self.take_operator(terminator)
            else:
                terminator = ";;"
            items.append(ast.CaseItem(patterns, body, terminator))
        return self.with_redirects(ast.Case(subject, items))

    def conditional(self) -> ast.Node:
        self.take_reserved("[[")
        tokens: list[ast.Word | str] = []
        after_regex_operator = False
        while True:
            self.skip_blanks()
            if self.src.startswith("\n", self.pos):
                self.take_operator("\n")
                continue
            if self.pos >= len(self.src):
                raise self.fail("unexpected end of file in a conditional expression")
            if after_regex_operator:
                tokens.append(self.regex_word())
                after_regex_operator = False
                continue
            op = self.peek_operator()
            if op in ("&&", "||", "(", ")", "<", ">"):
                self.take_operator(op)
                tokens.append(op)
                continue
            if op is not None:
                raise self.fail(f"unexpected {op!r} in a conditional expression")
            word = self.take_word()
            if word.text == "]]":
                break
            tokens.append("!" if word.text == "!" else word)
            after_regex_operator = word.text == "=~"
        return self.with_redirects(ast.TestExpr(tokens))

    def regex_word(self) -> ast.Word:
        """The right side of ``=~``: parentheses and ``|`` belong to the regular expression."""
        start = i = self.pos
        depth = 0
        while i < len(self.src):
            c = self.src[i]
            if c in " \t\n" and depth == 0:
                break
            if c == "(":
                depth += 1
                i += 1
            elif c == ")":
                if depth == 0:
                    break
                depth -= 1
                i += 1
            elif c == "\\":
                i += 2
            elif c == "'":
                i = self.skip_single(i + 1)
            elif c == '"':
                i = self.skip_double(i + 1)
            elif c == "$":
                i = self.skip_dollar(i)
            else:
                i += 1
        self.pos = i
        line, column = self.where(start)
        return ast.Word(self.src[start:i], line, column)

    def coproc(self) -> ast.Node:
        start = self.pos
        self.take_word()
        name = "COPROC"
        word = self.peek_word()
        if word is not None and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", word) and word not in RESERVED:
            save = self.pos
            self.take_word()
            following = self.peek_word()
            if following in ("{", "if", "while", "until", "for", "case", "[[") or self.peek_operator() == "(":
                name = word  # a name goes only before a compound command, as in bash
            else:
                self.pos = save
        body = self.command()
        return ast.Coproc(name, body, self.src[start : self.pos].strip())

    def function_keyword(self) -> ast.Node:
        self.take_reserved("function")
        name = self.take_word().text
        if self.peek_operator() == "(":
            self.take_operator("(")
            self.take_operator(")")
        return self.function_body(name)

    def function_body(self, name: str) -> ast.Node:
        self.newlines()
        body = self.command()
        return ast.FunctionDef(name, body)


def arith_for_parts(text: str) -> list[str]:
    """The ``;``-separated parts of ``for (( ... ))`` (a ``;`` inside ``$(...)`` or quotes stays)."""
    parts: list[str] = []
    start = i = 0
    while i < len(text):
        ch = text[i]
        if ch == "$":
            i = max(words.skip_dollar(text, i), i + 1)
        elif ch in "'\"":
            i = words.skip_single(text, i) if ch == "'" else words.skip_double(text, i)
        elif ch == "`":
            i = words.skip_backquote(text, i)
        elif ch == ";":
            parts.append(text[start:i])
            start = i = i + 1
        else:
            i += 1
    parts.append(text[start:])
    return parts


def without_continuations(text: str) -> str:
    """``text`` without its line continuations: an unescaped backslash-newline outside single quotes.

    A ``$( )`` inside double quotes has quotes of its own (its ``'a\\<newline>b'`` keeps the
    backslash); a backquoted command drops every backslash-newline, quoted or not.
    """
    if "\\\n" not in text:
        return text
    out: list[str] = []
    i = 0
    in_single = in_double = False
    while i < len(text):
        ch = text[i]
        if not in_single and text.startswith("$(", i) and not text.startswith("$((", i):
            try:
                end = command_list_end(text, i + 2)
            except BashSyntaxError:
                end = -1
            if end > 0:
                out.append("$(" + without_continuations(text[i + 2 : end - 1]) + ")")
                i = end
                continue
        if ch == "`" and not in_single:
            out.append("`")
            i += 1
            while i < len(text) and text[i] != "`":
                if text[i] == "\\":
                    out.append("" if text.startswith("\n", i + 1) else text[i : i + 2])
                    i += 2
                    continue
                out.append(text[i])
                i += 1
            if i < len(text):
                out.append("`")
                i += 1
            continue
        if ch == "'" and not in_double:
            in_single = not in_single
        elif ch == '"' and not in_single:
            in_double = not in_double
        elif ch == "\\" and not in_single:
            if text.startswith("\n", i + 1):
                i += 2
                continue
            out.append(text[i : i + 2])
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _continues(line: str) -> bool:
    """Whether ``line`` ends in a backslash that escapes its newline (an odd run of them)."""
    return (len(line) - len(line.rstrip("\\"))) % 2 == 1


def _is_function_name(word: str) -> bool:
    return word not in RESERVED and not any(c in word for c in "$`'\"\\=") and word[:1] not in "-0123456789"


def _line_starts(source: str) -> list[int]:
    starts = [0]
    starts.extend(m.end() for m in re.finditer("\n", source))
    return starts


def command_list_end(text: str, i: int) -> int:
    """Index just past the ``)`` that closes the commands of a ``$(`` starting at ``text[i]``."""
    return _Reader(text).skip_command_list(i)


def read(source: str) -> ast.Sequence:
    """The syntax tree of ``source`` by bash's grammar; :class:`BashSyntaxError` when bash rejects it."""
    try:
        return _Reader(source).program()
    except RecursionError:
        raise BashSyntaxError("the script is nested too deeply for bashx; flatten it", line=1, column=1) from None
