"""Fixtures for npmx: one verdaccio registry per test session with the fixture packages, and
fresh object filesystems with npm over them (each test its own tarball cache)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dotdo.primitives.bashx import Bash
from dotdo.primitives.blob_store import BlobStore
from dotdo.primitives.fsx import FileSystem
from dotdo.primitives.npmx import Npm, TarballCache
from dotdo.runtime.storage import Storage
from tests.primitives.npmx.fixtures import publish_fixtures
from tests.primitives.npmx.local_registry import LocalRegistry, local_registry


@pytest.fixture(scope="session")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalRegistry]:
    """A real npm registry (verdaccio) on 127.0.0.1 holding the fixture packages."""
    with local_registry(tmp_path_factory.mktemp("verdaccio")) as running:
        publish_fixtures(running)
        yield running


@pytest.fixture
def cache(tmp_path: Path) -> TarballCache:
    """An empty tarball cache of this test's own."""
    return TarballCache(BlobStore(tmp_path / "tarballs"))


@pytest.fixture
def fs(tmp_path: Path) -> FileSystem:
    """An empty object filesystem."""
    return FileSystem(Storage(tmp_path / "object.sqlite"))


@pytest.fixture
def npm(fs: FileSystem, cache: TarballCache, registry: LocalRegistry) -> Npm:
    """npm over ``fs`` against the fixture registry."""
    return Npm(fs, cache=cache, registry=registry.url, bash=Bash(fs))
