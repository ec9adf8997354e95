"""What an object keeps through its primitives and graph: its files (fsx), its git history, its things.

Files and git history are read inside one of the object's events through its own `ctx.fs` and
`ctx.git` (only when their tables exist: looking never creates them). Things and relationships are
read from their tables and laid out as a graph the page draws as SVG, without JavaScript.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from .object_reader import ObjectReader

FS_TABLE = "fsx_inodes"
GIT_TABLE = "_gitx_refs"
MAX_FILES = 500
PREVIEW_BYTES = 4096
MAX_COMMITS = 20
MAX_NODES = 40
GRAPH_SIZE = 360


@dataclass
class Contents:
    """Files (path, size), one file's preview, commits and branches, and the drawn graph."""

    files: list[dict[str, Any]] | None = None
    preview: dict[str, Any] | None = None
    commits: list[dict[str, Any]] | None = None
    branches: list[str] | None = None
    graph: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)


def stored_kinds(reader: ObjectReader) -> tuple[bool, bool]:
    """Whether the object has files (fsx) and a git repository, from its tables."""
    found = reader.table_names()
    return FS_TABLE in found, GIT_TABLE in found


async def read_files_and_history(obj: Any, has_files: bool, has_git: bool, preview: str | None) -> Contents:
    """Run as an event of `obj`: its file listing (and one file's first bytes), its log and branches."""
    contents = Contents()
    ctx = getattr(obj, "ctx", None)
    if ctx is None:
        return contents
    if has_files:
        fs = ctx.fs
        paths = await fs.glob("**/*")
        listing = []
        for path in paths[:MAX_FILES]:
            status = await fs.lstat(path)
            listing.append({"path": path, "size": status.st_size, "dir": await fs.is_dir(path)})
        contents.files = listing
        if len(paths) > MAX_FILES:
            contents.notes.append(f"showing {MAX_FILES} of {len(paths)} paths")
        if preview is not None:
            if preview not in paths or await fs.is_dir(preview):
                raise LookupError(f"No file {preview!r} in this object")
            data = await fs.read(preview)
            contents.preview = {
                "path": preview,
                "text": data[:PREVIEW_BYTES].decode("utf-8", errors="replace"),
                "cut": len(data) > PREVIEW_BYTES,
            }
    if has_git and ctx.git.repo.initialized:
        try:
            commits = await ctx.git.log(MAX_COMMITS)
        except KeyError:  # a repository with no commit yet
            commits = []
        contents.commits = [
            {
                "sha": c.sha[:10],
                "message": c.message.strip().splitlines()[0] if c.message.strip() else "",
                "author": c.author,
                "time": c.time.isoformat(timespec="seconds"),
            }
            for c in commits
        ]
        contents.branches = await ctx.git.branch()
    return contents


def graph_of(reader: ObjectReader) -> dict[str, Any] | None:
    """Things and relationships placed on a circle, for the page to draw (None without a graph)."""
    found = reader.table_names()
    if "things" not in found or "relationships" not in found:
        return None
    things = reader.query(f"SELECT id, type, name FROM things WHERE deleted_at IS NULL LIMIT {MAX_NODES}").rows
    if not things:
        return None
    ids = [row[0] for row in things]
    placeholders = ", ".join("?" for _ in ids)
    among = f"from_id IN ({placeholders}) AND to_id IN ({placeholders})"
    edges = reader.query(f"SELECT from_id, type, to_id FROM relationships WHERE {among}", (*ids, *ids)).rows
    centre, radius = GRAPH_SIZE / 2, GRAPH_SIZE / 2 - 60
    nodes = {}
    for index, (thing_id, kind, name) in enumerate(things):
        angle = 2 * math.pi * index / len(things) - math.pi / 2
        nodes[thing_id] = {
            "x": round(centre + radius * math.cos(angle), 1),
            "y": round(centre + radius * math.sin(angle), 1),
            "label": f"{name or thing_id[:8]} ({kind})",
        }
    lines = [{"from": nodes[a], "to": nodes[b], "type": kind} for a, kind, b in edges if a in nodes and b in nodes]
    return {"size": GRAPH_SIZE, "nodes": list(nodes.values()), "edges": lines}
