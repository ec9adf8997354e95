"""The embedded data folder: one SQLite file per object, sharded by class and id prefix."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import DotdoError


class DataFolderError(DotdoError):
    """The data folder cannot be created or written."""


class DataFolder:
    """Layout: `objects/<namespace>/<id[:2]>/<id>.sqlite` and the runtime's own `runtime.sqlite`."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).expanduser().resolve()
        self._objects = f"{self.root}{os.sep}objects{os.sep}"

    def prepare(self) -> None:
        """Create the folder and check that it is writable, with an error that says what to do."""
        try:
            (self.root / "objects").mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DataFolderError(
                f"Cannot create the data folder {self.root}: {exc.strerror}. "
                "Choose another with --data-dir or DOTDO_DATA_DIR."
            ) from None
        if not os.access(self.root, os.W_OK | os.X_OK) or not os.access(self.root / "objects", os.W_OK):
            raise DataFolderError(
                f"The data folder {self.root} is not writable. "
                "Fix its permissions or choose another with --data-dir or DOTDO_DATA_DIR."
            )

    def object_path(self, namespace: str, hex_id: str) -> Path:
        """The SQLite file of one object."""
        # One Path built from one string: joining part by part costs more than the file's creation.
        return Path(f"{self._objects}{namespace}{os.sep}{hex_id[:2]}{os.sep}{hex_id}.sqlite")

    @property
    def index_path(self) -> Path:
        """The runtime's own database (the alarm index)."""
        return self.root / "runtime.sqlite"
