# grep, sort, uniq, cut, tr.
#### grep-basic
grep apple data.txt
#### grep-count
grep -c red data.txt
#### grep-invert
grep -v red data.txt
#### grep-ignore-case
grep -i the words.txt
#### grep-line-numbers
grep -n e data.txt
#### grep-only-matching
grep -o '[0-9][0-9]*' data.txt
#### grep-extended
grep -E 'apple|cherry' data.txt; grep -E '^[a-c]' data.txt
#### grep-basic-regex-groups
grep 'an\(an\)*a' data.txt
#### grep-fixed
grep -F '.' numbers.txt
#### grep-word
echo 'cat concat cat.' | grep -ow cat
#### grep-line-exact
printf 'ab\nabc\n' | grep -x ab
#### grep-files-with-matches
grep -l import src/main.py src/pkg/util.py data.txt
#### grep-recursive
grep -r def src | sort
#### grep-recursive-n
grep -rn return src
#### grep-no-match-status
grep zzz data.txt; echo $?
#### grep-missing-file
grep apple nofile; echo $?
#### grep-quiet
grep -q banana data.txt && echo present
#### grep-multiple-e
grep -e apple -e date data.txt
#### grep-stdin
printf 'x1\ny2\nx3\n' | grep x
#### grep-count-multiple-files
grep -c a data.txt people.csv
#### grep-context
seq 10 | grep -A1 -B1 5
#### grep-anchors
grep '^a' data.txt; grep 'd$' data.txt
#### grep-character-class
grep '[[:digit:]][[:digit:]]' data.txt
#### grep-max-count
grep -m 2 a data.txt
#### sort-default
sort data.txt
#### sort-reverse
sort -r data.txt
#### sort-numeric
sort -n numbers.txt
#### sort-numeric-reverse
sort -rn numbers.txt
#### sort-unique
cut -d' ' -f1 data.txt | sort -u
#### sort-key
sort -k2 -n data.txt
#### sort-key-separator
sort -t, -k3 -n people.csv
#### sort-key-reverse
sort -t, -k3,3nr -k2,2 people.csv
#### sort-fold
printf 'b\nA\na\nB\n' | sort -f
#### sort-stdin-mixed
printf '10\n9\n100\n' | sort
#### sort-output-file
sort -o sorted.txt numbers.txt; cat sorted.txt
#### uniq-basic
printf 'a\na\nb\na\n' | uniq
#### uniq-count
cut -d' ' -f1 data.txt | sort | uniq -c
#### uniq-dup
printf 'a\na\nb\nc\nc\n' | uniq -d
#### uniq-unique
printf 'a\na\nb\nc\nc\n' | uniq -u
#### uniq-count-sorted
printf 'x\ny\nx\nx\n' | sort | uniq -c | sort -rn
#### cut-fields
cut -d, -f2 people.csv
#### cut-field-range
cut -d, -f1,3 people.csv; cut -d, -f2- people.csv
#### cut-chars
cut -c1-3 data.txt
#### cut-no-delimiter
printf 'nodelim\na,b\n' | cut -d, -f2
#### cut-suppress
printf 'nodelim\na,b\n' | cut -s -d, -f2
#### cut-tab-default
printf 'a\tb\tc\n' | cut -f2
#### tr-upper
echo hello | tr a-z A-Z
#### tr-delete
echo 'h-e-l-l-o' | tr -d -
#### tr-squeeze
echo 'aaabbbccc   d' | tr -s 'a-c '
#### tr-classes
echo 'Hello World 123' | tr '[:lower:]' '[:upper:]'; echo 'a1b2' | tr -d '[:digit:]'
#### tr-newlines
echo 'a b c' | tr ' ' '\n'
#### tr-complement
echo 'abc-123' | tr -cd 'a-z\n'
#### tr-short-set2
echo abcdef | tr abc x
#### pipeline-words
cat words.txt | tr ' ' '\n' | grep -v '^$' | sort | uniq -c | sort -rn | head -3
#### pipeline-count
cat data.txt | grep red | wc -l
#### cut-sort-uniq
cut -d' ' -f3 data.txt | sort | uniq -c
#### nl-basic
nl people.csv
