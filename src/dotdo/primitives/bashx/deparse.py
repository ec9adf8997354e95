"""A command as bash prints it back (``type``, ``declare -f``): bash's canonical layout.

Bash does not keep a function's source: it prints the parsed command, one command a line, four
spaces a level, ``;`` after each but the last, redirections spelled out (``>&2`` is ``1>&2``),
here-documents after their command's line. This module does the same from bashx's syntax tree.
"""

from __future__ import annotations

from dotdo.primitives.bashx import ast

INDENT = "    "


def function_text(name: str, body: ast.Node) -> str:
    """``name () { ...; }`` as bash prints a function, ending with a newline."""
    return f"{name} () \n{_body(body, 0)}\n"


def command_text(node: ast.Node) -> str:
    """One command as bash prints it (``$BASH_COMMAND``)."""
    return _command(node, 0)


def _body(node: ast.Node, level: int) -> str:
    """A function body: always a ``{ }`` group (bash wraps any other compound command in one)."""
    pad = INDENT * level
    if isinstance(node, ast.Group):
        return f"{pad}{{ \n{_lines(node.body.body, level + 1)}\n{pad}}}"
    if isinstance(node, ast.Redirected) and isinstance(node.body, ast.Group):
        text, docs = _redirects(node.redirects)
        return f"{pad}{{ \n{_lines(node.body.body, level + 1)}\n{pad}}}{text}{docs}"
    return f"{pad}{{ \n{_lines([node], level + 1)}\n{pad}}}"


def _flat(nodes: ast.Node | list[ast.Node]) -> list[ast.Node]:
    """The statements of a block, nested sequences opened."""
    if isinstance(nodes, ast.Sequence):
        return _flat(nodes.body)
    if isinstance(nodes, list):
        return [statement for node in nodes for statement in _flat(node)]
    return [nodes]


def _lines(nodes: ast.Node | list[ast.Node], level: int) -> str:
    """Statements one a line at ``level``: ``;`` ends each but the last; a here-document ends its line."""
    pad = INDENT * level
    nodes = _flat(nodes)
    out = ""
    for index, node in enumerate(nodes):
        text = _command(node, level)
        if not index:
            out += pad
        elif isinstance(nodes[index - 1], ast.Background):
            out += " "  # bash goes on on the same line after `&`
        else:
            out += "\n" + pad if out.endswith("\n") else ";\n" + pad
        out += text
    return out


def _inline(nodes: ast.Node | list[ast.Node]) -> str:
    """Statements on one line, ``; ``-separated (conditions, subshells)."""
    return "; ".join(_command(node, 0) for node in _flat(nodes))


