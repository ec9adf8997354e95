# echo, printf, seq, cat, head, tail, wc.
#### echo-flags
echo -n no-newline; echo; echo -e 'a\tb\nc'; echo -E 'raw\t'; echo -ne 'x\n'
#### echo-dash-args
echo -- -n; echo -x; echo -
#### echo-e-octal-hex
echo -e '\x41\0102\c never'; echo after
#### printf-basic
printf '%s and %s\n' one two; printf 'no newline'; printf '\n'
#### printf-reuse
printf '%s=%s\n' a 1 b 2 c
#### printf-widths
printf '[%5s][%-5s][%05d][%.2f][%x][%o][%X]\n' ab cd 42 3.14159 255 8 255
#### printf-percent-b
printf '%b\n' 'tab\there' 'nl\\n'
#### printf-char-and-escape
printf '%c%c\n' hello world; printf '100%%\n'
#### printf-invalid-number
printf '%d\n' abc; echo $?
#### printf-missing-args
printf '%s|%d|\n'
#### printf-negative
printf '%d %+d % d\n' -5 5 5
#### seq-basic
seq 3; seq 2 4; seq 10 -3 1
#### seq-separator-width
seq -s , 5; seq -w 8 10
#### seq-float
seq 0 0.5 2
#### cat-files
cat data.txt numbers.txt | wc -l
#### cat-number
cat -n people.csv
#### cat-missing
cat data.txt nofile; echo $?
#### cat-stdin-dash
echo from-stdin | cat - people.csv | head -2
#### cat-no-trailing-newline
cat words.txt; echo "|"
#### head-default
seq 20 | head
#### head-n
head -n 2 data.txt; head -3 numbers.txt
#### head-negative
head -n -4 data.txt
#### head-bytes
head -c 5 data.txt; echo
#### head-multiple-files
head -n 1 data.txt people.csv
#### tail-default
seq 20 | tail
#### tail-n
tail -n 2 data.txt; tail -1 numbers.txt
#### tail-plus
tail -n +3 people.csv
#### tail-bytes
tail -c 8 data.txt
#### wc-all
wc data.txt
#### wc-flags
wc -l data.txt; wc -w words.txt; wc -c people.csv
#### wc-stdin
cat data.txt | wc -l; echo "a b c" | wc -w; printf 'abc' | wc -c
#### wc-multiple
wc -l data.txt numbers.txt
#### wc-stdin-all
printf 'one two\nthree\n' | wc
#### wc-no-newline
wc -l words.txt
#### rev-lines
printf 'abc\ndef\n' | rev
