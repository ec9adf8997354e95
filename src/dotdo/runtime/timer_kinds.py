"""Handlers for timer kinds: the runtime fires `alarm`; layers above register their own kinds."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from .timer_table import Timer

TimerHandler = Callable[[Any, Timer], Awaitable[None]]

_handlers: dict[str, TimerHandler] = {}


def register_timer_kind(kind: str, handler: TimerHandler) -> None:
    """Fire `handler(obj, timer)` as an event of the object when a timer of `kind` comes due.

    If the handler raises, the runtime retries the timer with the alarm backoff (2 s, doubling,
    6 retries); handlers that keep their own retry policy catch and reschedule themselves.
    """
    _handlers[kind] = handler


def timer_handler(kind: str) -> TimerHandler | None:
    """The handler registered for `kind`, or None."""
    return _handlers.get(kind)
