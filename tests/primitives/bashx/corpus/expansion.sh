# Parameter expansion.
#### default-unset
unset x; echo "${x:-def}" "${x-def2}"
#### default-empty
x=; echo "[${x:-def}]" "[${x-def2}]"
#### assign-default
unset x; echo "${x:=set}"; echo "$x"
#### alternate
x=1; y=; echo "[${x:+alt}]" "[${y:+alt}]" "[${y+alt}]" "[${z+alt}]"
#### error-unset
unset x; echo "${x:?is missing}"; echo after
#### error-unset-default-message
unset x; echo "${x?}"; echo after
#### length
x="hello world"; echo ${#x}; e=; echo ${#e}
#### length-positional
set -- a b c d; echo ${#} ${#1}
#### prefix-remove
p=src/pkg/util.py; echo ${p#*/} ${p##*/}
#### suffix-remove
f=archive.tar.gz; echo ${f%.*} ${f%%.*}
#### prefix-no-match
x=abc; echo ${x#z*} ${x%q}
#### replace-first
x=banana; echo ${x/an/AN}
#### replace-all
x=banana; echo ${x//an/AN} ${x//a/}
#### replace-anchored
x=banana; echo ${x/#ba/BA} ${x/%na/NA} ${x/#na/NA}
#### replace-glob
x=a.b.c; echo ${x//./-} ${x/.*/!}
#### substring
x=abcdefgh; echo ${x:2} ${x:2:3} ${x: -3} ${x: -3:2} ${x:0:1}
#### substring-negative-length
x=abcdefgh; echo ${x:1:-2}
#### case-modify
x="hello World"; echo ${x^^} ${x,,} ${x^} 
#### indirect
name=target; target=found; echo ${!name}
#### braces-adjacent
x=pre; echo ${x}fix "${x}_$x"
#### positional-beyond-nine
set -- 1 2 3 4 5 6 7 8 9 10 11; echo ${10} ${11} $10
#### special-params
set -- a b; echo $# "$@" "$*"; false; echo $?; true; echo $?
#### dollar-zero
echo $0
#### unset-is-empty
unset nope; echo "[$nope]" "[${nope}]"
#### pattern-from-variable
x=hello.txt; ext=.txt; echo ${x%$ext} ${x%"$ext"}
#### quoted-pattern-literal
x='a*b'; echo ${x#'a*'} ${x#a*}
#### default-with-expansion
unset x; y=fallback; echo ${x:-$y} ${x:-"$y and more"}
#### default-splitting
unset x; for w in ${x:-a b c}; do echo "[$w]"; done
#### nested-default
unset a b; c=deep; echo ${a:-${b:-$c}}
#### array-basic
a=(one two three); echo ${a[0]} ${a[2]} ${#a[@]}; echo "${a[@]}"
#### array-append
a=(x); a+=(y z); echo "${a[@]}" ${#a[@]}
#### array-index-assign
a=(); a[2]=c; a[0]=a; echo "${a[0]}" "${a[2]}"
#### array-loop
arr=("a b" c); for v in "${arr[@]}"; do echo "[$v]"; done
#### array-star-join
arr=(1 2 3); IFS=+; echo "${arr[*]}"
#### array-scalar-is-first
arr=(first second); echo $arr
#### var-append
x=ab; x+=cd; echo $x
#### tilde-home-unset-safe
echo "${HOME:+home-set}"
#### arith-in-param
x=abcdef; n=2; echo ${x:n:n+1}
#### length-unicode
#! differs: bashx counts characters (UTF-8); bash under LC_ALL=C counts bytes
x="héllo"; echo ${#x}
#### replace-with-slash
p=a/b/c; echo ${p//\//:}
#### upper-first-each
for w in alpha beta; do echo ${w^}; done
#### lowercase-var
X=MiXeD; echo ${X,,}
#### at-with-prefix
set -- a b; for w in "x$@y"; do echo "[$w]"; done
#### hash-in-braces
x=abc; echo ${#x} ${x#a}
#### readonly-assign-fails
readonly r=1; r=2; echo "still $r"
#### unset-readonly-fails
readonly r=1; unset r; echo "r=$r"
#### assoc-basic
declare -A color; color[apple]=red; color[banana]=yellow; echo "${color[apple]} ${color[banana]} ${#color[@]}"
#### assoc-literal
declare -A m=([one]=1 [two]=2 ["three x"]=3); echo "${m[one]}${m[two]}${m["three x"]}"
#### assoc-keys-sorted
declare -A m=([b]=2 [a]=1 [c]=3); for k in "${!m[@]}"; do echo "$k=${m[$k]}"; done | sort
#### assoc-values-count
declare -A m; m[x]=1; m[y]=2; m[x]=3; echo ${#m[@]}; printf '%s\n' "${m[@]}" | sort
#### assoc-unset-key
declare -A m=([a]=1 [b]=2); unset 'm[a]'; echo "${#m[@]} ${m[b]} [${m[a]}]"
#### assoc-missing-key
declare -A m; echo "[${m[nope]}]" "${m[nope]:-default}"
#### assoc-count-words
declare -A n; for w in $(cat words.txt); do n[$w]=$(( ${n[$w]:-0} + 1 )); done; echo "${n[the]}"
#### assoc-append
declare -A m=([a]=x); m[a]+=y; m+=([b]=z); echo "${m[a]} ${m[b]}"
#### array-indices
a=(x y z); echo "${!a[@]}"
#### array-unset-last
a=(1 2 3); unset 'a[2]'; echo "${#a[@]} ${a[@]}"
#### array-explicit-index-literal
a=([0]=zero [1]=one); echo "${a[1]} ${#a[@]}"
#### local-assoc
f() { local -A seen=([k]=v); echo "${seen[k]}"; }; f
