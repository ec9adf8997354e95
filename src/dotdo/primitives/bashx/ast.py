"""The syntax tree bashx interprets: statements as bash's grammar reads them, words kept as their source text.

Words are expanded at run time by :mod:`dotdo.primitives.bashx.expansion`, which follows bash's
own quoting rules on the exact source text rather than tree-sitter's word splitting.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Word:
    """One shell word as written in the source (quotes and all)."""

    text: str
    line: int = 1
    column: int = 1


@dataclass(frozen=True)
class Redirect:
    """A redirection: ``op`` is one of > >> >| < <> >& <& &> &>> << <<- <<<."""

    op: str
    fd: int | None
    target: Word | None = None
    heredoc: str | None = None
    heredoc_expand: bool = True
    variable: str | None = None
    """``{name}>file``: the shell picks a free descriptor and stores its number in ``name``."""


@dataclass(frozen=True)
class Assignment:
    """``name=value`` or ``name+=value`` before a command (or alone)."""

    name: str
    value: Word | None
    append: bool = False
    array: tuple[Word, ...] | None = None


class Node:
    """Base of every statement node."""


@dataclass
class SimpleCommand(Node):
    """Assignments, then a command name and its arguments, with redirects."""

    assignments: list[Assignment] = field(default_factory=list)
    words: list[Word] = field(default_factory=list)
    redirects: list[Redirect] = field(default_factory=list)
    line: int = 1


@dataclass
class Pipeline(Node):
    """Commands joined by ``|``; ``stderr_too[i]`` marks a ``|&`` after command ``i``."""

    commands: list[Node]
    negated: bool = False
    stderr_too: list[bool] = field(default_factory=list)


@dataclass
class AndOr(Node):
    """``left && right`` or ``left || right``."""

    left: Node
    op: str
    right: Node


@dataclass
class Not(Node):
    """``! command``."""

    body: Node


@dataclass
class Timed(Node):
    """``time [-p] [pipeline]``: the pipeline (or nothing), then the time it took on stderr."""

    body: Node | None
    posix: bool = False


@dataclass
class Sequence(Node):
    """Statements run one after another."""

    body: list[Node]


@dataclass
class Background(Node):
    """``command &``: runs as a job beside the rest of the script."""

    body: Node
    text: str = ""


@dataclass
class Coproc(Node):
    """``coproc [NAME] command``: a job joined to the shell by two pipes, ``NAME`` its descriptors."""

    name: str
    body: Node
    text: str = ""


@dataclass
class Subshell(Node):
    """``( ... )``: runs in a copy of the shell state."""

    body: Sequence


@dataclass
class Group(Node):
    """``{ ...; }``."""

    body: Sequence


@dataclass
class Redirected(Node):
    """A compound statement with redirects applied around it."""

    body: Node
    redirects: list[Redirect]


@dataclass
class If(Node):
    """``if``/``elif`` clauses as (condition, body) pairs, then an optional else body."""

    clauses: list[tuple[Sequence, Sequence]]
    else_body: Sequence | None


@dataclass
class For(Node):
    """``for name in words; do body; done``; ``words`` None means ``"$@"``."""

    name: str
    words: list[Word] | None
    body: Sequence


@dataclass
class ArithFor(Node):
    """``for ((init; cond; update)); do body; done``."""

    init: str
    condition: str
    update: str
    body: Sequence


@dataclass
class While(Node):
    """``while``/``until`` loops."""

    condition: Sequence
    body: Sequence
    until: bool = False


@dataclass
class CaseItem:
    """One ``pattern|pattern) body ;;`` arm; ``terminator`` is ;; ;& or ;;&."""

    patterns: list[Word]
    body: Sequence
    terminator: str = ";;"


@dataclass
class Case(Node):
    """``case word in ... esac``."""

    word: Word
    items: list[CaseItem]


@dataclass
class FunctionDef(Node):
    """``name() { ...; }``."""

    name: str
    body: Node


@dataclass
class ArithCommand(Node):
    """``(( expression ))``: status 0 when the value is non-zero."""

    expression: str


@dataclass
class TestExpr(Node):
    """``[[ ... ]]``: the tokens between the brackets; operators are plain strings, operands Words."""

    tokens: list[Word | str]


def first_line(node: Node) -> int | None:
    """The line of the first simple command in ``node`` (None when it has none)."""
    if isinstance(node, SimpleCommand):
        return node.line
    for value in vars(node).values():
        for child in value if isinstance(value, list | tuple) else [value]:
            found = first_line(child) if isinstance(child, Node) else None
            if found is not None:
                return found
    return None
