"""Exceptions raised by npmx, each saying what to do next; a failed install writes nothing."""

from __future__ import annotations


class NpmError(Exception):
    """Base class of every npmx error."""


class NpmSpecError(NpmError, ValueError):
    """A dependency spec or version range does not parse (``lodash@^^4``)."""


class NpmResolveError(NpmError):
    """No version of a package satisfies what was asked, or the package does not exist."""


class NpmRegistryError(NpmError):
    """The registry answered with an error status or with something that is not a packument."""


class NpmIntegrityError(NpmError):
    """A tarball's bytes do not match the integrity the registry or the lockfile promised."""


class NpmTarballError(NpmError):
    """A tarball is unreadable or holds paths outside its package (``../``, absolute paths)."""


class NpmLockError(NpmError):
    """``ci`` found no lockfile, or one out of sync with ``package.json``."""


class NpmScriptError(NpmError):
    """A ``package.json`` script is missing or exited with a non-zero status."""

    def __init__(self, message: str, *, exit_code: int = 1, stdout: str = "", stderr: str = "") -> None:
        self.exit_code = exit_code
        self.stdout = stdout
        self.stderr = stderr
        super().__init__(message)
