"""npm run: package.json scripts with pre/post through bashx, package commands on the path."""

from __future__ import annotations

import json
import shutil

import pytest

from dotdo.primitives.fsx import FileSystem
from dotdo.primitives.npmx import Npm, NpmError, NpmScriptError


async def project(fs: FileSystem, scripts: dict[str, str]) -> None:
    await fs.write("/package.json", json.dumps({"name": "app", "version": "2.0.0", "scripts": scripts}))


async def test_pre_and_post_scripts_run_around_the_script(npm: Npm, fs: FileSystem) -> None:
    await project(
        fs,
        {
            "prebuild": "echo pre > order.txt",
            "build": 'echo "build $npm_lifecycle_event $npm_package_name@$npm_package_version" >> order.txt',
            "postbuild": "echo post >> order.txt && cat order.txt",
        },
    )
    result = await npm.run("build")
    assert result.scripts == ["prebuild", "build", "postbuild"]
    assert result.stdout == "pre\nbuild build app@2.0.0\npost\n"


async def test_arguments_are_appended_quoted(npm: Npm, fs: FileSystem) -> None:
    await project(fs, {"greet": "printf '%s|' hello"})
    assert (await npm.run("greet", "a b", "$HOME")).stdout == "hello|a b|$HOME|"


async def test_a_failing_script_stops_the_run(npm: Npm, fs: FileSystem) -> None:
    await project(fs, {"test": "echo testing; exit 3", "posttest": "echo never"})
    with pytest.raises(NpmScriptError, match="exited with status 3") as caught:
        await npm.run("test")
    assert caught.value.exit_code == 3
    assert caught.value.stdout == "testing\n"


async def test_a_missing_script_names_the_ones_there(npm: Npm, fs: FileSystem) -> None:
    await project(fs, {"build": "true", "lint": "true"})
    with pytest.raises(NpmScriptError, match=r'Missing script: "deploy".*build, lint'):
        await npm.run("deploy")


async def test_shell_commands_of_packages_run_in_bashx(npm: Npm, fs: FileSystem) -> None:
    await npm.install("shtool")
    package_json = json.loads(await fs.read("/package.json"))
    package_json["scripts"] = {"say": "shtool hi | tr a-z A-Z"}
    await fs.write("/package.json", json.dumps(package_json))
    assert (await npm.run("say")).stdout == "SHTOOL SAYS HI\n"


@pytest.mark.skipif(shutil.which("node") is None, reason="the sandbox runs the host's Node.js")
async def test_node_commands_of_packages_run_in_the_sandbox(npm: Npm, fs: FileSystem) -> None:
    await npm.install("tool")
    package_json = json.loads(await fs.read("/package.json"))
    package_json["scripts"] = {"go": "fixture-tool one two > out.txt && node -e 'console.log(6 * 7)'"}
    await fs.write("/package.json", json.dumps(package_json))
    result = await npm.run("go")
    assert result.stdout == "42\n"
    assert await fs.read("/out.txt") == b"fixture-tool one two\n"


async def test_run_needs_a_shell(fs: FileSystem) -> None:
    await project(fs, {"build": "true"})
    with pytest.raises(NpmError, match="bashx shell"):
        await Npm(fs).run("build")
