"""Real bash is the oracle: every corpus script must behave the same under bashx on fsx."""

from __future__ import annotations

import shutil

import pytest

from .oracle import compare, load_cases

CASES = load_cases()


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 300, f"the oracle corpus has {len(CASES)} scripts; it needs at least 300"


def test_bash_is_available() -> None:
    assert shutil.which("bash"), "real bash is the oracle: install bash"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_matches_bash(case, tmp_path) -> None:
    problems = compare(case, tmp_path)
    if case.differs:
        assert problems, f"{case.name} is documented as differing ({case.differs}) but now matches: drop the note"
        return
    assert not problems, "\n".join([case.name, case.script, *problems])
