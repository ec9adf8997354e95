# More flags and corners of the native programs.
#### grep-c-with-v-and-i
grep -civ APPLE data.txt
#### grep-h-H
grep -h apple data.txt people.csv; grep -H bob people.csv
#### grep-L
grep -L zzz data.txt people.csv
#### grep-o-multiple-per-line
echo 'a1b22c333' | grep -oE '[0-9]+'
#### grep-n-with-context-separator
seq 20 | grep -n -C1 -E '^(5|15)$'
#### grep-e-and-f
printf 'apple\ndate\n' > pats; grep -f pats data.txt
#### grep-ignore-case-class
printf 'Foo\nfoo\nFOO\nbar\n' | grep -ic foo
#### grep-bre-interval
printf 'aa\naaa\na\n' | grep -x 'a\{2,3\}'
#### grep-ere-interval
printf 'ab\nabab\nababab\n' | grep -xE '(ab){2}'
#### grep-backreference
printf 'abab\nabba\n' | grep -E '(ab)\1'
#### sed-global-with-ignorecase
echo 'Apple apple APPLE' | sed 's/apple/pear/gI'
#### sed-address-regex-to-line
sed -n '/banana/,4p' data.txt
#### sed-address-plus
sed -n '/banana/,+1p' data.txt
#### sed-print-and-delete-last
seq 5 | sed -n '$!p'
#### sed-multiple-files
sed -n '1p' data.txt people.csv
#### sed-escape-newline-replacement
echo 'a,b,c' | sed 's/,/\n/g'
#### sed-upper-boundary-regex
echo 'hello world' | sed -E 's/(^| )([a-z])/\1[\2]/g'
#### sed-d-range
seq 10 | sed '3,8d'
#### sed-0-step
seq 10 | sed -n '0~4p'
#### awk-print-comma-ofs
echo 'a b c' | awk -v OFS=: '{print $1, $3}'
#### awk-nr-fnr
awk 'FNR==1 {print FILENAME, NR, FNR}' data.txt people.csv
#### awk-regex-field-match
awk '$3 ~ /^r/ {print $1}' data.txt
#### awk-not-match
awk '$3 !~ /e/' data.txt
#### awk-printf-formats
awk 'BEGIN {printf "%5s|%-5s|%05.1f|%x|%o|%e|%c\n", "ab", "cd", 3.14159, 255, 8, 12345.678, 65}'
#### awk-string-functions
awk 'BEGIN {s = "Hello World"; print length(s), toupper(substr(s, 1, 5)), index(s, "World"); n = gsub(/o/, "0", s); print n, s}'
#### awk-arrays-multi
awk 'BEGIN {a[1,2] = "x"; for (k in a) {split(k, p, SUBSEP); print p[1], p[2], a[k]}}'
#### awk-while-getline-count
awk 'BEGIN {while ((getline line < "data.txt") > 0) if (line ~ /red/) n++; print n}'
#### awk-pattern-only-print
awk 'NR % 2' data.txt
#### awk-compare-numbers-strings
echo '10 9 abc' | awk '{print ($1 > $2), ($1 > "9"), ($3 > 5)}'
#### awk-increment-field
echo '1 2 3' | awk '{$2++; print; print NF}'
#### awk-printf-dollar-zero
awk '{printf "%s|", $0} END {print ""}' people.csv
#### awk-end-uses-last-record
awk 'END {print $1, NR}' data.txt
#### awk-split-default-fs
awk 'BEGIN {n = split("  a  b   c ", parts); print n, parts[1] parts[3]}'
#### awk-division-format
awk 'BEGIN {x = 7 / 2; y = 2 / 3; print x, y; printf "%.3f\n", y}'
#### awk-concat-numbers
awk 'BEGIN {print 1 " " 2, 1 2}'
#### sort-unique-numeric
printf '3\n1\n3\n2\n1\n' | sort -nu
#### sort-key-chars
printf 'b2\na3\nc1\n' | sort -k1.2
#### sort-multiple-keys
printf 'a 2\nb 1\na 1\n' | sort -k1,1 -k2,2n
#### sort-reverse-stable
printf 'x 1\ny 1\nz 2\n' | sort -s -k2,2nr
#### uniq-skip-fields
printf '1 a\n2 a\n3 b\n' | uniq -f1
#### cut-output-delimiter
cut -d, -f1,2 --output-delimiter=' | ' people.csv
#### cut-bytes
echo 'abcdef' | cut -b2-4
#### tr-delete-newlines
tr -d '\n' < people.csv; echo
#### tr-squeeze-spaces
echo 'a   b    c' | tr -s ' '
#### head-c-negative
printf 'abcdef' | head -c -2; echo
#### tail-c-plus
printf 'abcdef' | tail -c +3; echo
#### wc-m-vs-c
printf 'héllo\n' | wc -c
#### printf-octal-escape
printf '\101\102\n'
#### printf-hex-upper
printf '%X %#x %#o\n' 255 255 8
#### printf-star-width
printf '%*d|%-*s|\n' 5 42 4 ab
#### printf-float-rounding
printf '%.0f %.0f %.1f\n' 0.5 1.5 2.25
#### printf-string-precision
printf '%.3s\n' abcdef
#### echo-backslash-c-e
echo -e 'stop\cnever'; echo resumed
#### seq-negative-step
seq 5 -2 -3
#### seq-format
seq -f 'n%02g' 3
#### date-components
date -d '2024-02-29 13:05:09' '+%d/%m/%y %I:%M %p %a %b'
#### basename-dirname-trailing
basename a/b/c/ ; dirname a/b/c/; dirname a
#### find-type-f-name-not
find . -type f -not -name '*.txt' -not -path './src/*' | sort
#### find-maxdepth-type-d
find . -maxdepth 1 -type d | sort
#### find-iname-empty
find . -empty -type f | sort
#### xargs-n1-echo
echo 'a b c' | xargs -n1
#### xargs-I-multiple
printf 'x\ny\n' | xargs -I % echo %-% %
#### xargs-L
printf 'a b\nc\nd e f\n' | xargs -L 2 echo
#### tee-multiple-appends
echo 1 | tee -a t1 t2 > /dev/null; echo 2 | tee -a t1 > /dev/null; cat t1 t2
#### ls-a-hidden
touch .dot; ls -a | head -3; ls
#### cp-recursive-into-existing
mkdir dst; cp -r src dst; find dst | sort
#### mv-multiple-into-dir
mkdir d; mv data.txt people.csv d; ls d
#### rm-glob
touch a.log b.log; rm *.log; ls *.log; echo $?
#### ln-hard-shares-content
ln data.txt h; echo extra >> h; tail -1 data.txt
#### touch-r-reference
touch -d '2021-01-01' ref; touch -r ref copy; stat -c %Y copy
#### jq-slurp
printf '1\n2\n3\n' | jq -s 'add'
#### jq-exit-status
echo 'null' | jq -e . > /dev/null; echo $?; echo '1' | jq -e . > /dev/null; echo $?
#### jq-tab-sort-keys
echo '{"b":1,"a":2}' | jq -S -c .
#### base64-decode-no-newline
printf 'aGk=' | base64 -d; echo
#### md5sum-stdin-dash
echo hi | md5sum -
#### diff-u-added-lines
printf 'a\n' > x; printf 'a\nb\nc\n' > y; diff -u x y | tail -n +3
#### diff-identical-exit
diff data.txt data.txt; echo $?
