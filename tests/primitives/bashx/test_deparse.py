"""Functions printed back as bash prints them (``type name``), checked against real bash."""

from __future__ import annotations

import pytest

from dotdo.primitives.bashx import Bash

from .oracle import real_bash_output

FUNCTIONS = [
    "f() { echo a; x=1 y=2 cmd >/dev/null 2>&1 <in; echo b >&2 | cat; ! true && false || :; }",
    "g() ( echo sub )",
    "g() { ( echo sub ) 2>&1; }",
    'h() { if [ -n "$x" ]; then echo a; elif true; then :; else echo b; fi; }',
    'h() { while read l; do echo "$l"; done < file; until false; do break; done; }',
    "h() { for i in 1 2; do echo $i; done; for ((i = 0; i < 2; i++)); do :; done; }",
    "h() { case $x in a|b) echo ab;; *) ;; esac; }",
    "h() { { echo x; echo y; } 1>&2; echo bg & local v=(1 2 3); exec 3>&-; }",
    "h() { (( x = 1 + 2 )); [[ -n $x && $x == a* ]]; }",
    'k() { cat <<< "$a $b"; echo "$@" &>> log; }',
    "f() { cat <<EOF\nhello $x\nEOF\n  cat <<'E2'\nraw\nE2\n}",
    "f() { echo; cat <<END\nbar\nEND\n}",
    "f() { g() { echo inner; } 1>&2; g; } 2>&1",
]


@pytest.mark.parametrize("definition", FUNCTIONS)
def test_type_prints_the_function_as_bash_does(bash: Bash, definition: str) -> None:
    name = definition[0]
    script = f"{definition}\ntype {name}; command -V {name}"
    result = bash.run_sync(script, confirm=True, timeout=20)
    assert (result.stdout, result.exit_code) == real_bash_output(script)
