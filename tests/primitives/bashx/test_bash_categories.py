"""Focused cases for the categories bash's own suite found wrong, each checked against real bash."""

from __future__ import annotations

import subprocess

import pytest

from dotdo.primitives.bashx import Bash

from .oracle import with_default_signals

CASES = {
    "empty and quoted words": [
        'e=; for w in "${e:-}"; do echo "[$w]"; done; set -- ${e:+b}; echo $#',
        'u=; echo "${u:-\'b\'}" "${u:-"c"}" ${u:-\'d\'}',
        'x=; echo "${x:-a b}" ${x:-"q r"}; set -- ""; echo $#',
    ],
    "words tree-sitter splits": [
        "x=1 y=2 z=3; echo /$x/$y/$z/; a=q; echo -{$a,b}-",
        'echo $"hi"',
    ],
    "parameter transformations": [
        'x="a\'b c"; echo ${x@Q}; y=\'\\t\'; printf %s "${y@E}" | od -c',
        "x=hello; echo ${x@U} ${x@L} ${x@u}",
        "declare -a arr=(1); echo ${arr@a}; export e=1; echo ${e@a}",
        "pre_a=1 pre_b=2; echo ${!pre_@}; n=pre_a; echo ${!n}",
        'a=(x "y z"); echo "${a[@]@Q}"',
    ],
    "numbers in test": [
        "[ -1 -lt 0 ]; echo $?; [[ 0x10 -eq 16 ]]; echo $?; [[ 010 -eq 8 ]]; echo $?; [ 010 -eq 10 ]; echo $?",
        "x=5; [[ x -gt 3 ]]; echo $?; [ -5 -lt -3 ]; echo $?; [ 1 -eq 1x ]; echo $?",
    ],
    "-v on array elements": [
        "a=(1 2); test -v 'a[1]'; echo $?; test -v 'a[5]'; echo $?; k=1; [[ -v a[k] ]]; echo $?",
        "declare -A m=([x]=1); [[ -v m[x] ]]; echo $?; [[ -v m[y] ]]; echo $?",
    ],
    "bracket expressions": [
        "case b in [!a]) echo yes;; esac; case x in [[:alpha:]]) echo al;; esac; case b in [z-a]) echo r;; esac",
        "[[ b == [z-a] ]]; echo $?; x=-; [[ $x == [a-] ]]; echo $?",
    ],
    "printf and echo bytes": [
        "printf '\\xff\\x41\\n' | od -An -tx1",
        "echo -e '\\xfe\\0101' | od -An -tx1; printf '\\351\\n' | od -An -tx1",
        "printf '%b\\n' '\\xc3\\xa9'",
    ],
    "break and continue": [
        "while break; do echo no; done; echo after",
        'for i in 1 2; do break x; echo $i; done; echo "rc $?"',
        'for i in 1 2; do continue 0; echo $i; done; echo "rc $?"',
        "for i in 1 2; do for j in 1 2; do continue 5; done; echo $i; done; echo $?",
        "for i in 1 2 3; do for j in a b; do break 2; done; done; echo $i",
    ],
    "programs": [
        "printf 'ab\\tc\\n' | od -c; printf 'AB' | od -b; printf 'abcdefghijklmnopqrstuvwxyz' | od",
        "echo abc | egrep 'a|z'; echo abc | fgrep 'a|z'; echo $?",
        "bash -c 'echo $0 $1 $#' name a b; sh -c 'exit 3'; echo $?",
        "echo 'echo from stdin' | bash; f(){ :; }; bash -c f 2>/dev/null; echo $?",
    ],
    "syntax errors": [
        "echo a\nif then fi\necho b",
        "echo a\nfi\necho b",
    ],
    "read": [
        'read -n 2 x <<< "hello"; echo $x; read -N 3 y <<< "a\nbcd"; echo "$y"',
        "printf 'a\\0b\\0' | while read -d '' x; do echo \"[$x]\"; done",
        'read -a arr <<< "1 2 3"; echo ${arr[2]}; IFS=: read a b <<< "x:y:z"; echo $a $b',
        "read -r x <<< 'a\\tb'; echo \"$x\"; read x <<< 'a\\tb'; echo \"$x\"",
    ],
    "tilde in assignments and printf time": [
        "x=foo:~; echo $x; p=/a:~/bin:~; echo $p; y=~:a; echo $y",
        "printf '%(%Y-%m-%d)T\\n' 0; printf '[%(%H)T]\\n' 3600",
    ],
    "expr, type and builtin": [
        "expr 1 + 2; expr 7 / 2; expr -7 % 3; expr 3 \\* 4; expr 5 \\> 3; expr abc = abc; expr 0; echo $?",
        "expr abcdef : 'ab\\(.*\\)e'; expr abcdef : 'abc'; expr length hello; expr substr hello 2 3",
        "expr 1 / 0; echo $?; expr a + 1; echo $?; N=5; N=`expr $N + 1`; echo $N",
        "type -t echo; type -t if; type -t nope; echo $?; builtin echo x; builtin nope; echo $?",
    ],
    "arithmetic command errors": ["u=; (( $u == 0 )); echo hi $?; if (( $u == 0 )); then echo a; fi; echo hi $?"],
    "closed descriptors": ["echo hi >&-; echo $?; echo x 2>&- >&-; echo $?; cat /dev/null; echo $?"],
    "expansion errors end the command, not the script": [
        "echo ${x!y}; echo same\necho after $?",
        "echo $((1+)); echo same\necho after $?\nreadonly r=1; r=2; echo same\necho $?",
        "f() { echo $((1/0)); echo in; }; f; echo same\necho next",
    ],
    "what tree-sitter-bash rejects and bash reads": [
        "f() { cat; } <<EOF\nhi\nEOF\nf; f",
        "cat <<A <<B\none\nA\ntwo\nB",
        "echo $(case a in (a) echo x;; esac) $(case b in b) echo y;; esac)",
        "echo $(echo a ')' \\)\n  # ) comment\n  )",
        "echo $((echo a);(echo b))",
        "for x in; do echo never; done; echo done",
    ],
    "extended globs": [
        "shopt -s extglob\ncase 12 in 0|[1-9]*([0-9])) echo num;; esac\n"
        "case 09 in +([0-7])) echo oct;; *) echo no;; esac",
        "shopt -s extglob\ncase para381 in para?([345]|99)1) echo bad;; *) echo ok;; esac\n"
        "[[ x.c == !(*.h) ]]; echo $?",
        "shopt -s extglob\ncase /dev/udp/1/2 in /dev/@(tcp|udp)/*/*) echo ok;; esac",
    ],
    "shopt": [
        "shopt -p extglob; shopt nullglob extglob; shopt -s bogus; echo $?; shopt -q nullglob; echo $?",
        "cd /; shopt -s nullglob; echo a /nothing-*here b; shopt -u nullglob; echo /nothing-*here",
        "shopt -s failglob; echo /nothing-*here; echo same\necho next $?",
        "shopt -s nocasematch; case ABC in abc) echo y;; esac; [[ ABC == a* ]] && echo yy",
    ],
    "trap": [
        "trap 'echo err $?' ERR; false; echo x; trap; trap - ERR; false; echo y",
        "( trap 'echo sub exit' 0; exit 3 ); echo $?; trap '' INT; trap hup; trap -p; trap x BAD; echo $?",
        "trap 'echo dbg' DEBUG; echo one; trap - DEBUG; echo two",
        "set -e; trap 'echo bye' EXIT; x=$(false; echo in); echo \"[$x]\"; y=$(false); echo never",
    ],
    "alias": [
        "shopt -s expand_aliases\nalias ll='echo listed'\nll a; alias; alias ll; unalias ll\nll\necho $?",
        "shopt -s expand_aliases\nalias foo='echo ' bar=baz baz=quux\nfoo bar\nalias q1=q2 q2=q1\nq1",
        "alias x=1; x 2>/dev/null; echo $?; unalias nothere; echo $?; type -t alias",
    ],
}


def real_bash(script: str) -> tuple[str, int]:
    env = {"LC_ALL": "C", "PATH": "/usr/bin:/bin", "HOME": "/"}
    proc = subprocess.run(
        ["bash", "-c", script],
        capture_output=True,
        text=True,
        cwd="/",
        env=env,
        check=False,
        preexec_fn=with_default_signals,
    )
    return proc.stdout, proc.returncode


@pytest.mark.parametrize(
    "script", [s for scripts in CASES.values() for s in scripts], ids=[k for k, v in CASES.items() for _ in v]
)
def test_matches_bash(bash: Bash, script: str) -> None:
    result = bash.run_sync(script, confirm=True, timeout=20)
    assert (result.stdout, result.exit_code) == real_bash(script)


def test_mkfifo_says_what_to_do_instead(bash: Bash) -> None:
    result = bash.run_sync("mkfifo /p")
    assert result.exit_code == 1 and "pipeline" in result.stderr
