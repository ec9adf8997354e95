"""Exceptions of dotdo.rpc, and the mapping between Python exceptions and Cap'n Web errors.

An error received from the peer becomes an `RpcError` whose class also derives from the nearest
Python built-in (`TypeError` -> `RpcTypeError`, `RangeError` -> `RpcRangeError`, a `ValueError`),
so `except TypeError` works across the wire. Stacks are never sent unless a session is created
with `expose_stacks=True`.
"""

from __future__ import annotations

import traceback
from typing import Any

__all__ = [
    "BatchClosedError",
    "LimitExceededError",
    "ProtocolError",
    "RpcError",
    "RpcRangeError",
    "RpcReferenceError",
    "RpcTypeError",
    "SessionAbortedError",
    "StubDisposedError",
    "error_from_wire",
    "error_wire_name",
]


class RpcError(Exception):
    """An error thrown by the peer, carrying its JavaScript-style `name`, `message` and extra `props`."""

    def __init__(self, message: str = "", *, name: str = "Error", props: dict[str, Any] | None = None):
        super().__init__(message)
        self.name = name
        self.message = message
        self.props: dict[str, Any] = dict(props or {})
        self.remote_stack: str | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, name={self.name!r})"


class RpcTypeError(RpcError, TypeError):
    """A peer's `TypeError`."""


class RpcRangeError(RpcError, ValueError):
    """A peer's `RangeError`."""


class RpcReferenceError(RpcError, NameError):
    """A peer's `ReferenceError`."""


class ProtocolError(Exception):
    """The peer broke the protocol (malformed message, unknown id or tag); the session aborts."""


class LimitExceededError(ProtocolError):
    """An incoming message exceeded one of the receiver's `Limits`; the message names the limit."""


class SessionAbortedError(ConnectionError):
    """The RPC session ended (aborted by either side or its transport closed) before a result came."""


class BatchClosedError(RuntimeError):
    """An HTTP batch was already sent; its promises and stubs cannot be used any more."""


class StubDisposedError(RuntimeError):
    """The stub was disposed (released to the peer); get a new one to keep calling."""


_CLASSES_BY_WIRE_NAME: dict[str, type[RpcError]] = {
    "TypeError": RpcTypeError,
    "RangeError": RpcRangeError,
    "ReferenceError": RpcReferenceError,
}

# Python exceptions whose meaning matches a JavaScript built-in error type.
_WIRE_NAMES: tuple[tuple[type[BaseException], str], ...] = (
    (TypeError, "TypeError"),
    (AttributeError, "TypeError"),
    (RecursionError, "RangeError"),
    (OverflowError, "RangeError"),
    (NameError, "ReferenceError"),
)


def error_wire_name(error: BaseException) -> str:
    """The `type` an error is sent as: a peer error keeps its name, built-ins map to JS names."""
    if isinstance(error, RpcError):
        return error.name
    for python_type, wire_name in _WIRE_NAMES:
        if isinstance(error, python_type):
            return wire_name
    if type(error) in (Exception, RuntimeError):
        return "Error"
    return type(error).__name__


def error_from_wire(name: str, message: str, stack: str | None, props: dict[str, Any]) -> RpcError:
    """Build the Python exception for a received `["error", name, message, stack?, props?]`."""
    error = _CLASSES_BY_WIRE_NAME.get(name, RpcError)(message, name=name, props=props)
    error.remote_stack = stack
    return error


def format_stack(error: BaseException) -> str:
    """The Python traceback of `error` as one string (sent only when stacks are exposed)."""
    return "".join(traceback.format_exception(error))
