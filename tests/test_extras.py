"""Extras: a plain install names the extra each primitive needs; each extra brings what it depends on.

Each virtualenv is created by the test (no system site-packages) and installs the wheel built
once from this checkout (kept in a cache keyed by the sources) plus its dependencies.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import venv
from pathlib import Path

import pytest

from dotdo.extras import EXTRAS, MissingExtraError, modules_of, require_extra

ROOT = Path(__file__).resolve().parents[1]
WHEEL_CACHE = Path(os.environ.get("DOTDO_WHEEL_CACHE", Path.home() / ".cache" / "dotdo" / "wheels"))
# Distribution name -> the module it installs, where the two differ.
MODULE_OF = {
    "tree-sitter": "tree_sitter",
    "tree-sitter-bash": "tree_sitter_bash",
    "clickhouse-connect": "clickhouse_connect",
    "google-crc32c": "google_crc32c",
    "pytest-asyncio": "pytest_asyncio",
    "node-semver": "nodesemver",
    "qdrant-client": "qdrant_client",
    "weaviate-client": "weaviate",
    "grpcio": "grpc",
}

PROBE = """
import asyncio, sys
from dotdo import DO, Runtime

class Probe(DO):
    async def use(self, name):
        try:
            getattr(self.ctx, name)
        except ModuleNotFoundError as exc:
            return str(exc)
        if name == "fs":
            await self.ctx.fs.write("/a.txt", "hello")
            return await self.ctx.fs.read_text("/a.txt")
        if name == "bash":
            return (await self.ctx.bash("echo hello | tr a-z A-Z")).stdout.strip()
        await self.ctx.git.init()
        await self.ctx.fs.write("/README.md", "# hi")
        await self.ctx.git.add("README.md")
        await self.ctx.git.commit("first", author="Ada <ada@example.com>")
        return (await self.ctx.git.log())[0].message.strip()

async def main():
    async with Runtime(data_dir=sys.argv[1]) as rt:
        for name in ("fs", "bash", "git"):
            print(name, "=>", await rt.get(Probe, "p").use(name))

asyncio.run(main())
"""


def _source_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted([ROOT / "pyproject.toml", ROOT / "README.md", *(ROOT / "src").rglob("*.py")]):
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


@pytest.fixture(scope="module")
def wheel() -> Path:
    """The wheel of this checkout, built once per source digest."""
    folder = WHEEL_CACHE / _source_digest()
    if not folder.is_dir():
        # Built aside and renamed into place: a run building the same wheel meanwhile never sees half of one.
        WHEEL_CACHE.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=WHEEL_CACHE))
        subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(staging), str(ROOT)],
            check=True,
            capture_output=True,
        )
        try:
            staging.rename(folder)
        except OSError:  # another run put the same wheel in place first
            shutil.rmtree(staging)
    return next(folder.glob("dotdo-*.whl"))


def _virtualenv(folder: Path, wheel: Path, extras: str) -> Path:
    """A fresh virtualenv holding `dotdo[extras]` from `wheel`; returns its bin folder."""
    venv.EnvBuilder(with_pip=False, system_site_packages=False).create(folder)
    python = folder / "bin" / "python"
    requirement = f"dotdo[{extras}] @ {wheel.as_uri()}" if extras else f"dotdo @ {wheel.as_uri()}"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", requirement],
        check=True,
        capture_output=True,
    )
    return folder / "bin"


def _probe(bin_folder: Path, tmp_path: Path) -> dict[str, str]:
    script = tmp_path / "probe.py"
    script.write_text(PROBE)
    done = subprocess.run(
        [str(bin_folder / "python"), str(script), str(tmp_path / "data")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return dict(line.split(" => ", 1) for line in done.stdout.splitlines())


def test_a_plain_install_names_the_extra_of_each_primitive_and_the_scaffold_tests_pass(wheel, tmp_path):
    bin_folder = _virtualenv(tmp_path / "venv", wheel, "test")
    answers = _probe(bin_folder, tmp_path)
    assert answers == {
        "fs": "fsx (ctx.fs) needs the 'fs' extra (module 'obstore' is not installed): pip install 'dotdo[fs]'",
        "bash": "bashx (ctx.bash) needs the 'bash' extra (module 'obstore' is not installed): "
        "pip install 'dotdo[bash]'",
        "git": "gitx (ctx.git) needs the 'git' extra (module 'obstore' is not installed): pip install 'dotdo[git]'",
    }
    warehouse = subprocess.run(
        [str(bin_folder / "python"), "-c", "from dotdo import Runtime; Runtime('data', warehouse=True)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert warehouse.stderr.splitlines()[-1] == (
        "dotdo.extras.MissingExtraError: A warehouse (Runtime(warehouse=...)) needs the 'tiers' extra "
        "(module 'pyiceberg' is not installed): pip install 'dotdo[tiers]'"
    )
    # The quick start: `dotdo init NAME`, then the scaffold's own tests under pytest (the `test` extra).
    init = subprocess.run([str(bin_folder / "dotdo"), "init", "hello"], cwd=tmp_path, capture_output=True, text=True)
    assert init.returncode == 0, init.stderr
    tests = subprocess.run(
        [str(bin_folder / "pytest"), "-q", "-p", "no:cacheprovider"],
        cwd=tmp_path / "hello",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "2 passed" in tests.stdout


@pytest.mark.parametrize(
    ("extra", "works", "missing"),
    [("git", {"fs": "hello", "git": "first"}, "bash"), ("bash", {"fs": "hello", "bash": "HELLO"}, "git")],
)
def test_each_extra_brings_the_extras_it_builds_on(wheel, tmp_path, extra, works, missing):
    answers = _probe(_virtualenv(tmp_path / "venv", wheel, extra), tmp_path)
    assert {name: answers[name] for name in works} == works
    assert answers[missing].endswith(f"pip install 'dotdo[{missing}]'")


def test_the_extras_table_mirrors_pyproject():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    for name, extra in EXTRAS.items():
        own, included = set(), set()
        for requirement in declared[name]:
            match = re.match(r"([A-Za-z0-9_.-]+)(?:\[([^\]]*)\])?", requirement)
            assert match is not None
            if match[1] == "dotdo":
                included.update(match[2].split(","))
            else:
                own.add(MODULE_OF.get(match[1], match[1]))
        assert own == set(extra.modules), name
        assert included == set(extra.includes), name
    everything = set(re.search(r"\[(.*)\]", declared["all"][0])[1].split(","))
    assert everything == set(EXTRAS), "the 'all' extra must include every extra"


def test_require_extra_names_the_extra_and_what_it_includes():
    assert modules_of("git") == ("obstore", "fsspec", "dulwich")
    with pytest.raises(ValueError, match="Unknown extra 'gti'; known: bash, clickhouse, cluster, compat, fs"):
        require_extra("gti", "x")
    error = MissingExtraError("gitx (ctx.git)", "git", "dulwich")
    assert isinstance(error, ModuleNotFoundError) and error.name == "dulwich"
    assert str(error) == (
        "gitx (ctx.git) needs the 'git' extra (module 'dulwich' is not installed): pip install 'dotdo[git]'"
    )
