# Control flow, functions, options and exit codes.
#### if-else
if true; then echo yes; else echo no; fi; if false; then echo yes; else echo no; fi
#### elif
x=2; if [ $x -eq 1 ]; then echo one; elif [ $x -eq 2 ]; then echo two; else echo other; fi
#### if-status
if false; then :; fi; echo $?
#### if-command-condition
if grep -q apple data.txt; then echo found; fi
#### for-list
for x in a b c; do echo $x; done
#### for-glob
for f in src/*.py; do echo "file $f"; done
#### for-positional
set -- x y; for a; do echo "$a"; done
#### for-empty
for x in; do echo never; done; echo done
#### while-counter
i=0; while [ $i -lt 3 ]; do echo $i; i=$((i+1)); done
#### until
i=0; until [ $i -ge 3 ]; do echo $i; ((i++)); done
#### while-read-file
while read -r name n color; do echo "$color:$name"; done < data.txt
#### while-read-pipe
cat data.txt | while read -r a b c; do echo $b; done
#### pipe-subshell-var
x=0; echo hi | while read l; do x=1; done; echo $x
#### break
for i in 1 2 3 4 5; do [ $i -eq 3 ] && break; echo $i; done
#### continue
for i in 1 2 3 4; do [ $i -eq 2 ] && continue; echo $i; done
#### break-nested
for i in 1 2; do for j in a b c; do [ $j = b ] && break 2; echo $i$j; done; done; echo out
#### continue-nested
for i in 1 2; do for j in a b; do [ $j = a ] && continue 2; echo $i$j; done; done; echo out
#### case-basic
for x in apple kiwi 42; do case $x in apple) echo fruit;; [0-9]*) echo number;; *) echo other;; esac; done
#### case-alternatives
case b in a|b|c) echo abc;; esac
#### case-fallthrough
case a in a) echo one;& b) echo two;; c) echo three;; esac
#### case-continue-matching
case ab in a*) echo starts-a;;& *b) echo ends-b;; *) echo never;; esac
#### case-quoted-pattern
x='*'; case star in "$x") echo literal;; *) echo glob;; esac
#### case-no-match-status
case z in a) echo a;; esac; echo $?
#### function-basic
greet() { echo "hello $1"; }; greet world
#### function-keyword
function shout { echo "${1^^}"; }; shout hey
#### function-return
f() { return 3; }; f; echo $?
#### function-last-status
f() { false; }; f; echo $?
#### function-local
x=global; f() { local x=local; echo $x; }; f; echo $x
#### function-global-write
f() { y=set-in-f; }; f; echo $y
#### function-args
f() { echo $# "$1" "$2" "$@"; }; f a "b c"
#### function-recursion
fact() { if [ $1 -le 1 ]; then echo 1; else echo $(( $1 * $(fact $(($1-1))) )); fi; }; fact 5
#### function-positional-restored
set -- outer; f() { set -- inner; echo $1; }; f; echo $1
#### function-redirect
f() { echo inside; }; f > out.txt; cat out.txt
#### function-in-pipeline
f() { tr a-z A-Z; }; echo hello | f
#### and-or
true && echo a; false && echo b; false || echo c; true || echo d
#### and-or-chain
false && echo x || echo y; true && false || echo z
#### negation
! false; echo $?; ! true; echo $?
#### subshell-isolation
x=1; (x=2; echo $x); echo $x
#### subshell-cd
(cd src && ls); ls -d src
#### subshell-exit
(exit 7); echo $?
#### group
{ echo a; echo b; } > g.txt; cat g.txt
#### group-status
{ false; }; echo $?
#### exit-code
echo before; exit 3; echo after
#### exit-in-function
f() { exit 4; }; f; echo never
#### set-e
set -e; echo one; false; echo two
#### set-e-condition
set -e; if false; then echo no; fi; false || echo rescued; echo end
#### set-e-and-list
set -e; false && echo x; echo survived
#### set-e-subshell
set -e; (false); echo never
#### set-u
set -u; echo "${undefined_var:-ok}"; echo $undefined_var; echo after
#### pipefail
false | true; echo $?; set -o pipefail; false | true; echo $?
#### pipefail-rightmost
set -o pipefail; (exit 2) | (exit 3) | true; echo $?
#### pipeline-status
true | false; echo $?
#### status-after-assignment
x=$(false); echo $?
#### command-not-found
nosuchcommand_xyz; echo $?
#### status-126-like
echo hi | nosuch_cmd_2 2>/dev/null; echo $?
#### eval
cmd='echo evaluated'; eval $cmd; eval 'x=5'; echo $x
#### source-file
echo 'sourced_var=42' > lib.sh; . ./lib.sh; echo $sourced_var
#### shift
set -- a b c; shift; echo "$@"; shift 2; echo $#
#### while-break-status
while true; do break; done; echo $?
#### nested-functions
outer() { inner() { echo inner; }; inner; }; outer; inner
#### return-outside-function
return 1; echo after
#### loop-output-redirect
for i in 1 2 3; do echo $i; done > loop.txt; wc -l < loop.txt
#### read-multiple-vars
echo "a b c d" | { read x y z; echo "$x|$y|$z"; }
#### read-ifs
echo "a:b:c" | { IFS=: read x y z; echo "$y"; }
#### read-eof-status
printf 'no newline' | { read x; echo "$? $x"; }
#### read-reply
echo hello | { read; echo $REPLY; }
#### until-false-break
n=0; until false; do n=$((n+1)); [ $n -ge 3 ] && break; done; echo $n
#### true-false-status
true; echo $?; false; echo $?; :; echo $?
#### semicolon-sequence
echo a; echo b; echo c
#### declare-export
export E1=exported; bash_var=local; env | grep -c '^E1=exported$'
#### local-outside-function
local x=1; echo $?
#### unset-function
f() { echo f; }; unset -f f; f; echo $?
#### command-builtin
echo() { printf 'wrapped\n'; }; echo hi; command echo direct
#### type-builtin
type cd; f() { :; }; type f | head -1
#### trap-exit
trap 'echo cleanup $?' EXIT; echo working; exit 3
#### trap-exit-normal-end
trap 'echo bye' EXIT; echo hi
#### printf-v
printf -v padded '%05d' 42; echo "[$padded]"
#### mapfile
mapfile -t lines < data.txt; echo "${#lines[@]} ${lines[1]}"
#### readarray-stdin
printf 'a\nb\n' | { readarray -t xs; echo "${xs[@]}"; }
#### getopts-loop
set -- -a -b value -c rest; while getopts ab:c opt; do echo "$opt ${OPTARG:-}"; done; shift $((OPTIND-1)); echo "left: $@"
#### getopts-invalid
set -- -z; getopts ab opt 2>/dev/null; echo "$opt"
#### wait-background
echo first & wait; echo second
#### exec-redirect
exec > out.log; echo into-log; echo also; cat out.log >&2
#### process-substitution
diff <(printf 'a\nb\n') <(printf 'a\nc\n'); echo $?
#### process-substitution-while
while read -r l; do echo "got $l"; done < <(printf 'x\ny\n')
#### random-is-number
[[ $RANDOM =~ ^[0-9]+$ ]] && echo numeric
#### lineno
echo $LINENO
echo $LINENO
#### exec-command
exec echo replaced; echo never
#### printf-builtin-plain
printf '%s-%s\n' a b c
