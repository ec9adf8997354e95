"""What every `ctx` offers beyond the context layer: the graph's stores and the primitives.

`dotdo.Runtime`, `API()` and the cluster's hosts add `CTX_ATTACHMENTS` to every class they serve,
under what a class declares and what the runtime is given (`Runtime.add_defaults`). Each factory
imports its primitive when first called: importing dotdo loads none of them, and a missing extra
is named on first use of the attachment that needs it (`ctx.fs`, `ctx.git`, `ctx.py`, …).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..graph import attach_relationships, attach_things
from ..runtime.extensions import Extensions

if TYPE_CHECKING:
    from .bashx import Bash
    from .fsx import FileSystem
    from .gitx import Git
    from .npmx import Npm
    from .pyx import Pip, Python


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


def attach_py(ctx: Any) -> Python:
    """`ctx.py`: Python in a sandbox over `ctx.fs`, with `ctx.pip`'s environment (pyx)."""
    from .pyx import attach_py as attach

    return attach(ctx)


def attach_pip(ctx: Any) -> Pip:
    """`ctx.pip`: the object's Python packages, on its `ctx.fs` (pyx)."""
    from .pyx import attach_pip as attach

    return attach(ctx)


def attach_npm(ctx: Any) -> Npm:
    """`ctx.npm`: npm on the object's `ctx.fs`, its scripts run by `ctx.bash` (npmx)."""
    from .npmx import attach

    return attach(ctx)


CTX_ATTACHMENTS = Extensions(
    attachments={
        "things": attach_things,
        "relationships": attach_relationships,
        "fs": attach_fs,
        "git": attach_git,
        "bash": attach_bash,
        "py": attach_py,
        "pip": attach_pip,
        "npm": attach_npm,
    }
)
"""`ctx.things`, `ctx.relationships`, `ctx.fs`, `ctx.git`, `ctx.bash`, `ctx.py`, `ctx.pip` and `ctx.npm`,
each built on first use."""
