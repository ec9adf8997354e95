"""Remotes and the network side of `Git`: remote add/list/remove, clone, fetch, pull, push.

A mixin of `Git` (see `repository.py`), kept apart because everything here waits on the network:
the transport work happens in `remote.py`, and these methods record its results in storage.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from dulwich.graph import can_fast_forward

from .errors import (
    DirtyWorktreeError,
    GitError,
    InvalidRefError,
    NonFastForwardError,
    RefConflictError,
    RemoteError,
    UnknownRevisionError,
)
from .refs import ZERO_SHA, check_ref_name
from .remote import RemoteAuth, auth_for, check_remote_url, fetch_pack, list_refs, redact, send_pack

if TYPE_CHECKING:
    from dotdo.runtime.object_storage import ObjectStorage

    from .index import StagingIndex
    from .merge import MergeResult
    from .off_loop import Exclusive
    from .revisions import Revisions
    from .stored_repo import StoredRepo
    from .worktree import Worktree


class RemoteCommands:
    """Remote management and network operations, mixed into `Git`."""

    repo: StoredRepo
    storage: ObjectStorage
    index: StagingIndex
    worktree: Worktree
    remotes_auth: dict[str, Any]
    allow_local_remotes: bool
    exclusive: Exclusive
    revisions: Revisions
    init: Callable[..., Awaitable[None]]
    merge: Callable[..., Awaitable[MergeResult]]
    pushed: Callable[..., None]

    async def remote_add(self, name: str, url: str) -> None:
        """Add a remote: an http(s)://, git:// or ssh:// URL (host paths need `allow_local_remotes=True`).

        Prefer `remotes_auth` to credentials inside the URL: those are masked when shown, but stored."""
        self.revisions.require()
        check_ref_name(f"refs/remotes/{name}")
        check_remote_url(url, allow_local=self.allow_local_remotes)
        config = self.repo.get_config()
        if config.has_section((b"remote", name.encode())):
            raise RefConflictError(f"Remote {name!r} already exists; remove it first")
        config.set((b"remote", name.encode()), b"url", url.encode())
        config.set((b"remote", name.encode()), b"fetch", f"+refs/heads/*:refs/remotes/{name}/*".encode())
        self.repo.save_config(config)

    async def remote_remove(self, name: str) -> None:
        """Remove a remote and its remote-tracking branches."""
        self._remote_url(name)
        config = self.repo.get_config()
        del config[(b"remote", name.encode())]
        self.repo.save_config(config)
        prefix = f"refs/remotes/{name}/".encode()
        for ref in [r for r in self.repo.refs.allkeys() if r.startswith(prefix)]:
            self.repo.refs.remove_if_equals(ref, None)

    async def remotes(self) -> dict[str, str]:
        """Remote names and their URLs (credentials in URLs are masked)."""
        self.revisions.require()
        config = self.repo.get_config()
        found: dict[str, str] = {}
        for section in config.sections():
            if len(section) == 2 and section[0] == b"remote":
                found[section[1].decode()] = redact(config.get(section, b"url").decode())
        return found

    def _remote_url(self, name: str) -> str:
        self.revisions.require()
        try:
            return self.repo.get_config().get((b"remote", name.encode()), b"url").decode()
        except KeyError:
            raise RemoteError(f"No remote named {name!r}; add it with `await git.remote_add(name, url)`") from None

    def _auth(self, name: str | None, url: str) -> RemoteAuth | None:
        return auth_for(self.remotes_auth, name, url)

    async def fetch(self, remote: str = "origin", *, depth: int | None = None) -> dict[str, str]:
        """Fetch branches and tags of `remote`; returns the remote-tracking refs that changed."""
        url = self._remote_url(remote)
        return await self._fetch(remote, url, depth=depth)

    async def _fetch(self, remote: str, url: str, *, depth: int | None) -> dict[str, str]:
        def choose(refs: dict[bytes, bytes]) -> list[bytes]:
            return [sha for name, sha in refs.items() if _fetchable(name)]

        result = await fetch_pack(
            self.repo, url, self._auth(remote, url), choose, depth=depth, exclusive=self.exclusive
        )
        changed: dict[str, str] = {}

        def record() -> None:
            for name, sha in result.refs.items():
                if sha is None or not _fetchable(name) or not _valid_name(name):
                    continue  # like git, refs with broken names are ignored
                if sha not in self.repo.object_store:
                    continue
                if name.startswith(b"refs/heads/"):
                    local = f"refs/remotes/{remote}/".encode() + name[len(b"refs/heads/") :]
                else:
                    local = name
                    if self.repo.refs.read_loose_ref(local) not in (None, sha):
                        continue
                if self.repo.refs.read_loose_ref(local) != sha:
                    self.repo.refs.set_if_equals(local, None, sha)
                    changed[local.decode()] = sha.decode()
            head = result.symrefs.get(b"HEAD") if result.symrefs else None
            if head and head.startswith(b"refs/heads/"):
                self.repo.refs.set_symbolic_ref(
                    f"refs/remotes/{remote}/HEAD".encode(),
                    f"refs/remotes/{remote}/".encode() + head[len(b"refs/heads/") :],
                )

        self.storage.transaction_sync(record)
        return changed

    async def clone(self, url: str, branch: str | None = None, depth: int | None = None) -> str | None:
        """Clone `url` into this (empty) repository and check out `branch` (default: the remote's HEAD).

        Returns the checked-out branch name (None for an empty remote)."""
        if self.repo.initialized and self.revisions.head() is not None:
            raise GitError("This repository already has commits; clone into a fresh object or fs")
        check_remote_url(url, allow_local=self.allow_local_remotes)
        if self.index.entries():
            raise DirtyWorktreeError("The index is not empty; clone needs a fresh repository")
        await self.init()
        known = await self.remotes()
        if "origin" not in known:
            await self.remote_add("origin", url)
        elif self._remote_url("origin") != url:
            raise GitError("Remote 'origin' points elsewhere; clone into a fresh object or fs")
        await self._fetch("origin", url, depth=depth)
        remote_head = self.repo.refs.read_loose_ref(b"refs/remotes/origin/HEAD")
        if branch is None and remote_head and remote_head.startswith(b"ref: "):
            branch = remote_head[5:].strip().decode().removeprefix("refs/remotes/origin/")
        if branch is None:
            heads = [
                r
                for r in self.repo.refs.allkeys()
                if r.startswith(b"refs/remotes/origin/") and r != b"refs/remotes/origin/HEAD"
            ]
            if not heads:
                return None
            branch = sorted(heads)[0].decode().removeprefix("refs/remotes/origin/")
        tracking = f"refs/remotes/origin/{branch}".encode()
        sha = self.repo.refs.read_loose_ref(tracking)
        if sha is None:
            raise RemoteError(f"Remote {redact(url)} has no branch {branch!r}")
        local = check_ref_name(f"refs/heads/{branch}")
        tree = self.revisions.tree_of(sha)

        def checkout() -> None:
            self.repo.refs.set_if_equals(local, None, sha)
            self.repo.refs.set_symbolic_ref(b"HEAD", local)
            config = self.repo.get_config()
            config.set((b"branch", branch.encode()), b"remote", b"origin")
            config.set((b"branch", branch.encode()), b"merge", local)
            self.repo.save_config(config)
            self.worktree.reset_to(tree, files=True)

        self.storage.transaction_sync(checkout)
        return branch

    async def pull(self, remote: str = "origin", branch: str | None = None) -> MergeResult:
        """Fetch `remote` and merge its `branch` (default: the current branch's name) into HEAD."""
        await self.fetch(remote)
        name = branch or self._current_branch_name()
        tracking = f"refs/remotes/{remote}/{name}"
        if self.repo.refs.read_loose_ref(tracking.encode()) is None:
            raise RemoteError(f"Remote {remote!r} has no branch {name!r}")
        return await self.merge(f"{remote}/{name}")

    def _current_branch_name(self) -> str:
        branch = self.revisions.head_branch()
        if branch is None:
            raise GitError("HEAD is detached: name the branch explicitly")
        return branch[len(b"refs/heads/") :].decode()

    async def push(
        self, remote: str = "origin", branch: str | None = None, *, force: bool = False, tags: bool = False
    ) -> dict[str, str]:
        """Push `branch` (default: the current one) and with `tags=True` all tags; refuses non-fast-forward
        updates unless `force=True`. Returns {ref: "ok"} for each ref sent."""
        url = self._remote_url(remote)
        name = branch or self._current_branch_name()
        local_ref = check_ref_name(f"refs/heads/{name}")
        sha = self.repo.refs.read_loose_ref(local_ref)
        if sha is None:
            raise UnknownRevisionError(f"No branch named {name!r} to push")
        updates = {local_ref: sha}
        if tags:
            for ref in self.repo.refs.allkeys():
                if ref.startswith(b"refs/tags/"):
                    updates[ref] = self.repo.refs.read_loose_ref(ref) or ZERO_SHA
        auth = self._auth(remote, url)
        remote_refs, _ = await list_refs(url, auth)
        expected: dict[bytes, bytes] = {}
        for ref, new in list(updates.items()):
            old = remote_refs.get(ref)
            if old is None:
                continue
            if old == new:
                del updates[ref]
                continue
            expected[ref] = old
            if ref.startswith(b"refs/tags/") and not force:
                raise NonFastForwardError(f"Tag {ref.decode()} already exists on {remote!r}; pass force=True")
            if not force and (old not in self.repo.object_store or not can_fast_forward(self.repo, old, new)):
                raise NonFastForwardError(
                    f"Rejected {ref.decode()} -> {remote}: not a fast-forward (the remote has commits "
                    "you do not); pull first, or pass force=True to overwrite them"
                )
        if not updates:
            return {}
        statuses = await send_pack(self.repo, url, auth, expected, updates, exclusive=self.exclusive)
        failed = {ref.decode(): msg for ref, msg in statuses.items() if msg}
        if failed:
            raise RemoteError(f"Remote {remote!r} refused: {failed}")

        def track() -> None:
            for ref, new in updates.items():
                if ref.startswith(b"refs/heads/"):
                    tracking = f"refs/remotes/{remote}/".encode() + ref[len(b"refs/heads/") :]
                    self.repo.refs.set_if_equals(tracking, None, new)

        self.storage.transaction_sync(track)
        self.pushed(
            [
                {"ref": r.decode(), "old": (expected.get(r) or b"").decode() or None, "new": n.decode()}
                for r, n in updates.items()
            ],
            remote=remote,
        )
        return {ref.decode(): "ok" for ref in updates}


def _fetchable(name: bytes) -> bool:
    return (name.startswith((b"refs/heads/", b"refs/tags/"))) and not name.endswith(b"^{}")


def _valid_name(name: bytes) -> bool:
    try:
        check_ref_name(name)
    except InvalidRefError:
        return False
    return True
