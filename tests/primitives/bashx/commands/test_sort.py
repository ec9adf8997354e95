"""sort: real bash is the oracle; past its memory budget it spills sorted runs to /tmp and merges them."""

from __future__ import annotations

from pathlib import Path

import pytest

from dotdo.primitives.bashx import Bash

from ..memory import peak_growth_and_outputs
from ..oracle import run_bash

SCRIPTS = [
    # -S 10K forces runs to spill: the merge must give what one in-memory sort gives.
    "seq 20000 | sort -S 10K | tail -3",
    "seq 20000 | sort -S 10K -n -r | head -3",
    "seq 3000 | sed 's/$/ x/' | sort -S 4K -k1,1n -u | tail -2",
    "seq 5000 | awk '{print $1 % 100}' | sort -S 4K -n -u | wc -l",
    "seq 5000 | awk '{print $1 % 100, $1}' | sort -S 4K -s -k1,1n | head -5",
    "seq 5000 | sort -S 4K -o out; tail -1 out",
    "printf 'b\\na\\nB\\n' | sort -f; printf 'b\\na\\nB\\n' | sort -S 1b -f -r",
    "seq 10 | sort -S 1x; echo $?",
]


@pytest.mark.parametrize("script", SCRIPTS)
def test_sort_matches_bash(bash: Bash, tmp_path: Path, script: str) -> None:
    bash.run_sync("mkdir -p /tmp", timeout=20)
    expected = run_bash(script, tmp_path)
    result = bash.run_sync(script, timeout=20)
    assert (result.stdout.encode(), result.exit_code) == (expected.stdout, expected.status)


def test_spilled_runs_are_removed_when_sort_ends(bash: Bash) -> None:
    result = bash.run_sync("mkdir -p /tmp/runs; seq 20000 | sort -S 10K -T /tmp/runs | wc -l; ls -A /tmp/runs")
    assert result.stdout == "20000\n"


def test_a_missing_temporary_folder_is_a_clear_error(bash: Bash) -> None:
    result = bash.run_sync("seq 5000 | sort -S 4K -T /nowhere; echo $?")
    assert result.stdout == "2\n"
    assert "sort: cannot create temporary file in '/nowhere'" in result.stderr


def test_sorting_more_than_its_budget_keeps_memory_bounded() -> None:
    # 60 MB sorted with an 8 MB budget: holding all of it would add well over 60 MB to the peak.
    line = '"$(printf "%0999d" 7)"'
    grown, outputs = peak_growth_and_outputs(
        [f"mkdir /tmp; yes {line} | head -c 60000000 | sed 's/^/x/' | sort -S 8M | uniq -c | cut -c 1-9"]
    )
    assert outputs == ["  60000 x\n"]
    assert grown < 48, f"peak memory grew by {grown} MB while sorting 60 MB"
