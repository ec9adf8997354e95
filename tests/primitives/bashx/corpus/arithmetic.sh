# Arithmetic expansion and commands.
#### basic-ops
echo $((1+2)) $((7-10)) $((6*7)) $((7/2)) $((7%3)) $((2**10))
#### precedence
echo $((2+3*4)) $(((2+3)*4)) $((2**3**2)) $((-2**2))
#### negative-division
echo $((-7/2)) $((-7%2)) $((7/-2))
#### variables
x=5; y=3; echo $((x*y)) $(($x+$y)) $((x-y))
#### assignment-ops
x=10; ((x+=5)); echo $x; ((x-=3)); echo $x; ((x*=2)); echo $x; ((x/=4)); echo $x; ((x%=4)); echo $x
#### increment
i=0; ((i++)); echo $i; ((++i)); echo $i; echo $((i++)) $i $((--i)) $i
#### comparison
echo $((3<4)) $((3>4)) $((3==3)) $((3!=3)) $((4>=4)) $((4<=3))
#### logical
echo $((1&&0)) $((1||0)) $((!0)) $((!5))
#### bitwise
echo $((5&3)) $((5|3)) $((5^3)) $((~5)) $((1<<4)) $((256>>2))
#### ternary
x=7; echo $((x>5 ? 1 : 0)) $((x<5 ? 10 : 20))
#### hex-octal
echo $((0x1F)) $((010)) $((2#1010)) $((16#ff))
#### unset-is-zero
unset u; echo $((u+1))
#### string-var-as-name
a=b; b=7; echo $((a+1))
#### comma
echo $((x=2, x*3))
#### arith-command-status
((0)); echo $?; ((5)); echo $?; ((1-1)) || echo zero
#### c-for
for ((i=0; i<4; i++)); do echo -n "$i "; done; echo
#### c-for-two-vars
for ((i=0, j=10; i<3; i++, j--)); do echo $i $j; done
#### let
let x=4*5 y=x+1; echo $x $y
#### division-by-zero
echo $((1/0)); echo after
#### large-numbers
echo $((2**62)) $((2**63)) $((9223372036854775807+1))
#### spaces
echo $(( 1 + 2 )) $((   3   *   4   ))
#### nested-arith
echo $(( $((2+3)) * 2 ))
#### arith-with-command-sub
echo $(( $(echo 6) * 7 ))
#### declare-integer
declare -i n=3+4; echo $n
#### increment-unset
unset c; ((c++)); echo $c
