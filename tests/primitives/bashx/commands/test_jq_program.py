"""jq runs in the server's process: it must see the script's variables and files, never the host's."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dotdo.primitives.bashx import Bash

CANARY = "host-canary-7f3a91"


@pytest.fixture
def host_secret() -> Iterator[str]:
    """A secret in the server's own environment, as `dotdo dev --token` puts one there."""
    os.environ["DOTDO_TEST_TOKEN"] = CANARY
    try:
        yield CANARY
    finally:
        del os.environ["DOTDO_TEST_TOKEN"]


@pytest.fixture
def host_modules(tmp_path: Path) -> Path:
    folder = tmp_path / "modules"
    folder.mkdir()
    (folder / "secret.json").write_text(f'{{"token": "{CANARY}"}}')
    (folder / "lib.jq").write_text(f'def leak: "{CANARY}";')
    return folder


@pytest.mark.parametrize(
    "script",
    [
        "jq -n env",
        "jq -n '$ENV'",
        "jq -n '$ENV.DOTDO_TEST_TOKEN'",
        "jq -n 'env.DOTDO_TEST_TOKEN'",
        "jq -n '[env | to_entries[] | .value] | join(\",\")'",
        "jq -n '\"\\(env)\"'",
        "jq -n '{a: env}'",
        "jq -n 'def f: $ENV; f'",
        "jq -n 'error(env | tojson)'",
        "echo '{}' | jq '. + env'",
    ],
)
async def test_jq_never_sees_the_servers_environment(bash: Bash, host_secret: str, script: str) -> None:
    result = await bash(script)
    assert host_secret not in result.stdout + result.stderr


async def test_jq_sees_the_scripts_exported_variables(bash: Bash) -> None:
    result = await bash("export GREETING=hi; LOCAL=x; jq -n -c '[env.GREETING, $ENV.HOME, env.LOCAL]'")
    assert result.stdout == '["hi","/",null]\n'


async def test_env_as_a_key_or_field_keeps_its_meaning(bash: Bash) -> None:
    result = await bash("""echo '{"env": 1}' | jq -c '{env: .env, e: "env"} | .env'""")
    assert result.stdout == "1\n"


@pytest.mark.parametrize(
    "program",
    [
        'import "secret" as $s {search: "{dir}"}; $s',
        'include "lib" {search: "{dir}"}; leak',
        'import "lib" as l {search: "{dir}"}; l::leak',
        'import "modules/secret" as $s {search: "{parent}"}; $s',
        '"lib" | modulemeta',
    ],
)
async def test_jq_modules_never_load_host_files(bash: Bash, host_modules: Path, program: str) -> None:
    filled = program.replace("{dir}", str(host_modules)).replace("{parent}", str(host_modules.parent))
    result = await bash("jq -n {}", filled)
    assert CANARY not in result.stdout + result.stderr
    assert result.exit_code != 0
    assert "not supported by bashx" in result.stderr


async def test_jq_library_path_is_refused(bash: Bash, host_modules: Path) -> None:
    result = await bash("jq -L {} -n 'import \"lib\" as l; l::leak'", str(host_modules))
    assert CANARY not in result.stdout
    assert "-L is not supported" in result.stderr


FRAGMENTS = st.sampled_from(
    [
        "env",
        "$ENV",
        " env ",
        ".env",
        "{env}",
        "{env: 1}",
        '"env"',
        '"\\(env)"',
        '"\\("\\(env)")"',
        '"\\"',
        '\\"',
        '"',
        "#",
        "# c \\\n",
        "# c \\\r\n",
        "# c \\\\\n",
        "\n",
        "\r",
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        ",",
        ":",
        "|",
        ".",
        "def env: 1;",
        "def f: env;",
        "f",
        " as $x | ",
        "$x",
        "tojson",
        "error",
        "@base64",
        "@sh",
        "reduce",
        "::",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(FRAGMENTS, min_size=1, max_size=12))
def test_no_filter_reaches_the_servers_environment(bash: Bash, host_secret: str, parts: list[str]) -> None:
    program = "".join(parts)
    result = bash.run_sync("jq -n {} 2>&1; echo 1 | jq {} 2>&1", program, program)
    assert host_secret not in result.stdout + result.stderr, program
