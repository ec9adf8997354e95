"""What every `ctx` offers beyond the context layer: the graph's stores and the primitives.

`dotdo.Runtime`, `API()` and the cluster's hosts add `CTX_ATTACHMENTS` to every class they serve,
under what a class declares and what the runtime is given (`Runtime.add_defaults`). Each factory
imports its primitive when first called: importing dotdo loads none of them, and a missing extra
(`fs`, `bash`, `git`) is named on first use of `ctx.fs`, `ctx.bash` or `ctx.git`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..graph import attach_relationships, attach_things
from ..runtime.extensions import Extensions

if TYPE_CHECKING:
    from .bashx import Bash
    from .fsx import FileSystem
    from .gitx import Git


def attach_fs(ctx: Any) -> FileSystem:
    """`ctx.fs`: the object's filesystem (fsx)."""
    from .fsx import attach

    return attach(ctx)


def attach_git(ctx: Any) -> Git:
    """`ctx.git`: the object's repository (gitx), its working tree on `ctx.fs`."""
    from .gitx import attach

    return attach(ctx)


def attach_bash(ctx: Any) -> Bash:
    """`ctx.bash`: the object's shell (bashx) on `ctx.fs`, whose `git` is `ctx.git`."""
    from .ctx_shell import attach_bash as attach

    return attach(ctx)


CTX_ATTACHMENTS = Extensions(
    attachments={
        "things": attach_things,
        "relationships": attach_relationships,
        "fs": attach_fs,
        "git": attach_git,
        "bash": attach_bash,
    }
)
"""`ctx.things`, `ctx.relationships`, `ctx.fs`, `ctx.git` and `ctx.bash`, each built on first use."""
