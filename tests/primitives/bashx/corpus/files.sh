# Filesystem programs.
#### ls-default
ls
#### ls-dir
ls src; ls src/pkg
#### ls-all
ls -a src; ls -A src
#### ls-multiple
ls src docs
#### ls-file-and-dir
ls data.txt src
#### ls-recursive
ls -R src
#### ls-dir-flag
ls -d src docs
#### ls-missing
ls nofile; echo $?
#### ls-reverse
ls -r
#### ls-classify
ls -F src; ls -p
#### ls-size-sort
ls -S src/main.py src/pkg/util.py data.txt
#### ls-time-sort
touch -d '2025-06-01 00:00:00' newer.txt; ls -t | head -2
#### ls-one-per-line
ls -1 docs
#### mkdir-basic
mkdir newdir; ls -d newdir
#### mkdir-parents
mkdir -p a/b/c; ls -R a
#### mkdir-exists
mkdir src; echo $?
#### mkdir-exists-p
mkdir -p src; echo $?
#### mkdir-missing-parent
mkdir x/y; echo $?
#### mkdir-verbose
mkdir -v v1 v2
#### rm-file
rm data.txt; ls data.txt; echo $?
#### rm-missing
rm nofile; echo $?
#### rm-force-missing
rm -f nofile; echo $?
#### rm-dir-without-r
rm src; echo $?
#### rm-recursive
rm -r src; ls
#### rm-multiple
rm data.txt numbers.txt; ls
#### rm-verbose
rm -v data.txt
#### rm-empty-dir-d
mkdir e; rm -d e; ls -d e; echo $?
#### rmdir-empty
mkdir empty; rmdir empty; ls
#### rmdir-nonempty
rmdir src; echo $?
#### rmdir-parents
mkdir -p p/q/r; rmdir -p p/q/r; ls
#### cp-file
cp data.txt copy.txt; cmp -s data.txt copy.txt && echo same
#### cp-into-dir
cp data.txt people.csv docs; ls docs
#### cp-dir-without-r
cp src dst; echo $?
#### cp-recursive
cp -r src backup; ls -R backup
#### cp-missing
cp nofile x; echo $?
#### cp-overwrite
echo new > n.txt; cp n.txt data.txt; cat data.txt
#### cp-no-clobber
echo new > n.txt; cp -n n.txt data.txt; head -1 data.txt
#### cp-same-file
cp data.txt data.txt; echo $?
#### mv-rename
mv data.txt renamed.txt; ls
#### mv-into-dir
mv data.txt people.csv docs; ls docs; ls
#### mv-dir
mv src source; ls source
#### mv-missing
mv nofile x; echo $?
#### mv-overwrite
echo replaced > n.txt; mv n.txt data.txt; cat data.txt
#### mv-into-self
mv src src/inner; echo $?
#### touch-create
touch t1 t2; ls t1 t2; wc -c t1
#### touch-existing-keeps-content
touch data.txt; head -1 data.txt
#### touch-no-create
touch -c ghost; ls ghost; echo $?
#### touch-date-find
touch -d '2020-01-01 00:00:00' old.txt; find . -name '*.txt' -mtime +1000 | sort
#### ln-symlink
ln -s data.txt link.txt; cat link.txt | head -1; readlink link.txt
#### ln-symlink-dir
ln -s src srclink; ls srclink
#### ln-hard
ln data.txt hard.txt; cat hard.txt | wc -l
#### ln-exists
ln -s data.txt people.csv; echo $?
#### ln-force
ln -sf data.txt people.csv; readlink people.csv
#### test-symlink
ln -s data.txt l; [ -L l ] && echo link; [ -f l ] && echo file-through-link
#### dangling-symlink
ln -s missing dangling; [ -e dangling ] || echo missing-target; [ -L dangling ] && echo is-link
#### basename-dirname
basename /a/b/c.txt; basename /a/b/c.txt .txt; dirname /a/b/c.txt; dirname c.txt; dirname /
#### basename-edge
basename /a/b/; basename /; basename -a x/y z/w; basename -s .py a.py b.py
#### dirname-multiple
dirname a/b c/d/e /f
#### pwd-cd
cd src; cd pkg; ls; cd ..; ls
#### cd-missing
cd nowhere; echo $?
#### cd-file
cd data.txt; echo $?
#### cd-dash
cd src; cd - > /dev/null; ls -d src
#### cd-home-var
HOME=src; cd; ls
#### cd-subshell
(cd src; ls); ls -d src
#### test-file-ops
[ -f data.txt ] && echo file; [ -d src ] && echo dir; [ -e nofile ] || echo missing; [ -s empty.txt ] || echo empty; [ -s data.txt ] && echo nonempty
#### test-newer
touch -d '2030-01-01 00:00:00' future.txt; [ future.txt -nt data.txt ] && echo newer; [ data.txt -ot future.txt ] && echo older
#### write-then-append-read
echo a > f; echo b >> f; cat f; wc -l < f
#### glob-after-create
touch z1.log z2.log; echo *.log; rm *.log; echo *.log
#### cmp-files
printf 'x\n' > a; printf 'x\n' > b; cmp -s a b && echo equal
#### cmp-differ
printf 'abc\n' > a; printf 'abd\n' > b; cmp a b; echo $?
#### cmp-missing
cmp data.txt nofile; echo $?
#### chmod-octal-symbolic
chmod 755 data.txt; stat -c '%a %n' data.txt; chmod u-x,go-rx data.txt; stat -c '%a %A' data.txt; chmod +x data.txt; stat -c %a data.txt
#### chmod-recursive
chmod -R go-r src; stat -c '%a %n' src src/main.py src/pkg/util.py
#### chmod-errors
chmod 999 data.txt; echo $?; chmod 644 nofile; echo $?
#### chmod-test-executable
chmod +x data.txt; [ -x data.txt ] && echo executable; chmod a-x data.txt; [ -x data.txt ] || echo not-executable
#### stat-format
stat -c '%s %F %n' data.txt empty.txt
#### stat-mtime
touch -d '2022-02-02 02:02:02' t.txt; stat -c %Y t.txt
#### stat-missing
stat nofile; echo $?
#### tac-lines
tac data.txt
#### paste-columns
paste -d, data.txt numbers.txt
#### paste-serial
paste -s -d: people.csv
#### mktemp-file
f=$(mktemp ./tmp.XXXXXX); [ -f "$f" ] && echo made; stat -c %a "$f"; rm "$f"
#### mktemp-dir
d=$(mktemp -d -p .); [ -d "$d" ] && echo dir; stat -c %a "$d"; rmdir "$d"
