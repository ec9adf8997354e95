"""``umask``, ``ulimit`` and ``times``: kept and reported as bash reports them."""

from __future__ import annotations

import pytest

from dotdo.primitives.bashx import Bash

from .oracle import real_bash_output

SCRIPTS = [
    "umask 022; umask; umask -S; umask -S u=rwx,g=rwx,o=rx >/dev/null; umask; umask -p; umask -p -S",
    "umask 0; umask -S; umask g-w,o=r; umask; umask 999; echo $?; umask -Q; echo $?",
    "ulimit -S -c 0; ulimit -c -S -- 1000; ulimit -c; ulimit -n 10; ulimit -n; ulimit -Z; echo $?",
    "ulimit -c x; echo $?; times | wc -l",
]


@pytest.mark.parametrize("script", SCRIPTS)
def test_matches_bash(bash: Bash, script: str) -> None:
    result = bash.run_sync(script, confirm=True, timeout=20)
    assert (result.stdout, result.exit_code) == real_bash_output(script)
