"""`RetryPolicy`: how many times a `ctx.do` step is tried, and how long to wait between attempts."""

from __future__ import annotations

import importlib
import random
from dataclasses import dataclass
from typing import Any

DEFAULT_NON_RETRYABLE: tuple[type[BaseException], ...] = (TypeError, AttributeError, NotImplementedError)
"""Errors that signal a bug rather than a passing failure: retrying them cannot help."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Attempts and backoff of a durable step.

    The wait before attempt n+1 is `initial * backoff ** (n - 1)` seconds, capped at `max_interval`;
    with `jitter` it is drawn uniformly from the upper half of that, so retries of many objects spread
    out. Exceptions that are instances of `non_retryable` fail the step at once.
    """

    max_attempts: int = 3
    initial: float = 0.1
    backoff: float = 2.0
    max_interval: float = 30.0
    jitter: bool = True
    non_retryable: tuple[type[BaseException], ...] = DEFAULT_NON_RETRYABLE
    non_retryable_names: tuple[str, ...] = ()
    """`module:qualname` of non-retryable classes a journaled policy names but that do not import (a class
    local to a function, a module not loaded): an exception whose class or base has one of these names fails
    at once too."""

    def __post_init__(self) -> None:
        if isinstance(self.max_attempts, bool) or not isinstance(self.max_attempts, int) or self.max_attempts < 1:
            raise ValueError(f"max_attempts must be an int >= 1, not {self.max_attempts!r}")
        for field_name in ("initial", "backoff", "max_interval"):
            value = getattr(self, field_name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ValueError(f"{field_name} must be a number >= 0, not {value!r}")
        if self.backoff < 1:
            raise ValueError(f"backoff must be >= 1 (a multiplier), not {self.backoff!r}")
        if not isinstance(self.non_retryable, tuple) or not all(
            isinstance(t, type) and issubclass(t, BaseException) for t in self.non_retryable
        ):
            raise TypeError("non_retryable must be a tuple of exception classes")

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        base = min(self.initial * self.backoff ** (attempt - 1), self.max_interval)
        if not self.jitter:
            return base
        return (rng or random).uniform(base / 2, base)

    def retryable(self, exc: BaseException) -> bool:
        """Whether a failure with `exc` may be retried."""
        if isinstance(exc, self.non_retryable):
            return False
        if not self.non_retryable_names:
            return True
        return not any(_class_name(t) in self.non_retryable_names for t in type(exc).__mro__)

    def to_dict(self) -> dict[str, Any]:
        """The policy as JSON-compatible data (kept in the journal, so a resumed step keeps its policy)."""
        return {
            "max_attempts": self.max_attempts,
            "initial": self.initial,
            "backoff": self.backoff,
            "max_interval": self.max_interval,
            "jitter": self.jitter,
            "non_retryable": [_class_name(t) for t in self.non_retryable] + list(self.non_retryable_names),
        }

    @classmethod
    def from_dict(cls, value: dict[str, Any]) -> RetryPolicy:
        """A policy from `to_dict` output; classes that do not import are kept by name, never dropped."""
        fields = dict(value)
        names = fields.pop("non_retryable", None)
        fields.pop("non_retryable_names", None)
        if names is None:
            return cls(**fields)
        resolved = {name: _exception_class(name) for name in names}
        return cls(
            **fields,
            non_retryable=tuple(t for t in resolved.values() if t is not None),
            non_retryable_names=tuple(name for name, t in resolved.items() if t is None),
        )


def _class_name(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def _exception_class(name: str) -> type[BaseException] | None:
    module_name, _, qualname = name.partition(":")
    try:
        target: Any = importlib.import_module(module_name)
        for part in qualname.split("."):
            target = getattr(target, part)
    except (ImportError, AttributeError, ValueError):
        return None
    return target if isinstance(target, type) and issubclass(target, BaseException) else None
