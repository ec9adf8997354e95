# Error messages and exit codes of failing commands.
#### mkdir-p-over-file
mkdir -p data.txt/sub; echo $?
#### cp-into-missing-dir
cp data.txt nodir/; echo $?
#### mv-into-missing-dir
mv data.txt nodir/x.txt; echo $?
#### cat-directory
cat src; echo $?
#### head-missing
head -n 1 nofile; echo $?
#### tail-missing
tail -n 1 nofile; echo $?
#### wc-missing
wc -l nofile data.txt; echo $?
#### sort-missing
sort nofile; echo $?
#### cut-missing-list
cut data.txt; echo $?
#### grep-bad-regex
grep -E 'a(' data.txt; echo $?
#### sed-bad-command
sed 'k' data.txt; echo $?
#### awk-syntax-error
awk '{print $1' data.txt > /dev/null 2>&1; echo $?
#### tr-missing-operand
tr; echo $?
#### ln-missing-target-ok
ln -s nowhere dangling; echo $?; cat dangling; echo $?
#### rmdir-missing
rmdir nodir; echo $?
#### touch-into-missing-dir
touch nodir/file; echo $?
#### redirect-into-missing-dir
echo x > nodir/file; echo $?
#### seq-bad
seq a; echo $?
#### basename-missing
basename; echo $?
#### xargs-command-not-found
echo a | xargs nosuch_cmd_zz; echo $?
#### find-bad-predicate
find . -bogus; echo $?
#### jq-bad-filter
echo '{}' | jq '.[' > /dev/null 2>&1; echo $?
#### test-unary-missing
[ -f ]; echo $?
#### shift-too-many
set -- a; shift 3; echo $? $#
#### cd-too-many-args
cd src docs; echo $?
#### exit-non-numeric
(exit abc); echo $?
#### arithmetic-syntax-error
echo $((1 +)); echo after
#### unset-variable-arith-u
set -u; echo $((undefined_q + 1)); echo after
#### break-outside-loop
break; echo $?
#### diff-directory-missing
diff nofile1 nofile2; echo $?
#### arithmetic-syntax-error-at-run-time
x='1 +'; echo $(($x)); echo after
#### break-in-function-called-from-loop
#! stderr: ignore
f() { break; }; for i in 1 2 3; do echo $i; f; done; echo out
