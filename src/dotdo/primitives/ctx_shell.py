"""`ctx.bash`: the object's shell on its fsx, with `git` running natively against its gitx repository."""

from __future__ import annotations

from typing import Any

from .bashx import Bash
from .bashx.commands.base import CommandCall, CommandResult


def attach_bash(ctx: Any) -> Bash:
    """A `Bash` over `ctx.fs` whose `git` command uses `ctx.git` (gitx is imported on first use)."""
    bash = Bash(ctx.fs)

    def git(call: CommandCall) -> CommandResult:
        from .gitx.bash_command import git_command

        return git_command(ctx.git)(call)

    bash.register_command("git", git)
    return bash
