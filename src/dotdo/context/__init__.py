"""The ctx layer: events, schedules, durable actions and cross-object stubs on top of the runtime."""

from .context import Context
from .current import ctx
from .durable_object import DO

__all__ = ["DO", "Context", "ctx"]
