"""Tree diffs: binary files, modes and renames, against `git diff`."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dotdo.primitives.gitx import Git
from dotdo.primitives.gitx.diff import diff_trees

from .conftest import MergeCase


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


async def test_random_edits_diff_exactly_as_git_diff(
    make_git: Callable[..., Git],
    tmp_path: Path,
    run_git: Callable[..., str],
    oracle: Any,
    merge_cases: Callable[[int, int], list[MergeCase]],
    git_env: dict[str, str],
) -> None:
    cases = {f"file{n:03d}.txt": case for n, case in enumerate(merge_cases(500, 120))}
    git = make_git()
    await git.init()
    commits = []
    for path, case in cases.items():
        if case.base is not None:  # the others are added by the second commit
            git.files.write(path, case.base)
    await git.add(".")
    commits.append(await git.commit("base"))
    for n, (path, case) in enumerate(cases.items()):
        if n % 10 == 0 and case.base is not None:
            await git.rm(path)
        else:
            git.files.write(path, case.ours)
    await git.add(".")
    commits.append(await git.commit("ours"))
    diff = await git.diff(*commits)
    bare = oracle.export_repository(git, tmp_path / "export.git")
    real = subprocess.run(
        ["git", "diff", "--no-renames", *commits], cwd=bare, env=git_env, capture_output=True, check=True
    ).stdout
    assert diff.text.encode("utf-8", "surrogateescape") == real  # bytes: some files end lines with CR LF
    assert diff.text.count("\n@@ ") > 150
    assert "\nnew file mode " in diff.text and "\ndeleted file mode " in diff.text
    numstat = {}
    for line in run_git("diff", "--no-renames", "--numstat", *commits, cwd=bare).splitlines():
        added, deleted, path = line.split("\t")
        numstat[path] = (int(added), int(deleted))
    assert {f.path: (f.additions, f.deletions) for f in diff.files} == numstat
