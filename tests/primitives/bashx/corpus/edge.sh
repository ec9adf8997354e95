# Edge cases of quoting, splitting, globbing and exit codes.
#### ifs-empty-no-split
IFS=; x="a b c"; for w in $x; do echo "[$w]"; done
#### ifs-leading-trailing
x="  lead and trail  "; set -- $x; echo $#; echo "[$1][$3]"
#### ifs-non-whitespace-empty-fields
IFS=,; x="a,,b,"; set -- $x; echo $#; for w in "$@"; do echo "[$w]"; done
#### ifs-mixed
IFS=', '; x="a, b,c ,d"; set -- $x; echo $# "$@"
#### quoted-at-in-middle
set -- 1 2; echo "pre-$@-post"; for w in "pre-$@-post"; do echo "[$w]"; done
#### unquoted-var-with-glob
x='*.csv'; echo $x; echo "$x"
#### glob-with-quoted-part
echo "data".txt "da"*.txt
#### glob-escaped-star
echo \*.txt
#### glob-char-class
echo [[:lower:]]ata.txt
#### glob-negated-class
echo [!d]ata.txt [^d]*.csv
#### glob-dotfiles-explicit
touch .a .b; echo .[ab]
#### glob-sorted-order
touch B.txt a.txt C.txt; echo *.txt
#### glob-dir-slash
echo */
#### empty-string-arg-to-test
[ -n "" ]; echo $?; [ -z ]; echo $?
#### exit-code-range
(exit 256); echo $?; (exit 300); echo $?
#### exit-code-negative
(exit -1); echo $?
#### return-code-function-wraps
f() { return 257; }; f; echo $?
#### nested-quotes-in-cmdsub
echo "$(echo "a \"quoted\" word")"
#### cmdsub-with-case
x=$(case a in a) echo matched;; esac); echo $x
#### cmdsub-nested-parens
echo $( (echo inner) )
#### arithmetic-in-string
echo "sum: $((1 + 2))" 'sum: $((1 + 2))'
#### brace-with-var-no-expand
x=a,b; echo {$x}
#### brace-sequence-step
echo {0..10..3} {a..i..2}
#### backslash-in-double-quotes
echo "a\\b" "a\b" "a\$b" "a\`b"
#### single-quote-in-double
echo "it's" "say 'hi'"
#### double-quote-in-single
echo 'say "hi"'
#### dollar-single-quote-in-double
echo "$'not ansi'"
#### tab-and-newline-vars
x=$'a\tb\nc'; echo "$x"; echo $x
#### star-in-double-quotes
echo "*" "data*"
#### assignment-with-tilde-quoted
x="~/path"; echo $x
#### var-named-like-builtin
echo=value; echo $echo
#### semicolon-in-quotes
echo "a;b" 'c;d'
#### pipe-in-quotes
echo "a|b"
#### long-pipeline
seq 50 | grep 5 | sort -rn | head -3 | tr '\n' ' '; echo
#### exit-status-of-pipeline-first-fails
nosuch_cmd_q 2>/dev/null | echo ok; echo $?
#### assignment-only-status
x=1; echo $?; false; y=2; echo $?
#### cmdsub-status-propagates
x=$(exit 5); echo $?
#### local-status
f() { local x=$(false); echo $?; }; f
#### negated-pipeline
! echo hi | grep -q bye; echo $?
#### and-or-precedence
true || echo a && echo b
#### if-with-pipeline
if echo abc | grep -q b; then echo has-b; fi
#### while-read-last-line-no-newline
printf 'l1\nl2' | while read -r l || [ -n "$l" ]; do echo "<$l>"; done
#### for-with-cmdsub-lines
for l in $(printf 'a b\nc\n'); do echo "[$l]"; done
#### case-empty-string
x=; case "$x" in "") echo empty;; *) echo other;; esac
#### case-bracket-pattern
for c in a 5 Z; do case $c in [a-z]) echo lower;; [0-9]) echo digit;; *) echo other;; esac; done
#### case-escaped-star
case '*' in \*) echo star;; esac
#### test-string-vs-number
[ 10 -gt 9 ] && echo numeric; [ 10 \> 9 ] || echo string-less
#### dbracket-and-or-grouping
[[ ( 1 -eq 1 || 1 -eq 2 ) && ! 2 -eq 3 ]] && echo ok
#### dbracket-empty-var
[[ -z $nothing ]] && echo empty
#### arith-compare-strings
[[ 10 -lt 9 ]] || echo not-less
#### function-with-same-name-var
f=1; f() { echo func; }; f; echo $f
#### recursive-fib
fib() { if (( $1 < 2 )); then echo $1; else echo $(( $(fib $(($1-1))) + $(fib $(($1-2))) )); fi; }; fib 10
#### heredoc-with-var-and-quotes
name=world; cat <<EOF
"hello" 'there' $name
EOF
#### multiple-heredocs
cat <<A; cat <<B
first
A
second
B
#### echo-dash-e-combined
echo -en 'a\nb'; echo
#### printf-dollar-args
printf '%s\n' "$@"; set -- x y; printf '%s\n' "$@"
#### printf-no-format-args
printf '%s %s\n' only
#### printf-escape-in-arg
printf '%s\n' 'a\nb'
#### sort-stable-keys
printf 'b 1\na 1\nc 0\n' | sort -k2,2n
#### sort-numeric-negative-float
printf '1.5\n-2\n10\n0.5\n' | sort -n
#### uniq-ignore-case
printf 'A\na\nb\n' | uniq -i
#### cut-multibyte-fields
printf 'x:y:z\n' | cut -d: -f3,1
#### tr-ranges-digits
echo 'phone 555-1234' | tr 0-9 '#'
#### wc-empty-input
printf '' | wc -l; wc -l empty.txt
#### head-zero
head -n 0 data.txt; echo "[done]"
#### tail-more-than-file
tail -n 100 people.csv | wc -l
#### grep-empty-pattern
grep -c '' data.txt
#### grep-invert-count
grep -vc a data.txt
#### grep-dash-pattern
printf -- '-x\ny\n' | grep -e -x
#### sed-empty-regex-reuse
echo aaa | sed 's/a/b/g;s/b/c/'
#### sed-special-replacement
echo 'path' | sed 's/path/a\/b \& c/'
#### awk-empty-fields
echo 'a,,c' | awk -F, '{print NF, "[" $2 "]"}'
#### awk-numeric-string-compare
printf '10\n9\n' | awk '$1 > 9'
#### awk-printf-percent
awk 'BEGIN {printf "%d%%\n", 50}'
#### awk-field-beyond-nf
echo 'a b' | awk '{print "[" $5 "]", NF}'
#### awk-modify-nf
echo 'a b c d' | awk '{NF=2; print}'
#### find-name-quoted-glob
find . -name "*.md"
#### xargs-empty-input
printf '' | xargs echo hi
#### xargs-r
printf '' | xargs -r echo hi; echo $?
#### basename-no-suffix-match
basename file.txt .md
#### seq-equal
seq 5 5; seq 5 4; echo "[end]"
#### date-epoch
date -u -d @86400 '+%Y-%m-%d %H:%M'
#### cd-and-relative-glob
cd src && echo *.py && cd .. && echo *.csv
#### source-with-args
echo 'echo "args: $@"' > s.sh; . ./s.sh one two
#### eval-with-quotes
eval 'echo "a  b"'; eval echo '"c  d"'
#### set-positional-double-dash
set -- -x -y; echo "$1 $2 $#"
#### unset-var-then-default
x=1; unset x; echo ${x-gone}
#### command-v
command -v echo; command -v nosuch_zz; echo $?
#### type-not-found
type nosuch_zz 2>/dev/null; echo $?
