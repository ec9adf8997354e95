"""Tree diffs: binary files, modes and renames, against `git diff`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from dotdo.primitives.gitx import Git
from dotdo.primitives.gitx.diff import diff_trees


async def test_binary_mode_and_rename_diffs(
    make_git: Callable[..., Git], tmp_path: Path, run_git: Callable[..., str], oracle: Any
) -> None:
    git = make_git()
    await git.init()
    git.files.write("img.bin", bytes(range(256)))
    git.files.write("tool.sh", b"echo hi\n")
    git.files.write("build.sh", b"make\n")
    git.files.write("old_name.txt", b"".join(b"stable line %d\n" % n for n in range(20)))
    await git.add(".")
    first = await git.commit("first")
    git.files.write("img.bin", bytes(range(255, -1, -1)))
    git.files.write("tool.sh", b"echo hi\n", executable=True)
    git.files.write("build.sh", b"make all\n", executable=True)
    await git.rm("old_name.txt")
    git.files.write("new_name.txt", b"".join(b"stable line %d\n" % n for n in range(20)))
    await git.add(".")
    second = await git.commit("second")
    diff = await git.diff(first, second)
    bare = oracle.export_repository(git, tmp_path / "export.git")
    assert diff.text == run_git("diff", "--no-renames", first, second, cwd=bare)
    files = {f.path: f for f in diff.files}
    assert files["img.bin"].binary and files["img.bin"].status == "modified"
    assert (files["tool.sh"].old_mode, files["tool.sh"].new_mode) == (0o100644, 0o100755)
    renamed = diff_trees(git.repo.object_store, git._commit_tree(first), git._commit_tree(second), renames=True)
    moved = [f for f in renamed.files if f.status == "renamed"]
    assert [(f.old_path, f.path) for f in moved] == [("old_name.txt", "new_name.txt")]
    assert "rename from old_name.txt" in run_git("diff", "-M", first, second, cwd=bare)