def _command(node: ast.Node, level: int) -> str:
    pad = INDENT * level
    if isinstance(node, ast.SimpleCommand):
        parts = [_assignment(a) for a in node.assignments] + [w.text for w in node.words]
        text, docs = _redirects(node.redirects)
        return " ".join(parts) + text + docs
    if isinstance(node, ast.Pipeline):
        joined = ""
        for index, command in enumerate(node.commands):
            if index:
                bar = "|&" if index - 1 < len(node.stderr_too) and node.stderr_too[index - 1] else "|"
                joined += f" {bar} "
            joined += _command(command, level)
        return ("! " if node.negated else "") + joined
    if isinstance(node, ast.AndOr):
        return f"{_command(node.left, level)} {node.op} {_command(node.right, level)}"
    if isinstance(node, ast.Not):
        return "! " + _command(node.body, level)
    if isinstance(node, ast.Timed):
        flag = "-p " if node.posix else ""
        return f"time {flag}" + ("" if node.body is None else _command(node.body, level))
    if isinstance(node, ast.Coproc):
        return f"coproc {node.name} {_command(node.body, level)}"
    if isinstance(node, ast.Background):
        return _command(node.body, level) + " &"
    if isinstance(node, ast.Sequence):
        return _inline(node.body)
    if isinstance(node, ast.Subshell):
        return f"( {_inline(node.body.body)} )"
    if isinstance(node, ast.Group):
        return f"{{ \n{_lines(node.body.body, level + 1)}\n{pad}}}"
    if isinstance(node, ast.Redirected):
        text, docs = _redirects(node.redirects)
        return _command(node.body, level) + text + docs
    if isinstance(node, ast.If):
        (condition, body), rest = node.clauses[0], node.clauses[1:]
        out = f"if {_inline(condition.body)}; then\n" + _lines(body.body, level + 1) + ";" * _needs_semicolon(body)
        # bash keeps no `elif`: it prints the rest as an `if` inside the `else`
        otherwise = ast.Sequence([ast.If(rest, node.else_body)]) if rest else node.else_body
        if otherwise is not None:
            out += f"\n{pad}else\n" + _lines(otherwise.body, level + 1) + ";" * _needs_semicolon(otherwise)
        return out + f"\n{pad}fi"
    if isinstance(node, ast.While):
        keyword = "until" if node.until else "while"
        return f"{keyword} {_inline(node.condition.body)}; do\n{_loop_body(node.body, level)}"
    if isinstance(node, ast.For):
        words = "" if node.words is None else " in " + " ".join(w.text for w in node.words)
        return f"for {node.name}{words};\n{pad}do\n{_loop_body(node.body, level)}"
    if isinstance(node, ast.ArithFor):
        # bash writes each expression as read (leading blanks dropped) and an empty one as 1
        parts = [text.lstrip() or "1" for text in (node.init, node.condition, node.update)]
        header = f"(({parts[0]}; {parts[1]}; {parts[2]}))"
        return f"for {header}\n{pad}do\n{_loop_body(node.body, level)}"
    if isinstance(node, ast.Case):
        out = f"case {node.word.text} in \n"
        for item in node.items:
            out += INDENT * (level + 1) + " | ".join(p.text for p in item.patterns) + ")\n"
            out += _lines(item.body.body, level + 2) + "\n"
            out += INDENT * (level + 1) + item.terminator + "\n"
        return out + f"{pad}esac"
    if isinstance(node, ast.FunctionDef):
        return f"function {node.name} () \n{_body(node.body, level)}"
    if isinstance(node, ast.ArithCommand):
        return f"(({node.expression}))"
    if isinstance(node, ast.TestExpr):
        return "[[ " + " ".join(t if isinstance(t, str) else t.text for t in node.tokens) + " ]]"
    raise NotImplementedError(f"bashx cannot print a {type(node).__name__} back as bash source")


def _loop_body(body: ast.Sequence, level: int) -> str:
    pad = INDENT * level
    return _lines(body.body, level + 1) + ";" * _needs_semicolon(body) + f"\n{pad}done"


def _needs_semicolon(body: ast.Sequence) -> bool:
    """Whether the last statement of a block takes a ``;`` before the closing keyword."""
    return bool(body.body) and not _command(body.body[-1], 0).endswith("\n")


def _assignment(assignment: ast.Assignment) -> str:
    op = "+=" if assignment.append else "="
    if assignment.array is not None:
        return f"{assignment.name}{op}({' '.join(w.text for w in assignment.array)})"
    return f"{assignment.name}{op}{assignment.value.text if assignment.value is not None else ''}"


def _redirects(redirects: list[ast.Redirect]) -> tuple[str, str]:
    """The redirections as bash spells them (each after a space), and the here-documents that follow."""
    text = ""
    docs = ""
    for r in redirects:
        target = r.target.text if r.target is not None else ""
        if r.op in ("<<", "<<-"):
            delimiter = target.strip("'\"").replace("\\", "")
            text += f" {_fd(r, None)}{r.op}{target}"
            docs += f"\n{r.heredoc or ''}{delimiter}\n"
        elif r.op in (">&-", "<&-"):
            text += f" {_fd(r, 1 if r.op == '>&-' else 0)}{'>&-' if r.variable else r.op}"
        elif r.op in (">&", "<&") and (target.rstrip("-").isdigit() or target.startswith("$")):
            text += f" {_fd(r, 1 if r.op == '>&' else 0)}{r.op}{target}"
        elif r.op in ("&>", "&>>", ">&"):
            text += f" {'&>>' if r.op == '&>>' else '&>'} {target}"
        else:
            text += f" {_fd(r, None)}{r.op} {target}"
    return text, docs


def _fd(r: ast.Redirect, default: int | None) -> str:
    """What stands before the operator: ``{name}``, the descriptor, or bash's default for it."""
    if r.variable is not None:
        return "{" + r.variable + "}"
    if r.fd is not None:
        return str(r.fd)
    return "" if default is None else str(default)
