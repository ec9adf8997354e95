"""Path resolution: symlink chains, `..` after a symlink, trailing slashes — checked against Linux."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from dotdo.primitives.fsx import SyncFileSystem


def outcome(fn) -> object:
    try:
        return fn()
    except OSError as exc:
        return errno.errorcode[exc.errno]


@pytest.mark.parametrize("links", [39, 40, 41])
def test_symlink_chain_limit_matches_linux(fs: SyncFileSystem, tmp_path: Path, links: int) -> None:
    (tmp_path / "target").write_text("end")
    fs.write("/target", "end")
    previous = "target"
    for i in range(links):
        os.symlink(previous, tmp_path / f"l{i}")
        fs.symlink(previous, f"/l{i}")
        previous = f"l{i}"

    real = outcome(lambda: (tmp_path / previous).read_text())
    assert outcome(lambda: fs.read_text("/" + previous)) == real


def test_dotdot_after_a_symlink_is_the_parent_of_its_target(fs: SyncFileSystem, tmp_path: Path) -> None:
    for root, make_dir, write, link in [
        (str(tmp_path), os.makedirs, lambda p, t: Path(p).write_text(t), os.symlink),
        ("", lambda p: fs.mkdir(p, parents=True), fs.write, fs.symlink),
    ]:
        make_dir(f"{root}/deep/inner")
        write(f"{root}/deep/marker", "deep")
        write(f"{root}/marker", "top")
        link("deep/inner", f"{root}/shortcut")

    assert (tmp_path / "shortcut/../marker").read_text() == "deep"
    assert fs.read_text("/shortcut/../marker") == "deep"


@pytest.mark.parametrize("path", ["file/", "dir/", "link-to-dir/", "link-to-file/", "missing/", "dir/../file"])
def test_trailing_slashes_and_dotdot_match_linux(fs: SyncFileSystem, tmp_path: Path, path: str) -> None:
    (tmp_path / "dir").mkdir()
    (tmp_path / "file").write_text("f")
    os.symlink("dir", tmp_path / "link-to-dir")
    os.symlink("file", tmp_path / "link-to-file")
    fs.mkdir("/dir")
    fs.write("/file", "f")
    fs.symlink("dir", "/link-to-dir")
    fs.symlink("file", "/link-to-file")

    def kind(result: os.stat_result) -> int:
        return result.st_mode >> 12

    real = f"{tmp_path}/{path}"  # a str: pathlib would drop the trailing slash

    def read_real() -> bytes:
        with open(real, "rb") as handle:
            return handle.read()

    assert outcome(lambda: kind(fs.stat(path))) == outcome(lambda: kind(os.stat(real)))
    assert outcome(lambda: fs.read(path)) == outcome(read_real)


@pytest.mark.parametrize(
    ("link_to", "extra"),
    [("missing", None), ("missing/deeper", None), ("loop", "loop"), ("file", "file")],
)
def test_mkdir_parents_through_a_link_that_leads_nowhere_matches_linux(
    fs: SyncFileSystem, tmp_path: Path, link_to: str, extra: str | None
) -> None:
    real_root = tmp_path / "real"
    real_root.mkdir()
    if extra == "loop":
        os.symlink("loop", real_root / "loop")
        fs.symlink("loop", "/loop")
    if extra == "file":
        (real_root / "file").write_text("x")
        fs.write("/file", "x")
    os.symlink(link_to, real_root / "b")
    fs.symlink(link_to, "/b")

    real = outcome(lambda: (real_root / "b" / "a").mkdir(parents=True, exist_ok=True))
    assert outcome(lambda: fs.mkdir("/b/a", parents=True, exist_ok=True)) == real
    assert fs.exists("/b/a") == (real_root / "b" / "a").exists()
