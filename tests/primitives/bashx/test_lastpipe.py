"""``shopt -s lastpipe``: the last stage of a pipeline runs in the shell itself."""

from __future__ import annotations

import pytest

from dotdo.primitives.bashx import Bash

from .oracle import real_bash_output

SCRIPTS = [
    'shopt -s lastpipe; echo a b c | read x y z; echo "$x|$y|$z"',
    "shopt -s lastpipe; printf '%s\\n' 1 2 3 | while read n; do last=$n; done; echo $last ${PIPESTATUS[@]}",
    'echo a | read x; echo "[$x]"; shopt -s lastpipe; echo b | read x; echo "[$x]"; shopt -u lastpipe',
    "shopt -s lastpipe; echo a | exit 3; echo not reached",
]


@pytest.mark.parametrize("script", SCRIPTS)
def test_matches_bash(bash: Bash, script: str) -> None:
    result = bash.run_sync(script, confirm=True, timeout=20)
    assert (result.stdout, result.exit_code) == real_bash_output(script)
