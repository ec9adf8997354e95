"""Globbing against `pathlib.Path.glob` on the same tree in a real directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from dotdo.primitives.fsx import SyncFileSystem

TREE = [
    "a.py",
    "b.txt",
    ".hidden.py",
    "src/main.py",
    "src/util.PY",
    "src/pkg/__init__.py",
    "src/pkg/deep/x.py",
    "docs/index.md",
    "docs/x.py",
]
PATTERNS = [
    "*",
    "*.py",
    "**/*.py",
    "**",
    "src/**",
    "src/**/*.py",
    "*/*.py",
    "[ab].*",
    "?.py",
    "src/*/deep/*",
    "**/x.py",
    "docs/index.md",
    "missing/*",
    "src/pkg",
    "linked/*",
    "**/deep",
]


@pytest.fixture
def trees(fs: SyncFileSystem, tmp_path: Path) -> tuple[SyncFileSystem, Path]:
    real = tmp_path / "real"
    for name in TREE:
        (real / name).parent.mkdir(parents=True, exist_ok=True)
        (real / name).write_text(name)
        fs.mkdir("/" + name.rsplit("/", 1)[0] if "/" in name else "/", parents=True, exist_ok=True)
        fs.write("/" + name, name)
    (real / "linked").symlink_to("src/pkg")
    fs.symlink("src/pkg", "/linked")
    return fs, real


@pytest.mark.parametrize("pattern", PATTERNS)
def test_same_matches_as_pathlib(trees: tuple[SyncFileSystem, Path], pattern: str) -> None:
    fs, real = trees
    relative = (str(p.relative_to(real)) for p in real.glob(pattern))
    expected = sorted("/" if name == "." else "/" + name for name in relative)
    assert fs.glob(pattern) == expected


def test_glob_from_a_root_and_bad_patterns(trees: tuple[SyncFileSystem, Path]) -> None:
    fs, _ = trees
    assert fs.glob("*.py", root="/src") == ["/src/main.py"]
    assert fs.glob("*", root="/nowhere") == []
    with pytest.raises(ValueError, match="at least one name"):
        fs.glob("")
    with pytest.raises(ValueError, match="entire path component"):
        fs.glob("a**b")
