"""Interpolation: values are quoted into one word each and can never inject shell code."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dotdo.primitives.bashx import Bash, InterpolationError, quote
from dotdo.primitives.bashx.quoting import interpolate

TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)


def test_placeholders_are_replaced_in_order() -> None:
    assert interpolate("cp {} {}", ("a b", "c")) == "cp 'a b' c"


def test_double_braces_are_literal() -> None:
    assert interpolate("echo {{}} {{x}} {}", ("v",)) == "echo {} {x} v"


def test_count_must_match() -> None:
    with pytest.raises(InterpolationError, match="placeholders"):
        interpolate("echo {} {}", ("one",))
    with pytest.raises(InterpolationError, match="placeholders"):
        interpolate("echo {}", ("one", "two"))


@pytest.mark.parametrize("template", ["echo '{}'", 'echo "{}"', "echo `{}`", "cat <<EOF\n{}\nEOF\n"])
def test_placeholders_inside_quotes_are_refused(template: str) -> None:
    with pytest.raises(InterpolationError, match="bare word"):
        interpolate(template, ("x",))


def test_values_of_other_types() -> None:
    assert quote(42) == "42"
    assert quote(PurePosixPath("/a b/c")) == "'/a b/c'"
    with pytest.raises(TypeError):
        quote(None)
    with pytest.raises(TypeError):
        quote(b"bytes")
    with pytest.raises(InterpolationError, match="NUL"):
        quote("a\x00b")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=TEXT)
def test_any_string_round_trips_as_one_argument(bash: Bash, value: str) -> None:
    result = bash.run_sync("printf '%s' {}", value)
    assert result.exit_code == 0
    assert result.stdout == value
    assert result.analysis.commands == ["printf"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(TEXT, min_size=1, max_size=4))
def test_each_value_is_exactly_one_word(bash: Bash, values: list[str]) -> None:
    placeholders = " ".join("{}" for _ in values)
    result = bash.run_sync(f"for a in {placeholders}; do printf '<%s>' \"$a\"; done", *values)
    assert result.stdout == "".join(f"<{v}>" for v in values)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=TEXT)
def test_injection_attempts_create_nothing(bash: Bash, fs, value: str) -> None:
    payload = value + "; touch pwned; $(touch pwned2) `touch pwned3` && rm -rf / | sh"
    result = bash.run_sync("echo {} > out.txt", payload)
    assert result.analysis.verdict == "safe"
    assert fs.sync.read_text("/out.txt") == payload + "\n"
    assert not any(fs.sync.exists(p) for p in ("/pwned", "/pwned2", "/pwned3"))
