"""`dotdo.ctx`: a proxy to the ctx of the object whose event is running (bound through contextvars)."""

from __future__ import annotations

from typing import Any

from ..runtime.durable_object import current_object


class CurrentContext:
    """Forwards every attribute to `self.ctx` of the object whose event is running."""

    __slots__ = ()

    def _resolve(self) -> Any:
        obj: Any = current_object.get()
        if obj is None:
            raise RuntimeError("dotdo.ctx is only available while an object's event runs (use self.ctx)")
        return obj.ctx

    def __getattr__(self, name: str) -> Any:
        return getattr(self._resolve(), name)

    def __repr__(self) -> str:
        obj: Any = current_object.get()
        return "<dotdo.ctx (no object running)>" if obj is None else repr(obj.ctx)


ctx = CurrentContext()
