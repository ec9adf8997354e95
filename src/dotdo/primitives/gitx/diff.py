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
from dulwich.objects import S_ISGITLINK
from dulwich.patch import gen_diff_header, is_binary, patch_filename, write_object_diff

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


def _content(store: BaseObjectStore, sha: bytes | None, mode: int | None) -> bytes:
    if sha is None:
        return b""
    if mode is not None and S_ISGITLINK(mode):
        return b"Subproject commit %s\n" % sha  # what git diffs for a submodule: its commit
    return store[sha].as_raw_string()


def _text_diff(old: TreeEntry, new: TreeEntry, hunks: bytes) -> bytes:
    """dulwich's file header, then git's own hunks (dulwich's difflib places changed lines differently)."""
    header = b"".join(gen_diff_header((old.path, new.path), (old.mode, new.mode), (old.sha, new.sha)))
    if not hunks:
        return header
    return (
        header + b"--- " + patch_filename(old.path, b"a") + b"\n+++ " + patch_filename(new.path, b"b") + b"\n" + hunks
    )


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
        old_data, new_data = _content(store, old.sha, old.mode), _content(store, new.sha, new.mode)
        binary = is_binary(old_data) or is_binary(new_data)
        additions = deletions = 0
        if binary:
            piece = BytesIO()
            write_object_diff(piece, store, (old.path, old.mode, old.sha), (new.path, new.mode, new.sha))
            text = piece.getvalue()
        else:
            hunks = unified_hunks(old_data, new_data)
            text = _text_diff(old, new, hunks.text)
            additions, deletions = hunks.additions, hunks.deletions
        if old.sha is not None and new.sha is not None and old.mode != new.mode:
            text = _git_mode_change(text, same_content=old.sha == new.sha)
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
