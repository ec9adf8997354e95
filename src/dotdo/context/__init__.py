"""The ctx layer: events, schedules, durable actions and cross-object stubs on top of the runtime."""

from .actions import ActionFailedError
from .circuit_breaker import CircuitOpenError
from .context import Context
from .current import ctx
from .dead_letters import DeadLetter
from .durable_object import DO
from .events import Event
from .handlers import on
from .retry_policy import RetryPolicy
from .schedule_builder import every
from .schedule_grammar import ScheduleError
from .schedules import ScheduleInfo
from .stubs import StubPolicy, TransientError

__all__ = [
    "DO",
    "ActionFailedError",
    "CircuitOpenError",
    "Context",
    "DeadLetter",
    "Event",
    "RetryPolicy",
    "ScheduleError",
    "ScheduleInfo",
    "StubPolicy",
    "TransientError",
    "ctx",
    "every",
    "on",
]
