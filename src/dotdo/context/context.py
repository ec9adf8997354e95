"""The ctx of an object (the original's `$`): its identity and storage, plus attached capabilities.

Capabilities of higher layers (`things`, `fs`, `bash`, `git`, …) attach lazily on first use through
the table in `attachments.py`, so importing the core stays cheap and this layer imports none of them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .attachments import ATTACHMENTS

if TYPE_CHECKING:
    from ..runtime.durable_object import DurableObject
    from ..runtime.ids import ObjectId
    from ..runtime.runtime import Runtime
    from ..runtime.storage import Storage


class Context:
    """Everything an object's code reaches through `self.ctx` (or `dotdo.ctx` inside an event)."""

    def __init__(self, obj: DurableObject) -> None:
        self.object = obj

    @property
    def id(self) -> ObjectId:
        """The object's id."""
        return self.object.id

    @property
    def name(self) -> str | None:
        """The object's name, or None for unique ids."""
        return self.object.id.name

    @property
    def storage(self) -> Storage:
        """The object's storage."""
        return self.object.storage

    @property
    def env(self) -> Any:
        """The runtime's bindings."""
        return self.object.env

    @property
    def runtime(self) -> Runtime:
        """The runtime hosting the object."""
        return self.object.runtime

    def __getattr__(self, name: str) -> Any:
        target = ATTACHMENTS.get(name)
        if target is None:
            raise AttributeError(f"ctx has no attribute {name!r}")
        module_name, _, factory_name = target.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name is not None and exc.name.startswith("dotdo"):
                raise NotImplementedError(f"ctx.{name} is not available: {module_name} is not built yet") from None
            raise
        value = getattr(module, factory_name)(self)
        setattr(self, name, value)
        return value

    def __repr__(self) -> str:
        return f"<ctx of {type(self.object).__name__} {self.name or self.id.hex[:12]!r}>"
