"""The clients' own test suites against dotdo's search and vector layers: what passed once keeps passing.

A lean subset of each suite runs here (`Suite.fast`); `run.py` runs every vendored file and prints the
table. The floor is `baseline.json` (raise it with `run.py --update-baseline` after a fix).
"""

from __future__ import annotations

import pytest

from .suites import SUITES, Suite, load_baseline, run_suite, table


def _in(test: str, selection: tuple[str, ...]) -> bool:
    return any(
        test == chosen or test.startswith(chosen.rstrip("/") + ("::" if ".py" in chosen else "/"))
        for chosen in selection
    )


def test_every_suite_has_a_baseline_and_each_exclusion_a_reason() -> None:
    baseline = load_baseline()
    assert set(baseline) == set(SUITES), "run.py --update-baseline after adding a suite"
    for suite in SUITES.values():
        assert all(reason.strip() for reason in suite.excluded.values())
        assert any(_in(test, suite.fast) for test in baseline[suite.name]), (
            f"{suite.name}: the fast subset runs no baseline test"
        )


@pytest.mark.parametrize("suite", SUITES.values(), ids=list(SUITES))
def test_the_tests_that_passed_still_pass(suite: Suite) -> None:
    report = run_suite(suite, suite.fast, timeout=600)
    print("\n" + table([report]))
    assert report.crash is None, report.crash
    expected = [test for test in load_baseline()[suite.name] if _in(test, suite.fast)]
    regressed = [test for test in expected if report.outcomes.get(test) != "passed"]
    assert not regressed, f"{suite.name}: passed before, not now: {regressed}"
