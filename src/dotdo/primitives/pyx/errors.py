"""Exceptions raised by pyx, each saying what to do next."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dotdo.primitives.pyx.analysis import PyAnalysis


class PyError(Exception):
    """The code raised in the sandbox; ``traceback`` is the sandbox's own, and nothing was written back."""

    def __init__(
        self,
        message: str,
        *,
        type_name: str = "",
        traceback: str = "",
        stdout: str = "",
        stderr: str = "",
    ) -> None:
        self.type_name = type_name
        self.traceback = traceback
        self.stdout = stdout
        self.stderr = stderr
        super().__init__(message)

    def __str__(self) -> str:
        text = super().__str__()
        if self.traceback:
            return f"{text}\n\n{self.traceback.rstrip()}"
        return text


class PyLimitError(PyError):
    """A resource limit (``timeout``, ``memory``, output size) stopped the code; nothing was written back."""

    def __init__(self, limit: str, message: str, *, stdout: str = "", stderr: str = "") -> None:
        self.limit = limit
        super().__init__(message, type_name="PyLimitError", stdout=stdout, stderr=stderr)


class PyBlockedError(PyError):
    """The safety analysis refused the code (blocked, or needs ``confirm=True``); nothing ran."""

    def __init__(self, analysis: PyAnalysis) -> None:
        self.analysis = analysis
        reasons = "; ".join(analysis.reasons) or "no reason recorded"
        hint = "it is never run" if analysis.verdict == "blocked" else "pass confirm=True to run it"
        super().__init__(f"code is {analysis.verdict} ({reasons}): {hint}", type_name="PyBlockedError")


class PySandboxUnavailableError(PyError):
    """This machine cannot run the sandbox (no bubblewrap, or no Python for it); the message says what to install."""
