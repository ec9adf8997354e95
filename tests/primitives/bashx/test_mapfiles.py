"""``mapfile``/``readarray`` with bash's options, checked against real bash."""

from __future__ import annotations

import pytest

from dotdo.primitives.bashx import Bash

from .oracle import real_bash_output

LINES = "printf 'l%s\\n' 0 1 2 3 4 5 6 7 8 9"
SCRIPTS = [
    f'mapfile A < <({LINES}); echo ${{#A[@]}} "${{A[0]}}"; mapfile -t B < <({LINES}); echo "${{B[@]}}"',
    f"mapfile -s 2 -n 3 -t A < <({LINES}); echo ${{#A[@]}} ${{A[@]}}",
    f"D=(a b c d e f g h i j k l); mapfile -O 10 -n 4 -t D < <({LINES}); echo ${{#D[@]}} ${{D[@]}}",
    f"mapfile -C echo -c 3 A < <({LINES}); mapfile -C 'echo cb' -c 1 -t X <<< $'p\\nq'",
    "mapfile -t -d , A <<< 'a,b,c'; echo ${#A[@]} \"${A[2]}\"; printf 'x\\0y\\0' | { mapfile -d '' Z; echo ${Z[@]}; }",
    "exec 3< <(echo three); mapfile -t -u 3 C; echo ${C[@]}; mapfile -u 9 E; echo $?",
    "mapfile -x; echo $?; mapfile -n x C; echo $?; mapfile -c 0 C < /dev/null; echo $?",
    "printf 'a\\nb\\n' | readarray; echo ${#MAPFILE[@]}",
]


@pytest.mark.parametrize("script", SCRIPTS)
def test_matches_bash(bash: Bash, script: str) -> None:
    result = bash.run_sync(script, confirm=True, timeout=20)
    assert (result.stdout, result.exit_code) == real_bash_output(script)
