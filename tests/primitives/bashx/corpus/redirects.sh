# Redirections, here-documents and here-strings.
#### stdout-file
echo hello > out.txt; cat out.txt
#### append
echo one > log.txt; echo two >> log.txt; cat log.txt
#### stdin-file
wc -l < data.txt
#### stderr-file
ls nofile 2> err.txt; echo $?; cat err.txt
#### stderr-to-stdout
ls nofile 2>&1 | tr a-z A-Z
#### both-to-file
{ echo out; ls nofile; } &> both.txt; cat both.txt
#### both-append
echo first > b.txt; { echo second; ls nofile; } &>> b.txt; cat b.txt
#### dev-null
echo gone > /dev/null; ls nofile 2>/dev/null; echo $?
#### order-matters
ls nofile 2>&1 > o.txt | cat; echo ---; cat o.txt
#### stdout-to-stderr
echo to-err >&2; echo to-out
#### heredoc
cat <<EOF
line one
value $((1+1))
EOF
#### heredoc-quoted
x=1; cat <<'EOF'
literal $x $(date)
EOF
#### heredoc-strip-tabs
cat <<-EOF
	indented
		twice
	EOF
#### heredoc-to-file
cat > h.txt <<EOF
written
EOF
cat h.txt
#### heredoc-pipeline
cat <<EOF | sort
b
a
c
EOF
#### heredoc-command-sub
cat <<EOF
$(echo from command)
EOF
#### herestring
cat <<< "here string"; wc -w <<< "one two three"
#### herestring-var
x="a b"; tr ' ' '_' <<< "$x"
#### redirect-in-middle
echo > mid.txt hello world; cat mid.txt
#### multiple-redirect-last-wins
echo x > r1.txt > r2.txt; cat r1.txt; echo ---; cat r2.txt
#### truncate-before-read
cat data.txt > copy.txt; cat copy.txt > copy.txt; wc -c < copy.txt
#### redirect-missing-input
cat < nosuchfile; echo $?
#### redirect-to-directory
echo x > src; echo $?
#### noop-redirect-creates
> created.txt; ls created.txt
#### compound-redirect
if true; then echo in-if; fi > if.txt; cat if.txt
#### while-redirect-in-and-out
while read -r l; do echo "<$l>"; done < numbers.txt > wrapped.txt; head -2 wrapped.txt
#### pipe-stderr
ls nofile |& cat
#### tee
echo tee-data | tee t1.txt t2.txt; cat t1.txt t2.txt
#### tee-append
echo a > ta.txt; echo b | tee -a ta.txt > /dev/null; cat ta.txt
#### fd-duplicate-3
exec 3>&1 2>/dev/null; echo fine
#### devstdout
echo via-stdout > /dev/stdout
#### heredoc-in-function
f() { cat <<EOF
in function $1
EOF
}; f arg
#### heredoc-escapes
cat <<EOF
dollar \$x backslash \\ tick \`
EOF
#### redirect-from-var
f=out2.txt; echo data > "$f"; cat $f
#### append-creates
echo new >> fresh.txt; cat fresh.txt
#### redirect-binds-last-of-and-list
mkdir -p out && echo x > out/f; cat out/f
#### redirect-binds-last-of-or-list
false || echo y > o.txt; cat o.txt
#### redirect-binds-last-of-pipeline
echo hi | tr a-z A-Z > up.txt; cat up.txt
#### redirect-stderr-last-of-pipeline
ls nofile 2>/dev/null | cat > c.txt; echo $?; cat c.txt
