"""The oracle: random operation sequences give the same results on fsx and on a real directory.

Each step runs on a real temporary directory through `os` and on fsx through `SyncFileSystem`,
and must give the same value or the same errno; after every step both trees must hold the same
names, kinds, contents and symlink targets. The warm threshold is tiny so the blob tier is used.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from dotdo.primitives.fsx import SyncFileSystem
from dotdo.runtime.storage import Storage

NAMES = st.sampled_from(["a", "b", "c"])
PATHS = st.lists(NAMES, min_size=1, max_size=3).map("/".join)
DATA = st.binary(max_size=300)


def outcome(fn: Any) -> tuple[str, Any]:
    try:
        return ("ok", fn())
    except OSError as exc:
        return ("errno", exc.errno)


def file_stat(result: os.stat_result) -> tuple[int, int, int | None, int | None]:
    kind, permissions = stat.S_IFMT(result.st_mode), stat.S_IMODE(result.st_mode)
    if kind == stat.S_IFDIR:
        return kind, permissions, None, None
    return kind, permissions, result.st_size, result.st_nlink


class FsxVersusRealDirectory(RuleBasedStateMachine):
    """Applies each operation to a real directory and to fsx, comparing every outcome."""

    def __init__(self) -> None:
        super().__init__()
        self.workspace = Path(tempfile.mkdtemp(prefix="fsx-oracle-"))
        self.real = self.workspace / "real"
        self.real.mkdir()
        self.storage = Storage(self.workspace / "object.sqlite")
        self.fs = SyncFileSystem(self.storage, warm_threshold=64)
        self.umask = os.umask(0o022)

    def teardown(self) -> None:
        os.umask(self.umask)
        self.storage.close()
        shutil.rmtree(self.workspace, ignore_errors=True)

    def on_real(self, path: str) -> str:
        return str(self.real / path)

    def same(self, real: Any, fsx: Any) -> None:
        expected, got = outcome(real), outcome(fsx)
        assert got == expected, f"real directory gave {expected}, fsx gave {got}"

    @rule(path=PATHS, data=DATA, append=st.booleans())
    def write(self, path: str, data: bytes, append: bool) -> None:
        def real() -> int:
            with open(self.on_real(path), "ab" if append else "wb") as handle:
                return handle.write(data)

        self.same(real, lambda: self.fs.write(path, data, append=append))

    @rule(path=PATHS, data=DATA)
    def write_exclusive(self, path: str, data: bytes) -> None:
        def real() -> int:
            with open(self.on_real(path), "xb") as handle:
                return handle.write(data)

        self.same(real, lambda: self.fs.write(path, data, exclusive=True))

    @rule(path=PATHS)
    def read(self, path: str) -> None:
        self.same(lambda: Path(self.on_real(path)).read_bytes(), lambda: self.fs.read(path))

    @rule(path=PATHS, offset=st.integers(0, 400), size=st.integers(0, 100))
    def read_range(self, path: str, offset: int, size: int) -> None:
        def real() -> bytes:
            with open(self.on_real(path), "rb") as handle:
                handle.seek(offset)
                return handle.read(size)

        def fsx() -> bytes:
            with self.fs.open(path, "rb") as handle:
                handle.seek(offset)
                return handle.read(size)

        self.same(real, fsx)

    @rule(path=PATHS, offset=st.integers(0, 400), data=st.binary(min_size=1, max_size=80))
    def write_in_place(self, path: str, offset: int, data: bytes) -> None:
        def real() -> int:
            with open(self.on_real(path), "r+b") as handle:
                handle.seek(offset)
                return handle.write(data)

        def fsx() -> int:
            with self.fs.open(path, "r+b") as handle:
                handle.seek(offset)
                return handle.write(data)

        self.same(real, fsx)

    @rule(path=PATHS)
    def mkdir(self, path: str) -> None:
        self.same(lambda: os.mkdir(self.on_real(path)), lambda: self.fs.mkdir(path))

    @rule(path=PATHS)
    def makedirs(self, path: str) -> None:
        self.same(
            lambda: Path(self.on_real(path)).mkdir(parents=True, exist_ok=True),
            lambda: self.fs.mkdir(path, parents=True, exist_ok=True),
        )

    @rule(path=PATHS)
    def rmdir(self, path: str) -> None:
        self.same(lambda: os.rmdir(self.on_real(path)), lambda: self.fs.rmdir(path))

    @rule(path=PATHS)
    def unlink(self, path: str) -> None:
        self.same(lambda: os.unlink(self.on_real(path)), lambda: self.fs.unlink(path))

    @rule(path=PATHS)
    def rm_recursive(self, path: str) -> None:
        def real() -> None:
            target = self.on_real(path)
            if os.path.isdir(target) and not os.path.islink(target):
                shutil.rmtree(target)
            else:
                os.unlink(target)

        self.same(real, lambda: self.fs.rm(path, recursive=True))

    @rule(src=PATHS, dst=PATHS)
    def rename(self, src: str, dst: str) -> None:
        self.same(lambda: os.rename(self.on_real(src), self.on_real(dst)), lambda: self.fs.rename(src, dst))

    @rule(src=PATHS, dst=PATHS)
    def link(self, src: str, dst: str) -> None:
        self.same(lambda: os.link(self.on_real(src), self.on_real(dst)), lambda: self.fs.link(src, dst))

    @rule(path=PATHS, link_to=st.lists(NAMES, min_size=1, max_size=2), up=st.integers(0, 2))
    def symlink(self, path: str, link_to: list[str], up: int) -> None:
        depth = path.count("/")
        text = "/".join([".."] * min(up, depth) + link_to)
        self.same(lambda: os.symlink(text, self.on_real(path)), lambda: self.fs.symlink(text, path))

    @rule(path=PATHS, size=st.integers(0, 200))
    def truncate(self, path: str, size: int) -> None:
        self.same(lambda: os.truncate(self.on_real(path), size), lambda: self.fs.truncate(path, size))

    @rule(path=PATHS, mode=st.sampled_from([0o600, 0o644, 0o755, 0o700]))
    def chmod(self, path: str, mode: int) -> None:
        self.same(lambda: os.chmod(self.on_real(path), mode), lambda: self.fs.chmod(path, mode))

    @rule(path=PATHS)
    def listdir(self, path: str) -> None:
        self.same(lambda: sorted(os.listdir(self.on_real(path))), lambda: self.fs.listdir(path))

    @rule(path=PATHS)
    def stat(self, path: str) -> None:
        self.same(lambda: file_stat(os.stat(self.on_real(path))), lambda: file_stat(self.fs.stat(path)))

    @rule(path=PATHS)
    def lstat(self, path: str) -> None:
        self.same(lambda: file_stat(os.lstat(self.on_real(path))), lambda: file_stat(self.fs.lstat(path)))

    @rule(path=PATHS)
    def readlink(self, path: str) -> None:
        self.same(lambda: os.readlink(self.on_real(path)), lambda: self.fs.readlink(path))

    @rule(path=PATHS)
    def exists(self, path: str) -> None:
        real = self.on_real(path)
        assert (os.path.exists(real), os.path.isdir(real), os.path.isfile(real)) == (
            self.fs.exists(path),
            self.fs.is_dir(path),
            self.fs.is_file(path),
        )

    @invariant()
    def same_tree(self) -> None:
        assert self.fs.du("/") >= 0
        assert snapshot_real(self.real) == snapshot_fsx(self.fs)


def snapshot_real(root: Path) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        relative = "/" + os.path.relpath(dirpath, root).removeprefix(".").lstrip("/")
        for name in dirnames + filenames:
            full = os.path.join(dirpath, name)
            key = (relative.rstrip("/") + "/" + name) if relative != "/" else "/" + name
            if os.path.islink(full):
                tree[key] = ("link", os.readlink(full))
            elif os.path.isdir(full):
                tree[key] = ("dir",)
            else:
                tree[key] = ("file", Path(full).read_bytes())
    return tree


def snapshot_fsx(fs: SyncFileSystem) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for dirpath, dirnames, filenames in fs.walk("/"):
        for name in dirnames + filenames:
            key = (dirpath.rstrip("/") + "/" + name) if dirpath != "/" else "/" + name
            if fs.is_symlink(key):
                tree[key] = ("link", fs.readlink(key))
            elif fs.is_dir(key):
                tree[key] = ("dir",)
            else:
                tree[key] = ("file", fs.read(key))
    return tree


FsxVersusRealDirectory.TestCase.settings = settings(
    max_examples=40,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestFsxVersusRealDirectory = FsxVersusRealDirectory.TestCase
