"""Flat views of git trees ({path: entry}) and building trees back from them, in one write."""

from __future__ import annotations

import stat
from typing import TYPE_CHECKING

from dulwich.objects import Tree

from .index import IndexEntry
from .worktree_files import check_worktree_path

if TYPE_CHECKING:
    from dulwich.object_store import BaseObjectStore
    from dulwich.objects import ShaFile


def flatten_tree(store: BaseObjectStore, tree_sha: bytes | None) -> dict[str, IndexEntry]:
    """Every file of a tree, recursively, by relative path."""
    found: dict[str, IndexEntry] = {}
    if tree_sha is None:
        return found
    stack: list[tuple[str, bytes]] = [("", tree_sha)]
    while stack:
        prefix, sha = stack.pop()
        tree = store[sha]
        if not isinstance(tree, Tree):
            raise TypeError(f"{sha.decode()} is a {tree.type_name.decode()}, not a tree")
        for entry in tree.iteritems():
            path = prefix + entry.path.decode("utf-8", "surrogateescape")
            if stat.S_ISDIR(entry.mode):
                stack.append((path + "/", entry.sha))
            else:
                found[path] = IndexEntry(entry.mode, entry.sha)
    return found


def build_tree(store: BaseObjectStore, entries: dict[str, IndexEntry]) -> bytes:
    """Write the trees holding `entries` (blobs must exist) and return the root tree's sha."""
    root: dict[str, object] = {}
    for path, entry in entries.items():
        parts = check_worktree_path(path).split("/")
        node = root
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise ValueError(f"{path!r} needs {part!r} to be a folder, but it is a file")
            node = child
        if isinstance(node.get(parts[-1]), dict):
            raise ValueError(f"{path!r} is a file, but other paths use it as a folder")
        node[parts[-1]] = entry
    written: list[tuple[ShaFile, None]] = []

    def write(node: dict[str, object]) -> bytes:
        tree = Tree()
        for name, child in node.items():
            if isinstance(child, dict):
                tree.add(name.encode("utf-8", "surrogateescape"), stat.S_IFDIR, write(child))
            else:
                assert isinstance(child, IndexEntry)
                tree.add(name.encode("utf-8", "surrogateescape"), child.mode, child.sha)
        written.append((tree, None))
        return tree.id

    sha = write(root)
    store.add_objects(written)
    return sha
