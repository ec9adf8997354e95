# sed and awk.
#### sed-substitute
sed 's/apple/APPLE/' data.txt
#### sed-global
echo banana | sed 's/a/o/g'
#### sed-nth
echo aaaa | sed 's/a/b/2'
#### sed-delete
sed '/red/d' data.txt
#### sed-print-n
sed -n '/red/p' data.txt
#### sed-line-range
sed -n '2,4p' data.txt
#### sed-last-line
sed -n '$p' data.txt; sed '$d' numbers.txt
#### sed-groups
sed 's/\([a-z]*\) \([0-9]*\).*/\2 \1/' data.txt
#### sed-extended
sed -E 's/([a-z]+) ([0-9]+)/\2-\1/' data.txt
#### sed-ampersand
echo hello | sed 's/l*o/[&]/'
#### sed-delimiter
echo /usr/local/bin | sed 's|/usr/local|/opt|'
#### sed-multiple-e
sed -e 's/a/A/' -e 's/e/E/' data.txt
#### sed-semicolon
sed 's/a/A/;s/e/E/' data.txt
#### sed-in-place
sed -i 's/red/RED/g' data.txt; cat data.txt
#### sed-quit
sed 3q data.txt
#### sed-insert-append
sed '2i\
inserted' people.csv | head -4; sed '1a appended' people.csv | head -3
#### sed-change
sed '2c\
changed' people.csv
#### sed-line-number
sed -n '/bob/=' people.csv
#### sed-regex-range
sed -n '/bob/,/dave/p' people.csv
#### sed-negate
sed '/red/!d' data.txt
#### sed-y
echo hello | sed 'y/elo/ELO/'
#### sed-case-insensitive
echo Hello | sed 's/hello/bye/I'
#### sed-block
sed '/apple/{s/apple/pear/;s/ /_/g}' data.txt
#### sed-step
seq 10 | sed -n '1~3p'
#### sed-hold
printf 'a\nb\nc\n' | sed -n '1!G;h;$p'
#### sed-next
seq 6 | sed -n 'n;p'
#### sed-join-lines
printf 'a\nb\nc\n' | sed ':a;N;$!ba;s/\n/,/g'
#### sed-missing-file
sed p nofile; echo $?
#### awk-print-field
awk '{print $1}' data.txt
#### awk-separator
awk -F, '{print $2}' people.csv
#### awk-sum
awk '{s += $2} END {print s}' data.txt
#### awk-nr-nf
awk '{print NR, NF}' words.txt
#### awk-pattern
awk '$2 > 5' data.txt
#### awk-regex
awk '/^[ab]/ {print $1}' data.txt
#### awk-begin-end
awk 'BEGIN {print "start"} END {print "end", NR}' data.txt
#### awk-printf
awk '{printf "%-12s|%5.1f\n", $1, $2}' data.txt
#### awk-arrays
awk '{count[$3]++} END {for (c in count) print c, count[c]}' data.txt | sort
#### awk-assign-field
awk '{$2 = $2 * 10; print}' data.txt
#### awk-ofs
awk 'BEGIN {OFS="-"} {$1=$1; print}' data.txt
#### awk-skip-header
awk -F, 'NR > 1 {total += $3} END {print total / (NR-1)}' people.csv
#### awk-variables
awk -v threshold=6 '$2 > threshold {print $1}' data.txt
#### awk-functions
awk 'BEGIN {print length("hello"), substr("hello", 2, 3), index("hello", "l"), toupper("abc"), tolower("XyZ")}'
#### awk-split
awk 'BEGIN {n = split("a,b,c", parts, ","); print n, parts[1], parts[3]}'
#### awk-gsub
awk '{gsub(/a/, "4"); print}' data.txt
#### awk-sub-field
awk '{sub(/e/, "E", $1); print $1}' data.txt
#### awk-match
awk 'BEGIN {if (match("foobar", /ob/)) print RSTART, RLENGTH}'
#### awk-if-else
awk '{if ($2 > 6) print $1, "big"; else print $1, "small"}' data.txt
#### awk-while
awk 'BEGIN {i = 1; while (i <= 3) {print i; i++}}'
#### awk-for
awk 'BEGIN {for (i = 3; i > 0; i--) printf "%d ", i; print ""}'
#### awk-user-function
awk 'function sq(x) {return x * x} {print sq($2)}' data.txt
#### awk-nf-last
awk '{print $NF}' data.txt
#### awk-range
awk 'NR==2, NR==4 {print NR}' data.txt
#### awk-string-compare
awk '$1 == "apple" {print $2}' data.txt
#### awk-concat
awk '{print $1 "-" $3}' data.txt
#### awk-next
awk '/red/ {next} {print $1}' data.txt
#### awk-exit
awk 'NR == 3 {exit} {print}' data.txt
#### awk-number-format
awk 'BEGIN {print 1/3, 10/2, 2^10, 1e6, 0.1+0.2}'
#### awk-int
awk 'BEGIN {print int(3.9), int(-3.9)}'
#### awk-in
awk 'BEGIN {a["x"]=1; if ("x" in a) print "yes"; if (!("y" in a)) print "no"}'
#### awk-delete
awk 'BEGIN {a[1]; a[2]; delete a[1]; for (k in a) print k}'
#### awk-fs-regex
echo 'a1b22c' | awk -F'[0-9]+' '{print $1, $2, $3}'
#### awk-ternary
awk '{print ($2 % 2 == 0 ? "even" : "odd")}' data.txt
#### awk-multiple-files
awk '{print FILENAME ": " $1}' data.txt people.csv | head -8
#### awk-uninitialized
awk 'BEGIN {print x + 0, "[" x "]"}'
#### awk-max
awk 'NR == 1 || $2 > max {max = $2; name = $1} END {print name, max}' data.txt
#### awk-output-redirect
awk '{print $1 > "names.txt"}' data.txt; cat names.txt
#### awk-getline-var
awk 'BEGIN {while ((getline line < "people.csv") > 0) n++; print n}'
#### awk-stdin
printf '1 2\n3 4\n' | awk '{print $1 + $2}'
#### awk-printf-no-args
awk 'BEGIN {printf "no newline"}'; echo
#### awk-length-default
awk '{print length}' people.csv
