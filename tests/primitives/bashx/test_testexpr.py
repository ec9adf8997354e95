"""``test``, ``[`` and ``[[``: devices, descriptors' names and unary ``-a``, checked against real bash."""

from __future__ import annotations

import pytest

from dotdo.primitives.bashx import Bash

from .oracle import real_bash_output

SCRIPTS = [
    "test -a /nonexistent; echo $?; [ -a / ]; echo $?; [ x -a y ]; echo $?; [[ -a /nonexistent ]]; echo $?",
    "for f in /dev/null /dev/zero; do [ -c $f ]; echo -n $?; [ -w $f ]; echo -n $?; [ -r $f ]; echo $?; done",
    "[ -r /dev/stdin ]; echo $?; [ -w /dev/stdout ]; echo $?; [ -w /dev/fd/2 ]; echo $?; [ -r /dev/fd/7 ]; echo $?",
    "exec 7</dev/null; [ -r /dev/fd/7 ]; echo $?; echo | { [ -p /dev/fd/0 ]; echo $?; }",
]


@pytest.mark.parametrize("script", SCRIPTS)
def test_matches_bash(bash: Bash, script: str) -> None:
    result = bash.run_sync(script, confirm=True, timeout=20)
    assert (result.stdout, result.exit_code) == real_bash_output(script)
