"""Errors raised by gitx, each saying what went wrong and what to do next."""

from __future__ import annotations

from dulwich.errors import ObjectFormatException


class GitError(Exception):
    """Base class of every gitx error."""


class InvalidRefError(GitError, ValueError):
    """A ref name git would refuse (`..`, control characters, `@{`, a trailing `.lock`, ...)."""


class BadObjectError(GitError, ObjectFormatException, ValueError):
    """An object, tree entry or pack that is malformed or hostile (corrupt pack, `../x`, `.git/hooks`).

    It is also a dulwich `ObjectFormatException`, so dulwich's protocol handlers report it to the
    client (`unpack <reason>`) instead of failing the request."""


class PackLimitError(BadObjectError):
    """A pack that would inflate past one of the configured `GitLimits`; nothing of it was stored."""


class UnknownRevisionError(GitError, KeyError):
    """A branch, tag, sha or path that does not exist in the repository."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown revision"


class RefConflictError(GitError):
    """A ref changed under us (compare-and-swap failed) or would be rewound without `force=True`."""


class NonFastForwardError(RefConflictError):
    """A push or pull that is not a fast-forward and was not forced."""


class DirtyWorktreeError(GitError):
    """An operation would overwrite uncommitted changes in the working tree."""


class RemoteError(GitError):
    """A remote could not be reached, refused the request, or has no such branch."""


class NotARepositoryError(GitError):
    """The repository has not been initialised yet (call `await git.init()` or `clone`)."""
