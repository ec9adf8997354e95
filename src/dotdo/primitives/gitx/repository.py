"""`Git`: the repository API of an object (`ctx.git`), on its storage and its working tree.

The repository itself (objects, refs, index, config) lives in the object's SQLite; the working
tree is a folder of its filesystem (fsx, root `/` by default). Every method is `async`: local
operations finish without yielding, network operations (clone, fetch, pull, push) await a worker
thread while the object's other events go on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from dulwich.graph import can_fast_forward, find_merge_base
from dulwich.object_store import BaseObjectStore, MemoryObjectStore, OverlayObjectStore
from dulwich.objects import S_ISGITLINK, Blob, Tag, Tree
from dulwich.objects import Commit as DulwichCommit

from .commit import Commit, check_identity
from .diff import Diff, diff_trees
from .errors import (
    GitError,
    RefConflictError,
    UnknownRevisionError,
)
from .history import log_commits
from .index import IndexEntry, StagingIndex
from .limits import DEFAULT_LIMITS, GitLimits
from .merge import MergeResult, merge_flat_trees
from .object_store import BlobTier
from .off_loop import Exclusive, one_at_a_time
from .refs import ZERO_SHA, check_ref_name
from .remote_commands import RemoteCommands
from .revisions import Revisions
from .stored_repo import StoredRepo
from .trees import build_tree
from .worktree import Status, Worktree
from .worktree_files import check_worktree_path, worktree_files_for

if TYPE_CHECKING:
    from dotdo.runtime.object_storage import ObjectStorage

DEFAULT_IDENTITY = "dotdo <dotdo@localhost>"
Emit = Callable[[str, dict[str, Any]], Any]


class Git(RemoteCommands):
    """A git repository on an object's storage, with its working tree on the object's filesystem."""

    def __init__(
        self,
        fs: Any,
        storage: ObjectStorage | None = None,
        *,
        worktree: str = "/",
        emit: Emit | None = None,
        remotes_auth: Mapping[str, Any] | None = None,
        blob_tier: BlobTier | None = None,
        threshold: int | None = None,
        allow_local_remotes: bool = False,
        limits: GitLimits | None = None,
        exclusive: Exclusive | None = None,
    ) -> None:
        storage = storage if storage is not None else getattr(fs, "storage", None)
        if storage is None:
            raise TypeError("Git needs the object's storage: pass storage=..., or an fs that has .storage")
        if blob_tier is None:
            blob_tier = getattr(getattr(fs, "sync", None), "blob_store", None)
        self.storage = storage
        self.emit = emit
        self.remotes_auth = dict(remotes_auth or {})
        self.allow_local_remotes = allow_local_remotes
        self.limits = limits or DEFAULT_LIMITS
        self.exclusive = exclusive or one_at_a_time()
        """Holds the owner's other events while pack work runs on a thread (`block_concurrency_while`)."""
        self.repo = StoredRepo(
            storage, blob_tier=blob_tier, threshold=threshold, listener=self._ref_changed, limits=self.limits
        )
        self.index = StagingIndex(storage)
        self.revisions = Revisions(self.repo)
        self.files = worktree_files_for(fs, worktree)
        self.worktree = Worktree(self.files, self.repo.object_store, self.index)

    # -- events ---------------------------------------------------------------------------------

    def _ref_changed(self, name: bytes, old: bytes | None, new: bytes | None) -> None:
        if self.emit is None or not name.startswith(b"refs/heads/"):
            return
        self.emit(
            "Branch.updated",
            {
                "ref": name.decode(),
                "branch": name[len(b"refs/heads/") :].decode(),
                "old": old.decode() if old else None,
                "new": new.decode() if new else None,
            },
        )

    def pushed(self, updates: list[dict[str, str | None]], *, remote: str | None = None) -> None:
        """Announce `Repository.pushed` (refs received by this repository, or sent to a remote)."""
        if self.emit is not None and updates:
            self.emit("Repository.pushed", {"remote": remote, "refs": updates})

    # -- lookups ----------------------------------------------------------------------------------

    # -- local repository -----------------------------------------------------------------------

    async def init(self, *, default_branch: str = "main") -> None:
        """Create an empty repository (idempotent); HEAD points at the unborn `default_branch`."""
        check_ref_name(f"refs/heads/{default_branch}")
        if not self.repo.initialized:
            self.repo.initialize(default_branch.encode())

    async def status(self) -> Status:
        """Staged changes, unstaged changes, untracked files and merge conflicts."""
        self.revisions.require()
        branch = self.revisions.head_branch()
        name = branch[len(b"refs/heads/") :].decode() if branch else None
        return self.worktree.status(self.revisions.head_tree(), name)

    async def add(self, paths: str | list[str]) -> list[str]:
        """Stage files (and deletions of tracked files that are gone); `"."` stages everything."""
        self.revisions.require()
        chosen = [paths] if isinstance(paths, str) else list(paths)
        return self.storage.transaction_sync(lambda: self.worktree.stage(chosen))

    async def rm(self, paths: str | list[str], *, cached: bool = False) -> list[str]:
        """Stop tracking files; they are deleted from the working tree unless `cached=True`."""
        self.revisions.require()
        chosen = [check_worktree_path(p) for p in ([paths] if isinstance(paths, str) else paths)]
        tracked = self.index.entries()
        missing = [p for p in chosen if p not in tracked]
        if missing:
            raise FileNotFoundError(f"pathspec {missing[0]!r} did not match any tracked file")

        def remove() -> None:
            for path in chosen:
                self.index.unstage(path)
                if not cached:
                    self.files.remove(path)

        self.storage.transaction_sync(remove)
        return chosen

    async def commit(
        self,
        message: str,
        author: str | None = None,
        *,
        committer: str | None = None,
        allow_empty: bool = False,
        timestamp: int | None = None,
    ) -> str:
        """Commit the index on the current branch; returns the new commit's sha.

        `timestamp` (epoch seconds, UTC) fixes the author and commit time; by default it is now."""
        self.revisions.require()
        if not isinstance(message, str) or not message.strip():
            raise ValueError("A commit needs a non-empty message")
        conflicts = self.index.conflicts()
        if conflicts:
            raise GitError(
                f"Cannot commit: unresolved merge conflicts in {', '.join(sorted(conflicts))}; "
                "edit the files, `add` them, then commit"
            )
        author_bytes = check_identity(author or DEFAULT_IDENTITY)
        committer_bytes = check_identity(committer) if committer else author_bytes
        parent = self.revisions.head()
        merge_head = self._merge_head()
        tree = build_tree(self.repo.object_store, self.index.entries())
        if not allow_empty and merge_head is None and parent is not None:
            parent_commit = self.repo.object_store[parent]
            if isinstance(parent_commit, DulwichCommit) and parent_commit.tree == tree:
                raise GitError("Nothing to commit: the index matches HEAD (use allow_empty=True to commit anyway)")
        obj = DulwichCommit()
        obj.tree = tree
        obj.parents = [p for p in (parent, merge_head) if p is not None]
        obj.author, obj.committer = author_bytes, committer_bytes
        if timestamp is not None and (isinstance(timestamp, bool) or not isinstance(timestamp, int) or timestamp < 0):
            raise ValueError(f"timestamp must be non-negative epoch seconds, not {timestamp!r}")
        obj.commit_time = obj.author_time = int(time.time()) if timestamp is None else timestamp
        obj.commit_timezone = obj.author_timezone = 0
        obj.message = message.encode("utf-8") if message.endswith("\n") else (message + "\n").encode("utf-8")
        self._advance_head(obj, parent)
        return obj.id.decode("ascii")

    def _advance_head(self, obj: DulwichCommit, parent: bytes | None) -> None:
        def write() -> None:
            self.repo.object_store.add_object(obj)
            if not self.repo.refs.set_if_equals(b"HEAD", parent or ZERO_SHA, obj.id):
                raise RefConflictError("HEAD moved while committing; look at `log()` and commit again")
            self.repo.del_named_file("MERGE_HEAD")

        self.storage.transaction_sync(write)

    def _merge_head(self) -> bytes | None:
        file = self.repo.get_named_file("MERGE_HEAD")
        return None if file is None else file.read().strip()

    async def log(self, n: int | None = None, path: str | None = None, *, ref: str = "HEAD") -> list[Commit]:
        """Commits reachable from `ref`, newest first; `n` limits, `path` keeps those touching it."""
        self.revisions.require()
        if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 0):
            raise ValueError(f"n must be a non-negative integer, not {n!r}")
        if ref == "HEAD" and self.revisions.head() is None:
            return []
        start = self.revisions.resolve(ref)
        shallow = self.repo.get_shallow()
        commits = log_commits(
            self.repo.object_store,
            start,
            path=check_worktree_path(path.rstrip("/")).encode() if path else None,
            limit=n,
            parents_of=lambda commit: [] if commit.id in shallow else commit.parents,
        )
        return [Commit.from_object(commit) for commit in commits]

    async def diff(self, a: str | None = None, b: str | None = None, *, staged: bool = False) -> Diff:
        """Unified and structured diff: `diff()` files vs index, `diff(staged=True)` index vs HEAD,
        `diff(a)` working tree vs `a`, `diff(a, b)` between two revisions."""
        self.revisions.require()
        if a is not None and b is not None:
            return diff_trees(self.repo.object_store, self._commit_tree(a), self._commit_tree(b))
        # Trees of the index and the working tree exist only for this diff: they go to a scratch
        # store in memory, layered over the repository, and are never written to storage.
        memory = MemoryObjectStore()
        scratch = OverlayObjectStore([self.repo.object_store, memory], add_store=memory)
        index_tree = build_tree(scratch, self.index.entries())
        if staged:
            old = self._commit_tree(a) if a is not None else self._commit_tree_or_none("HEAD")
            return diff_trees(scratch, old, index_tree)
        files_tree = build_tree(scratch, self._worktree_entries(scratch))
        return diff_trees(scratch, self._commit_tree(a) if a is not None else index_tree, files_tree)

    def _commit_tree(self, rev: str) -> bytes:
        commit = self.repo.object_store[self.revisions.resolve(rev)]
        assert isinstance(commit, DulwichCommit)
        return commit.tree

    def _commit_tree_or_none(self, rev: str) -> bytes | None:
        return None if self.revisions.head() is None else self._commit_tree(rev)

    def _worktree_entries(self, scratch: BaseObjectStore) -> dict[str, IndexEntry]:
        """Tracked files as they are in the working tree, their blobs added to `scratch`."""
        entries: dict[str, IndexEntry] = {}
        blobs: list[tuple[Blob, None]] = []
        for path in self.index.entries():
            found = self.worktree.entry_for(path)
            if found is not None:
                entries[path] = found[0]
                blobs.append((found[1], None))
        scratch.add_objects(blobs)
        return entries

    async def branch(
        self, name: str | None = None, *, start: str = "HEAD", delete: bool = False, force: bool = False
    ) -> list[str]:
        """List branches (no name), create `name` at `start`, or delete it (`delete=True`)."""
        self.revisions.require()
        if name is not None:
            ref = check_ref_name(f"refs/heads/{name}")
            if delete:
                self._delete_branch(ref, name, force=force)
            else:
                sha = self.revisions.resolve(start)
                if force:
                    self.repo.refs.set_if_equals(ref, None, sha)
                elif not self.repo.refs.add_if_new(ref, sha):
                    raise RefConflictError(f"Branch {name!r} already exists; pass force=True to move it")
        prefix = b"refs/heads/"
        return sorted(r[len(prefix) :].decode() for r in self.repo.refs.allkeys() if r.startswith(prefix))

    def _delete_branch(self, ref: bytes, name: str, *, force: bool) -> None:
        if ref == self.revisions.head_branch():
            raise GitError(f"Cannot delete branch {name!r}: it is checked out; check out another branch first")
        sha = self.repo.refs.read_loose_ref(ref)
        if sha is None:
            raise UnknownRevisionError(f"No branch named {name!r}")
        head = self.revisions.head()
        if not force and (head is None or not can_fast_forward(self.repo, sha, head)):
            raise GitError(f"Branch {name!r} is not fully merged into HEAD; pass force=True to delete it anyway")
        self.repo.refs.remove_if_equals(ref, sha)

    async def checkout(
        self, ref: str | None = None, *, paths: str | list[str] | None = None, create: bool = False
    ) -> None:
        """Switch to a branch, tag or commit (`create=True` makes the branch first), or restore `paths`
        from the index (no ref) or from `ref`."""
        self.revisions.require()
        if paths is not None:
            self._restore_paths(ref, [paths] if isinstance(paths, str) else list(paths))
            return
        if ref is None:
            raise ValueError("checkout needs a ref (branch, tag or sha) or paths=")
        if create:
            await self.branch(ref)
        branch_ref = f"refs/heads/{ref}".encode()
        is_branch = self.repo.refs.read_loose_ref(branch_ref) is not None
        target = self.revisions.resolve(ref)
        old_tree, new_tree = self.revisions.head_tree(), self.revisions.tree_of(target)

        def switch() -> None:
            self.worktree.switch(old_tree, new_tree)
            if is_branch:
                self.repo.refs.set_symbolic_ref(b"HEAD", branch_ref)
            else:
                self.repo.refs.remove_if_equals(b"HEAD", None)
                self.repo.refs.set_if_equals(b"HEAD", None, target)

        self.storage.transaction_sync(switch)

    def _restore_paths(self, ref: str | None, paths: list[str]) -> None:
        source = self.index.entries() if ref is None else self.revisions.tree_of(ref)
        chosen: list[str] = []
        for raw in paths:
            path = check_worktree_path(raw.rstrip("/"))
            inside = [p for p in source if p == path or p.startswith(path + "/")]
            if not inside:
                raise FileNotFoundError(f"pathspec {raw!r} did not match any file known to git")
            chosen.extend(inside)

        def restore() -> None:
            for path in chosen:
                self.worktree.write_entry(path, source[path])
                if ref is not None:
                    self.index.stage(path, source[path])

        self.storage.transaction_sync(restore)

    async def merge(self, branch: str, *, message: str | None = None, author: str | None = None) -> MergeResult:
        """Merge `branch` into HEAD: fast-forward when possible, else a three-way merge commit.

        Conflicts are never resolved silently: their files get git's markers, the index keeps the
        three versions, and `conflicts` lists them; resolve, `add`, then `commit`.
        """
        self.revisions.require()
        theirs = self.revisions.resolve(branch)
        ours = self.revisions.head()
        if self._merge_head() is not None or self.index.conflicts():
            raise GitError("A merge is already in progress: resolve it and commit, or reset(mode='hard')")
        if ours is None:
            await self.reset(theirs.decode(), mode="hard")
            return MergeResult(theirs.decode(), fast_forward=True)
        if theirs == ours or can_fast_forward(self.repo, theirs, ours):
            return MergeResult(ours.decode(), up_to_date=True)
        if can_fast_forward(self.repo, ours, theirs):
            old_tree, new_tree = self.revisions.head_tree(), self.revisions.tree_of(theirs)

            def fast_forward() -> None:
                self.worktree.switch(old_tree, new_tree)
                if not self.repo.refs.set_if_equals(b"HEAD", ours, theirs):
                    raise RefConflictError("HEAD moved during the merge; merge again")

            self.storage.transaction_sync(fast_forward)
            return MergeResult(theirs.decode(), fast_forward=True)
        return self._three_way(branch, ours, theirs, message=message, author=author)

    def _three_way(
        self, branch: str, ours: bytes, theirs: bytes, *, message: str | None, author: str | None
    ) -> MergeResult:
        bases = find_merge_base(self.repo, [ours, theirs])
        base_tree = self.revisions.tree_of(bases[0]) if bases else {}
        our_tree, their_tree = self.revisions.tree_of(ours), self.revisions.tree_of(theirs)
        outcome = merge_flat_trees(
            self.repo.object_store, base_tree, our_tree, their_tree, ours_label="HEAD", theirs_label=branch
        )
        touched = [
            p
            for p in set(our_tree) | set(outcome.entries) | set(outcome.worktree_files)
            if our_tree.get(p) != outcome.entries.get(p)
        ]
        self.worktree.check_clean(touched, our_tree, "merge")
        text = message or f"Merge branch '{branch}'"

        def apply() -> None:
            self.repo.object_store.add_objects([(blob, None) for blob in outcome.new_blobs])
            self.worktree.switch(our_tree, outcome.entries, force=True)
            for conflict in outcome.conflicts:
                data, mode = outcome.worktree_files[conflict.path]
                self.files.write(conflict.path, data, executable=mode == 0o100755)
                self.index.mark_conflict(conflict.path, conflict.stages)
            self.repo.put_named_file("MERGE_HEAD", theirs + b"\n")
            self.repo.put_named_file("MERGE_MSG", text.encode() + b"\n")

        self.storage.transaction_sync(apply)
        if outcome.conflicts:
            return MergeResult(None, conflicts=[c.path for c in outcome.conflicts])
        obj = DulwichCommit()
        obj.tree = build_tree(self.repo.object_store, self.index.entries())
        obj.parents = [ours, theirs]
        obj.author = obj.committer = check_identity(author or DEFAULT_IDENTITY)
        obj.commit_time = obj.author_time = int(time.time())
        obj.commit_timezone = obj.author_timezone = 0
        obj.message = text.encode() + b"\n"
        self._advance_head(obj, ours)
        return MergeResult(obj.id.decode())

    async def tag(
        self,
        name: str | None = None,
        *,
        ref: str = "HEAD",
        message: str | None = None,
        tagger: str | None = None,
        delete: bool = False,
        force: bool = False,
    ) -> list[str]:
        """List tags (no name), create `name` at `ref` (annotated with `message`), or delete it."""
        self.revisions.require()
        if name is not None:
            tag_ref = check_ref_name(f"refs/tags/{name}")
            if delete:
                if not self.repo.refs.remove_if_equals(tag_ref, None) or tag_ref in self.repo.refs:
                    raise UnknownRevisionError(f"No tag named {name!r}")
            else:
                self._create_tag(tag_ref, name, ref, message, tagger, force=force)
        prefix = b"refs/tags/"
        return sorted(r[len(prefix) :].decode() for r in self.repo.refs.allkeys() if r.startswith(prefix))

    def _create_tag(
        self, tag_ref: bytes, name: str, ref: str, message: str | None, tagger: str | None, *, force: bool
    ) -> None:
        target = self.revisions.resolve(ref)
        value = target
        if message is not None:
            obj = Tag()
            obj.tagger = check_identity(tagger or DEFAULT_IDENTITY)
            obj.message = message.encode() + (b"" if message.endswith("\n") else b"\n")
            obj.name = name.encode()
            obj.object = (DulwichCommit, target)
            obj.tag_time = int(time.time())
            obj.tag_timezone = 0
            self.repo.object_store.add_object(obj)
            value = obj.id
        if force:
            self.repo.refs.set_if_equals(tag_ref, None, value)
        elif not self.repo.refs.add_if_new(tag_ref, value):
            raise RefConflictError(f"Tag {name!r} already exists; pass force=True to move it")

    async def reset(self, ref: str = "HEAD", *, mode: str = "mixed") -> None:
        """Move the current branch to `ref`; `mixed` also resets the index, `hard` the files too."""
        self.revisions.require()
        if mode not in ("soft", "mixed", "hard"):
            raise ValueError(f"mode must be 'soft', 'mixed' or 'hard', not {mode!r}")
        target = self.revisions.resolve(ref)
        tree = self.revisions.tree_of(target)
        old = self.revisions.head()

        def move() -> None:
            self.repo.refs.set_if_equals(b"HEAD", None, target)
            if mode != "soft":
                self.worktree.reset_to(tree, files=mode == "hard")
            self.repo.del_named_file("MERGE_HEAD")

        if old != target or mode != "soft":
            self.storage.transaction_sync(move)

    async def show(self, spec: str, path: str | None = None) -> bytes:
        """The bytes of a file at a revision: `show("main:src/a.py")` or `show("main", "src/a.py")`."""
        self.revisions.require()
        if path is None:
            if ":" not in spec:
                raise ValueError(f"show takes 'rev:path' (like 'HEAD:README.md'), not {spec!r}")
            spec, path = spec.split(":", 1)
        rev = spec or "HEAD"
        clean = check_worktree_path(path.strip("/")) if path.strip("/") else ""
        commit = self.repo.object_store[self.revisions.resolve(rev)]
        assert isinstance(commit, DulwichCommit)
        store = self.repo.object_store
        sha, mode = commit.tree, 0o040000
        if clean:
            try:
                mode, sha = store[commit.tree].lookup_path(store.__getitem__, clean.encode())
            except KeyError:
                raise UnknownRevisionError(f"Path {path!r} does not exist in {rev!r}") from None
        if clean and S_ISGITLINK(mode):
            raise UnknownRevisionError(
                f"Path {path!r} in {rev!r} is a submodule: commit {sha.decode()} of another repository"
            )
        obj = store[sha]
        if isinstance(obj, Tree):
            names = [e.path + (b"/" if e.mode & 0o040000 and not e.mode & 0o100000 else b"") for e in obj.iteritems()]
            return b"".join(n + b"\n" for n in names)
        return obj.as_raw_string()

    # -- remotes --------------------------------------------------------------------------------
