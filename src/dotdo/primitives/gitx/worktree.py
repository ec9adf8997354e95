"""The working tree against the index and HEAD: status, staging files, and checking trees out.

A submodule entry (a gitlink: a commit of another repository) has no file here, as in git before
`git submodule update`: checking it out writes nothing, and its missing file is not a change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dulwich.objects import S_ISGITLINK, Blob

from .errors import DirtyWorktreeError
from .index import IndexEntry, StagingIndex
from .worktree_files import check_worktree_path

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .object_store import StoredObjectStore
    from .worktree_files import WorktreeFiles

FILE_MODE = 0o100644
EXECUTABLE_MODE = 0o100755


@dataclass(frozen=True, slots=True)
class Status:
    """What `git status` reports: staged and unstaged changes by path, untracked files, conflicts."""

    branch: str | None
    staged: dict[str, str] = field(default_factory=dict)
    unstaged: dict[str, str] = field(default_factory=dict)
    untracked: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """Whether there is nothing to commit and nothing changed."""
        return not (self.staged or self.unstaged or self.untracked or self.conflicts)


def is_submodule(entry: IndexEntry | None) -> bool:
    """Whether an index or tree entry is a submodule (gitlink), which has no file in the working tree."""
    return entry is not None and S_ISGITLINK(entry.mode)


class Worktree:
    """Files of the working tree, compared with and updated from the index and trees."""

    def __init__(self, files: WorktreeFiles, store: StoredObjectStore, index: StagingIndex) -> None:
        self.files = files
        self.store = store
        self.index = index

    def entry_for(self, path: str) -> tuple[IndexEntry, Blob] | None:
        """The index entry and blob the file at `path` would be staged as, or None if it is absent."""
        try:
            data = self.files.read(path)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None
        blob = Blob.from_string(data)
        mode = EXECUTABLE_MODE if self.files.is_executable(path) else FILE_MODE
        return IndexEntry(mode, blob.id), blob

    def stage(self, paths: Iterable[str]) -> list[str]:
        """Stage files (their current content) and deletions of vanished tracked files; returns paths."""
        staged = self.index.entries()
        conflicted = self.index.conflicts()
        tracked = set(staged) | set(conflicted)
        every_file: list[str] | None = None
        chosen: list[str] = []
        for raw in paths:
            if raw in (".", "", "/"):
                every_file = every_file if every_file is not None else list(self.files.walk())
                chosen.extend(every_file)
                chosen.extend(p for p in tracked if p not in chosen)
                continue
            path = check_worktree_path(raw.rstrip("/"))
            if self.files.exists(path) or path in tracked:
                chosen.append(path)
                continue
            every_file = every_file if every_file is not None else list(self.files.walk())
            inside = [p for p in (*every_file, *tracked) if p.startswith(path + "/")]
            if not inside:
                raise FileNotFoundError(f"pathspec {raw!r} did not match any files")
            chosen.extend(inside)
        blobs: list[tuple[Blob, None]] = []
        done: list[str] = []
        updates: list[tuple[str, IndexEntry | None]] = []
        for path in dict.fromkeys(chosen):
            found = self.entry_for(path)
            if found is None and is_submodule(staged.get(path)):
                continue
            if found is None:
                updates.append((path, None))
            else:
                entry, blob = found
                if staged.get(path) != entry or path in conflicted:
                    blobs.append((blob, None))
                updates.append((path, entry))
            done.append(path)
        self.store.add_objects(blobs)
        for path, entry in updates:
            if entry is None:
                self.index.unstage(path)
            else:
                self.index.stage(path, entry)
        return done

    def status(self, head: dict[str, IndexEntry], branch: str | None) -> Status:
        """Compare HEAD with the index (staged) and the index with the files (unstaged)."""
        index = self.index.entries()
        conflicts = self.index.conflicts()
        result = Status(branch=branch, conflicts=sorted(conflicts))
        for path in sorted(set(head) | set(index)):
            if path in conflicts:
                continue
            before, after = head.get(path), index.get(path)
            if before != after:
                result.staged[path] = "added" if before is None else "deleted" if after is None else "modified"
        on_disk = set(self.files.walk())
        for path in sorted(index):
            if path not in on_disk and is_submodule(index[path]):
                continue
            if path not in on_disk:
                result.unstaged[path] = "deleted"
                continue
            found = self.entry_for(path)
            if found is not None and found[0] != index[path]:
                result.unstaged[path] = "modified"
        result.untracked.extend(sorted(on_disk - set(index) - set(conflicts)))
        return result

    def write_entry(self, path: str, entry: IndexEntry) -> None:
        """Write one blob from the store into the working tree (a submodule entry writes nothing)."""
        if is_submodule(entry):
            return
        self.files.write(path, self.store[entry.sha].as_raw_string(), executable=entry.mode == EXECUTABLE_MODE)

    def check_clean(self, paths: Iterable[str], head: dict[str, IndexEntry], action: str) -> None:
        """Refuse (DirtyWorktreeError) if any of `paths` has staged or unstaged changes."""
        index = self.index.entries()
        dirty: list[str] = []
        for path in paths:
            current = self.entry_for(path)
            staged = index.get(path)
            now = current[0] if current else (staged if is_submodule(staged) else None)
            if staged != head.get(path) or now != staged:
                dirty.append(path)
        if dirty:
            shown = ", ".join(sorted(dirty)[:10])
            raise DirtyWorktreeError(
                f"Your local changes to {shown} would be overwritten by {action}; commit them, or "
                "reset(mode='hard') to drop them, then try again"
            )

    def switch(self, old: dict[str, IndexEntry], new: dict[str, IndexEntry], *, force: bool = False) -> None:
        """Move files and index from tree `old` to tree `new`, keeping unrelated local changes."""
        changed = [p for p in set(old) | set(new) if old.get(p) != new.get(p)]
        if not force:
            self.check_clean(changed, old, "checkout")
            untracked_hit = [p for p in changed if p not in old and p in new and self.files.exists(p)]
            clobbered = [p for p in untracked_hit if (found := self.entry_for(p)) and found[0] != new[p]]
            if clobbered:
                raise DirtyWorktreeError(
                    f"Untracked files {', '.join(sorted(clobbered)[:10])} would be overwritten by checkout; "
                    "move or add them first"
                )
        for path in sorted(changed):
            entry = new.get(path)
            if entry is None:
                self.files.remove(path)
                self.index.unstage(path)
            else:
                self.write_entry(path, entry)
                self.index.stage(path, entry)

    def reset_to(self, tree: dict[str, IndexEntry], *, files: bool) -> None:
        """Make the index (and with `files`, the working tree) match `tree` exactly."""
        if files:
            index = self.index.entries()
            for path in set(index) | set(self.index.conflicts()):
                if path not in tree:
                    self.files.remove(path)
            for path, entry in tree.items():
                if is_submodule(entry):
                    continue
                found = self.entry_for(path)
                if found is None or found[0] != entry:
                    self.write_entry(path, entry)
        self.index.replace(sorted(tree.items()))
