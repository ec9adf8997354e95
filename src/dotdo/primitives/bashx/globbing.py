"""Pathname expansion (globs) against the object's filesystem."""

from __future__ import annotations

import posixpath
import stat
from typing import Any

from dotdo.primitives.bashx.pattern import compile_pattern, has_glob

Pieces = list[tuple[str, bool]]


def split_components(pieces: Pieces) -> list[Pieces]:
    """Split pattern pieces on ``/`` into one piece list per path component."""
    components: list[Pieces] = [[]]
    for text, active in pieces:
        chunks = text.split("/")
        for i, chunk in enumerate(chunks):
            if i:
                components.append([])
            if chunk:
                components[-1].append((chunk, active))
    return components


def is_globstar(comp: Pieces) -> bool:
    """Whether a path component is an unquoted ``**`` alone."""
    return len(comp) >= 1 and all(active for _, active in comp) and "".join(t for t, _ in comp) == "**"


def without_repeated_globstars(components: list[Pieces]) -> tuple[list[Pieces], set[int]]:
    """``**/**`` matches what ``**`` matches: keep one of each run; also the indexes kept for a run."""
    out: list[Pieces] = []
    runs: set[int] = set()
    for comp in components:
        if out and is_globstar(comp) and is_globstar(out[-1]):
            runs.add(len(out) - 1)
            continue
        out.append(comp)
    return out, runs


def glob(fs: Any, cwd: str, pieces: Pieces, *, globstar: bool = False, dotglob: bool = False) -> list[str]:
    """Sorted matches of a pattern, relative patterns relative to ``cwd``; [] when none match.

    With ``globstar`` a ``**`` component matches any depth of directories (and, last, every file
    below); with ``dotglob`` names starting with ``.`` match without a leading ``.`` in the pattern.
    """
    components = split_components(pieces)
    absolute = bool(components and not components[0] and len(components) > 1)
    if absolute:
        components = components[1:]
    runs: set[int] = set()
    if globstar:
        components, runs = without_repeated_globstars(components)
    results: list[str] = ["/" if absolute else ""]
    globbed = False  # bash names a directory a pattern matched without the slash a literal one gets
    for index, comp in enumerate(components):
        last = index == len(components) - 1
        if not comp:
            if last:
                results = [r if r.endswith("/") else r + "/" for r in results if r and _is_dir(fs, cwd, r)]
            continue
        text = "".join(t for t, _ in comp)
        nxt: list[str] = []
        if globstar and is_globstar(comp):
            globbed = globbed or index in runs
            for base in results:
                # before a final "/" a link to a directory counts: the slash follows it
                files = last or (index == len(components) - 2 and not components[-1])
                below = _tree(fs, cwd, base, dotglob=dotglob, files=files)
                itself = [base if globbed else _join(base, "")] if base else []
                nxt.extend((itself if last else [base]) + below)
            results = nxt
            globbed = True
            continue
        if not has_glob(comp):
            for base in results:
                candidate = _join(base, text)
                if _lexists(fs, cwd, candidate):
                    nxt.append(candidate)
            results = nxt
            continue
        regex = compile_pattern(tuple(comp))
        globbed = True
        dot_ok = text.startswith(".") or dotglob
        for base in results:
            try:
                names = fs.listdir(_absolute(cwd, base or "."))
            except (OSError, ValueError):
                continue
            for name in names:
                if (name.startswith(".") and not dot_ok) or (name in (".", "..") and not text.startswith(".")):
                    continue
                if regex.fullmatch(name):
                    nxt.append(_join(base, name))
        results = nxt
        if not last:
            results = [r for r in results if _is_dir(fs, cwd, r)]
    return sorted(results, key=_collate_key)


def _tree(fs: Any, cwd: str, base: str, *, dotglob: bool, files: bool) -> list[str]:
    """Every directory below ``base`` (and every file, with ``files``), depth first, never
    through a symbolic link; hidden names only with ``dotglob``."""
    out: list[str] = []
    try:
        names = sorted(fs.listdir(_absolute(cwd, base or ".")))
    except (OSError, ValueError):
        return out
    for name in names:
        if name.startswith(".") and not dotglob:
            continue
        path = _join(base, name)
        try:
            mode = fs.lstat(_absolute(cwd, path)).st_mode
        except (OSError, ValueError):
            continue
        if stat.S_ISDIR(mode):
            out.append(path)
            out.extend(_tree(fs, cwd, path, dotglob=dotglob, files=files))
        elif files:
            out.append(path)
    return out


def _collate_key(path: str) -> tuple[str, str]:
    # bash sorts with the locale's collation; for C.UTF-8 that is plain code-point order.
    return (path, path)


def _join(base: str, name: str) -> str:
    if not base:
        return name
    return base + name if base.endswith("/") else base + "/" + name


def _absolute(cwd: str, path: str) -> str:
    return posixpath.normpath(posixpath.join(cwd, path))


def _lexists(fs: Any, cwd: str, path: str) -> bool:
    try:
        fs.lstat(_absolute(cwd, path))
        return True
    except (OSError, ValueError):
        return False


def _is_dir(fs: Any, cwd: str, path: str) -> bool:
    try:
        return bool(fs.is_dir(_absolute(cwd, path or ".")))
    except (OSError, ValueError):
        return False
