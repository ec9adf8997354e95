"""gitx: git on an object's storage and filesystem, served over smart HTTP, usable from bashx.

`Git(fs, storage)` is the repository API (`ctx.git`); `attach(ctx)` builds it from a context;
`git_http_app(git)` serves the repository to any git client.
"""

from __future__ import annotations

from typing import Any

from ...extras import require_extra

require_extra("git", "gitx (ctx.git)")

from .commit import Commit
from .diff import Diff, FileChange
from .errors import (
    BadObjectError,
    DirtyWorktreeError,
    GitError,
    InvalidRefError,
    NonFastForwardError,
    NotARepositoryError,
    PackLimitError,
    RefConflictError,
    RemoteError,
    UnknownRevisionError,
)
from .limits import GitLimits
from .merge import MergeResult
from .remote import RemoteAuth
from .repository import Git
from .smart_http import git_http_app
from .worktree import Status

__all__ = [
    "BadObjectError",
    "Commit",
    "Diff",
    "DirtyWorktreeError",
    "FileChange",
    "Git",
    "GitError",
    "GitLimits",
    "InvalidRefError",
    "MergeResult",
    "NonFastForwardError",
    "NotARepositoryError",
    "PackLimitError",
    "RefConflictError",
    "RemoteAuth",
    "RemoteError",
    "Status",
    "UnknownRevisionError",
    "attach",
    "git_http_app",
]


def attach(ctx: Any) -> Git:
    """The `Git` of a context: its `fs` (working tree), `storage`, `send` (events) and git settings.

    Optional context attributes: `git_worktree` (default "/"), `git_remotes_auth` (credentials by
    remote name or URL prefix), `git_limits` (a `GitLimits` for packs fetched or received).
    """
    send = getattr(ctx, "send", None)
    owner = getattr(ctx, "object", None)
    return Git(
        ctx.fs,
        getattr(ctx, "storage", None),
        worktree=getattr(ctx, "git_worktree", "/"),
        emit=send if callable(send) else None,
        remotes_auth=getattr(ctx, "git_remotes_auth", None),
        limits=getattr(ctx, "git_limits", None),
        exclusive=getattr(owner, "block_concurrency_while", None),
    )
