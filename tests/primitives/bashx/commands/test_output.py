"""printf's format language and echo's escapes, checked against real bash."""

from __future__ import annotations

import pytest

from dotdo.primitives.bashx import Bash

from ..oracle import real_bash_output

SCRIPTS = [
    # Escapes in the format are decoded as the format is read: \045d prints %d, not a number.
    "printf '\\045d\\n'; printf 'one\\ctwo\\n'; echo; printf '\\101|\\\"|\\q|\\0101|\\x41|\\?\\n' | od -c",
    # %b knows \\0NNN and \\NNN, stops at \\c, and keeps \\\" as written; echo -e knows only \\0NNN.
    "printf '%b\\n' '\\01017' '\\1017' '\\x417' '\\\"q\\\"' 'a\\cb'; echo -e '\\101|\\0101|\\q'",
    # Length modifiers C needs are accepted and ignored.
    "printf '%ld %lu %li %hd %lld %jd %zd 0%o %#x %#X\\n' 255 255 255 2 3 5 6 255 255 255",
    # A bad directive ends the output there, with status 1.
    "printf '%10'; echo \" $?\"; printf 'ab%Mcd\\n'; echo \" $?\"; printf '%y' 0; echo \" $?\"",
    'printf "%\'d|%5.2f|%-4s|%c\\n" 1234567 3.14159 ab xyz',
]


@pytest.mark.parametrize("script", SCRIPTS)
def test_matches_bash(bash: Bash, script: str) -> None:
    result = bash.run_sync(script, confirm=True, timeout=20)
    assert (result.stdout, result.exit_code) == real_bash_output(script)
