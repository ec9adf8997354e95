"""ctx.pip: the object's own environment from wheels, a lock in its files, environments shared by lock."""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from dotdo.primitives.fsx import FileSystem
from dotdo.primitives.pyx import Environments, Pip, PipConfig, PipError, PyConfig, Python, SandboxPool
from dotdo.primitives.pyx.pip import LOCK_PATH, REQUESTED_PATH


def build_wheel(folder: Path, name: str, version: str, source: str, requires: tuple[str, ...] = ()) -> Path:
    """A pure-Python wheel of one module ``name`` (written by hand: a zip with its metadata and RECORD)."""
    dist = f"{name}-{version}.dist-info"
    files = {
        f"{name}.py": source.encode(),
        f"{dist}/METADATA": (
            f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
            + "".join(f"Requires-Dist: {r}\n" for r in requires)
        ).encode(),
        f"{dist}/WHEEL": b"Wheel-Version: 1.0\nGenerator: hand\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    for path, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(data)}")
    record.append(f"{dist}/RECORD,,")
    files[f"{dist}/RECORD"] = ("\n".join(record) + "\n").encode()
    wheel = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, data in files.items():
            archive.writestr(path, data)
    return wheel


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of wheels pip and uv install from (``--find-links``, no index)."""
    folder = tmp_path_factory.mktemp("wheels")
    build_wheel(folder, "greeting", "1.0.0", "def hello(name):\n    return 'hello ' + name\n")
    build_wheel(folder, "greeting", "2.0.0", "def hello(name):\n    return 'HELLO ' + name\n")
    build_wheel(folder, "shouty", "0.1.0", "import greeting\nLOUD = greeting.hello('x').upper()\n", ("greeting>=2",))
    return folder


@pytest.fixture(scope="module")
def environments(index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Environments]:
    """Environments in a folder the sandbox's unprivileged user can reach (pytest's own is private)."""
    root = Path(tempfile.mkdtemp(prefix="dotdo-pyx-test-"))
    cache = tmp_path_factory.mktemp("pip-cache")
    yield Environments(PipConfig(root=root, wheel_cache=cache, find_links=[str(index)], no_index=True))
    shutil.rmtree(root, ignore_errors=True)


@pytest.mark.skipif(os.geteuid() != 0, reason="only a server running as root hands the sandbox to another user")
def test_environments_out_of_the_sandboxs_reach_are_refused(tmp_path: Path, index: Path) -> None:
    private = Environments(PipConfig(root=tmp_path / "envs", find_links=[str(index)], no_index=True))
    with pytest.raises(PermissionError, match="cannot reach"):
        private.resolve(["greeting"])


@pytest.fixture
def pip(fs: FileSystem, environments: Environments) -> Pip:
    return Pip(fs, environments)


async def test_install_writes_the_lock_and_packages_import_in_the_sandbox(
    pip: Pip, fs: FileSystem, pool: SandboxPool
) -> None:
    result = await pip.install("shouty")
    assert result.requested == ["shouty"]
    assert result.locked == ["greeting==2.0.0", "shouty==0.1.0"]
    assert (await fs.read(REQUESTED_PATH)).decode() == "shouty\n"
    assert (await fs.read(LOCK_PATH)).decode() == "greeting==2.0.0\nshouty==0.1.0\n"
    py = Python(fs, pool=pool, pip=pip, config=PyConfig(limits=pool.executor.config.limits, warm=1))
    assert (await py("import shouty; shouty.LOUD")).value == "HELLO X"


async def test_packages_install_on_demand(pip: Pip, fs: FileSystem, pool: SandboxPool) -> None:
    py = Python(fs, pool=pool, pip=pip, config=PyConfig(limits=pool.executor.config.limits, warm=1))
    with pytest.raises(Exception, match="ModuleNotFoundError"):
        await py("import greeting")
    result = await py("import greeting; greeting.hello('you')", packages=["greeting==1.*"])
    assert result.value == "hello you"
    assert pip.locked() == ["greeting==1.0.0"]


async def test_objects_with_the_same_lock_share_one_environment(
    environments: Environments, tmp_path: Path, fs: FileSystem
) -> None:
    from dotdo.runtime.storage import Storage

    other = FileSystem(Storage(tmp_path / "other.sqlite"))
    first = await Pip(fs, environments).install("greeting==2.0.0")
    second = await Pip(other, environments).install("greeting")
    assert first.locked == second.locked
    assert first.environment == second.environment


async def test_uninstall_drops_the_requirement_and_its_dependencies(pip: Pip) -> None:
    await pip.install("shouty", "greeting==2.0.0")
    result = await pip.uninstall("shouty")
    assert result.locked == ["greeting==2.0.0"]
    with pytest.raises(ValueError, match="not installed by this object"):
        await pip.uninstall("numpy")


async def test_an_unknown_package_fails_and_changes_nothing(pip: Pip, fs: FileSystem) -> None:
    await pip.install("greeting")
    with pytest.raises(PipError, match="no-such-package"):
        await pip.install("no-such-package")
    assert pip.requested() == ["greeting"]
    assert (await fs.read(LOCK_PATH)).decode() == "greeting==2.0.0\n"


@pytest.mark.parametrize("bad", ["", "  ", "==1.0", 3])
async def test_bad_requirements_are_refused(pip: Pip, bad) -> None:
    with pytest.raises((TypeError, ValueError)):
        await pip.install(bad)
