# Realistic scripts of the kind agents and build steps run.
#### count-lines-per-extension
for ext in py md txt csv json; do printf '%s %s\n' "$ext" "$(find . -name "*.$ext" | wc -l)"; done
#### largest-files
find . -type f -exec wc -c {} + | sort -rn | head -4
#### todo-report
printf 'x = 1  # TODO: fix\ny = 2\n# TODO later\n' > todo.py; grep -rn 'TODO' --include='*.py' . | sort
#### replace-in-files
for f in $(grep -rl 'print' src | sort); do sed -i 's/print(/log(/g' "$f"; done; grep -rn 'log(' src
#### csv-column-average
awk -F, 'NR>1 {sum+=$3; n++} END {printf "%.2f\n", sum/n}' people.csv
#### csv-to-json-ish
tail -n +2 people.csv | while IFS=, read -r id name score; do printf '{"id":%d,"name":"%s","score":%d}\n' "$id" "$name" "$score"; done
#### json-extract-with-jq
jq -r '.items[] | "\(.id):\(.ok)"' config.json
#### json-build-with-jq
jq -n --arg name demo --argjson n 3 '{name: $name, count: $n, list: [range($n)]}' -c
#### word-frequency
tr -cs 'A-Za-z' '\n' < words.txt | tr A-Z a-z | grep -v '^$' | sort | uniq -c | sort -k1,1nr -k2 | head -3
#### backup-and-rotate
mkdir -p backups; for i in 1 2 3; do cp data.txt "backups/data.$i.txt"; done; ls backups | sort -r | tail -n +2 | while read -r f; do rm "backups/$f"; done; ls backups
#### make-project-skeleton
mkdir -p app/{src,tests,docs}; touch app/src/__init__.py app/tests/test_app.py; find app | sort
#### heredoc-config-file
cat > app.conf <<EOF
name=demo
port=$((8000 + 80))
debug=false
EOF
grep '^port=' app.conf | cut -d= -f2
#### parse-key-values
printf 'a=1\nb=two\n# comment\nc=3\n' > kv.txt; while IFS='=' read -r key value; do [[ $key == \#* || -z $key ]] && continue; echo "$key -> $value"; done < kv.txt
#### function-library
log() { echo "[$1] ${*:2}"; }; die() { log ERROR "$@" >&2; return 1; }; log INFO starting up; die broken || echo "status $?"
#### retry-loop
n=0; until [ $n -ge 3 ]; do n=$((n+1)); if [ $n -eq 2 ]; then echo "ok on $n"; break; fi; echo "try $n failed"; done
#### set-e-guarded
set -euo pipefail; count=$(grep -c red data.txt || true); echo "red=$count"; missing=$(grep -c zzz data.txt || true); echo "zzz=$missing"
#### check-required-files
for f in data.txt people.csv missing.txt; do if [ -f "$f" ]; then echo "ok $f"; else echo "missing $f" >&2; fi; done
#### sum-numbers-file
total=0; while read -r n; do total=$(echo "$total $n" | awk '{print $1 + $2}'); done < numbers.txt; echo $total
#### sort-dedupe-merge
printf 'c\na\nb\n' > one.txt; printf 'b\nd\n' > two.txt; sort -u one.txt two.txt
#### diff-after-edit
cp people.csv people.orig; sed -i 's/bob/robert/' people.csv; diff people.orig people.csv; echo "diff=$?"
#### checksum-verify
sha256sum data.txt people.csv > SUMS; echo tamper >> people.csv; sha256sum -c SUMS; echo "exit=$?"
#### base64-roundtrip-file
base64 config.json > c.b64; base64 -d c.b64 > c.json; cmp config.json c.json && echo identical
#### find-and-archive-list
find src -name '*.py' -newer data.txt | sort; touch -d '2030-01-01' src/main.py; find src -name '*.py' -newer data.txt
#### env-defaults
: "${APP_ENV:=development}"; echo "env=$APP_ENV"; PORT=${PORT:-8080}; echo "port=$PORT"
#### string-manipulation
path=/srv/app/releases/v1.2.3/bin/run.sh; echo "${path##*/} ${path%/*} ${path#/srv/}"; v=${path#*releases/v}; echo "${v%%/*}"
#### case-menu
for cmd in start stop status bogus; do case $cmd in start|stop) echo "do $cmd";; status) echo running;; *) echo "unknown: $cmd" >&2;; esac; done
#### arrays-of-files
files=(*.txt); echo "${#files[@]} files, first ${files[0]}, last ${files[${#files[@]}-1]}"
#### getopts-script
parse() { local OPTIND opt verbose=0 out=; while getopts 'vo:' opt; do case $opt in v) verbose=1;; o) out=$OPTARG;; esac; done; shift $((OPTIND-1)); echo "verbose=$verbose out=$out rest=$*"; }; parse -v -o file.txt a b
#### trap-cleanup
tmp=work.tmp; trap 'rm -f "$tmp"; echo cleaned' EXIT; echo data > "$tmp"; cat "$tmp"
#### xargs-parallel-style
printf '%s\n' data.txt people.csv numbers.txt | xargs -I{} sh_free_wc {} 2>/dev/null; printf '%s\n' data.txt people.csv | xargs -n1 wc -l
#### printf-table
printf '%-10s|%5s\n' name score; tail -n +2 people.csv | while IFS=, read -r _ n s; do printf '%-10s|%5d\n' "$n" "$s"; done
#### nested-command-substitution
echo "Top: $(sort -t, -k3 -rn people.csv | head -1 | cut -d, -f2) with $(sort -t, -k3 -rn people.csv | head -1 | cut -d, -f3)"
#### readonly-config
readonly VERSION=1.0; echo "v$VERSION"; (VERSION=2.0) 2>/dev/null; echo "still v$VERSION $?"
#### integer-loop-sum
sum=0; for ((i=1; i<=100; i++)); do ((sum+=i)); done; echo $sum
#### while-read-fields-from-command
ls src | while read -r entry; do [ -d "src/$entry" ] && echo "dir $entry" || echo "file $entry"; done
#### tee-log-pipeline
grep red data.txt | tee red.txt | wc -l; cat red.txt
#### mapfile-processing
mapfile -t rows < <(tail -n +2 people.csv); for r in "${rows[@]}"; do echo "${r#*,}"; done
#### assignment-then-redirect
x=1 2>/dev/null; echo "x=$x"
