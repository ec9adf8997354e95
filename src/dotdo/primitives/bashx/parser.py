"""Parse bash source into the :mod:`~dotdo.primitives.bashx.ast` tree.

bash's own grammar (:mod:`~dotdo.primitives.bashx.reader`) reads a script first; what it refuses
goes to tree-sitter-bash, which either reads it or raises the syntax error with its line, column
and a pointer at the place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from dotdo.primitives.bashx import ast
from dotdo.primitives.bashx.errors import BashSyntaxError
from dotdo.primitives.bashx.reader import read

MAX_SCRIPT_BYTES = 1_000_000

WORD_TYPES = frozenset(
    {
        "word",
        "string",
        "raw_string",
        "concatenation",
        "simple_expansion",
        "expansion",
        "command_substitution",
        "arithmetic_expansion",
        "number",
        "ansi_c_string",
        "translated_string",
        "process_substitution",
        "extglob_pattern",
        "regex",
        "brace_expression",
        "variable_name",
        "special_variable_name",
        "test_operator",
    }
)
REDIRECT_TYPES = frozenset({"file_redirect", "heredoc_redirect", "herestring_redirect"})
SKIPPED = frozenset({"comment", ";", ";;", "&", "\n", "heredoc_body", "heredoc_end"})


@lru_cache(maxsize=1)
def _parser() -> Any:
    import tree_sitter_bash  # the package checked the 'bash' extra on import
    from tree_sitter import Language, Parser

    return Parser(Language(tree_sitter_bash.language()))


@lru_cache(maxsize=512)
def parse(source: str) -> ast.Sequence:
    """Parse ``source`` into a :class:`~dotdo.primitives.bashx.ast.Sequence` (bash's grammar first).

    Raises :class:`BashSyntaxError` (with 1-based line and column) when the script does not parse.
    """
    if not isinstance(source, str):
        raise TypeError(f"a bash script is a str, not {type(source).__name__}")
    data = source.encode("utf-8", "surrogateescape")
    if len(data) > MAX_SCRIPT_BYTES:
        raise BashSyntaxError(
            f"script is {len(data)} bytes; the limit is {MAX_SCRIPT_BYTES}: split it up", line=1, column=1
        )
    try:
        return read(source)
    except BashSyntaxError:
        pass
    tree = _parser().parse(data)
    converter = _Converter(data)
    if tree.root_node.has_error:
        converter.raise_first_error(tree.root_node)
    try:
        return converter.sequence(tree.root_node.children)
    except RecursionError:
        raise BashSyntaxError("the script is nested too deeply for bashx; flatten it", line=1, column=1) from None


MAX_PREFIX_TRIES = 200
MAX_COMMAND_LINES = 60
"""Line ends tried when looking for where one command ends."""
"""Unparsable lines a script may skip over before bashx gives up on it."""


@dataclass(frozen=True)
class Segment:
    """A stretch of a script: commands that parse, then possibly a command that does not.

    ``source`` keeps its lines where they were in the script (earlier lines blank), so line
    numbers stay right. ``error`` follows the commands: when ``fatal`` it is bash's syntax error
    and ends the script; otherwise it is one line tree-sitter cannot parse, which fails alone (status
    2, like a command bash rejects as it runs) and the script goes on.
    """

    source: str
    error: BashSyntaxError | None = None
    fatal: bool = False


STRUCTURAL_WORDS = frozenset(
    {"if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac", "select"}
    | {"function", "{", "}", ";;", "in"}
)
"""Reserved words that make an unparsable line a real syntax error (a construct out of place)."""


def script_segments(source: str) -> list[Segment]:
    """Cut ``source`` into the segments bashx runs in order (one segment when it all parses).

    bash reads a script one command at a time: the commands in front of a syntax error run, then
    the error ends the script with status 2. tree-sitter-bash also rejects some commands bash
    accepts (and then fails as they run): a single such line, with no construct left open and no
    here-document, fails on its own and the script goes on. Raises :class:`BashSyntaxError` when
    not even the first command parses.
    """
    try:
        parse(source)
        return [Segment(source)]
    except BashSyntaxError as exc:
        whole_error = exc
    if len(source) > MAX_SCRIPT_BYTES // 4 and len(source.encode("utf-8", "surrogateescape")) > MAX_SCRIPT_BYTES:
        raise whole_error
    lines = source.split("\n")
    segments: list[Segment] = []
    begin = start = 0
    tries = 0
    while start < len(lines):
        bad = _first_bad_row(lines, start)
        if bad is None:
            break
        if bad > 0:
            start += bad  # the commands in front of the bad one parse
            continue
        tries += 1
        error = _error_from(lines, start) or whole_error
        line = lines[start]
        words = [w for w in re.split(r"[\s;&|()]+", line) if w]
        skippable = (
            tries <= MAX_PREFIX_TRIES
            and words
            and not STRUCTURAL_WORDS.intersection(words)
            and not line.lstrip().startswith(")")
            and "<<" not in line
            and not line.rstrip().endswith("\\")
            and line.count("(") == line.count(")")
            and line.count("{") == line.count("}")
            and line.count("'") % 2 == 0
            and line.count('"') % 2 == 0
        )
        if skippable:
            error = _error_from([line], 0) or error
            error = BashSyntaxError(error.reason, line=start + 1, column=error.column, source_line=line)
        if start == 0 and not skippable:
            raise error
        segments.append(Segment(_lines_at(lines, begin, start), error, fatal=not skippable))
        if not skippable:
            return segments
        begin = start = start + 1
    segments.append(Segment(_lines_at(lines, begin, len(lines))))
    return segments


def _first_bad_row(lines: list[str], start: int) -> int | None:
    """Lines from ``start`` before the first command tree-sitter cannot parse (None: all parse)."""
    rest = "\n".join(lines[start:]) + "\n"
    try:
        read(rest)
        return None
    except BashSyntaxError as exc:
        # bash's grammar says where the first bad command is, when the commands before it read.
        row = exc.line - 1
        if row > 0 and _reads("\n".join(lines[start : start + row]) + "\n"):
            return row
    root = _parser().parse(rest.encode("utf-8", "surrogateescape")).root_node
    if root.has_error:
        row = next((c.start_point[0] for c in root.children if c.has_error or c.is_error or c.is_missing), 0)
    else:
        try:
            parse(rest)
            return None
        except BashSyntaxError as exc:  # tree-sitter accepts it, bash does not (`fi` as a command)
            row = exc.line - 1
    if row and _parses("\n".join(lines[start : start + row]) + "\n"):
        return row
    # tree-sitter's error may start well before the bad command: find the first command alone.
    tried = 0
    for end in range(start + 1, len(lines) + 1):
        if end < len(lines) and lines[end][:1].isspace():
            continue  # an indented line goes on the command above it
        tried += 1
        if tried > MAX_COMMAND_LINES:
            break
        if _parses("\n".join(lines[start:end]) + "\n"):
            return end - start
    return 0


def _lines_at(lines: list[str], begin: int, end: int) -> str:
    """Lines ``begin``..``end`` of a script, preceded by blank lines so they keep their numbers."""
    return "\n" * begin + "\n".join(lines[begin:end]) + "\n"


def _reads(text: str) -> bool:
    """True when bash's grammar reads ``text``."""
    try:
        read(text)
    except BashSyntaxError:
        return False
    return True


def _parses(text: str) -> bool:
    """True when ``text`` parses (tree-sitter's quick check first)."""
    if _parser().parse(text.encode("utf-8", "surrogateescape")).root_node.has_error:
        return False
    try:
        parse(text)
    except BashSyntaxError:
        return False
    return True


def _error_from(lines: list[str], start: int) -> BashSyntaxError | None:
    """The syntax error of the script's rest from line ``start`` on, in whole-script line numbers."""
    try:
        parse("\n".join(lines[start:]) + "\n")
    except BashSyntaxError as exc:
        return BashSyntaxError(exc.reason, line=exc.line + start, column=exc.column, source_line=exc.source_line)
    return None


MISPLACED_WORDS = frozenset({"fi", "done", "esac", "then", "else", "elif", "do"})
"""Reserved words bash never takes as a command name: one in that place is a syntax error."""

PAIRS = {"if": "fi", "case": "esac", "do": "done", "{": "}", "(": ")"}


def _unclosed(text: str) -> tuple[str, str] | None:
    """The first compound opener in ``text`` that has no closer (quotes and comments skipped)."""
    stripped = re.sub(r"'[^']*'|\"(?:\\.|[^\"\\])*\"|#[^\n]*", " ", text)
    tokens = re.findall(r"(?<![\w$])(?:if|fi|case|esac|do|done)(?!\w)|[{}()]", stripped)
    stack: list[str] = []
    closers = {v: k for k, v in PAIRS.items()}
    for token in tokens:
        if token in PAIRS:
            stack.append(token)
        elif token in closers and stack and stack[-1] == closers[token]:
            stack.pop()
    return (stack[-1], PAIRS[stack[-1]]) if stack else None


class _Converter:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.lines = data.split(b"\n")
        self.stray_words: list[ast.Word] = []

    # errors -----------------------------------------------------------------------------
    def raise_first_error(self, root: Any) -> None:
        stack = [root]
        while stack:
            node = stack.pop(0)
            if node.is_error or node.is_missing:
                self.raise_at(node)
            if node.has_error:
                stack = list(node.children) + stack
        raise BashSyntaxError("the script does not parse", line=1, column=1)

    def raise_at(self, node: Any) -> None:
        row, col = node.start_point
        line = self.lines[row].decode("utf-8", "replace") if row < len(self.lines) else ""
        if node.is_missing:
            raise BashSyntaxError(f"missing {node.type!r}", line=row + 1, column=col + 1, source_line=line)
        at_end = not self.data[node.end_byte :].strip()
        unclosed = _unclosed(self.text(node)) if at_end else None
        if unclosed is not None:
            opener, closer = unclosed
            end_row = len(self.lines) - 1
            while end_row > 0 and not self.lines[end_row].strip():
                end_row -= 1
            end_line = self.lines[end_row].decode("utf-8", "replace")
            raise BashSyntaxError(
                f"unexpected end of input: {opener!r} is never closed (missing {closer!r})",
                line=end_row + 1,
                column=len(end_line) + 1,
                source_line=end_line,
            )
        near = self.text(node).split("\n")[0][:40]
        message = f"unexpected {near!r}" if near else "unexpected end of input"
        raise BashSyntaxError(message, line=row + 1, column=col + 1, source_line=line)

    def text(self, node: Any) -> str:
        return node.text.decode("utf-8", "surrogateescape")

    def word(self, node: Any) -> ast.Word:
        row, col = node.start_point
        return ast.Word(self.text(node), row + 1, col + 1)

    def span(self, nodes: list[Any]) -> ast.Word:
        start, end = nodes[0].start_byte, nodes[-1].end_byte
        row, col = nodes[0].start_point
        return ast.Word(self.data[start:end].decode("utf-8", "surrogateescape"), row + 1, col + 1)

    # statements -------------------------------------------------------------------------
    def sequence(self, children: list[Any]) -> ast.Sequence:
        body: list[ast.Node | None] = []
        previous: Any = None
        for child in children:
            if child.type == "&" and body and body[-1] is not None and previous is not None:
                body[-1] = ast.Background(body[-1], self.text(previous))
            elif child.is_named and child.type not in SKIPPED:
                body.append(self.optional_statement(child))
                previous = child
        return ast.Sequence([s for s in body if s is not None])

    def statement(self, node: Any) -> ast.Node:
        result = self.optional_statement(node)
        if result is None:
            row, col = node.start_point
            raise BashSyntaxError(f"empty {node.type.replace('_', ' ')}", line=row + 1, column=col + 1)
        return result

    def optional_statement(self, node: Any) -> ast.Node | None:
        kind = node.type
        handler = getattr(self, "on_" + kind, None)
        if handler is None:
            row, col = node.start_point
            raise BashSyntaxError(f"{kind.replace('_', ' ')} is not supported by bashx", line=row + 1, column=col + 1)
        return handler(node)

    def on_command(self, node: Any) -> ast.Node:
        name = node.child_by_field_name("name")
        if name is not None and self.text(name) in MISPLACED_WORDS:
            row, col = name.start_point
            line = self.lines[row].decode("utf-8", "replace") if row < len(self.lines) else ""
            raise BashSyntaxError(
                f"unexpected token {self.text(name)!r}", line=row + 1, column=col + 1, source_line=line
            )
        cmd = ast.SimpleCommand(line=node.start_point[0] + 1)
        tail: list[tuple[str, Any]] = []
        previous: Any = None
        for child in node.children:
            if child.type == "variable_assignment" and not cmd.words:
                cmd.assignments.append(self.assignment(child))
            elif child.type == "command_name":
                cmd.words.append(self.word(child))
            elif child.type in REDIRECT_TYPES:
                cmd.redirects.append(self.redirect(child, tail))
                cmd.words.extend(self.stray_words)
                self.stray_words.clear()
            elif (child.is_named and child.type not in SKIPPED) or child.type == "$":
                word = self.word(child)
                if cmd.words and previous is not None and previous.end_byte == child.start_byte:
                    # tree-sitter splits some words (`/$x/$y/`, `-{$a,b}-`, `$"..."`): bash
                    # reads one word wherever no blank separates the pieces.
                    last = cmd.words[-1]
                    word = ast.Word(last.text + word.text, last.line, last.column)
                    cmd.words[-1] = word
                else:
                    cmd.words.append(word)
            previous = child
        return self.continue_after_heredoc(cmd, tail)

    def on_variable_assignment(self, node: Any) -> ast.Node:
        return ast.SimpleCommand(assignments=[self.assignment(node)], line=node.start_point[0] + 1)

    def on_variable_assignments(self, node: Any) -> ast.Node:
        return ast.SimpleCommand(
            assignments=[self.assignment(c) for c in node.named_children], line=node.start_point[0] + 1
        )

    def assignment(self, node: Any) -> ast.Assignment:
        name_node = node.child_by_field_name("name")
        value = node.child_by_field_name("value")
        append = any(c.type == "+=" for c in node.children)
        name = self.text(name_node)
        if value is None:
            return ast.Assignment(name, None, append)
        if value.type == "array":
            items = tuple(self.word(c) for c in value.named_children if c.type != "comment")
            return ast.Assignment(name, None, append, items)
        after_eq = [c for c in node.children if c.start_byte >= value.start_byte]
        return ast.Assignment(name, self.span(after_eq), append)

    def on_declaration_command(self, node: Any) -> ast.Node:
        # tree-sitter-bash splits `unset m[k]` into `m` and `[k]`: rejoin pieces that touch.
        groups: list[list[Any]] = []
        for child in node.children:
            if child.type in SKIPPED:
                continue
            if groups and groups[-1][-1].end_byte == child.start_byte:
                groups[-1].append(child)
            else:
                groups.append([child])
        words = [self.span(group) for group in groups]
        return ast.SimpleCommand(words=words, line=node.start_point[0] + 1)

    on_unset_command = on_declaration_command

    def on_redirected_statement(self, node: Any) -> ast.Node | None:
        body = node.child_by_field_name("body")
        tail: list[tuple[str, Any]] = []
        self.stray_words.clear()
        redirects = [self.redirect(c, tail) for c in node.children if c.type in REDIRECT_TYPES]
        stray = list(self.stray_words)
        self.stray_words.clear()
        if body is None:
            if stray:
                raise BashSyntaxError(f"unexpected word {stray[0].text!r}", line=stray[0].line, column=stray[0].column)
            result: ast.Node = ast.SimpleCommand(redirects=redirects, line=node.start_point[0] + 1)
        else:
            result = self.attach_rightmost(self.statement(body), redirects, stray)
        return self.continue_after_heredoc(result, tail)

    def attach_rightmost(self, node: ast.Node, redirects: list[ast.Redirect], stray: list[ast.Word]) -> ast.Node:
        """Give trailing redirects to the last simple command, as bash does.

        tree-sitter-bash hangs `a && b > f` and `a | b > f` on the whole list or pipeline.
        """
        if isinstance(node, ast.SimpleCommand):
            node.redirects.extend(redirects)
            node.words.extend(stray)
            return node
        if isinstance(node, ast.AndOr):
            node.right = self.attach_rightmost(node.right, redirects, stray)
            return node
        if isinstance(node, ast.Pipeline) and not node.negated:
            node.commands[-1] = self.attach_rightmost(node.commands[-1], redirects, stray)
            return node
        if isinstance(node, ast.Not):
            node.body = self.attach_rightmost(node.body, redirects, stray)
            return node
        if stray:
            raise BashSyntaxError(
                f"unexpected word {stray[0].text!r} after a redirection",
                line=stray[0].line,
                column=stray[0].column,
            )
        return ast.Redirected(node, redirects)

    def continue_after_heredoc(self, first: ast.Node, tail: list[tuple[str, Any]]) -> ast.Node:
        # tree-sitter nests whatever follows `<<EOF` on its line inside the heredoc node.
        result = first
        for op, node in tail:
            nxt = self.statement(node)
            if op in ("|", "|&"):
                rest = nxt.commands if isinstance(nxt, ast.Pipeline) and not nxt.negated else [nxt]
                stderr = nxt.stderr_too if isinstance(nxt, ast.Pipeline) and not nxt.negated else []
                if isinstance(result, ast.Pipeline):
                    result.commands.extend(rest)
                    result.stderr_too.extend([op == "|&", *stderr])
                else:
                    result = ast.Pipeline([result, *rest], stderr_too=[op == "|&", *stderr])
            elif op in ("&&", "||"):
                result = ast.AndOr(result, op, nxt)
            else:
                result = ast.Sequence([result, nxt])
        return result

    def redirect(self, node: Any, tail: list[tuple[str, Any]]) -> ast.Redirect:
        fd: int | None = None
        op = ""
        dest: list[Any] = []
        if node.type == "heredoc_redirect":
            return self.heredoc(node, tail)
        for child in node.children:
            if child.type == "file_descriptor":
                fd = int(self.text(child))
            elif not child.is_named and not dest and child.type not in ('"',):
                op += child.type
            elif child.is_named:
                dest.append(child)
        # tree-sitter-bash attaches the words after `> file` to the redirect; they are arguments.
        self.stray_words.extend(self.word(c) for c in dest[1:])
        target = self.word(dest[0]) if dest else None
        if node.type == "herestring_redirect":
            op = "<<<"
        return ast.Redirect(op, fd, target)

    def heredoc(self, node: Any, tail: list[tuple[str, Any]]) -> ast.Redirect:
        op = "<<"
        delimiter = ""
        end_node = None
        body_node = None
        pending_op = ""
        extra: list[ast.Redirect] = []
        for child in node.children:
            kind = child.type
            if kind in ("<<", "<<-"):
                op = kind
            elif kind == "heredoc_start":
                delimiter = self.text(child)
            elif kind == "heredoc_body":
                body_node = child
            elif kind == "heredoc_end":
                end_node = child
            elif kind in REDIRECT_TYPES:
                extra.append(self.redirect(child, tail))
            elif not child.is_named and kind in ("|", "|&", "&&", "||", ";"):
                pending_op = kind
            elif child.is_named:
                tail.append((pending_op or "|", child))
                pending_op = ""
        if extra:
            row, col = extra[0].target.line if extra[0].target else 1, 1
            raise BashSyntaxError(
                "put redirects before the here-document operator (tree-sitter-bash misparses them after)",
                line=row,
                column=col,
            )
        expand = not any(q in delimiter for q in "'\"\\")
        if end_node is None:
            row, col = node.start_point
            raise BashSyntaxError(
                f"here-document delimited by {delimiter!r} is not closed", line=row + 1, column=col + 1
            )
        end_row = end_node.start_point[0]
        first_row = body_node.start_point[0] if body_node is not None else end_row
        lines = [ln.decode("utf-8", "surrogateescape") for ln in self.lines[first_row:end_row]]
        if op == "<<-":
            lines = [ln.lstrip("\t") for ln in lines]
        body = "".join(ln + "\n" for ln in lines)
        return ast.Redirect(op, None, ast.Word(delimiter), heredoc=body, heredoc_expand=expand)

    def on_pipeline(self, node: Any) -> ast.Node:
        commands: list[ast.Node] = []
        stderr: list[bool] = []
        for child in node.children:
            if child.type in ("|", "|&"):
                stderr.append(child.type == "|&")
            elif child.is_named and child.type not in SKIPPED:
                commands.append(self.statement(child))
        # tree-sitter-bash binds `!` to the first command; bash negates the whole pipeline.
        negated = False
        if commands and isinstance(commands[0], ast.Not):
            commands[0] = commands[0].body
            negated = True
        return ast.Pipeline(commands, negated=negated, stderr_too=stderr)

    def on_list(self, node: Any) -> ast.Node:
        named = [c for c in node.children if c.is_named and c.type not in SKIPPED]
        ops = [c.type for c in node.children if c.type in ("&&", "||")]
        if len(named) != 2 or len(ops) != 1:
            return self.sequence(node.children)
        return ast.AndOr(self.statement(named[0]), ops[0], self.statement(named[1]))

    def on_negated_command(self, node: Any) -> ast.Node:
        inner = [c for c in node.named_children if c.type not in SKIPPED]
        return ast.Not(self.statement(inner[0]))

    def on_subshell(self, node: Any) -> ast.Node:
        return ast.Subshell(self.sequence(node.children))

    def on_compound_statement(self, node: Any) -> ast.Node:
        if node.children and node.children[0].type == "((":
            start = node.children[0].end_byte
            end = node.children[-1].start_byte
            return ast.ArithCommand(self.data[start:end].decode("utf-8", "surrogateescape"))
        return ast.Group(self.sequence(node.children))

    def on_do_group(self, node: Any) -> ast.Node:
        return ast.Group(self.sequence(node.children))

    def on_if_statement(self, node: Any) -> ast.Node:
        clauses: list[tuple[ast.Sequence, ast.Sequence]] = []
        else_body: ast.Sequence | None = None
        cond: list[Any] = []
        body: list[Any] = []
        seen_then = False
        for child in node.children:
            if child.type == "then":
                seen_then = True
            elif child.type == "elif_clause":
                clauses.append(self.clause(child))
            elif child.type == "else_clause":
                else_body = self.sequence(child.children)
            elif child.type in ("if", "fi"):
                continue
            elif seen_then:
                body.append(child)
            else:
                cond.append(child)
        clauses.insert(0, (self.sequence(cond), self.sequence(body)))
        return ast.If(clauses, else_body)

    def clause(self, node: Any) -> tuple[ast.Sequence, ast.Sequence]:
        cond: list[Any] = []
        body: list[Any] = []
        seen_then = False
        for child in node.children:
            if child.type == "then":
                seen_then = True
            elif child.type != "elif":
                (body if seen_then else cond).append(child)
        return self.sequence(cond), self.sequence(body)

    def loop_body(self, node: Any) -> ast.Sequence:
        body = node.child_by_field_name("body")
        if body is None:
            raise BashSyntaxError("loop without a body", line=node.start_point[0] + 1, column=1)
        if body.type == "do_group":
            return self.sequence(body.children)
        return ast.Sequence([self.statement(body)])

    def on_while_statement(self, node: Any) -> ast.Node:
        until = node.children[0].type == "until"
        body = node.child_by_field_name("body")
        cond = [c for c in node.children if c.start_byte < body.start_byte and c.type not in ("while", "until")]
        return ast.While(self.sequence(cond), self.loop_body(node), until)

    def on_for_statement(self, node: Any) -> ast.Node:
        var = node.child_by_field_name("variable")
        has_in = any(c.type == "in" for c in node.children)
        words = None
        if has_in:
            words = [self.word(c) for i, c in enumerate(node.children) if node.field_name_for_child(i) == "value"]
        return ast.For(self.text(var), words, self.loop_body(node))

    def on_c_style_for_statement(self, node: Any) -> ast.Node:
        opener = next(c for c in node.children if c.type == "((")
        closer = next(c for c in node.children if c.type == "))")
        inner = self.data[opener.end_byte : closer.start_byte].decode("utf-8", "surrogateescape")
        parts = inner.split(";")
        if len(parts) != 3:
            raise BashSyntaxError("for (( )) needs init; condition; update", line=node.start_point[0] + 1, column=1)
        return ast.ArithFor(parts[0], parts[1], parts[2], self.loop_body(node))

    def on_case_statement(self, node: Any) -> ast.Node:
        value = node.child_by_field_name("value")
        items = [self.case_item(c) for c in node.children if c.type == "case_item"]
        return ast.Case(self.word(value), items)

    def case_item(self, node: Any) -> ast.CaseItem:
        patterns: list[ast.Word] = []
        body: list[Any] = []
        terminator = ";;"
        seen_paren = False
        for i, child in enumerate(node.children):
            field = node.field_name_for_child(i)
            if field == "value" and not seen_paren:
                patterns.append(self.word(child))
            elif child.type == ")" and not seen_paren:
                seen_paren = True
            elif field in ("termination", "fallthrough") or child.type in (";;", ";&", ";;&"):
                terminator = child.type
            elif seen_paren:
                body.append(child)
        return ast.CaseItem(patterns, self.sequence(body), terminator)

    def on_function_definition(self, node: Any) -> ast.Node:
        name = self.text(node.child_by_field_name("name"))
        body = node.child_by_field_name("body")
        redirects = [self.redirect(c, []) for c in node.children if c.type in REDIRECT_TYPES]
        inner = self.statement(body)
        if redirects:
            inner = ast.Redirected(inner, redirects)
        return ast.FunctionDef(name, inner)

    def on_test_command(self, node: Any) -> ast.Node:
        opener = node.children[0].type
        pieces: list[tuple[ast.Word | str, int, int]] = []
        for child in node.children[1:-1]:
            self.flatten_test(child, pieces)
        tokens: list[ast.Word | str] = []
        end = -1
        for token, start, stop in pieces:
            if tokens and start == end:
                # tree-sitter splits `-1` into `-` and `1`: bash reads one word.
                last = tokens[-1]
                text = (last.text if isinstance(last, ast.Word) else last) + (
                    token.text if isinstance(token, ast.Word) else token
                )
                line, column = (last.line, last.column) if isinstance(last, ast.Word) else (1, 1)
                tokens[-1] = ast.Word(text, line, column)
            else:
                tokens.append(token)
            end = stop
        if opener == "[[":
            return ast.TestExpr(tokens)
        words = [ast.Word("[", node.start_point[0] + 1, node.start_point[1] + 1)]
        words += [t if isinstance(t, ast.Word) else ast.Word(t) for t in tokens]
        words.append(ast.Word("]"))
        return ast.SimpleCommand(words=words, line=node.start_point[0] + 1)

    def flatten_test(self, node: Any, out: list[tuple[ast.Word | str, int, int]]) -> None:
        if node.type == "test_operator" or not node.is_named:
            out.append((self.text(node), node.start_byte, node.end_byte))
        elif node.type in WORD_TYPES:
            out.append((self.word(node), node.start_byte, node.end_byte))
        else:
            for child in node.children:
                self.flatten_test(child, out)
