"""bashx: a bash shell without VMs — parsed with tree-sitter, checked for safety, run natively on fsx,
tiered to sandboxed processes and containers.

``Bash(fs)`` over an fsx ``FileSystem``; ``await bash("grep -c {} data.txt", pattern)`` returns a
``BashResult``; ``bash.analyze(script)`` returns the ``Analysis`` without running anything.
"""

from __future__ import annotations

from dotdo.extras import require_extra

require_extra("bash", "bashx (ctx.bash)")

from dotdo.primitives.bashx.analysis import Analysis
from dotdo.primitives.bashx.commands.base import CommandCall, CommandHandler, CommandResult
from dotdo.primitives.bashx.containers import ContainerExecutor
from dotdo.primitives.bashx.errors import (
    BashError,
    BashSyntaxError,
    BashTimeoutError,
    BlockedError,
    ExecutorUnavailableError,
    InterpolationError,
)
from dotdo.primitives.bashx.quoting import quote
from dotdo.primitives.bashx.sandbox import Executor, SandboxConfig, SandboxExecutor, SandboxLimits
from dotdo.primitives.bashx.shell import Bash, BashResult

__all__ = [
    "Analysis",
    "Bash",
    "BashError",
    "BashResult",
    "BashSyntaxError",
    "BashTimeoutError",
    "BlockedError",
    "CommandCall",
    "CommandHandler",
    "CommandResult",
    "ContainerExecutor",
    "Executor",
    "ExecutorUnavailableError",
    "InterpolationError",
    "SandboxConfig",
    "SandboxExecutor",
    "SandboxLimits",
    "quote",
]
