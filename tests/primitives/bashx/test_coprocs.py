"""``coproc``: a job the shell talks to through two pipes, checked against real bash."""

from __future__ import annotations

import pytest

from dotdo.primitives.bashx import Bash

from .oracle import real_bash_output

SCRIPTS = [
    "coproc { echo a b c; }; echo ${COPROC[@]}; read LINE <&${COPROC[0]}; echo $LINE; wait $COPROC_PID; echo $?",
    # A named coprocess answers each line as it comes; killing it ends it with SIGTERM's status.
    "coproc R { cat -; }; echo flop >&${R[1]}; read L <&${R[0]}; echo $L; kill $R_PID; wait $R_PID; echo $?",
    # The shell ending closes the coprocess's input, so one reading it ends too.
    "coproc cat; echo hello >&${COPROC[1]}; read x <&${COPROC[0]}; echo $x",
    "coproc nosuchcommand -n; case $COPROC_PID in [0-9]*) echo pid;; esac; wait $COPROC_PID; echo $?",
    "f() { coproc W { echo w; }; }; type f",
]


@pytest.mark.parametrize("script", SCRIPTS)
def test_matches_bash(bash: Bash, script: str) -> None:
    result = bash.run_sync(script, confirm=True, timeout=20)
    assert (result.stdout, result.exit_code) == real_bash_output(script)


def test_a_background_subshell_can_kill_the_shells_job(bash: Bash) -> None:
    result = bash.run_sync("sleep 30 & p=$!; { kill $p; } & wait $p; echo $?", timeout=20)
    assert result.stdout == "143\n"
