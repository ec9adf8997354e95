"""Exceptions the interpreter uses for non-local control flow (never seen by users)."""

from __future__ import annotations

SIGPIPE_STATUS = 141
"""The status of a command that wrote to a pipe whose reader had gone (128 + SIGPIPE)."""


class ControlFlow(Exception):
    """Base of break/continue/return/exit."""


class BreakLoop(ControlFlow):
    """``break n``; ``status`` is the loop's status afterwards (1 after a bad count)."""

    def __init__(self, levels: int, status: int = 0) -> None:
        self.levels = levels
        self.status = status


class ContinueLoop(ControlFlow):
    """``continue n``; ``status`` is the loop's status if it ends now (1 after a bad count)."""

    def __init__(self, levels: int, status: int = 0) -> None:
        self.levels = levels
        self.status = status


class ReturnFromFunction(ControlFlow):
    """``return n``."""

    def __init__(self, status: int) -> None:
        self.status = status


class ExitShell(ControlFlow):
    """``exit n``, ``set -e`` and the expansion errors that end a shell (``set -u``, ``${x?}``)."""

    def __init__(self, status: int) -> None:
        self.status = status


class Killed(ControlFlow):
    """The job or pipeline stage was stopped (``kill``, or a sibling stage failed)."""

    def __init__(self, status: int = 143) -> None:
        self.status = status


class AbortCommand(ControlFlow):
    """An expansion error (bad substitution, bad arithmetic, a readonly variable) abandons the rest
    of the top-level command it happened in; the script goes on with the next one, as in bash."""

    def __init__(self, status: int = 1) -> None:
        self.status = status
