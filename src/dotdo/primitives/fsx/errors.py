"""Python's own filesystem errors, with the errno a POSIX filesystem gives for the same mistake.

`OSError(errno, message, path)` builds the matching subclass (`FileNotFoundError` for ENOENT,
`FileExistsError` for EEXIST, …), so callers catch exactly what they would catch around `os`.
"""

from __future__ import annotations

import errno
import os

ELOOP_LIMIT = 40


def fs_error(code: int, path: str, detail: str | None = None) -> OSError:
    """The OSError (subclass chosen by errno) for `code` on `path`, with a hint when there is one."""
    message = os.strerror(code)
    if detail:
        message = f"{message} ({detail})"
    return OSError(code, message, path)


def not_found(path: str) -> OSError:
    """ENOENT: `FileNotFoundError`."""
    return fs_error(errno.ENOENT, path)


def exists(path: str) -> OSError:
    """EEXIST: `FileExistsError`."""
    return fs_error(errno.EEXIST, path)


def not_a_directory(path: str) -> OSError:
    """ENOTDIR: `NotADirectoryError`."""
    return fs_error(errno.ENOTDIR, path)


def is_a_directory(path: str) -> OSError:
    """EISDIR: `IsADirectoryError`."""
    return fs_error(errno.EISDIR, path)


def not_empty(path: str) -> OSError:
    """ENOTEMPTY: a directory that still has entries."""
    return fs_error(errno.ENOTEMPTY, path, "remove its entries first, or use rm(path, recursive=True)")


def invalid(path: str, detail: str) -> OSError:
    """EINVAL with the reason."""
    return fs_error(errno.EINVAL, path, detail)


def no_space(path: str, quota: int) -> OSError:
    """ENOSPC: the object's quota would be exceeded."""
    return fs_error(errno.ENOSPC, path, f"quota of {quota} bytes reached; delete files or raise quota_bytes")
