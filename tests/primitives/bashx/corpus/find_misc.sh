# find, xargs, test, base64, checksums, diff, jq, env, date, sleep.
#### find-all
find . | sort
#### find-name
find . -name '*.py' | sort
#### find-iname
touch UPPER.TXT; find . -iname '*.txt' | sort
#### find-type
find . -type d | sort; find src -type f | sort
#### find-path-start
find src | sort
#### find-maxdepth
find . -maxdepth 1 -type f | sort
#### find-mindepth
find src -mindepth 2 | sort
#### find-not
find src -type f ! -name '*.py' | sort
#### find-or
find . \( -name '*.md' -o -name '*.csv' \) | sort
#### find-empty
find . -empty | sort
#### find-size
find . -type f -size +0 -size -2k -name '*.txt' | sort
#### find-exec
find src -name '*.py' -exec wc -l {} \; | sort
#### find-exec-plus
find src -name '*.py' -exec echo {} + | tr ' ' '\n' | sort
#### find-delete
find . -name '*.py' -delete; find src | sort
#### find-mtime
touch -d '2021-05-05 00:00:00' old.log; find . -name '*.log' -mtime +30
#### find-missing-start
find nowhere; echo $?
#### find-print0-xargs
find src -name '*.py' -print0 | xargs -0 wc -l | sort
#### find-path
find . -path './src/*' -name '*.py' | sort
#### find-symlink-type
ln -s data.txt l1; find . -type l
#### xargs-default
printf 'a\nb\nc\n' | xargs
#### xargs-n
echo 1 2 3 4 5 | xargs -n 2
#### xargs-replace
printf 'x\ny\n' | xargs -I {} echo 'item {}'
#### xargs-command
find . -name '*.csv' | xargs wc -l
#### xargs-quotes
echo "'a b' c" | xargs -n 1
#### xargs-exit
printf 'data.txt\nnofile\n' | xargs cat > /dev/null 2>&1; echo $?
#### xargs-wc-pipeline
find . -name '*.py' | sort | xargs wc -l
#### test-strings
[ "a" = "a" ] && echo eq; [ "a" != "b" ] && echo ne; [ -z "" ] && echo empty; [ -n "x" ] && echo nonempty
#### test-numbers
[ 3 -lt 5 ] && echo lt; [ 5 -ge 5 ] && echo ge; [ 2 -eq 3 ] || echo ne
#### test-logic
[ 1 -eq 1 -a 2 -eq 2 ] && echo and; [ 1 -eq 2 -o 2 -eq 2 ] && echo or; [ ! -f nofile ] && echo not
#### test-command
test -f data.txt && echo yes; test 4 -gt 9 || echo no
#### test-bad-number
[ abc -eq 1 ]; echo $?
#### test-missing-bracket
[ 1 -eq 1; echo $?
#### test-single-arg
[ "" ] || echo empty-false; [ x ] && echo nonempty-true
#### dbracket-pattern
x=hello.py; [[ $x == *.py ]] && echo py; [[ $x != *.txt ]] && echo not-txt
#### dbracket-regex
x=abc123; [[ $x =~ ^[a-z]+([0-9]+)$ ]] && echo "${BASH_REMATCH[1]}"
#### dbracket-logic
x=5; [[ $x -gt 3 && $x -lt 10 ]] && echo inrange; [[ -z $unset_v || $x == 5 ]] && echo or
#### dbracket-no-split
x="a b"; [[ $x == "a b" ]] && echo match
#### dbracket-string-compare
[[ apple < banana ]] && echo less; [[ b > a ]] && echo greater
#### dbracket-negation
[[ ! -e nofile ]] && echo absent
#### dbracket-quoted-pattern
x='a*'; [[ abc == $x ]] && echo glob; [[ abc == "$x" ]] || echo literal
#### dbracket-file
[[ -d src && -f data.txt ]] && echo both
#### base64-roundtrip
echo 'hello world' | base64; echo aGVsbG8gd29ybGQK | base64 -d
#### base64-file
base64 people.csv | base64 -d | cmp -s - people.csv && echo roundtrip
#### base64-wrap
seq 40 | base64 -w 20 | head -3
#### sha256sum
sha256sum data.txt; echo -n abc | sha256sum
#### md5sum
md5sum data.txt people.csv; echo -n '' | md5sum
#### sha256sum-check
sha256sum data.txt > sums; sha256sum -c sums
#### diff-same
cp data.txt d2; diff data.txt d2; echo $?
#### diff-normal
printf 'a\nb\nc\n' > x; printf 'a\nB\nc\nd\n' > y; diff x y; echo $?
#### diff-delete
printf 'a\nb\nc\n' > x; printf 'a\nc\n' > y; diff x y
#### diff-brief
printf '1\n' > x; printf '2\n' > y; diff -q x y; echo $?
#### diff-missing
diff data.txt nofile; echo $?
#### diff-unified-body
printf 'a\nb\nc\n' > x; printf 'a\nB\nc\n' > y; diff -u x y | tail -n +3
#### jq-field
jq .name config.json; jq -r .name config.json
#### jq-array
jq '.tags' config.json; jq -c '.tags' config.json
#### jq-filter
jq -r '.items[] | select(.ok) | .id' config.json
#### jq-compact
jq -c '{n: .name, v: .version}' config.json
#### jq-arg
jq -n --arg x hi '{greeting: $x}'
#### jq-stdin
echo '[3,1,2]' | jq -c 'sort'
#### jq-keys
jq -c 'keys' config.json
#### jq-length
jq '.items | length' config.json
#### jq-raw-many
echo '{"a":["x","y"]}' | jq -r '.a[]'
#### env-grep
FOO=bar env | grep '^FOO='
#### env-run
env X=1 sh_var=2 printenv X
#### export-visible
export MYVAR=hello; printenv MYVAR
#### unexported-invisible
NOTEXP=1; printenv NOTEXP; echo $?
#### date-fixed
date -d '2024-03-15 10:20:30' '+%Y-%m-%d %H:%M:%S'; date -d @0 +%s
#### date-format
date -u -d '2024-01-02' '+%A %B %d %j'
#### sleep-zero
sleep 0; echo $?
#### sleep-bad
sleep abc; echo $?
#### true-false-commands
true; echo $?; false; echo $?
#### pipeline-find-wc
find . -name '*.py' | xargs wc -l | tail -1
#### pipeline-sort-head
sort -t, -k3 -rn people.csv | head -2 | cut -d, -f2
#### pipeline-awk-sort
awk -F, 'NR>1 {print $3, $2}' people.csv | sort -rn | head -1
#### command-sub-in-args
echo "lines: $(wc -l < data.txt)"; n=$(grep -c red data.txt); echo $((n * 10))
#### loop-over-find
for f in $(find src -name '*.py' | sort); do echo "$(basename $f): $(wc -l < $f)"; done
