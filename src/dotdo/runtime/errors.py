"""Errors the runtime raises, each saying what to do next."""

from __future__ import annotations


class DotdoError(Exception):
    """Base class of dotdo's own errors."""


class StorageError(DotdoError):
    """A storage call was refused or failed (the message says which and why)."""


class UnknownClassError(DotdoError, LookupError):
    """A class name or class that is not registered with the runtime."""


class ObjectClosedError(DotdoError):
    """The runtime hosting the object has shut down."""


class RuntimeNotStartedError(DotdoError):
    """A call reached a runtime that was never started."""
