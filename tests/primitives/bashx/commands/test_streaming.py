"""Streaming filters: real bash is the oracle for their output; memory stays bounded; readers stop writers."""

from __future__ import annotations

from pathlib import Path

import pytest

from dotdo.primitives.bashx import Bash, BashTimeoutError
from dotdo.primitives.bashx.commands.streaming import Lines

from ..memory import peak_growth_and_outputs
from ..oracle import run_bash

SCRIPTS = [
    # An endless writer ends as soon as the reader downstream has what it needs.
    "yes | grep -m1 y",
    "yes | grep -q y; echo $?",
    "yes | grep -m3 -c y",
    "yes | grep -n y | head -2",
    "yes | sed q",
    "yes | sed -n '3{=;q}'",
    "yes | awk 'NR==2 {print NR; exit}'",
    "yes | awk '{print NR}' | head -2",
    "yes | tr y n | head -2",
    "yes | cut -c1 | head -1",
    "yes | cat -n | head -2",
    "yes | tee copy | head -1",
    "yes | rev | head -1",
    "yes | nl | head -1",
    "yes | od -v -c | head -2",
    "yes | tail -n +3 | head -1",
    "yes | head -c 100000 | wc -c",
    "head -c 100 /dev/zero | od",
    "seq 1000000000 | head -2; seq -w -5 3 | tr '\\n' ' '; seq -s , 0.5 0.25 1.5",
    "seq 1000 > f; cat f | grep -q 500; echo $?",
    # Line-by-line results and edge cases of each filter.
    "seq 30 | grep -v 1 | head -3; seq 30 | grep -c 1; seq 30 | grep -n -m2 2",
    "seq 30 | grep -C1 -n '[48]'; seq 10 | grep -B2 -A1 -m2 '[37]'",
    "printf 'Abc\\nabc\\nxyz' | grep -i abc; printf 'a\\nb' | grep b",
    "seq 30 > a; seq 5 > b; grep 3 a b; grep -c 3 a b; grep -l 3 a b; grep -L 30 a b; grep 3 a none; echo $?",
    "printf 'a\\nb\\nc' | cat -n; printf 'a\\nb\\nc' | cat -E; printf 'a\\n\\n\\nb\\n' | cat -s",
    "seq 100 | head -n -95; seq 100 | head -c -250 | tail -3; seq 1000 > f; head -n -997 f; head -c -3890 f",
    "seq 10 | tail -n +8; seq 10 | tail -c 5; seq 10 | tail -c +15; printf 'x\\ny' | tail -1",
    "seq 1000 > f; head -3 f; tail -2 f; head -c 7 f; tail -c 8 f; head -n 3 f f",
    "seq 5 | { head -n 2; cat; }; seq 5 > f; { head -n 2; head -c 3; echo; cat; } < f",
    "printf 'one two\\nthree  four\\n five' | wc; printf 'hello  world\\nab\\n' | wc -m -L",
    "printf 'a\\na\\nb\\nA\\na\\n' | uniq -c; printf 'a\\na\\nb\\nA\\na\\n' | uniq -i -c",
    "printf 'a\\na\\nb\\nc\\nc\\n' | uniq -d; printf 'a\\na\\nb\\nc\\nc\\n' | uniq -u",
    "printf 'a\\na\\nb\\n' > in; uniq in out; cat out",
    "printf 'a:b:c\\nd:e:f\\nnone\\n' | cut -d: -f2; printf 'abcdef\\n' | cut -c 2-4",
    "printf 'abcdef\\nxy\\n\\n' | cut -c 4-,1-2; printf 'abcdef\\n' | cut -c 2-3,3-5",
    "printf 'h\\303\\251llo\\n' | cut -c 2-3 | od -c",
    "echo hello | tr a-z A-Z; echo hello | tr -d l; echo 'hello   world' | tr -s ' '; echo hello | tr -c a-z _",
    "echo 'hello 123' | tr -cd 0-9; echo aabbcc | tr -s a-c x; echo aabbcc | tr a-c xy; echo é | tr é e",
    "echo hello | tee a b | tr a-z A-Z; cat a b; echo x | tee -a a; cat a",
    "printf 'abc\\ndef\\n' | rev; printf 'abc\\n\\ndef\\n' | nl",
    "seq 10 | sed -n '3,5p'; seq 10 | sed '$d'; seq 10 | sed -n '$p'; printf 'a\\nb' | sed 's/b/c/'",
    "seq 6 | sed 'N;s/\\n/-/'; seq 5 | sed 'n;d'; seq 5 | sed '$!N;P;D'; seq 3 | sed -n 'H;${x;s/\\n/,/g;p}'",
    "seq 3 | sed '2q5'; echo $?; printf 'a\\nb' | sed q; seq 5 > f; sed -i 's/3/x/' f; cat f",
    "seq 10 | awk '{s+=$1} END {print s}'; printf 'a,b;c,d;' | awk 'BEGIN{RS=\";\"} {print $1}'",
    "printf 'a\\n\\nb\\nc\\n\\n\\nd\\n' | awk 'BEGIN{RS=\"\"} {print NR\": \"$0}'",
    "seq 5 | awk 'NR==2{getline; print $0}'",
    "printf 'hello world\\n' | od -c; seq 100 | od -A x -t x1 | tail -3; printf abc | od -b",
    # `<` reads a file as it is consumed; what one command reads the next does not see.
    'seq 10 > f; { read a; read b; echo $a $b; cat; } < f; while read x; do echo "<$x>"; done < f | tail -2',
    "printf 'a\\nb' > f; while read x; do echo $x; done < f; echo \"[$x]\"; cat < nothere; echo $?",
    "seq 3 > f; exec 3< f; read -u 3 a; read -u 3 b; echo $a $b; cat <&3; mapfile -t arr < f; echo ${#arr[@]}",
    "seq 3 > f; exec 3< f; rm f; cat <&3",
    "seq 20000 > f; grep -c 7 < f; wc -l < f; tail -1 < f; sort -n < f | tail -1",
    # Jobs run streaming pipelines like any other command.
    "(yes | grep -m1 y) & wait; echo ok",
    "seq 100000 | grep -c 7 & wait $!; echo status=$?",
    "yes > /dev/null & kill %1; wait %1; echo $?",
    "(sleep 0.3; exit 4) & (yes | head -1; exit 5) & wait -n; echo $?; wait -n; echo $?",
]


