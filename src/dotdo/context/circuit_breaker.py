"""A per-target circuit breaker: closed -> open after N consecutive failures -> half-open -> closed.

While open, calls fail at once with `CircuitOpenError` instead of reaching a target that keeps
failing. After `reset_timeout` seconds one trial call goes through (half-open): success closes the
circuit, failure opens it again for another `reset_timeout`. Time comes from the runtime's clock.
"""

from __future__ import annotations

from collections.abc import Callable

from ..runtime.errors import DotdoError

CLOSED = "closed"
OPEN = "open"
HALF_OPEN = "half_open"


class CircuitOpenError(DotdoError):
    """A call was short-circuited: its target failed repeatedly; retry after `retry_after` seconds."""

    def __init__(self, target: str, retry_after: float) -> None:
        super().__init__(
            f"Circuit to {target} is open after repeated failures; calls are refused for {retry_after:.1f} s "
            "more (then one trial call is let through)"
        )
        self.target = target
        self.retry_after = retry_after


class CircuitBreaker:
    """The breaker of one target."""

    def __init__(self, target: str, *, failure_threshold: int, reset_timeout: float, now: Callable[[], float]) -> None:
        self.target = target
        self.failure_threshold = failure_threshold
        self.reset_timeout = reset_timeout
        self._now = now
        self.failures = 0
        self.opened_at: float | None = None
        self._trial_running = False

    @property
    def state(self) -> str:
        """closed, open or half_open (open whose timeout has passed)."""
        if self.opened_at is None:
            return CLOSED
        if self._now() - self.opened_at >= self.reset_timeout:
            return HALF_OPEN
        return OPEN

    def before_call(self) -> None:
        """Raise `CircuitOpenError` if the call must not go through; else admit it."""
        state = self.state
        if state == CLOSED:
            return
        assert self.opened_at is not None
        if state == HALF_OPEN and not self._trial_running:
            self._trial_running = True
            return
        retry_after = max(0.0, self.opened_at + self.reset_timeout - self._now())
        raise CircuitOpenError(self.target, retry_after)

    def on_success(self) -> None:
        """A call went through: close the circuit."""
        self.failures = 0
        self.opened_at = None
        self._trial_running = False

    def on_failure(self) -> None:
        """A call failed: count it; open (or re-open) the circuit at the threshold or after a failed trial."""
        self.failures += 1
        if self._trial_running or self.failures >= self.failure_threshold:
            self.opened_at = self._now()
        self._trial_running = False
