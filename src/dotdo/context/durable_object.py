"""`dotdo.DO`: the runtime's Durable Object plus its `ctx`."""

from __future__ import annotations

from functools import cached_property

from ..runtime.durable_object import DurableObject
from .context import Context


class DO(DurableObject):
    """Subclass this: a Durable Object with storage, identity and `self.ctx`.

    ```python
    class Counter(DO):
        async def on_start(self):
            self.storage.sql.exec("CREATE TABLE IF NOT EXISTS c(k TEXT PRIMARY KEY, v INTEGER)")
    ```
    """

    @cached_property
    def ctx(self) -> Context:
        """This object's context (the original's `$`)."""
        return Context(self)
