"""pyx: Python inside every object — ``ctx.py(code)`` in a bubblewrap sandbox over the object's files,
``ctx.pip`` for the object's own packages, ``ctx.py.analyze(code)`` for a safety verdict first.

``Python(fs)`` over an fsx ``FileSystem``; ``await py("import json; 1 + 1")`` returns a ``PyResult``
(``value``, ``stdout``, ``stderr``, ``duration``); failures raise ``PyError`` with the sandbox's
traceback, and the object's files change only when the code succeeded.
"""

from __future__ import annotations

from typing import Any

from dotdo.extras import require_extra

require_extra("bash", "pyx (ctx.py), which runs in bashx's sandbox")

from dotdo.primitives.pyx.analysis import Finding, PyAnalysis, analyze
from dotdo.primitives.pyx.environments import Environments, PipConfig, PipError
from dotdo.primitives.pyx.errors import PyBlockedError, PyError, PyLimitError, PySandboxUnavailableError
from dotdo.primitives.pyx.pip import InstallResult, Pip
from dotdo.primitives.pyx.pool import SandboxPool
from dotdo.primitives.pyx.python import PyConfig, PyResult, Python, parse_memory

__all__ = [
    "Environments",
    "Finding",
    "InstallResult",
    "Pip",
    "PipConfig",
    "PipError",
    "PyAnalysis",
    "PyBlockedError",
    "PyConfig",
    "PyError",
    "PyLimitError",
    "PyResult",
    "PySandboxUnavailableError",
    "Python",
    "SandboxPool",
    "analyze",
    "attach_pip",
    "attach_py",
    "parse_memory",
]


def attach_pip(ctx: Any) -> Pip:
    """``ctx.pip``: the object's Python packages, on its ``ctx.fs``."""
    return Pip(ctx.fs)


def attach_py(ctx: Any) -> Python:
    """``ctx.py``: Python in a sandbox over ``ctx.fs``, with ``ctx.pip``'s environment."""
    return Python(ctx.fs, pip=ctx.pip)
