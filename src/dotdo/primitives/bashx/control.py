"""Exceptions the interpreter uses for non-local control flow (never seen by users)."""

from __future__ import annotations


class ControlFlow(Exception):
    """Base of break/continue/return/exit."""


class BreakLoop(ControlFlow):
    """``break n``."""

    def __init__(self, levels: int) -> None:
        self.levels = levels


class ContinueLoop(ControlFlow):
    """``continue n``."""

    def __init__(self, levels: int) -> None:
        self.levels = levels


class ReturnFromFunction(ControlFlow):
    """``return n``."""

    def __init__(self, status: int) -> None:
        self.status = status


class ExitShell(ControlFlow):
    """``exit n``, ``set -e`` and fatal expansion errors."""

    def __init__(self, status: int) -> None:
        self.status = status


class Killed(ControlFlow):
    """The job or pipeline stage was stopped (``kill``, or a sibling stage failed)."""

    def __init__(self, status: int = 143) -> None:
        self.status = status
