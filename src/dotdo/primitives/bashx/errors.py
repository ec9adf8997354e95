"""Exceptions raised by bashx, each saying what to do next."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dotdo.primitives.bashx.analysis import Analysis


class BashError(Exception):
    """Base class of every bashx error."""


class BashSyntaxError(BashError):
    """The script does not parse; ``line`` and ``column`` are 1-based."""

    def __init__(self, message: str, *, line: int, column: int, source_line: str = "") -> None:
        self.line = line
        self.column = column
        self.source_line = source_line
        self.reason = message
        detail = f"\n  {source_line}\n  {' ' * (column - 1)}^" if source_line else ""
        super().__init__(f"bash syntax error at line {line}, column {column}: {message}{detail}")


class BlockedError(BashError):
    """The script needs confirmation (or is blocked outright); nothing ran."""

    def __init__(self, analysis: Analysis) -> None:
        self.analysis = analysis
        reasons = "; ".join(analysis.reasons) or "no reason recorded"
        if analysis.verdict == "blocked":
            hint = "it is on the catastrophic list and never runs"
        else:
            hint = "pass confirm=True to run it"
        super().__init__(f"script is {analysis.verdict} ({reasons}): {hint}")


class InterpolationError(BashError, ValueError):
    """The ``{}`` placeholders of a script do not match the values given."""


class ExecutorUnavailableError(BashError):
    """No executor of the tier a command needs is available on this machine."""


class BashTimeoutError(BashError, TimeoutError):
    """The script ran past its ``timeout``."""
