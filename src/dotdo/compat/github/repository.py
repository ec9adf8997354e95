"""`GitHubRepository`: one repository of the GitHub layer, as a durable object holding a gitx repository.

The repository is bare: the API writes commits straight into gitx's object store (a file created
through the contents API is a blob, trees and a commit on the branch, as GitHub makes them), and
the real `git` clones and pushes it over gitx's smart HTTP. A push is announced by gitx as
`Repository.pushed`; this object turns it into the commits of GitHub's push event and hands them to
its tenant's account, which delivers the webhooks.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, ClassVar

from dulwich.graph import can_fast_forward, find_merge_base
from dulwich.objects import S_ISGITLINK, Blob, Commit, ObjectID
from dulwich.refs import Ref

from ...context import DO, on
from ...primitives.attachments import attach_fs, attach_git
from ...primitives.gitx.history import log_commits
from ...primitives.gitx.index import IndexEntry
from ...primitives.gitx.merge import merge_flat_trees
from ...primitives.gitx.refs import ZERO_SHA
from ...primitives.gitx.trees import build_tree, flatten_tree
from ...runtime.extensions import Extensions
from .paths import content_path

if TYPE_CHECKING:
    from ...context.events import Event
    from ...primitives.gitx import Git

FILE_MODE = 0o100644
MAX_LISTED = 250
"""Commits a push event or a commit list carries at most (GitHub lists 250 in a comparison)."""


HEAD = Ref(b"HEAD")


def _ref(name: str) -> Ref:
    return Ref(name.encode())


def _oid(sha: str) -> ObjectID:
    return ObjectID(sha.encode())


class GitError(Exception):
    """A refusal of the repository, with the HTTP status GitHub answers it with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def person(identity: bytes, when: int) -> dict[str, Any]:
    """`Name <email>` and a commit time as GitHub's git-user object."""
    text = identity.decode("utf-8", "replace")
    name, _, email = text.partition(" <")
    return {"name": name, "email": email.rstrip(">"), "date": _iso(when)}


def _iso(when: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(when))


def commit_facts(commit: Commit) -> dict[str, Any]:
    """What the API shows of one commit."""
    return {
        "sha": commit.id.decode(),
        "tree": commit.tree.decode(),
        "message": commit.message.decode("utf-8", "replace").rstrip("\n"),
        "author": person(commit.author, commit.author_time),
        "committer": person(commit.committer, commit.commit_time),
        "parents": [parent.decode() for parent in commit.parents],
    }


