"""awk semantics the oracle corpus cannot pin down (the system awk may be mawk or gawk)."""

from __future__ import annotations

import pytest

from dotdo.primitives.bashx.commands.awk.command import awk
from dotdo.primitives.bashx.commands.base import CommandCall, CommandResult


def run(fs, program: str, stdin: bytes = b"") -> CommandResult:
    from dotdo.primitives.bashx.streams import InputStream

    return awk(CommandCall(["awk", program], "/", {}, fs.sync, InputStream(stdin)))


def test_substr_follows_posix(fs) -> None:
    result = run(fs, 'BEGIN {print substr("hello", 0), substr("hello", -1, 3), substr("hello", 2, 2)}')
    assert result.stdout == b"hello h el\n"


def test_uninitialized_and_strnum_comparisons(fs) -> None:
    result = run(fs, '{print ($1 < $2), (x == 0), (x == "")}', b"10 9\n")
    assert result.stdout == b"0 1 1\n"


def test_syntax_error_is_reported(fs) -> None:
    result = run(fs, "{print $1")
    assert result.exit_code == 2
    assert b"syntax error" in result.stderr


@pytest.mark.parametrize("program", ['BEGIN {system("ls")}', 'BEGIN {print "x" | "cat"}'])
def test_escapes_to_the_host_are_refused(fs, program: str) -> None:
    result = run(fs, program)
    assert result.exit_code == 2
    assert b"not supported by bashx" in result.stderr


def test_division_by_zero(fs) -> None:
    result = run(fs, "BEGIN {print 1/0}")
    assert result.exit_code == 2
    assert b"division by zero" in result.stderr
