# Variables: sparse and associative arrays, declare's attributes and -p, local scope, namerefs.
#### sparse-array
a=(x y z); unset 'a[1]'; a[7]=w; echo "${a[@]}" "${#a[@]}" "${!a[@]}"; declare -p a
#### array-negative-index
a=([2]=b [5]=e); echo "${a[-1]}" "${a[-4]}"; a[-1]=E; declare -p a; a[-9]=x; echo $?
#### array-slice-by-index
a=([1]=one [3]=three [4]=four); echo "${a[@]:2}" "|" "${a[@]:1:2}" "|" "${a[@]: -2}"
#### array-append
a=(1 2); a+=(3 [10]=ten 11); s=x; s+=(y); declare -p a s
#### assoc-order-and-quoting
declare -A m=([foo]=one [bar]=two ["hello world"]=3 ['$x']=4 ["*"]=5); declare -p m; echo "${!m[@]}"
#### assoc-key-value-pairs
declare -A p=(k1 v1 k2 v2 k3); declare -p p
#### assoc-subscript-with-blanks
declare -A w; w[foo bar]=qux; w[six]+=6; w[six]+=7; declare -p w; echo "${w[foo bar]}"
#### assoc-missing-subscript
declare -A c; c=([zero]=1 four [one]=2); declare -p c
#### declare-attributes
declare -i n=2+3; n+=4; declare -u up=abc; declare -l low=ABC; declare -c cap=hELLO; declare -p n up low cap
#### declare-attribute-letters
declare -Ai ai=([one]=1+1); readonly ai; export ai; declare -p ai; declare -a ia; declare -p ia; echo ${ai@a}
#### declare-control-characters
v=$'a\001b' w='q"$`\'; declare -p v w; declare -a arr=($'\t'); declare -p arr
#### declare-not-found
declare -p nosuchvar; echo $?; declare +A nosuch; declare -A a=([x]=1); declare +A a; echo $?
#### local-scope
x=global; f() { local x; echo "[${x-unset}]"; declare -p x; x=inner; g; }; g() { unset x; echo "g: ${x-unset}"; }; f; echo "$x"
#### local-uncovers-caller
x=global; f() { local x=f; g; echo "f after g: $x"; }; g() { unset x; echo "g: $x"; }; f
#### nameref
x=1; declare -n r=x; r=2; echo $x ${!r}; declare -p r; unset r; echo "${x-unset}"; declare -n e=arr[1]; e=v; declare -p arr
#### transformations-A-K
a=(x "y z"); declare -A A=([k]=v); i=5; declare -i j=3; echo ${a[@]@K}; echo "${A[@]@K}"; echo ${i@A} ${j@A}; echo "${a[@]@A}"
#### funcname
f() { echo "${FUNCNAME[@]}"; g; }; g() { echo "${FUNCNAME[@]} ${#FUNCNAME[@]}"; }; f; echo "[${FUNCNAME[*]}]"
#### bad-subscripts
b[]=x
b[*]=y
d[7]=(z)
d=([]=a [1]="t t" [*]=l [-65]=n)
declare -p d; echo ${b[0]-unset}
#### declare-element-makes-array
declare -r c[100]; declare +a c; echo $?; declare -p c; declare -A h[1]; declare -p h
#### declare-array-literal-argument
declare -A waste=( [pid]=42 [version]=4.0-devel ); declare -p waste
#### declare-global-from-function
f() { local -a v; local w; g; echo "f: ${v[@]} $w"; }; g() { aux=v; declare -ga "$aux=( a b )"; declare -g w=one; echo "g: ${v[@]} $w"; }; f; echo "top: ${v[@]} $w"
#### function-temporary-environment-is-exported
f() { printenv var; }; var=40 f; echo "[${var-unset}]"
#### standard-program-paths
/bin/echo hi; /usr/bin/printf '%s\n' there; /bin/true; echo $?
#### shell-flags
set -eu; echo $- $SHELLOPTS
#### arithmetic-array-elements
a=(1 2); echo $((a[1]+1)); ((a[0]+=5)); i=1; echo $(( a[i] * 3 )) $(( a[-1] )); declare -A A; k=x; ((A[$k]++)); ((A[$k]++)); declare -p A a
#### arithmetic-assoc-key-expanded-once
declare -A assoc; key='x],b[$(echo uname)'; (( assoc[$key]++ )); declare -p assoc; var="'\]"; ((assoc['$var']++)); declare -p assoc
#### replace-with-empty-and-anchored-patterns
var=; echo "${var/#/x}" "${var/*/x}" "${var//*/x}"; var=abc; echo "${var/#/x}" "${var/*/x}" "${var//*/x}" "${var/%/Y}" ${var//?/-}
#### substring-offset-with-conditional
j=1; s=abcdef; echo ${s:(j?1:0):j} ${s:j?2:0:2}
#### indirect-to-array-reference
a=(1 2 3); n='a[@]'; echo ${!n}; for x in "${!n}"; do echo "<$x>"; done; m='a[1]'; echo ${!m}
#### set-options-kept
set -o posix; echo $?; set +a; echo $? $-; set -o monitor; echo $SHELLOPTS; set -eufC; echo $-
#### case-modification-with-patterns
S=oenophile; U=OENOPHILE; echo ${S^[aeiou]} ${S^^[aeiou]} ${U,} ${U,[AEIOU]} ${U,,[AEIOU]} ${S~} ${S~~}; set -- ack one; echo ${@^^[rstlne]}
#### brace-ends-at-first-close
printf '<%s> ' ${abc:-G { I } K }; echo
#### escaped-backslash-before-newline
NL="\\
"
echo "[$NL]"; echo 'a\
b'
#### count-of-positionals-with-operators
set 1 2 3 4 5; echo ${#} ${#:foo} ${#:-foo} ${#-posparams} ${#?}
#### ifs-is-set-by-default
OIFS="$IFS"; IFS=,; IFS="$OIFS"; f() { echo "<${*-x}>"; }; f '' ''; printf %s "$IFS" | od -c
#### assignment-transform-of-empty-array
declare -ia foo=(); echo ${foo@a}; echo ${foo@A}; a=(x "y z"); echo "${a@A}" "${a[1]@A}"; var=blah; echo ${var[@]:3}
#### arith-for-with-command-substitution
for (( i = j = k = 1; i % 9 || (j *= -1, $( ((i%9)) || printf " " >&2; echo 0), k++ <= 10); i += j )); do printf "$i"; done; echo
#### arithmetic-comparison-before-parenthesis
echo $(( 4>(2+3) ? 1 : 32)) $(( 4<(2+3) ? 1 : 32))
#### arithmetic-bases-up-to-64
echo $(( 16#a )) $(( 32#A )) $(( 56#a )) $(( 64#A )) $(( 64#@ )) $(( 64#_ )) $((2#101))
#### dynamic-variables
BASH_ARGV0=hello; echo $0; (( EPOCHSECONDS > 1700000000 )) && echo epoch; [[ $EPOCHREALTIME == *.* ]] && echo real
#### tilde-in-assignment-like-words
HOME=/usr/xyz; unset A; : ${A:=~/bin:~/b2}; echo $A; echo make FOO=~/m foo=~:~ "q=~" x~=~; typeset F=~/m; echo "$F"; h='HOME=~'; eval echo $h
#### collating-symbols-and-equivalence-classes
for c in p ' ' 4 c $'\t'; do case $c in [[.a.]-[.z.]]) echo "1 $c";; [[.space.]]) echo 2;; [[.-.]-9]) echo 3;; [[.space.][.tab.]]) echo 4;; esac; done; case abc in [[:alpha:]][[=b=]][[:ascii:]]) echo 5;; esac; case c in [[.yyz.][.a.]-z]) echo 6;; esac
#### nameref-redeclared-and-removed
bar=one flow=two flip=three; foo=bar; typeset -n foo; typeset -n fee=flow; echo $foo $fee; typeset -n fee=flip; echo $fee; typeset +n foo=other; echo $foo $bar; unset foo; foo=bar; typeset -n foo; foo=two printf "%s\n" $foo; echo $bar
#### readonly-and-array-listings
a=(x); readonly a; declare -r c[100]; readonly -a; declare -ar; set -o posix; readonly -a; set +o posix; declare -pa | egrep -v "(BASH_VERSINFO|PIPESTATUS|GROUPS)"
#### nested-quotes-in-quoted-operator-word
echo "${dbg-"'hey'"}" "${dbg-"hey"}" "${dbg-'"'hey}" "${dbg-'"hey'}"; x=1; echo "${x+"a b"}" "${u-"\$x"}" "${u:-"$x"}" "${u-\"q\"}"
#### array-kind-stays
#! stderr: ignore
f() { declare -a a; declare -A a; declare -p a; }; f; g() { declare -A a; declare -a a; declare -p a; }; g
#### append-in-temporary-and-element-assignments
a=1; a+=5 printenv a; echo $a; x=( 1 2 [2]+=7 4 5 ); echo ${x[@]}; x+=( [3]+=9 [5]=9 ); echo ${x[@]}
#### tilde-prefix-forms
HOME=/usr/xyz; mkdir -p sub; cd sub; cd ..; o=~- p=~-/x; [ ~+ = "$PWD" ] && echo same; echo ${o##*/} ${p##*/sub}; USER=root; echo ~$USER ~"x" ~ ~/a; echo foo=bar:~; set -o posix; echo foo=bar:~
#### declare-f-prints-functions
f(){ echo hi; }; declare -f f; declare -f nosuch; echo $?; declare -F f
#### unset-non-identifier-and-export-f
unset /bin/sh; echo $?; export -f XPATH; echo $?; f() { :; }; export -f f; echo $?
