"""GNU bash's own test suite as the oracle: a fast subset runs here, the whole suite via run.py.

Each file's identical cases may only go up: the floor is ``baseline.json`` (raise it with
``run.py --update-baseline`` after a fix). The per-file table is printed (``pytest -s``).
"""

from __future__ import annotations

import shutil

import pytest

from .suite import EXCLUDED, applicable_files, load_baseline, marked, run_file, split_cases, table

FAST_SUBSET = [
    "alias.tests",
    "comsub.tests",
    "exp.tests",
    "herestr.tests",
    "ifs.tests",
    "invert.tests",
    "iquote.tests",
    "nquote2.tests",
    "precedence.tests",
    "printf.tests",
    "set-e.tests",
    "extglob3.tests",
]
"""Files that run in a second or two each under both shells; run.py runs all of them."""


def test_bash_is_the_oracle() -> None:
    assert shutil.which("bash"), "GNU bash is the oracle of the suite: install bash"


def test_every_upstream_file_is_run_or_excluded_with_a_reason() -> None:
    baseline = load_baseline()
    assert set(FAST_SUBSET) <= set(applicable_files())
    assert set(baseline) == set(applicable_files()), "run.py --update-baseline after adding or excluding a file"
    assert all(reason.strip() for reason in EXCLUDED.values())


def test_markers_cut_a_file_into_cases_at_top_level_only() -> None:
    script, count = marked("echo a\n\nif true; then\n\n  echo b\nfi\n\ncat <<EOF\n\nx\nEOF\n\necho c\n")
    assert count == 4  # before `if`, before `cat`, before the last `echo`, and at the end
    cases = split_cases(b"a\n\n@@bashx-suite-case 1 status=0\nb\n\n@@bashx-suite-case 2 status=1\n")
    assert cases == {1: b"a\n status=0", 2: b"b\n status=1"}
    assert "@@bashx-suite-case" in script


@pytest.fixture(scope="module")
def fast_reports():
    reports = [run_file(name) for name in FAST_SUBSET]
    print("\n" + table(reports))
    return reports


@pytest.mark.parametrize("name", FAST_SUBSET)
def test_identical_cases_never_fall_below_the_baseline(fast_reports, name: str) -> None:
    report = next(r for r in fast_reports if r.name == name)
    floor = load_baseline()[name]
    assert report.crash is None, f"{name}: {report.crash}"
    assert report.identical >= floor, "\n".join(
        [f"{name}: {report.identical} of {report.cases} identical, the baseline is {floor}", *report.failures]
    )
