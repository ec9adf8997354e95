"""Property access and calls on local values, exactly as the peer may perform them.

A peer walks plain data (dict keys, list indexes, `length`) and `RpcTarget` members; nothing
else is reachable, so `__class__`, `__init__` or `_private` can never be read or called.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable
from typing import Any

from .target import RpcTarget
from .values import UNDEFINED

__all__ = ["call_local", "get_property", "is_exportable"]


def _describe(value: Any) -> str:
    if value is None or value is UNDEFINED:
        return "undefined" if value is UNDEFINED else "null"
    return f"a {type(value).__name__}"


def get_property(value: Any, key: str | int) -> Any:
    """`value[key]` as the peer sees it; raises `TypeError` when the property may not be read."""
    if isinstance(value, RpcTarget):
        if not isinstance(key, str):
            raise TypeError(f"{key!r} is not a public method or property of {type(value).__name__}")
        return value._rpc_member(key)
    fields = _record_fields(value)
    if fields is not None and isinstance(key, str) and key in fields:
        return getattr(value, key)
    if isinstance(value, dict):
        if not isinstance(key, str):
            key = str(key)
        return value.get(key, UNDEFINED)
    if isinstance(value, list | tuple | str | bytes):
        if key == "length":
            return len(value)
        if isinstance(value, list | tuple):
            index = _as_index(key)
            if index is not None:
                return value[index] if index < len(value) else UNDEFINED
    raise TypeError(f"Cannot read property {str(key)[:100]!r} of {_describe(value)}")


def _record_fields(value: Any) -> Any:
    # Pydantic models and dataclasses are sent as objects, so their declared fields are walkable.
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name for field in dataclasses.fields(value)}
    model_fields = getattr(type(value), "model_fields", None)
    return model_fields if isinstance(model_fields, dict) else None


def _as_index(key: str | int) -> int | None:
    # The JavaScript client sends array indexes as strings ("1"); accept both spellings.
    if isinstance(key, int) and not isinstance(key, bool) and key >= 0:
        return key
    if isinstance(key, str) and key.isascii() and key.isdigit() and len(key) < 16:
        return int(key)
    return None


def is_exportable(value: Any) -> bool:
    """Whether `value` is sent by reference: an `RpcTarget` or a function (not a class)."""
    return isinstance(value, RpcTarget) or (callable(value) and not isinstance(value, type))


async def call_local(function: Any, args: list[Any], *, name: str) -> Any:
    """Call a local function or method with positional `args`, awaiting it if it is async."""
    if not callable(function) or isinstance(function, type):
        raise TypeError(f"{name!r} is not a function")
    result = function(*_drop_omitted(function, args))
    if inspect.isawaitable(result):
        result = await result
    return result


def _drop_omitted(function: Callable[..., Any], args: list[Any]) -> list[Any]:
    # JavaScript passes `undefined` for an argument that was not given; where the Python
    # parameter has a default, let the default apply instead.
    if not args or args[-1] is not UNDEFINED:
        return args
    try:
        parameters = list(inspect.signature(function).parameters.values())
    except (TypeError, ValueError):
        return args
    while (
        args
        and args[-1] is UNDEFINED
        and len(args) <= len(parameters)
        and parameters[len(args) - 1].default is not inspect.Parameter.empty
    ):
        args = args[:-1]
    return args
