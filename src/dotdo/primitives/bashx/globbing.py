"""Pathname expansion (globs) against the object's filesystem."""

from __future__ import annotations

import posixpath
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


def glob(fs: Any, cwd: str, pieces: Pieces) -> list[str]:
    """Sorted matches of a pattern, relative patterns relative to ``cwd``; [] when none match."""
    components = split_components(pieces)
    absolute = bool(components and not components[0] and len(components) > 1)
    if absolute:
        components = components[1:]
    results: list[str] = ["/" if absolute else ""]
    for index, comp in enumerate(components):
        last = index == len(components) - 1
        if not comp:
            if last:
                results = [r + "/" if r and not r.endswith("/") else r for r in results if _is_dir(fs, cwd, r)]
            continue
        text = "".join(t for t, _ in comp)
        nxt: list[str] = []
        if not has_glob(comp):
            for base in results:
                candidate = _join(base, text)
                if _lexists(fs, cwd, candidate):
                    nxt.append(candidate)
            results = nxt
            continue
        regex = compile_pattern(tuple(comp))
        dot_ok = text.startswith(".")
        for base in results:
            try:
                names = fs.listdir(_absolute(cwd, base or "."))
            except (OSError, ValueError):
                continue
            for name in names:
                if name.startswith(".") and not dot_ok:
                    continue
                if regex.fullmatch(name):
                    nxt.append(_join(base, name))
        results = nxt
        if not last:
            results = [r for r in results if _is_dir(fs, cwd, r)]
    return sorted(results, key=_collate_key)


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
