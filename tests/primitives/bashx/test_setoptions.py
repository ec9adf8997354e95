"""``set`` and ``shopt -o``: every option bash knows is accepted, kept and listed as bash lists it."""

from __future__ import annotations

import pytest

from dotdo.primitives.bashx import Bash

from .oracle import real_bash_output

SCRIPTS = [
    "set +p; echo $?; set +o posix; echo $?; set -o posix; set +o | grep posix; set -o | grep -c .",
    "set -o vi; set -o | grep -E '^(vi|emacs) '; set -o emacs; set +o | grep -E ' (vi|emacs)$'",
    "set -aEkT; echo $-; set +aEkT; echo $-",
    "set -o foo; echo $?; set -Z; echo $?; set -- a b; echo $# $1; set '' x; echo $#",
    "shopt -o -p errexit history; echo $?; shopt -po xyz; echo $?",
    "shopt -s -o verbose; shopt -s -p -o; shopt -u -o | head -3; shopt -o nounset; echo $?",
    "shopt -z; echo $?; shopt -s -u nullglob; echo $?; shopt -p nullglob extglob",
]


@pytest.mark.parametrize("script", SCRIPTS)
def test_matches_bash(bash: Bash, script: str) -> None:
    result = bash.run_sync(script, confirm=True, timeout=20)
    assert (result.stdout, result.exit_code) == real_bash_output(script)


def test_unknown_option_says_so(bash: Bash) -> None:
    result = bash.run_sync("set -o nosuch")
    assert result.exit_code == 2 and "set: nosuch: invalid option name" in result.stderr
