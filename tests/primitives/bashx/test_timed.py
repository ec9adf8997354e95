"""``time`` and ``!`` before a pipeline, alone, and stacked, checked against real bash."""

from __future__ import annotations

import pytest

from dotdo.primitives.bashx import Bash

from .oracle import real_bash_output

SCRIPTS = [
    "!; echo $?; time; echo $?; ! ! ! true; echo $?",
    "time ! echo a; echo $?; ! time echo a; echo $?; time time echo a; echo $?",
    "time -p echo a; echo $?; time -p -- echo b; time false | true; echo $? ${PIPESTATUS[@]}",
    "f() { time; }; g() { time -p echo x | cat; }; type f g",
]


@pytest.mark.parametrize("script", SCRIPTS)
def test_matches_bash(bash: Bash, script: str) -> None:
    result = bash.run_sync(script, confirm=True, timeout=20)
    assert (result.stdout, result.exit_code) == real_bash_output(script)


def test_time_reports_on_stderr(bash: Bash) -> None:
    result = bash.run_sync("time -p echo a 2>/dev/null")
    assert result.stdout == "a\n" and result.stderr.startswith("real ") and "\nsys 0.00\n" in result.stderr
