"""``cd``, ``pwd`` and the directory stack (``pushd``, ``popd``, ``dirs``, ``DIRSTACK``, ``~N``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dotdo.primitives.bashx import Bash

from .oracle import real_bash_output

SCRIPTS = [
    "pushd a; pushd ../b; dirs; dirs -v; dirs -p; echo ${DIRSTACK[@]}; popd; popd; popd; echo $?",
    "pushd a; pushd ../b; pushd; pushd +1; pushd -0; dirs -l; pushd +0; echo $?",
    "pushd a; pushd ../b; pushd -n +1; dirs; pushd -n -0; dirs; pushd -n +0; dirs; pushd +0",
    "pushd -n a >/dev/null; pushd -n b; pwd; popd -n; popd +0; pwd; dirs +9; echo $?; dirs -1",
    "pushd a >/dev/null; echo ~0 ~1 ~-0 ~+ ~-; DIRSTACK[1]=$D/b; dirs; popd >/dev/null; pwd",
    "pushd; echo $?; popd; echo $?; pushd -m; echo $?; dirs 7; echo $?; pushd +9; echo $?; popd x; echo $?",
    "dirs -c; pushd a >/dev/null; pushd ../b >/dev/null; dirs -c; dirs; cd nowhere; echo $?; cd -Z; echo $?",
    "cd a; cd ../b; cd - ; echo $PWD $OLDPWD; pwd -P; pwd -Q; echo $?",
]


@pytest.mark.parametrize("script", SCRIPTS)
def test_matches_bash(bash: Bash, script: str, tmp_path: Path) -> None:
    # The same absolute folder on the host and in the object's filesystem.
    full = f"D={tmp_path}; mkdir -p $D/a $D/b; cd $D; {script}"
    result = bash.run_sync(full, confirm=True, timeout=20)
    assert (result.stdout, result.exit_code) == real_bash_output(full)


def test_errors_name_the_builtin(bash: Bash) -> None:
    result = bash.run_sync("popd; pushd /nowhere; dirs -x")
    assert "popd: directory stack empty" in result.stderr
    assert "pushd: /nowhere: No such file or directory" in result.stderr
    assert "dirs: usage: dirs [-clpv] [+N] [-N]" in result.stderr
