import pytest

from dotdo.context.circuit_breaker import CLOSED, HALF_OPEN, OPEN, CircuitBreaker, CircuitOpenError


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def breaker(clock: Clock) -> CircuitBreaker:
    return CircuitBreaker("Customer('alice')", failure_threshold=3, reset_timeout=30, now=clock)


def test_opens_after_consecutive_failures_only() -> None:
    clock = Clock()
    b = breaker(clock)
    for _ in range(2):
        b.before_call()
        b.on_failure()
    b.before_call()
    b.on_success()  # a success in between resets the count
    for _ in range(2):
        b.before_call()
        b.on_failure()
    assert b.state == CLOSED
    b.before_call()
    b.on_failure()
    assert b.state == OPEN
    with pytest.raises(CircuitOpenError) as info:
        b.before_call()
    assert info.value.retry_after == 30 and "Customer('alice')" in str(info.value)


def test_half_open_lets_one_trial_through_and_closes_on_success() -> None:
    clock = Clock()
    b = breaker(clock)
    for _ in range(3):
        b.on_failure()
    clock.t += 29.9
    assert b.state == OPEN
    clock.t += 0.1
    assert b.state == HALF_OPEN
    b.before_call()
    with pytest.raises(CircuitOpenError):
        b.before_call()  # only one trial at a time
    b.on_success()
    assert b.state == CLOSED
    b.before_call()


def test_a_failed_trial_opens_the_circuit_again() -> None:
    clock = Clock()
    b = breaker(clock)
    for _ in range(3):
        b.on_failure()
    clock.t += 30
    b.before_call()
    b.on_failure()
    assert b.state == OPEN
    clock.t += 29
    with pytest.raises(CircuitOpenError):
        b.before_call()
    clock.t += 1
    b.before_call()