class GitHubRepository(DO):
    """A repository's git data: commits, branches and files, served to the API and to `git` over HTTP.

    Its name is `<tenant>/<repository id>`: the account that owns it reaches it by id, so a repository
    renamed or deleted and created again never finds the old one's objects.
    """

    extensions = Extensions(attachments={"fs": attach_fs, "git": attach_git})
    account_class: ClassVar[str] = "GitHubAccount"
    """The class (by name: it sits above this module) of the accounts told of pushes."""

    @property
    def git(self) -> Git:
        """The gitx repository of this object."""
        return self.ctx.git

    # -- life ---------------------------------------------------------------------------------------

    async def create(self, default_branch: str, readme: str | None, author: str) -> str | None:
        """Create the empty repository; with `readme`, a first commit holding README.md. Its sha, if any."""
        await self.git.init(default_branch=default_branch)
        if readme is None:
            return None
        commit = self._write({"README.md": readme.encode()}, [], default_branch, "Initial commit", author, author)
        return commit.id.decode()

    async def destroy(self) -> None:
        """Forget every object and ref (the repository was deleted)."""
        self.storage.delete_all()

    # -- reading ------------------------------------------------------------------------------------

    def _resolve(self, ref: str | None) -> ObjectID:
        repo = self.git.repo
        if ref is None:
            try:
                return repo.refs[HEAD]
            except KeyError:
                raise GitError(409, "Git Repository is empty.") from None
        for candidate in (f"refs/heads/{ref}", f"refs/tags/{ref}", ref):
            if candidate.startswith("refs/") and _ref(candidate) in repo.refs:
                return repo.refs[_ref(candidate)]
        if len(ref) == 40 and all(c in "0123456789abcdef" for c in ref) and _oid(ref) in repo.object_store:
            return _oid(ref)
        raise GitError(404, f"No commit found for the ref {ref}")

    def _commit(self, sha: ObjectID) -> Commit:
        found = self.git.repo.object_store[sha]
        if not isinstance(found, Commit):
            raise GitError(422, f"{sha.decode()} is not a commit")
        return found

    async def default_branch(self) -> str | None:
        """The branch HEAD names."""
        value = self.git.repo.refs.read_loose_ref(HEAD)
        return value[len(b"ref: refs/heads/") :].strip().decode() if value and value.startswith(b"ref: ") else None

    async def commits(self, ref: str | None, path: str | None, limit: int, skip: int) -> list[dict[str, Any]]:
        """Commits reachable from `ref` (default branch by default), newest first, as `git log` lists them."""
        try:
            start = self._resolve(ref)
        except GitError as error:
            if error.status == 409 and ref is None:
                raise
            raise GitError(404, "Not Found") from None
        clean = content_path(path).encode() if path else None
        walked = log_commits(self.git.repo.object_store, start, path=clean, limit=skip + limit)
        return [commit_facts(commit) for index, commit in enumerate(walked) if index >= skip]

    async def commit(self, ref: str) -> dict[str, Any]:
        """One commit, with the files it changed against its first parent."""
        commit = self._commit(self._resolve(ref))
        store = self.git.repo.object_store
        before = flatten_tree(store, self._commit(commit.parents[0]).tree) if commit.parents else {}
        after = flatten_tree(store, commit.tree)
        files = []
        for path in sorted(set(before) | set(after)):
            old, new = before.get(path), after.get(path)
            if old == new:
                continue
            status = "added" if old is None else "removed" if new is None else "modified"
            files.append({"filename": path, "status": status, "sha": (new or old).sha.decode()})  # type: ignore[union-attr]
        return {**commit_facts(commit), "files": files}

    async def branches(self) -> list[dict[str, str]]:
        """Every branch with its head commit, by name."""
        return await self.refs("refs/heads/")

    async def refs(self, prefix: str) -> list[dict[str, str]]:
        """Refs under `prefix` (`refs/heads/`, `refs/tags/v1`) with the commits they point at."""
        repo = self.git.repo
        names = sorted(name for name in repo.refs.allkeys() if name.startswith(prefix.encode()) and name != HEAD)
        return [{"ref": name.decode(), "sha": repo.refs[name].decode()} for name in names if name in repo.refs]

    async def create_ref(self, ref: str, sha: str) -> dict[str, str]:
        """Create `ref` at commit `sha`; 422 when it exists or the commit does not."""
        repo = self.git.repo
        if not ref.startswith("refs/") or ref.count("/") < 2 or ".." in ref or ref.endswith("/"):
            raise GitError(422, "Reference name is not well-formed.")
        if _oid(sha) not in repo.object_store:
            raise GitError(422, "Object does not exist")
        if not repo.refs.add_if_new(_ref(ref), _oid(sha)):
            raise GitError(422, "Reference already exists")
        return {"ref": ref, "sha": sha}

    async def contents(self, path: str, ref: str | None) -> dict[str, Any] | None:
        """The file (`type: file`, its bytes) or folder (`type: dir`, its entries) at `path`, or None."""
        commit = self._commit(self._resolve(ref))
        # Submodules (gitlinks) name commits of other repositories, which this one does not hold.
        files = {
            path: entry
            for path, entry in flatten_tree(self.git.repo.object_store, commit.tree).items()
            if not S_ISGITLINK(entry.mode)
        }
        clean = content_path(path) if path else ""
        entry = files.get(clean)
        if entry is not None:
            blob = self.git.repo.object_store[ObjectID(entry.sha)]
            return {"type": "file", "path": clean, "sha": entry.sha.decode(), "content": blob.as_raw_string()}
        prefix = clean + "/" if clean else ""
        children: dict[str, dict[str, Any]] = {}
        for name, found in files.items():
            if not name.startswith(prefix):
                continue
            head, slash, _ = name[len(prefix) :].partition("/")
            if slash:
                children.setdefault(head, {"type": "dir", "path": prefix + head, "sha": "", "size": 0})
            else:
                size = len(self.git.repo.object_store[ObjectID(found.sha)].as_raw_string())
                children[head] = {"type": "file", "path": name, "sha": found.sha.decode(), "size": size}
        if not children:
            return None
        return {"type": "dir", "path": clean, "entries": [children[name] for name in sorted(children)]}

    # -- writing ------------------------------------------------------------------------------------

    async def put_file(
        self, path: str, content: bytes, message: str, branch: str | None, sha: str | None, author: str, committer: str
    ) -> dict[str, Any]:
        """Create or replace one file in a new commit on `branch`; `sha` must name the file replaced."""
        clean = content_path(path)
        branch = branch or await self.default_branch() or "main"
        parent = self._branch_head(branch)
        files = flatten_tree(self.git.repo.object_store, self._commit(parent).tree) if parent else {}
        existing = files.get(clean)
        if existing is not None and sha is None:
            raise GitError(422, 'Invalid request.\n\n"sha" wasn\'t supplied.')
        if (existing is not None and sha != existing.sha.decode()) or (existing is None and sha is not None):
            raise GitError(409, f"{clean} does not match {sha}")
        commit = self._write({clean: content}, [], branch, message, author, committer)
        blob_sha = flatten_tree(self.git.repo.object_store, commit.tree)[clean].sha.decode()
        return {
            "created": existing is None,
            "path": clean,
            "sha": blob_sha,
            "size": len(content),
            **self._facts(commit),
        }

    async def delete_file(
        self, path: str, message: str, branch: str | None, sha: str, author: str, committer: str
    ) -> dict[str, Any]:
        """Remove one file in a new commit on `branch`; `sha` must name the file removed."""
        clean = content_path(path)
        branch = branch or await self.default_branch() or "main"
        parent = self._branch_head(branch)
        files = flatten_tree(self.git.repo.object_store, self._commit(parent).tree) if parent else {}
        existing = files.get(clean)
        if existing is None:
            raise GitError(404, "Not Found")
        if sha != existing.sha.decode():
            raise GitError(409, f"{clean} does not match {sha}")
        return self._facts(self._write({}, [clean], branch, message, author, committer))

    def _facts(self, commit: Commit) -> dict[str, Any]:
        return {"commit": commit_facts(commit)}

    def _branch_head(self, branch: str) -> ObjectID | None:
        return self.git.repo.refs.as_dict().get(_ref(f"refs/heads/{branch}"))

    def _write(
        self, changes: dict[str, bytes], removals: list[str], branch: str, message: str, author: str, committer: str
    ) -> Commit:
        """Commit `changes` (path → bytes) and `removals` on top of `branch`, moving it only if it did not move."""
        repo = self.git.repo
        store = repo.object_store
        parent = self._branch_head(branch)
        entries = flatten_tree(store, self._commit(parent).tree) if parent else {}
        blobs = []
        for path, data in changes.items():
            blob = Blob.from_string(data)
            blobs.append((blob, None))
            entries[path] = IndexEntry(entries[path].mode if path in entries else FILE_MODE, blob.id)
        for path in removals:
            entries.pop(path, None)
        commit = Commit()
        commit.parents = [parent] if parent else []
        commit.author = author.encode()
        commit.committer = committer.encode()
        commit.author_time = commit.commit_time = int(time.time())
        commit.author_timezone = commit.commit_timezone = 0
        commit.message = message.encode() if message.endswith("\n") else (message + "\n").encode()

        def write() -> None:
            store.add_objects(blobs)
            commit.tree = build_tree(store, entries)
            store.add_object(commit)
            if not repo.refs.set_if_equals(_ref(f"refs/heads/{branch}"), parent or ObjectID(ZERO_SHA), commit.id):
                raise GitError(409, f"Branch {branch} moved while this commit was written; try again")

        self.storage.transaction_sync(write)
        return commit

    async def comparison(self, base: str, head: str) -> dict[str, Any]:
        """How `head` stands against `base`: their shas, the commits ahead, and whether they merge cleanly."""
        base_sha, head_sha = self._resolve(base), self._resolve(head)
        repo = self.git.repo
        ahead = [] if can_fast_forward(repo, head_sha, base_sha) else self._ahead(base_sha, head_sha)
        return {
            "base": base_sha.decode(),
            "head": head_sha.decode(),
            "ahead_by": len(ahead),
            "mergeable": not self._tree_merge(base_sha, head_sha).conflicts,
        }

    def _ahead(self, base: ObjectID | None, head: ObjectID) -> list[Commit]:
        """Commits reachable from `head` and not from `base`, newest first."""
        store = self.git.repo.object_store
        reachable = {c.id for c in log_commits(store, base)} if base else set()
        walked = log_commits(store, head, parents_of=lambda c: [p for p in c.parents if p not in reachable])
        return [commit for commit in walked if commit.id not in reachable]

    def _tree_merge(self, ours: ObjectID, theirs: ObjectID) -> Any:
        store = self.git.repo.object_store
        bases = find_merge_base(self.git.repo, [ours, theirs])
        base_tree = flatten_tree(store, self._commit(bases[0]).tree) if bases else {}
        return merge_flat_trees(
            store,
            base_tree,
            flatten_tree(store, self._commit(ours).tree),
            flatten_tree(store, self._commit(theirs).tree),
            ours_label=ours.decode()[:7],
            theirs_label=theirs.decode()[:7],
        )

    async def merge(
        self, base: str, head: str, expected_head: str | None, method: str, message: str, committer: str
    ) -> dict[str, Any]:
        """Merge branch `head` into branch `base` with gitx's three-way merge: a merge commit, or one squashed commit.

        Conflicts are never resolved: the merge is refused (405, as GitHub answers an unmergeable pull request).
        """
        base_sha, head_sha = self._resolve(base), self._resolve(head)
        if expected_head is not None and expected_head != head_sha.decode():
            raise GitError(409, "Head branch was modified. Review and try the merge again.")
        if method not in ("merge", "squash"):
            raise GitError(422, f"merge_method {method!r} is not supported by this layer: use merge or squash")
        outcome = self._tree_merge(base_sha, head_sha)
        if outcome.conflicts:
            raise GitError(405, "Pull Request is not mergeable")
        store = self.git.repo.object_store
        commit = Commit()
        commit.parents = [base_sha, head_sha] if method == "merge" else [base_sha]
        commit.author = commit.committer = committer.encode()
        commit.author_time = commit.commit_time = int(time.time())
        commit.author_timezone = commit.commit_timezone = 0
        commit.message = message.encode() + b"\n"
        ref = _ref(f"refs/heads/{base}")

        def write() -> None:
            store.add_objects([(blob, None) for blob in outcome.new_blobs])
            commit.tree = build_tree(store, outcome.entries)
            store.add_object(commit)
            if not self.git.repo.refs.set_if_equals(ref, base_sha, commit.id):
                raise GitError(409, "Base branch was modified. Review and try the merge again.")

        self.storage.transaction_sync(write)
        return {"sha": commit.id.decode(), "merged": True, "message": "Pull Request successfully merged"}

    # -- pushes -------------------------------------------------------------------------------------

    @on("Repository.pushed")
    async def report_push(self, event: Event) -> None:
        """Tell the account of each branch or tag a `git push` moved, with the commits it brought."""
        if self.ctx.name is None:
            return
        tenant, _, repository_id = self.ctx.name.rpartition("/")
        account = self.ctx.runtime.get(self.account_class, tenant)
        for update in event.data["refs"]:
            old, new = update["old"], update["new"]
            brought = self._ahead(_oid(old) if old else None, _oid(new)) if new else []
            commits = [commit_facts(commit) for commit in reversed(brought[:MAX_LISTED])]
            await account.pushed(int(repository_id), update["ref"], old, new, commits)
