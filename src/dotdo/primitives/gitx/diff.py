"""Differences between two trees: git's unified text and a structured list of file changes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from io import BytesIO
from typing import TYPE_CHECKING

from dulwich.diff_tree import (
    CHANGE_ADD,
    CHANGE_DELETE,
    CHANGE_MODIFY,
    CHANGE_RENAME,
    RenameDetector,
    TreeEntry,
    tree_changes,
)
from dulwich.patch import is_binary, write_object_diff

from .unified_diff import unified_hunks

if TYPE_CHECKING:
    from dulwich.object_store import BaseObjectStore

_ABSENT = TreeEntry(None, None, None)
_STATUS = {CHANGE_ADD: "added", CHANGE_DELETE: "deleted", CHANGE_MODIFY: "modified", CHANGE_RENAME: "renamed"}


@dataclass(frozen=True, slots=True)
class FileChange:
    """One changed file between two trees."""

    path: str
    status: str
    old_path: str | None = None
    old_sha: str | None = None
    new_sha: str | None = None
    old_mode: int | None = None
    new_mode: int | None = None
    additions: int = 0
    deletions: int = 0
    binary: bool = False


@dataclass(frozen=True, slots=True)
class Diff:
    """A diff: `text` is what `git diff` prints, `files` the same changes as data."""

    text: str
    files: list[FileChange] = field(default_factory=list)

    def __str__(self) -> str:
        return self.text


def _content(store: BaseObjectStore, sha: bytes | None) -> bytes:
    return b"" if sha is None else store[sha].as_raw_string()


def _with_git_hunks(text: bytes, hunks: bytes) -> bytes:
    """dulwich's file header followed by git's own hunks (git's diff places changed lines differently)."""
    start = text.find(b"\n@@ -")
    if start == -1 or not hunks:
        return text
    return text[: start + 1] + hunks


_INDEX_LINE = re.compile(rb"^(index [0-9a-f]+\.\.[0-9a-f]+)( \d+)?\n", re.MULTILINE)


def _git_mode_change(text: bytes, *, same_content: bool) -> bytes:
    """A mode change the way git writes it: `old mode`/`new mode`, and an index line only if content changed."""
    text = text.replace(b"\nold file mode ", b"\nold mode ", 1).replace(b"\nnew file mode ", b"\nnew mode ", 1)
    if same_content:
        return _INDEX_LINE.sub(b"", text, count=1)
    return _INDEX_LINE.sub(lambda m: m.group(1) + b"\n", text, count=1)


def diff_trees(
    store: BaseObjectStore, old_tree: bytes | None, new_tree: bytes | None, *, renames: bool = False
) -> Diff:
    """The diff from `old_tree` to `new_tree` (tree shas; None is the empty tree)."""
    detector = RenameDetector(store) if renames else None
    changes = sorted(
        tree_changes(store, old_tree, new_tree, rename_detector=detector),
        key=lambda c: (c.new or c.old).path,
    )
    out = BytesIO()
    files: list[FileChange] = []
    for change in changes:
        old, new = change.old or _ABSENT, change.new or _ABSENT
        old_data, new_data = _content(store, old.sha), _content(store, new.sha)
        binary = is_binary(old_data) or is_binary(new_data)
        piece = BytesIO()
        write_object_diff(piece, store, (old.path, old.mode, old.sha), (new.path, new.mode, new.sha))
        text = piece.getvalue()
        if old.sha is not None and new.sha is not None and old.mode != new.mode:
            text = _git_mode_change(text, same_content=old.sha == new.sha)
        additions = deletions = 0
        if not binary:
            hunks = unified_hunks(old_data, new_data)
            text = _with_git_hunks(text, hunks.text)
            additions, deletions = hunks.additions, hunks.deletions
        out.write(text)
        path = (new.path or old.path).decode("utf-8", "surrogateescape")
        files.append(
            FileChange(
                path=path,
                status=_STATUS.get(change.type, change.type),
                old_path=old.path.decode("utf-8", "surrogateescape") if old.path else None,
                old_sha=old.sha.decode() if old.sha else None,
                new_sha=new.sha.decode() if new.sha else None,
                old_mode=old.mode,
                new_mode=new.mode,
                additions=additions,
                deletions=deletions,
                binary=binary,
            )
        )
    return Diff(text=out.getvalue().decode("utf-8", "surrogateescape"), files=files)
