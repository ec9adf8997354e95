"""``trap``: DEBUG and RETURN traps as bash runs them around functions, and ``$LINENO`` in a trap."""

from __future__ import annotations

import pytest

from dotdo.primitives.bashx import Bash

from .oracle import real_bash_output

SCRIPTS = [
    # $LINENO in a DEBUG trap is the line of the command about to run.
    "trap 'echo [$LINENO] debug' DEBUG\necho one\n\necho two\ntrap - DEBUG",
    # A function does not see the DEBUG trap; one it sets stays after it returns.
    "f() { echo in f; trap 'echo [$LINENO] new' DEBUG; }\ntrap 'echo [$LINENO] old' DEBUG\nf\necho after",
    # RETURN runs when a function returns, for functions only under functrace.
    "trap 'echo returned' RETURN; f() { :; }; f; echo one; set -o functrace; f; echo two",
    "set -T; fn() { return; }; trap 'echo fn; fn' RETURN; fn; echo after",
    "g() { trap 'echo g returns' RETURN; }; g; echo after g",
]


@pytest.mark.parametrize("script", SCRIPTS)
def test_matches_bash(bash: Bash, script: str) -> None:
    result = bash.run_sync(script, confirm=True, timeout=20)
    assert (result.stdout, result.exit_code) == real_bash_output(script)
