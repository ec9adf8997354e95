"""Redirections: ``{name}>file`` descriptors, moving a descriptor (``n<&m-``), and where a failed
redirection reports, each checked against real bash."""

from __future__ import annotations

from pathlib import Path

import pytest

from dotdo.primitives.bashx import Bash

from .oracle import real_bash_output

SCRIPTS = [
    "exec {v}>$D/f; echo $v; echo one >&$v; echo two >&$v; exec {v}>&-; cat $D/f; echo x >&$v; echo $?",
    "exec {a}>$D/f {b}>$D/g; echo $a $b; exec {a}>&- {b}>&-; exec {c}>$D/h; echo $c",
    "readonly v=42; exec {v}>$D/f; echo $? $v",
    "exec {in}<<EOF\nline 1\nline 2\nEOF\nread -u $in x; echo $x; cat <&$in",
    "exec {o}>&1; exec {p}>&$o-; echo moved >&$p; echo $o $p; echo gone >&$o; echo $?",
    "v=9; echo foo 2>&1 >&$v | cat",
    "read -u 7 x; echo $?; read -u x y; echo $?; read -u 0 z <<< hi; echo $z",
    "f() { exec {v}>$D/f; exec {v}>&-; exec {w}<&0; exec {x}<&$w-; }; type f",
]


@pytest.mark.parametrize("script", SCRIPTS)
def test_matches_bash(bash: Bash, script: str, tmp_path: Path) -> None:
    full = f"D={tmp_path}; mkdir -p $D\n{script}"
    result = bash.run_sync(full, confirm=True, timeout=20)
    assert (result.stdout, result.exit_code) == real_bash_output(full)
