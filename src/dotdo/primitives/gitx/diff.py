"""Differences between two trees: git's unified text and a structured list of file changes."""

from __future__ import annotations

import difflib
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


def _lines(store: BaseObjectStore, sha: bytes | None) -> tuple[list[bytes], bool]:
    if sha is None:
        return [], False
    data = store[sha].as_raw_string()
    return data.splitlines(), is_binary(data)


_HUNK = re.compile(rb"^@@ -(\d+)(?:,\d+)? \+\d+(?:,\d+)? @@$", re.MULTILINE)


def _function_line(line: bytes) -> bytes | None:
    """git's default hunk-header context: a line starting with a letter, '_' or '$' (80 bytes max)."""
    if line and (line[:1].isalpha() or line[:1] in (b"_", b"$")):
        return line[:80].rstrip()
    return None


def _with_function_context(text: bytes, old_lines: list[bytes]) -> bytes:
    """Add to each `@@ ... @@` header the nearest preceding function line, as `git diff` does."""

    def header(match: re.Match[bytes]) -> bytes:
        start = int(match.group(1))
        for index in range(start - 2, -1, -1):
            found = _function_line(old_lines[index])
            if found is not None:
                return match.group(0) + b" " + found
        return match.group(0)

    return _HUNK.sub(header, text)


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
        old_lines, old_binary = _lines(store, old.sha)
        piece = BytesIO()
        write_object_diff(piece, store, (old.path, old.mode, old.sha), (new.path, new.mode, new.sha))
        text = piece.getvalue()
        if old.sha is not None and new.sha is not None and old.mode != new.mode:
            text = _git_mode_change(text, same_content=old.sha == new.sha)
        out.write(_with_function_context(text, old_lines))
        new_lines, new_binary = _lines(store, new.sha)
        additions = deletions = 0
        binary = old_binary or new_binary
        if not binary:
            for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False).get_opcodes():
                if op != "equal":
                    deletions += i2 - i1
                    additions += j2 - j1
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
