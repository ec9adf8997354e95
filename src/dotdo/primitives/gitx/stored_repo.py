"""A dulwich repository assembled from the SQLite object store, refs and named files of one object.

dulwich's server handlers, client and merge code work on this object unchanged; nothing of it is a
file on disk. Named files (config, description, shallow) are rows of `_gitx_files`.
"""

from __future__ import annotations

from io import BytesIO
from typing import TYPE_CHECKING, BinaryIO

from dulwich.config import ConfigFile, StackedConfig
from dulwich.repo import BaseRepo

from dotdo.runtime.lazy_table import LazyTable

from .limits import DEFAULT_LIMITS, GitLimits
from .object_store import BlobTier, StoredObjectStore
from .refs import RefListener, StoredRefsContainer

if TYPE_CHECKING:
    from dotdo.runtime.object_storage import ObjectStorage

FILES_TABLE = "_gitx_files"


class StoredRepo(BaseRepo):
    """A bare git repository living entirely in an object's storage."""

    def __init__(
        self,
        storage: ObjectStorage,
        *,
        blob_tier: BlobTier | None = None,
        threshold: int | None = None,
        listener: RefListener | None = None,
        limits: GitLimits = DEFAULT_LIMITS,
    ) -> None:
        store = (
            StoredObjectStore(storage, blob_tier=blob_tier, limits=limits)
            if threshold is None
            else StoredObjectStore(storage, blob_tier=blob_tier, threshold=threshold, limits=limits)
        )
        super().__init__(store, StoredRefsContainer(storage, listener=listener))
        self.storage = storage
        self.bare = True
        self._lazy_table = LazyTable(
            storage,
            FILES_TABLE,
            f"CREATE TABLE IF NOT EXISTS {FILES_TABLE} (name TEXT PRIMARY KEY, data BLOB NOT NULL) WITHOUT ROWID",
        )

    def _files(self) -> None:
        self._lazy_table.ensure()

    @property
    def initialized(self) -> bool:
        """Whether `init` (or a clone) has created HEAD."""
        return self.refs.read_loose_ref(b"HEAD") is not None

    def initialize(self, default_branch: bytes = b"main") -> None:
        """Create HEAD (pointing at an unborn branch), config and description."""
        config = ConfigFile()
        config.set((b"core",), b"repositoryformatversion", b"0")
        config.set((b"core",), b"bare", False)
        config.set((b"init",), b"defaultBranch", default_branch)
        self.storage.transaction_sync(lambda: self._initialize(config, default_branch))

    def _initialize(self, config: ConfigFile, default_branch: bytes) -> None:
        self.refs.set_symbolic_ref(b"HEAD", b"refs/heads/" + default_branch)
        self.save_config(config)
        self._put_named_file("description", b"Unnamed repository")

    def _determine_file_mode(self) -> bool:
        return True

    def get_named_file(self, path: str, basedir: str | None = None) -> BinaryIO | None:
        """A named repository file (config, shallow, ...) as a readable file, or None."""
        self._files()
        row = next(self.storage.sql.exec(f"SELECT data FROM {FILES_TABLE} WHERE name = ?", path).raw(), None)
        return None if row is None else BytesIO(bytes(row[0]))

    def _put_named_file(self, path: str, contents: bytes) -> None:
        self.put_named_file(path, contents)

    def _del_named_file(self, path: str) -> None:
        self.del_named_file(path)

    def put_named_file(self, path: str, contents: bytes) -> None:
        """Write a named repository file (MERGE_HEAD, MERGE_MSG, ...); dulwich's protected hook calls it too."""
        self._files()
        self.storage.sql.exec(
            f"INSERT INTO {FILES_TABLE} (name, data) VALUES (?, ?) "
            "ON CONFLICT(name) DO UPDATE SET data = excluded.data",
            path,
            contents,
        )

    def del_named_file(self, path: str) -> None:
        """Remove a named repository file, if there."""
        self._files()
        self.storage.sql.exec(f"DELETE FROM {FILES_TABLE} WHERE name = ?", path)

    def get_config(self) -> ConfigFile:
        """The repository's config (remotes, branches), read from storage."""
        file = self.get_named_file("config")
        return ConfigFile() if file is None else ConfigFile.from_file(file)

    def get_config_stack(self) -> StackedConfig:
        """Only the repository's own config: the host's ~/.gitconfig never leaks in."""
        return StackedConfig([self.get_config()])

    def save_config(self, config: ConfigFile) -> None:
        """Store a changed config."""
        out = BytesIO()
        config.write_to_file(out)
        self._put_named_file("config", out.getvalue())

    def get_description(self) -> bytes | None:
        """The repository description."""
        file = self.get_named_file("description")
        return None if file is None else file.read()

    def set_description(self, description: bytes) -> None:
        """Change the repository description."""
        self._put_named_file("description", description)
