"""The commits `git log` lists, in the order it lists them.

git's default walk keeps a queue ordered by committer time, newest first; a commit's parents join
it in parent order, each after every queued commit of the same or a later time. Commits made in
the same second therefore keep the order they were reached in: a child always comes before its
parents, whatever their shas (dulwich's walker breaks such ties by sha).

With a path, git simplifies history: a commit is listed when it changes the path against its
parent (a root commit, when it has the path; a merge, when it differs from every parent), and a
merge that matches one of its parents there is followed through that parent only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from dulwich.object_store import BaseObjectStore, tree_lookup_path
from dulwich.objects import Commit


def log_commits(
    store: BaseObjectStore,
    start: bytes,
    *,
    path: bytes | None = None,
    limit: int | None = None,
    parents_of: Callable[[Commit], list[bytes]] = lambda commit: commit.parents,
) -> Iterator[Commit]:
    """Commits reachable from `start` in `git log` order; `path` and `limit` as `git log -n N -- path`."""
    queue: list[Commit] = [_commit(store, start)]
    seen = {start}
    listed = 0
    while queue and (limit is None or listed < limit):
        commit = queue.pop(0)
        parents = parents_of(commit)
        show = True
        if path is not None:
            own = _entry(store, commit.tree, path)
            differing = [sha for sha in parents if _entry(store, _commit(store, sha).tree, path) != own]
            same = [sha for sha in parents if sha not in differing]
            show = own is not None if not parents else not same
            if same:
                parents = same[:1]
        for sha in parents:
            if sha not in seen:
                seen.add(sha)
                _insert_by_time(queue, _commit(store, sha))
        if show:
            listed += 1
            yield commit


def _insert_by_time(queue: list[Commit], commit: Commit) -> None:
    position = 0
    while position < len(queue) and queue[position].commit_time >= commit.commit_time:
        position += 1
    queue.insert(position, commit)


def _commit(store: BaseObjectStore, sha: bytes) -> Commit:
    commit = store[sha]
    assert isinstance(commit, Commit)
    return commit


def _entry(store: BaseObjectStore, tree: bytes, path: bytes) -> tuple[int, bytes] | None:
    try:
        return tree_lookup_path(store.__getitem__, tree, path)
    except KeyError:
        return None
