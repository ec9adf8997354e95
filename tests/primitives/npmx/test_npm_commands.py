"""`dotdo npm install|ci|ls` on an object of a data folder, against the local registry."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from dotdo.cli import cli
from tests.primitives.npmx.local_registry import LocalRegistry

runner = CliRunner()


def test_install_ls_and_ci_from_the_shell(registry: LocalRegistry, tmp_path: Path) -> None:
    common = ["--object", "Site/acme", "--data-dir", str(tmp_path / "data"), "--registry", registry.url]
    done = runner.invoke(cli, ["npm", "install", "beta@^1.0.0", "gamma", *common])
    assert done.exit_code == 0, done.output
    assert "installed 4 packages in Site/acme" in done.output
    listed = runner.invoke(cli, ["npm", "ls", "--object", "Site/acme", "--data-dir", str(tmp_path / "data")])
    assert listed.exit_code == 0, listed.output
    tree = json.loads(listed.stdout[listed.stdout.index("{") :])
    assert {name: entry["version"] for name, entry in tree["dependencies"].items()} == {
        "beta": "1.1.0",
        "gamma": "1.0.0",
    }
    again = runner.invoke(cli, ["npm", "ci", *common])
    assert again.exit_code == 0, again.output
    assert "from the lockfile" in again.output


def test_bad_input_exits_with_the_error(registry: LocalRegistry, tmp_path: Path) -> None:
    common = ["--data-dir", str(tmp_path / "data"), "--registry", registry.url]
    done = runner.invoke(cli, ["npm", "install", "alpha@^^1", "--object", "Site/acme", *common])
    assert done.exit_code == 1
    assert "invalid version range" in done.output
    nameless = runner.invoke(cli, ["npm", "install", "alpha", "--object", "Site", *common])
    assert nameless.exit_code == 1
    assert "Class/name" in nameless.output
