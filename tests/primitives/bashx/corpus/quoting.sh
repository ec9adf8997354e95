# Quoting, escaping and word splitting. Each case starts with a "#### name" line.
#### single-quotes
echo 'a  b' 'it''s' '$HOME' '\n'
#### double-quotes
x=world; echo "hello $x" "a  b" "\$x" "tab	in" "q\"uote"
#### backslash-unquoted
echo a\ b \$x \\ \" \'
#### ansi-c
echo $'a\tb' $'line1\nline2' $'\x41\101' $'it\'s'
#### empty-args-count
f() { echo $#; }; f "" ''; f; f "" a ""
#### split-unquoted
x="a   b	c"; for w in $x; do echo "[$w]"; done
#### no-split-quoted
x="a   b"; for w in "$x"; do echo "[$w]"; done
#### ifs-colon
IFS=:; x="a:b::c"; for w in $x; do echo "[$w]"; done
#### ifs-restore
x="1,2,3"; old=$IFS; IFS=,; set -- $x; IFS=$old; echo $# "$2"
#### at-vs-star
set -- "a b" c; for w in "$@"; do echo "[$w]"; done; for w in "$*"; do echo "[$w]"; done; for w in $*; do echo "[$w]"; done
#### at-empty
set --; for w in "$@"; do echo "[$w]"; done; echo "n=$#"
#### star-ifs
set -- a b c; IFS=-; echo "$*"; IFS=' '; echo "$*"
#### concat-quotes
echo "a"'b'c"d e"'f g'
#### nested-command-sub-quotes
echo "$(echo "inner  spaced")"
#### command-sub-splits
echo $(printf 'a  b\n\nc')
#### command-sub-trailing-newlines
x=$(printf 'a\n\n\n'); echo "[$x]"
#### backquotes
echo `echo back` "`echo "q"`"
#### glob-no-match-literal
echo *.nomatch "*.txt" '*.txt'
#### glob-match
echo *.txt
#### glob-question
echo ????.txt
#### glob-bracket
echo [dn]*.txt
#### glob-in-dir
echo src/*.py src/*/*.py
#### glob-hidden
touch .hidden; echo *hidden* .hid*
#### glob-from-variable
p='*.csv'; echo $p "$p"
#### brace-list
echo {a,b,c}.txt x{1,2}y
#### brace-sequence
echo {1..5} {a..e} {5..1} {01..03}
#### brace-nested
echo {a,b{1,2}}
#### brace-quoted-literal
echo "{a,b}" '{1..3}'
#### tilde-quoted
echo "~" '~'
#### dollar-literal
echo $ "$" a$ 'b$'
#### escape-newline-continuation
echo one \
  two
#### hash-not-comment
echo a#b "#c" # a real comment
#### printf-q
printf '%q\n' "a b" "it's" 'x$y'
#### assignment-no-split
x="a    b"; y=$x; echo "$y"
#### assignment-glob-no-expand
x=*.txt; echo "$x"
#### empty-var-disappears
e=; echo a $e b "$e" c
#### quoted-empty-kept
f() { echo $#; }; e=; f $e; f "$e"
#### special-chars-in-quotes
echo "a|b;c&d>e<f(g)"
#### read-preserves-backslash-r
printf 'a\\tb\n' | { read -r x; echo "$x"; }
#### read-strips-backslash
printf 'a\\tb\n' | { read x; echo "$x"; }