@pytest.mark.parametrize("script", SCRIPTS)
def test_streaming_filters_match_bash(bash: Bash, tmp_path: Path, script: str) -> None:
    expected = run_bash(script, tmp_path)
    result = bash.run_sync(script, timeout=20)
    assert (result.stdout.encode("utf-8", "surrogateescape"), result.exit_code) == (expected.stdout, expected.status)


STREAM_BYTES = 150_000_000
"""Bytes pushed through each pipeline: several times what the peak check allows."""


def test_a_long_pipeline_of_filters_runs_in_bounded_memory() -> None:
    # 150 MB of 1000-byte lines through each pipeline; a filter that read its whole input
    # (as they all did before streaming) would add well over 150 MB to the process's peak.
    line = '"$(printf "%0999d" 7)"'
    grown, outputs = peak_growth_and_outputs(
        [
            f"yes {line} | head -c {STREAM_BYTES} | tr 0-9 a-j | grep h | wc -l",
            f"yes {line} | head -c {STREAM_BYTES} | cut -c 990-1000 | sed s/0/o/ | uniq -c | tail -n 1",
            f"yes {line} | head -c {STREAM_BYTES} | awk '{{n++}} END {{print n}}'",
            f"yes {line} | head -c {STREAM_BYTES} | tee /dev/null | cat -n | grep -c 7",
        ]
    )
    lines = STREAM_BYTES // 1000
    assert outputs == [f"{lines}\n", f"{lines:7d} o000000007\n", f"{lines}\n", f"{lines}\n"]
    assert grown < 48, f"peak memory grew by {grown} MB while streaming {STREAM_BYTES // 10**6} MB"


def test_lines_splits_blocks_at_newlines_whatever_the_block_boundaries() -> None:
    lines = Lines([b"ab", b"c\nd", b"e\n\nf", b"gh"])
    assert [line for batch in lines for line in batch] == [b"abc", b"de", b"", b"fgh"]
    assert lines.unterminated


def test_lines_of_terminated_input_has_no_unterminated_tail() -> None:
    lines = Lines([b"a\nb\n", b"c\n"])
    assert list(lines) == [[b"a", b"b"], [b"c"]]
    assert not lines.unterminated


def test_a_line_longer_than_a_block_arrives_whole() -> None:
    long = b"x" * 200_000
    blocks = [long[i : i + 65536] for i in range(0, len(long), 65536)] + [b"\nend\n"]
    assert [line for batch in Lines(blocks) for line in batch] == [long, b"end"]


def test_an_endless_seq_into_a_sink_that_never_fills_stops_at_the_timeout(bash: Bash) -> None:
    with pytest.raises(BashTimeoutError):
        bash.run_sync("seq 1000000000000 > /dev/null", timeout=0.5)


def test_bad_tr_sets_report_an_error_and_keep_the_input(bash: Bash) -> None:
    result = bash.run_sync("echo abc | tr -c a ''; echo $?", timeout=20)
    assert result.stdout == "1\n"
    assert "string2 must be non-empty" in result.stderr
