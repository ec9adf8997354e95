"""Revisions of a repository: what HEAD points at, and the commit or tree a revision names.

`Git` and its remote commands both read revisions; they share this instead of one calling the
other's private helpers.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from dulwich.objects import Commit as DulwichCommit
from dulwich.objectspec import parse_commit

from .errors import NotARepositoryError, UnknownRevisionError
from .trees import flatten_tree

if TYPE_CHECKING:
    from .index import IndexEntry
    from .stored_repo import StoredRepo

_ANCESTRY = re.compile(r"^(.+?)((?:[~^]\d*)+)$")


class Revisions:
    """Reads HEAD and resolves revision names (branch, tag, sha, `HEAD~2`, `main^2`) of one repository."""

    __slots__ = ("repo",)

    def __init__(self, repo: StoredRepo) -> None:
        self.repo = repo

    def require(self) -> None:
        """Raise `NotARepositoryError` unless the repository was created."""
        if not self.repo.initialized:
            raise NotARepositoryError("No repository here yet: call `await git.init()` or `await git.clone(url)`")

    def head_branch(self) -> bytes | None:
        """The ref HEAD points at (`refs/heads/main`), or None when HEAD is detached."""
        value = self.repo.refs.read_loose_ref(b"HEAD")
        if value and value.startswith(b"ref: "):
            return value[5:].strip()
        return None

    def head(self) -> bytes | None:
        """The commit sha of HEAD, or None on an unborn branch."""
        try:
            return self.repo.refs[b"HEAD"]
        except KeyError:
            return None

    def resolve(self, rev: str) -> bytes:
        """The commit sha a revision names (branch, tag, sha, HEAD~2, ...)."""
        self.require()
        if not isinstance(rev, str) or not rev or "\x00" in rev:
            raise UnknownRevisionError(f"A revision is a non-empty str, not {rev!r}")
        found = _ANCESTRY.match(rev)
        base, steps = (found.group(1), found.group(2)) if found else (rev, "")
        try:
            commit = parse_commit(self.repo, base.encode())
        except (KeyError, ValueError):
            raise UnknownRevisionError(f"Unknown revision {rev!r}: no branch, tag or commit has that name") from None
        for op, count in re.findall(r"([~^])(\d*)", steps):
            number = int(count) if count else 1
            hops = [(0)] * number if op == "~" else [number - 1]
            if op == "^" and number == 0:
                continue
            for parent_index in hops:
                if parent_index >= len(commit.parents):
                    raise UnknownRevisionError(f"Unknown revision {rev!r}: the history is not that deep")
                parent = self.repo.object_store[commit.parents[parent_index]]
                assert isinstance(parent, DulwichCommit)
                commit = parent
        return commit.id

    def tree_of(self, rev: str | bytes | None) -> dict[str, IndexEntry]:
        """The files of a commit (a revision name or a sha), by path; empty for None."""
        if rev is None:
            return {}
        sha = rev if isinstance(rev, bytes) else self.resolve(rev)
        commit = self.repo.object_store[sha]
        assert isinstance(commit, DulwichCommit)
        return flatten_tree(self.repo.object_store, commit.tree)

    def head_tree(self) -> dict[str, IndexEntry]:
        """The files of HEAD's commit (empty on an unborn branch)."""
        return self.tree_of(self.head())
