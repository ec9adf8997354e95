"""Every Python and JavaScript block of the README runs as written.

The set-up is the one the README states at its top: the blocks of one section run in order, as
one program (a later block may use what an earlier one defined), in an empty folder; client
blocks, which talk to `127.0.0.1:8787`, run while the section's server runs (the Python blocks
that are not clients, served by uvicorn as `app`, on a free port that replaces 8787), and
JavaScript blocks run under Node.js with the official `capnweb` package of the interop peer
(`tests/rpc/js`).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import free_port
from tests.rpc.process_control import stop, wait_listening

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
SERVER_ADDRESS = "127.0.0.1:8787"
# A section whose clients talk to the server of another section.
SERVED_BY = {"Call from Python: `dotdo.connect(url)`": "Serve a Python object"}

DRIVER = """
import sys
namespace = {"__name__": "__main__"}
for line, path in zip(sys.argv[1::2], sys.argv[2::2]):
    code = "\\n" * (int(line) - 1) + open(path).read()
    exec(compile(code, "README.md", "exec"), namespace)
"""


@dataclass(frozen=True)
class Block:
    """One fenced code block: its language, first line of code in the README, section and text."""

    lang: str
    line: int
    section: str
    code: str

    @property
    def is_client(self) -> bool:
        return SERVER_ADDRESS in self.code


def readme_blocks() -> list[Block]:
    """The fenced blocks of the README, each with the heading it sits under."""
    blocks: list[Block] = []
    section = ""
    lines = README.read_text().splitlines()
    index = 0
    while index < len(lines):
        text = lines[index]
        heading = re.match(r"#{2,4} (.+)", text)
        fence = re.match(r"```(\w*)\s*$", text)
        if heading:
            section = heading[1].strip()
        elif fence:
            end = index + 1
            while not lines[end].startswith("```"):
                end += 1
            blocks.append(Block(fence[1], index + 2, section, "\n".join(lines[index + 1 : end]) + "\n"))
            index = end
        index += 1
    return blocks


def _sections(lang: str) -> list[str]:
    return list(dict.fromkeys(block.section for block in readme_blocks() if block.lang == lang))


def _of(section: str, lang: str = "python") -> list[Block]:
    return [block for block in readme_blocks() if block.section == section and block.lang == lang]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}


@contextlib.contextmanager
def section_server(section: str, folder: Path) -> Iterator[str]:
    """Serve the `app` the server blocks of `section` define; yields the address replacing 8787."""
    server_blocks = [block for block in _of(SERVED_BY.get(section, section)) if not block.is_client]
    module = folder / "readme_server.py"
    module.write_text("".join(block.code for block in server_blocks))
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "readme_server:app", "--port", str(port), "--log-level", "warning"],
        cwd=folder,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_listening(port, process, f"the server of README section {section!r}")
        yield f"127.0.0.1:{port}"
    finally:
        stop(process)


def run_python(blocks: list[Block], folder: Path, address: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run `blocks` in order in one namespace, in `folder`; tracebacks name README lines."""
    (folder / "driver.py").write_text(DRIVER)
    arguments: list[str] = []
    for block in blocks:
        path = folder / f"block_{block.line}.py"
        path.write_text(block.code.replace(SERVER_ADDRESS, address) if address else block.code)
        arguments += [str(block.line), str(path)]
    return subprocess.run(
        [sys.executable, str(folder / "driver.py"), *arguments],
        cwd=folder,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_readme_has_the_blocks_this_test_runs() -> None:
    languages = {block.lang for block in readme_blocks()}
    assert {"python", "js", "bash"} <= languages
    assert all(block.section for block in readme_blocks())
    assert all(section in _sections("python") for section in SERVED_BY.values())


@pytest.mark.parametrize("section", _sections("python"))
def test_python_blocks_run_as_written(section: str, tmp_path: Path) -> None:
    blocks = _of(section)
    if any(block.is_client for block in blocks):
        with section_server(section, tmp_path) as address:
            done = run_python(blocks, tmp_path, address)
    else:
        done = run_python(blocks, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("section", _sections("js"))
def test_javascript_blocks_run_under_node(section: str, js_peer: Path, tmp_path: Path) -> None:
    assert shutil.which("node"), "Node.js 20+ runs the README's JavaScript blocks"
    with section_server(section, tmp_path) as address:
        for block in _of(section, "js"):
            script = js_peer / f"readme_{block.line}.mjs"
            script.write_text(block.code.replace(SERVER_ADDRESS, address))
            done = subprocess.run(["node", script.name], cwd=js_peer, capture_output=True, text=True, timeout=60)
            assert done.returncode == 0, f"README.md:{block.line}\n{done.stdout}{done.stderr}"
