import pytest

from dotdo.context import RetryPolicy


def test_jitter_draws_from_the_upper_half_of_the_backoff() -> None:
    policy = RetryPolicy(initial=1.0, backoff=2.0, max_interval=5.0)
    for attempt, base in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 5.0), (9, 5.0)]:
        delays = [policy.delay(attempt) for _ in range(50)]
        assert all(base / 2 <= d <= base for d in delays)
    assert RetryPolicy(initial=0.5, jitter=False).delay(3) == 2.0


def test_defaults_and_persisted_form() -> None:
    policy = RetryPolicy()
    assert (policy.max_attempts, policy.initial, policy.backoff, policy.max_interval, policy.jitter) == (
        3,
        0.1,
        2.0,
        30.0,
        True,
    )
    assert RetryPolicy.from_dict(policy.to_dict()) == policy
    custom = RetryPolicy(non_retryable=(KeyError, PermissionError))
    assert RetryPolicy.from_dict(custom.to_dict()).non_retryable == (KeyError, PermissionError)
    gone = custom.to_dict() | {"non_retryable": ["no.such.module:Error", "builtins:KeyError"]}
    assert RetryPolicy.from_dict(gone).non_retryable == (KeyError,)
    assert not policy.retryable(TypeError("bug")) and policy.retryable(ConnectionError("flaky"))


@pytest.mark.parametrize(
    "bad",
    [{"max_attempts": 0}, {"max_attempts": True}, {"initial": -1}, {"backoff": 0.5}, {"max_interval": "30"}],
)
def test_bad_policies_are_refused(bad: dict) -> None:
    with pytest.raises(ValueError):
        RetryPolicy(**bad)


def test_non_retryable_must_be_exception_classes() -> None:
    with pytest.raises(TypeError, match="tuple of exception classes"):
        RetryPolicy(non_retryable=(ValueError, "KeyError"))  # type: ignore[arg-type]


def test_a_non_retryable_class_that_does_not_import_is_kept_by_name() -> None:
    class DeclinedError(Exception):
        pass

    class HardDeclinedError(DeclinedError):
        pass

    journaled = RetryPolicy(non_retryable=(DeclinedError,)).to_dict()
    resumed = RetryPolicy.from_dict(journaled | {"non_retryable": [*journaled["non_retryable"], "gone.module:Error"]})
    assert resumed.non_retryable == ()
    assert len(resumed.non_retryable_names) == 2
    assert not resumed.retryable(DeclinedError("no")) and not resumed.retryable(HardDeclinedError("no"))
    assert resumed.retryable(ConnectionError("flaky"))
    assert RetryPolicy.from_dict(resumed.to_dict()) == resumed
