"""File paths of the contents API: what a client may name inside a repository, and nothing outside it."""

from __future__ import annotations

from ...primitives.gitx.errors import BadObjectError
from ...primitives.gitx.worktree_files import check_worktree_path

MAX_PATH = 4096


class UnsafePath(ValueError):
    """A content path that is empty, too long, absolute, or has `.`, `..` or `.git` parts."""


def content_path(path: str) -> str:
    """`path` as a file of the repository (`docs/a.md`); `UnsafePath` for one that could leave it."""
    if not isinstance(path, str) or not path.strip("/") or len(path) > MAX_PATH:
        raise UnsafePath(f"{path!r} is not a file path of this repository")
    try:
        return check_worktree_path(path.strip("/"))
    except BadObjectError as exc:
        raise UnsafePath(str(exc)) from None
