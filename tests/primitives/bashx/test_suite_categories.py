"""Focused cases for categories of bash's own test suite, each run by real bash and by bashx in a
fresh folder of the same path (the scripts make the files they need)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from dotdo.primitives.bashx import Bash

from .oracle import with_default_signals

ENV = {"LC_ALL": "C", "PATH": "/usr/bin:/bin", "HOME": "/"}
TREE = "mkdir -p a/b/c d .h; touch a/x.o a/b/y.o a/b/c/z.o d/w.o .h/v.o a/.i; ln -s a l\n"

CASES = {
    "globstar": [
        TREE + "shopt -s globstar; echo **/*.o; echo **; echo a/**; echo **/; echo a/**/",
        TREE + "shopt -s globstar; echo **/**; echo a/**/**; echo */**; echo **/b/**; echo **/**/b",
        TREE + "echo **/*.o; shopt -s globstar; echo l/**; shopt -s dotglob; echo **/*.o",
    ],
    "dotglob": [
        TREE + "echo *; echo .*; shopt -s dotglob; echo *; echo a/*; echo .*",
    ],
    "set -k and set -a": [
        "a=3 b=4 $NONE $NONE; echo $? $a $b; set -k; a=5 $NONE c=7 $NONE d=8; echo $a $c $d",
        'set -k; echo c=1 x; HOME=/x env q=1 | grep -c q=; f() { echo "$c|$z"; }; f z=3 w; set +k; echo c=1',
        "set -a; x=1; typeset y=2; read z <<< 3; env | grep -E '^[xyz]=' | sort; set +a; q=1; env | grep -c '^q='",
    ],
    "temporary environment of builtins": [
        "x=1 export x; declare -p x; y=2 readonly y; declare -p y; z=3 declare -x z; declare -p z",
        "v=5 declare -p v; declare -p v; t=7 unset t; declare -p t\n"
        "f() { s=8 local s; declare -p s; }; f; echo ${s-unset}",
        "set -o posix; A=1 :; echo $A; B=2 eval 'echo $B'; declare -p B; C=3 echo $C; echo ${C-unset}",
        "f() { local z=yy; local -a av=(1 2); local u; local; }; f; g() { local; local w=1; local; }; x=1 g",
    ],
    "signal lists": [
        "kill -l; trap -l | tail -1; kill -l 1 129 HUP SIGINT 0 EXIT 64 50 rtmin+1; kill -l 4096; echo $?",
    ],
    "quoted characters in bracket expressions": [
        "case '\\' in [\\\\]) echo ok1;; esac; case p in [a-\\z]) echo ok2;; esac\n"
        "case /t in [/\\\\]*) echo ok3;; esac",
        'case b in ["a-c"]) echo no;; esac; case - in ["a-c"]) echo ok;; esac; [[ x == [\\x] ]] && echo ok2',
        'x="*"; case a in $x) echo s1;; esac; case a in "$x") echo s2;; esac; case "*" in "$x") echo s3;; esac',
    ],
    "set and declare alone": [
        "SQ=\"'\"; VT='~'; VH=ab#cd; VH2=#ab; E=; SP='a b'; NL=$'a\\nb'; P=a:~/b; A=(1 '2 3'); declare -A M=([k]=v)\n"
        "set | grep -E '^(SQ|VT|VH|VH2|E|SP|NL|P|A|M)='; declare | grep -E '^(SQ|A)='; f() { :; }; set | tail -4\n"
        "set -o posix; set | grep -E '^(SQ|NL|A)='; set | grep -c '^f '",
        'echo "$OPTIND $OPTERR"',
    ],
    "scripts run by path": [
        "printf '#! /bin/sh\\necho $# $0\\n' > c2; printf './c2 \"$@\"\\n' > c1; chmod +x c1 c2\n"
        "n=$(sh ./c1); echo $? $n; ./c1 a b; ./c2 x; printf 'echo plain $1\\n' > p; chmod +x p; ./p 1\n"
        "printf 'echo no\\n' > nx; ./nx; echo $?; mkdir d; ./d; echo $?",
    ],
    "read-write descriptors": [
        "exec 6<>f; echo to c >&6; cat f; echo x >&6; cat f; exec 6>&-; echo abc > g; exec 7<>g\n"
        "read -n 1 q <&7; echo Z >&7; cat g; echo $q; echo hi 1<>h; cat h; echo q 1<>/dev/null; cat 0<>/dev/null",
    ],
    "+= on integers": [
        "declare -i x; x=(1 2 [2]+=7 4 5); x+=( [3]+=9 [5]=9 ); echo ${x[@]}; declare -Ai m=([a]=1); m+=([a]+=2)\n"
        "echo ${m[a]}; y=(a); y+=([0]+=b); echo $y; declare -i n=2; n+=3 eval 'echo $n'; echo $n",
        "POSIXLY_CORRECT=1; q=1; q+=2 eval :; echo $q; a=14; a+=5 printenv a; echo $a",
    ],
    "builtin argument errors": [
        "unset -f -v SHELL; echo $?; shift label; echo $?; getopts -a opts name; echo $?; set -- a; shift -1; echo $?",
        "e=(1 2); unset e[*]; declare -p e; declare -A m=([a]=1); unset m[@]; declare -p m; s=x; unset s[@]; echo $?",
    ],
    "printing for (( ))": [
        "f() { for (( ; i < 3; i++ )); do :; done; for ((i = 0; ;i++ )); do break; done\n"
        "for ((;;)); do break; done; }\n"
        "type f",
    ],
    "read -a with IFS": [
        "IFS=/ read -r -a uu <<< /kg/jk/i; declare -p uu; IFS=': ' read -a v <<< ' :a: :b: '; declare -p v\n"
        "read -a w <<< '  a  b  '; declare -p w; IFS=, read -a q <<< 'a,,b,'; declare -p q",
    ],
    '"$@" in one word': [
        'set -- a b c; cat <<< "$@"; cat <<< "x$@y"; f() { cat <<< "$@"; }; f one two; set --; cat <<< "$@"; x="$@"',
    ],
    "$! with an operator and indirect positionals": [
        "echo ${!-none}; echo ${!:-none}; z=abc; echo ${!9:-$z}; set -- a b c d e f g h i; i=z; echo ${!9:-$z}\n"
        'echo ${!#}; echo "${!10-d}" "${!10:+s}"; true & wait; echo ${!+set}',
    ],
    "printf %n": [
        "printf '  %s %s %s  \\n%n' ab cd ef vv; echo \"$vv\"; printf '%s%n-%s%n\\n' abc a d b; echo $a $b\n"
        "printf -v out 'xy%nz' c; echo $out $c; printf -- '%n' q; echo $q",
        "format='%'`printf '%0100384d' 0`'d\\n'; printf $format 0; printf '%%n%d\\n' 5",
    ],
    "BASHPID and BASH_COMMAND": [
        'b=$BASHPID; s=$( (echo $BASHPID) ); [ "$b" -ne "$s" ] && echo differs; [ $$ = $BASHPID ] && echo same\n'
        "[ $(echo $$) = $$ ] && echo dollar; bash -c 'echo $BASH_COMMAND'",
        'trap \'echo "err: $BASH_COMMAND"\' ERR; false x; f() { echo "$BASH_COMMAND"; }; f 1',
    ],
    "CDPATH": [
        "mkdir -p cdp/sub sub2; h=$PWD; CDPATH=.:$h/cdp; cd sub >$h/o; echo $? ${PWD#$h}; cd $h\n"
        "CDPATH=$h/cdp cd sub >>$h/o; cd $h; CDPATH=.:/nowhere; cd sub2 >>$h/o; cd $h\n"
        "CDPATH=:/nowhere; cd sub2 >>$h/o\n"
        "cd $h; CDPATH=/nowhere; cd sub2; echo $?; cd $h; CDPATH=$h; cd ./nope 2>/dev/null; echo $?; sed s,$h,, o",
    ],
    "exec -a": [
        "(exec -a specialname bash -c 'echo $0'); (exec -a foo bash -c 'echo $0' bar); (exec -a q echo hi)\n"
        "echo 'echo $0' | (exec -a zz bash)",
    ],
    "source": [
        "printf 'echo in; return 5; echo oops\\n' > s2; printf 'echo \"$@\"; set -- m n o p\\n' > s4\n"
        'printf \'echo "[$@]"; shift\\n\' > s5; . ./s2; echo $?; set -- a b c; . ./s4 x y z; echo "$@"\n'
        'set -- a b c; . ./s5 x y; echo "$@"; f() { . ./s2; echo f $?; shift; echo "$@"; }; f 1 2; echo "$@"',
        ". ./nonexistent; echo after1; set -o posix; . ./nonexistent; echo after2",
        "bash -o posix -c 'command . notthere; echo one' bash; bash -o posix -c '. notthere; echo two' bash; echo $?",
    ],
    "xpg_echo": [
        "echo 'a\\nb'; shopt -s xpg_echo; echo 'a\\nb'; echo -E 'a\\nb'; echo -n 'x\\c'; echo; builtin echo 'q\\tr'",
    ],
    "-v on whole arrays": [
        "declare -A A=([a]=1); a=([1]=1); s1=foo; s2=; for v in 'A[@]' 'a[@]' 's1[@]' 's2[@]' 's3[@]' A a; do\n"
        '  [ -v "$v" ] && echo "$v set" || echo "$v unset"; done',
    ],
    "temporary environment of functions": [
        'f2() { echo "|$x|"; export x; printenv x; }; f3() { typeset i=0 x="${x-10}"; echo "|$i|$x|"; }\n'
        'x=4 f2; x=11 f3; echo after: x=$x; f5() { z=y typeset z; echo "|$z|"; }; f5; z=42 f5; echo ${z-unset}',
        "readonly -p | grep OPTS; shopt -so physical; readonly -p | grep SHELLOPTS",
    ],
    "exported functions and FUNCNAME": [
        "zf() { echo this is zf; }; f2() { :; }; export -f zf; declare -xF; declare -F; bash -c 'type -t zf'\n"
        "bash -c zf; bash -c 'bash -c zf'; export -nf zf; bash -c zf 2>/dev/null; echo $?",
        'FUNCNAME=7; echo "[$FUNCNAME]"; g() { FUNCNAME=x; echo $FUNCNAME; }; g',
    ],
    "read-only functions": [
        "f() { :; }; readonly -f f; f() { echo x; }; echo $?; declare -Fr; readonly -f; unset -f f; echo $?; f\n"
        "g() { :; }; export -f f; declare -F; declare -fr g; declare -Fx; declare -fx; declare -Fx g",
        "a() { :; }; declare -f -a a; echo $?; declare -f -i b c; echo $?; for 1 in a; do :; done; echo $?",
        "f() { :; }; readonly -f f; declare -f +r f; echo $?; g() { :; }; export -f g; declare -f +x g; declare -F",
    ],
    "EXIT traps of pipeline stages": [
        ": | { trap 'echo exit subshell 1' EXIT; exit; }; echo current shell\n"
        ": | { trap 'echo exit subshell 3' EXIT; exit; } | : ; echo current shell\n"
        "trap 'echo inherited exit trap' EXIT; : | { exit; } ; echo outside 1; : | ( exit; ) | : ; echo outside 2",
    ],
    "backslash-newline in command substitutions": [
        "echo `echo 'foo\\\nbar'`; echo \"$(echo 'foo\\\nbar')\"; x=$(echo 'c\\\nd'); echo \"$x\"; echo \"a\\\nb\"",
        "a=`echo 'a b c' | sed 's/ /\\\\\n/g'`; echo \"$a\"",
    ],
    "standard input of background jobs": [
        "echo x | { cat & wait; }; { cat & wait; } <<< y; f() { cat & wait; }; f <<< z\n"
        "while read l; do cat & wait; done <<< $'a\\nb'; bash -c 'cat & wait' <<< q; echo end",
        "for x in 1 2; do { read line; echo $line; } & wait; done << EOF\nab\ncd\nEOF",
    ],
    "assignment after a conditional": [
        "declare -i x=2; y=$((1 ? 20 : x+=2)); echo $? $y\necho $?\n"
        "x=2; echo $((1 ? x=5 : 3)) $x; echo $((0 ? 1 : (x=7))) $x; echo $((1 ? 2 : 0 ? 3 : 4))",
    ],
    "set -u in subshells": [
        "set -u; ( echo ${#narray[4]} ); echo $?; ( echo $nope ); echo $?; x=$(echo $nope); echo $?\n"
        "echo $nope | cat; echo $?; b=$BASHPID; echo $BASHPID | { read p; [ $p != $b ] && echo differs; }",
    ],
    "single quotes in arithmetic": [
        'echo $(( "1+2" )); (( "1" )); echo $?\nx=$(( \'1\' )); echo $? $x\necho next\n'
        "declare -A a; (( 'a[$k]++' )); echo $?; declare -p a",
    ],
    "tilde in assignment values": [
        "HOME=/usr/xyz; XPATH=/bin:.; ADDPATH=PATH=~/bin:$XPATH; echo $ADDPATH; h=HOME=~; echo $h\n"
        "typeset FOO=~/m; echo $FOO; x=~/a:~/b; echo $x; y=a=~; echo $y; export E=~/e; echo $E; Q=~ env | grep ^Q=",
    ],
}


def real_bash(script: str, cwd: Path) -> tuple[str, int]:
    proc = subprocess.run(
        ["bash", "-c", script],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=ENV,
        check=False,
        preexec_fn=with_default_signals,
    )
    return proc.stdout, proc.returncode


@pytest.mark.parametrize(
    "script", [s for scripts in CASES.values() for s in scripts], ids=[k for k, v in CASES.items() for _ in v]
)
def test_matches_bash(bash: Bash, tmp_path: Path, script: str) -> None:
    host, shell = tmp_path / "host", tmp_path / "shell"
    host.mkdir()
    bash.fs.sync.mkdir(str(shell), parents=True, exist_ok=True)
    result = bash.run_sync(script, confirm=True, cwd=str(shell), env=ENV, timeout=20)
    assert (result.stdout, result.exit_code) == real_bash(script, host)
