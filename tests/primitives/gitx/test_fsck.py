"""git's fsck rules for tree entries, checked against the real `git fsck` on the same trees."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from dotdo.primitives.gitx.fsck import is_dotgit, tree_entry_problem
from tests.primitives.gitx.conftest import GIT

REGULAR, SYMLINK = 0o100644, 0o120000

NAMES: list[tuple[int, str]] = [
    *[
        (REGULAR, name)
        for name in [
            # Spellings of .git on some filesystem (refused by git).
            ".git",
            ".GIT",
            ".Git",
            ".git ",
            ".git.",
            ".git. . ",
            ".git::$INDEX_ALLOCATION",
            ".git:x",
            "git~1",
            "GIT~1",
            "git~1.",
            "git~1 ",
            ".g\u200cit",
            ".\u200dgit",
            "\ufeff.git",
            ".gi\u200et",
            ".git\u202a",
            "\u206a.git",
            "a\\.git",
            "a\\git~1",
            ".git\\x",
            # Near misses git accepts.
            ".gitx",
            ".git-x",
            "git~2",
            "git~10",
            "x.git",
            ".gi",
            ".g\u200cx",
            "..git",
            ".git\u00a0",
            "git",
            ".gitmodules",
            "GITMOD~1",
            "a\\b",
            "caf\u00e9",
        ]
    ],
    *[
        (SYMLINK, name)
        for name in [
            # A .gitmodules that is a symbolic link (refused).
            ".gitmodules",
            ".GITMODULES",
            ".gitmodules ",
            ".gitmodules.",
            ".gitmodules:$DATA",
            "gitmod~1",
            "GITMOD~4",
            "gi7eba~1",
            "gi7eba~9",
            "gi7eb~12",
            ".g\u200citmodules",
            "a\\.gitmodules",
            # Links git accepts.
            ".gitmodulesx",
            "gitmod~5",
            "gitmodules",
            "gi7eba~0",
            "gi7ebb~1",
            ".gitignore",
            ".gitattributes",
            "link",
        ]
    ],
]


def real_git_refuses(tmp_path: Path, git_env: dict[str, str]) -> dict[tuple[int, str], bool]:
    """For each (mode, name) of NAMES: does `git fsck --strict` (what receive-pack applies with
    `transfer.fsckObjects`) report an error for a tree holding it?"""
    repo = tmp_path / "oracle.git"
    subprocess.run([GIT, "init", "-q", "--bare", str(repo)], env=git_env, check=True)

    def git(*args: str, data: bytes = b"") -> str:
        done = subprocess.run([GIT, *args], cwd=repo, env=git_env, input=data, capture_output=True, check=True)
        return done.stdout.decode().strip()

    blob = git("hash-object", "-w", "--stdin", data=b"target\n")
    trees = {}
    for mode, name in NAMES:
        line = f"{mode:o} blob {blob}\t{name}\n".encode()
        trees[(mode, name)] = git("mktree", data=line)
    done = subprocess.run([GIT, "fsck", "--strict", "--no-dangling"], cwd=repo, env=git_env, capture_output=True)
    flagged = set(re.findall(r"error in tree ([0-9a-f]{40})", done.stderr.decode()))
    return {key: sha in flagged for key, sha in trees.items()}


def test_tree_entry_rules_match_git_fsck(tmp_path: Path, git_env: dict[str, str]) -> None:
    expected = real_git_refuses(tmp_path, git_env)
    ours = {(mode, name): tree_entry_problem(name.encode(), mode) is not None for mode, name in NAMES}
    assert ours == expected
    assert sum(expected.values()) == 33  # the list holds refused and accepted names


@pytest.mark.parametrize("name", [b"", b".", b"..", b"a/b", b"a\x00b"], ids=repr)
def test_names_that_are_never_entries(name: bytes) -> None:
    assert tree_entry_problem(name, REGULAR) is not None


def test_names_that_are_not_utf8_are_compared_bytewise() -> None:
    assert not is_dotgit(b".g\xffit")
    assert is_dotgit(b".GIT\xff"[:4])
