"""Three-way merge of trees: clean changes are combined, conflicts are reported, never resolved silently."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dulwich.objects import S_ISGITLINK, Blob
from dulwich.patch import is_binary

from .errors import GitError
from .index import IndexEntry
from .text_merge import merge_text

if TYPE_CHECKING:
    from dulwich.object_store import BaseObjectStore


@dataclass(frozen=True, slots=True)
class Conflict:
    """A path both sides changed incompatibly: `kind` is content, add/add, modify/delete or binary."""

    path: str
    kind: str
    stages: dict[int, IndexEntry]


@dataclass(slots=True)
class TreeMerge:
    """The result of merging trees: resolved entries, conflicts, and the bytes to leave in the worktree."""

    entries: dict[str, IndexEntry] = field(default_factory=dict)
    conflicts: list[Conflict] = field(default_factory=list)
    worktree_files: dict[str, tuple[bytes, int]] = field(default_factory=dict)
    new_blobs: list[Blob] = field(default_factory=list)


def merge_flat_trees(
    store: BaseObjectStore,
    base: dict[str, IndexEntry],
    ours: dict[str, IndexEntry],
    theirs: dict[str, IndexEntry],
    *,
    ours_label: str = "HEAD",
    theirs_label: str = "theirs",
) -> TreeMerge:
    """Merge flat trees path by path, as git's recursive/ort strategy does for files."""
    result = TreeMerge()
    for path in sorted(set(base) | set(ours) | set(theirs)):
        b, o, t = base.get(path), ours.get(path), theirs.get(path)
        if o == t or b == t:
            if o is not None:
                result.entries[path] = o
            continue
        if b == o:
            if t is not None:
                result.entries[path] = t
            continue
        stages = {n: e for n, e in ((1, b), (2, o), (3, t)) if e is not None}
        if any(S_ISGITLINK(e.mode) for e in stages.values()):
            raise GitError(
                f"Cannot merge {path!r}: both sides changed this submodule (or replaced it); gitx does not "
                "merge submodules: merge with git, or reset(mode='hard')"
            )
        if o is None or t is None:
            kept = o or t
            assert kept is not None
            result.conflicts.append(Conflict(path, "modify/delete", stages))
            result.worktree_files[path] = (store[kept.sha].as_raw_string(), kept.mode)
            continue
        mode = o.mode if b is None or o.mode != b.mode else t.mode
        base_data = store[b.sha].as_raw_string() if b is not None else b""
        our_data, their_data = store[o.sha].as_raw_string(), store[t.sha].as_raw_string()
        if is_binary(our_data) or is_binary(their_data) or is_binary(base_data):
            result.conflicts.append(Conflict(path, "binary", stages))
            result.worktree_files[path] = (our_data, o.mode)
            continue
        merged, conflicted = merge_text(
            base_data, our_data, their_data, ours_label=ours_label, theirs_label=theirs_label
        )
        if conflicted:
            result.conflicts.append(Conflict(path, "content" if b is not None else "add/add", stages))
            result.worktree_files[path] = (merged, mode)
            continue
        blob = Blob.from_string(merged)
        result.new_blobs.append(blob)
        result.entries[path] = IndexEntry(mode, blob.id)
    return result


@dataclass(frozen=True, slots=True)
class MergeResult:
    """What a merge did: the new HEAD sha (None while conflicts wait), and how."""

    sha: str | None
    fast_forward: bool = False
    up_to_date: bool = False
    conflicts: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the merge finished without conflicts."""
        return not self.conflicts
