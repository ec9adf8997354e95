"""Any input: bashx answers with output or one of its own errors, never a Python exception or a hang."""

from __future__ import annotations

import tempfile
import threading
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dotdo.primitives.bashx import Bash, BashError
from dotdo.primitives.fsx import FileSystem
from dotdo.runtime.storage import Storage

TIMEOUT = 1.0
HANG = 60.0
"""Seconds after which a run that has not returned counts as a hang (far past TIMEOUT)."""

ATOMS = [
    "echo",
    "printf '%s|%d|%q\\n' a 1x 'b c'",
    "x=1",
    "y=",
    "$x",
    "${x:-a}",
    "${x:+b}",
    "${x#*}",
    "${#x}",
    "${x/a/b}",
    "${x@Q}",
    "${!x}",
    "${x:1:2}",
    "$((1+2))",
    "$((x/0))",
    "$((2**70))",
    "$(echo a)",
    "`echo b`",
    "'q'",
    '"d $x"',
    "$'\\x41\\n'",
    '$"t"',
    "|",
    "|&",
    "&&",
    "||",
    ";",
    "&",
    "\n",
    "(",
    ")",
    "{",
    "}",
    "if",
    "then",
    "else",
    "fi",
    "for i in 1 2;",
    "for ((i=0;i<3;i++));",
    "do",
    "done",
    "while",
    "until",
    "case",
    "esac",
    "in",
    "a)",
    ";;",
    ";&",
    "[[",
    "]]",
    "[",
    "]",
    "-eq",
    "-lt",
    "-v",
    "-n",
    "==",
    "!=",
    "=~",
    "<",
    ">",
    ">>",
    "<<EOF\nx $x\nEOF\n",
    "<<-'E'\n\tq\n\tE\n",
    "<<<",
    "2>&1",
    ">&-",
    "<&3",
    "*",
    "?",
    "[a-",
    "[z-a]",
    "[!z]",
    "[[:alpha:]]",
    "{a,b}",
    "{1..3}",
    "{z..a..2}",
    "~",
    "~/x",
    "$@",
    "$*",
    "$#",
    "$?",
    "$!",
    "$$",
    "${a[@]}",
    "${a[-1]}",
    "a=(1 2 3)",
    "a[-9]=x",
    "declare -A m",
    "m[k]=v",
    "declare -a a=([3]=x y)",
    "read -r -n 2 v",
    "read -a arr",
    "mapfile -t L",
    "set -e",
    "set -u",
    "set -o pipefail",
    "set -x",
    "shopt -s extglob nullglob",
    "@(a|b)",
    "!(x)",
    "break",
    "continue",
    "break 0",
    "continue x",
    "return",
    "exit 3",
    "local z",
    "f() { echo f; }",
    "f",
    "trap 'echo t' EXIT ERR",
    "eval 'echo e'",
    "eval",
    "let i++",
    "((i++))",
    "((a[1]+=2))",
    "\\",
    "#c",
    "yes",
    "head -1",
    "cat",
    "wc -l",
    "sort -r",
    "wait",
    "wait -n",
    "kill %1",
    "jobs",
    "sleep 0.01",
    "bash -c 'echo in'",
    "sh -c",
    "test",
    "getopts ab: o",
    "alias l=ls",
    "command -v echo",
    "builtin echo",
    "type f",
    "unset x",
    "readonly r=1",
    "r=2",
    "shift 5",
    "cd /nope",
    "pwd",
    "IFS=:",
    "IFS=",
    "echo ${IFS@Q}",
    "$(( ",
    "$( ",
    "'",
    '"',
    "`",
    "${",
    "}}",
    "))",
]

SCRIPTS = st.one_of(
    st.lists(st.sampled_from(ATOMS), min_size=1, max_size=14).map(" ".join),
    st.text(alphabet=st.sampled_from(list("ab $'\"\\`(){}[]|&;<>*?!#~=-+%^:,/\n\t0123456789")), max_size=40),
)


@cache
def shell() -> Bash:
    folder = Path(tempfile.mkdtemp(prefix="bashx-fuzz-"))
    return Bash(FileSystem(Storage(folder / "fuzz.sqlite")), sandbox=False)


def run(script: str) -> BaseException | None:
    """Run ``script`` on another thread; the exception it raised that is not bashx's own, if any."""
    outcome: list[BaseException | None] = []

    def body() -> None:
        try:
            shell().run_sync(script, confirm=True, timeout=TIMEOUT, stdin="line one\nline two\n")
            outcome.append(None)
        except BashError:
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=body, daemon=True)
    thread.start()
    thread.join(HANG)
    assert not thread.is_alive(), f"bashx hung on {script!r}"
    return outcome[0]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SCRIPTS)
def test_bashx_raises_only_its_own_errors_and_never_hangs(script: str) -> None:
    error = run(script)
    assert error is None, f"{script!r} raised {type(error).__name__}: {error}"


def test_known_crashers_are_handled() -> None:
    for script in [
        "case b in [z-a]) echo y;; esac",
        "[[ b == [z-a] ]]; echo $?",
        "a[-1]=x",
        "break 0; while break; do :; done",
        "for i in 1; do continue x; done",
        "exec 3<&-; cat <&3",
    ]:
        assert run(script) is None, script


def test_recursive_getopts_with_a_local_optind_ends() -> None:
    script = 'f() { local OPTIND=1 opt; while getopts ":abcxyz" opt; do echo $opt; [[ $opt = y ]] && f -abc; done; }\n'
    result = shell().run_sync(script + "f -xyz", timeout=5)
    assert result.stdout == "x\ny\na\nb\nc\nz\n"  # as bash prints it


def test_writing_to_closed_descriptors_is_bash_error() -> None:
    result = shell().run_sync("echo hi >&-; echo $?; echo x 2>&- >&-; echo $?; cat /dev/null; echo $?")
    assert result.stdout == "1\n1\n0\n"
