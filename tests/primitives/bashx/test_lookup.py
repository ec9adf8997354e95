"""``type``, ``command -v/-V``, ``hash`` and ``enable``: how names resolve, as bash reports it."""

from __future__ import annotations

import pytest

from dotdo.primitives.bashx import Bash

from .oracle import real_bash_output

SCRIPTS = [
    "f() { :; }; type -t f while echo mv; type -t nosuch; echo $?; type echo while",
    "type -r x; echo $?; type; echo $?; command -v nosuch; echo $?; command -v echo while",
    "alias m=more; shopt -s expand_aliases; command -v m; type -t m; type -p m; echo $?",
    "hash; hash -p /bin/sh sh; type -p sh; type sh; hash -t sh; hash -d sh; hash; hash -z; echo $?",
    "hash -p /nowhere/tool tool; tool; echo $?; hash -r; hash",
    "enable -ps; enable -nps; enable -n test; type -t test; enable -n; enable test; type -t test",
    "enable -n nosuch; echo $?; enable -n echo; echo hi; type -t echo",
]


@pytest.mark.parametrize("script", SCRIPTS)
def test_matches_bash(bash: Bash, script: str) -> None:
    result = bash.run_sync(script, confirm=True, timeout=20)
    assert (result.stdout, result.exit_code) == real_bash_output(script)


def test_native_programs_are_files_in_usr_bin(bash: Bash) -> None:
    result = bash.run_sync("type mv; command -v grep; type -a ls")
    assert result.stdout == "mv is /usr/bin/mv\n/usr/bin/grep\nls is /usr/bin/ls\nls is /bin/ls\n"
