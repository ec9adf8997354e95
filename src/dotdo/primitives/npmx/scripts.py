"""``npm run``: a ``package.json`` script with its ``pre`` and ``post`` scripts, through bashx.

Each script runs in a bashx shell over the object's files, in the project's folder, with npm's
environment (``npm_lifecycle_event``, ``npm_package_name``, ``PATH`` starting with
``node_modules/.bin``). bashx finds no programs in the object's files, so every command a package
installs in ``node_modules/.bin`` becomes a command of that shell: a shell script runs in bashx
itself, anything else (a Node program) runs as ``node <file>`` in bashx's sandbox tier.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from dotdo.primitives.bashx import Bash, CommandCall, CommandResult, quote
from dotdo.primitives.npmx.errors import NpmScriptError

if TYPE_CHECKING:
    from dotdo.primitives.npmx.npm import Npm, RunResult

SHELLS = ("sh", "bash", "dash")


async def run_scripts(
    npm: Npm, name: str, args: list[str], *, timeout: float | None, confirm: bool, env: Mapping[str, str]
) -> RunResult:
    """Run ``pre<name>``, ``<name>`` and ``post<name>`` (those present); stop at the first failure."""
    from dotdo.primitives.npmx.npm import RunResult

    package_json = npm.package_json()
    scripts = package_json.get("scripts") or {}
    if not isinstance(scripts, dict):
        raise NpmScriptError(f"{npm.prefix}/package.json: scripts must be an object of name -> command")
    if name not in scripts:
        available = ", ".join(sorted(scripts)) or "none"
        raise NpmScriptError(f'Missing script: "{name}" in {npm.prefix}/package.json (available: {available})')
    shell = _shell(npm)
    bin_dir = posixpath.join(npm.prefix, "node_modules", ".bin")
    base_env = {
        "PATH": f"{bin_dir}:/usr/local/bin:/usr/bin:/bin",
        "npm_package_name": str(package_json.get("name", "")),
        "npm_package_version": str(package_json.get("version", "")),
        "npm_command": "run-script",
        "INIT_CWD": npm.prefix,
        **env,
    }
    stdout, stderr, ran = [], [], []
    for stage in (f"pre{name}", name, f"post{name}"):
        if stage not in scripts:
            continue
        command = str(scripts[stage])
        if stage == name and args:
            command += " " + " ".join(quote(arg) for arg in args)
        stage_env = {**base_env, "npm_lifecycle_event": stage, "npm_lifecycle_script": command}
        result = await shell(command, cwd=npm.prefix, env=stage_env, timeout=timeout, confirm=confirm)
        stdout.append(result.stdout)
        stderr.append(result.stderr)
        ran.append(stage)
        if result.exit_code != 0:
            raise NpmScriptError(
                f'script "{stage}" ({command}) exited with status {result.exit_code}\n{result.stderr[-2000:]}',
                exit_code=result.exit_code,
                stdout="".join(stdout),
                stderr="".join(stderr),
            )
    return RunResult("".join(stdout), "".join(stderr), 0, ran)


def _shell(npm: Npm) -> Bash:
    """A shell like ``npm.bash`` (same sandbox and executors) with the project's package commands added."""
    template = npm.bash
    shell = Bash(npm.fs, sandbox=template.sandbox_config, executors=template.executors)
    if not template.sandbox_enabled:
        shell = Bash(npm.fs, sandbox=False, executors=template.executors)
    bin_dir = posixpath.join(npm.prefix, "node_modules", ".bin")
    fs = npm.sync_fs
    if not fs.is_dir(bin_dir):
        return shell
    for command in fs.listdir(bin_dir):
        try:
            target = fs.realpath(posixpath.join(bin_dir, command))
        except OSError:
            continue
        try:
            shell.register_command(command, _package_command(shell, target))
        except ValueError:
            continue
    return shell


def _package_command(shell: Bash, target: str) -> Any:
    def run(call: CommandCall) -> CommandResult:
        try:
            head = call.fs.read(target)[:256]
        except OSError as exc:
            return CommandResult(b"", f"{call.argv[0]}: cannot read {target}: {exc}\n".encode(), 127)
        interpreter = _interpreter(head)
        if interpreter in SHELLS:
            text = call.fs.read(target).decode("utf-8", "replace")
            positional = " ".join(quote(arg) for arg in call.argv[1:])
            script = f"set -- {positional}\n{text}" if positional else text
            inner = shell.run_sync(script, cwd=call.cwd, env=call.env, stdin=call.stdin)
            return CommandResult(inner.stdout.encode(), inner.stderr.encode(), inner.exit_code)
        if interpreter not in ("node", "nodejs", None):
            message = f"{call.argv[0]}: {target} runs with {interpreter}, which npm run cannot start here\n"
            return CommandResult(b"", message.encode(), 126)
        assert call.run is not None
        result = call.run(["node", target, *call.argv[1:]], call.stdin)
        if result.exit_code == 127 and b"command not found" in result.stderr:
            message = (
                f"{call.argv[0]}: this command is a Node.js program and the host has no `node`: "
                "install Node.js (apt-get install -y nodejs) to run it in bashx's sandbox\n"
            )
            return CommandResult(result.stdout, message.encode(), 127)
        return result

    return run


def _interpreter(head: bytes) -> str | None:
    """The program a file's ``#!`` line names (``#!/usr/bin/env node`` -> ``node``), or None."""
    if not head.startswith(b"#!"):
        return None
    words = head[2:].split(b"\n", 1)[0].decode("utf-8", "replace").split()
    if not words:
        return None
    program = posixpath.basename(words[0])
    if program == "env" and len(words) > 1:
        rest = [w for w in words[1:] if not w.startswith("-")]
        program = rest[0] if rest else program
    return program
