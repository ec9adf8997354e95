"""Optional dependencies: which extra provides which modules, and the one check that names it.

The core installs light; fsx, bashx, gitx, the storage tiers and granian come with extras
(`pip install 'dotdo[fs]'`). A layer that needs an extra calls `require_extra(name, feature)`
before importing its modules, so a missing package fails with the command that installs it rather
than a bare `ModuleNotFoundError`. This module imports nothing from dotdo: every layer may use it.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass


@dataclass(frozen=True)
class Extra:
    """One `pip install 'dotdo[NAME]'` extra: the modules it provides and the extras it includes."""

    modules: tuple[str, ...]
    includes: tuple[str, ...] = ()
    enables: str = ""


# Mirrors [project.optional-dependencies] in pyproject.toml (a test keeps the two in step).
EXTRAS: dict[str, Extra] = {
    "fs": Extra(("obstore", "fsspec"), enables="ctx.fs (fsx), the blob store, the dotdo:// fsspec protocol"),
    "bash": Extra(("tree_sitter", "tree_sitter_bash", "jq"), ("fs",), "ctx.bash (bashx) on fsx"),
    "git": Extra(("dulwich",), ("fs",), "ctx.git (gitx), clone and push over smart HTTP"),
    "py": Extra(("uv",), ("bash",), "ctx.py (pyx) in bashx's sandbox, ctx.pip (uv builds the environments)"),
    "npm": Extra(("nodesemver",), ("bash",), "ctx.npm (npmx): npm installs into the object's files"),
    "tiers": Extra(
        ("pyiceberg", "pyarrow", "duckdb", "obstore"), enables="Runtime(warehouse=...), rt.query, dotdo query"
    ),
    "clickhouse": Extra(("chdb", "clickhouse_connect"), ("tiers",), 'rt.query(..., engine="clickhouse")'),
    "serve": Extra(("granian",), enables="serving with granian"),
    "cluster": Extra(("ray",), enables="dotdo serve, dotdo.cluster.Cluster: objects on several host processes"),
    "compat": Extra(
        (
            "cryptography",
            "google_crc32c",
            "boto3",
            "jsonschema",
            "numpy",
            "usearch",
            "meilisearch",
            "qdrant_client",
            "typesense",
            "algoliasearch",
            "pinecone",
            "elasticsearch",
            "psutil",
            "weaviate",
            "grpc",
        ),
        ("fs", "git"),
        "dotdo compat serve: storage, queue, search, vector and SaaS layers",
    ),
    "test": Extra(
        ("pytest", "pytest_asyncio"), enables="running the tests `dotdo init` writes (the pytest plugin's fixtures)"
    ),
}


class MissingExtraError(ModuleNotFoundError):
    """A feature's optional dependencies are not installed; the message says which extra to install."""

    def __init__(self, feature: str, extra: str, module: str) -> None:
        super().__init__(
            f"{feature} needs the '{extra}' extra (module {module!r} is not installed): pip install 'dotdo[{extra}]'",
            name=module,
        )
        self.feature = feature
        self.extra = extra


def modules_of(extra: str) -> tuple[str, ...]:
    """Every module `extra` provides, including those of the extras it includes."""
    spec = EXTRAS[extra]
    included = tuple(module for name in spec.includes for module in modules_of(name))
    return included + spec.modules


def require_extra(extra: str, feature: str) -> None:
    """Raise `MissingExtraError` naming `extra` unless all its modules (and its includes') import.

    `feature` is what the user reached for (`"ctx.git (gitx)"`), so the message says why.
    """
    if extra not in EXTRAS:
        raise ValueError(f"Unknown extra {extra!r}; known: {', '.join(sorted(EXTRAS))}")
    for module in modules_of(extra):
        if importlib.util.find_spec(module) is None:
            raise MissingExtraError(feature, extra, module)
