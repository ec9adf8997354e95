"""Working-tree paths: anything that could escape the tree or reach repository data is refused."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from dotdo.primitives.gitx import BadObjectError, Git
from dotdo.primitives.gitx.worktree_files import check_worktree_path


@pytest.mark.parametrize(
    "path",
    [
        "../x",
        "a/../../x",
        "/etc/passwd",
        ".git/hooks/pre-commit",
        "a/.GIT/config",
        "a//b",
        "./a",
        "a\x00b",
        "",
        ".git./config",
        "git~1/hooks/x",
        ".g\u200cit/hooks/x",
        "a/.GIT::$INDEX_ALLOCATION/x",
    ],
)
def test_hostile_paths_are_refused(path: str) -> None:
    with pytest.raises(BadObjectError):
        check_worktree_path(path)


def test_plain_paths_pass() -> None:
    assert check_worktree_path("src/app.py") == "src/app.py"
    assert check_worktree_path("weird name (1).txt") == "weird name (1).txt"


async def test_git_api_refuses_hostile_paths_without_touching_anything(make_git: Callable[..., Git]) -> None:
    git = make_git()
    await git.init()
    git.files.write("a.txt", b"a\n")
    await git.add("a.txt")
    await git.commit("a")
    for call in (
        git.add("../outside"),
        git.add(".git/hooks/post-checkout"),
        git.rm("../a.txt"),
        git.show("HEAD:../a.txt"),
        git.log(path="../a.txt"),
        git.checkout(paths="/etc/passwd"),
    ):
        with pytest.raises(BadObjectError):
            await call
    assert (await git.status()).clean
    assert git.files.sync.listdir("/") == ["a.txt"]
