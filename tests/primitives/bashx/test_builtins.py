"""Builtins of :mod:`dotdo.primitives.bashx.builtins`, checked against real bash."""

from __future__ import annotations

import pytest

from dotdo.primitives.bashx import Bash

from .oracle import real_bash_output

SCRIPTS = [
    # A bad option to exec is a usage error (status 2) that does not end the shell.
    "exec -i /bin/sh; echo $?; exec -- ; echo $?; exec 3>/dev/null; echo still here",
]


@pytest.mark.parametrize("script", SCRIPTS)
def test_matches_bash(bash: Bash, script: str) -> None:
    result = bash.run_sync(script, confirm=True, timeout=20)
    assert (result.stdout, result.exit_code) == real_bash_output(script)
