"""pyiceberg's `FileIO` on obstore: Iceberg data, manifests and metadata go through the same
`WarehouseStore` as the tiers' own files. The catalog property `py-io-impl` names `ObstoreFileIO`."""

from __future__ import annotations

from collections.abc import Mapping

from pyiceberg.io import FileIO, InputFile, InputStream, OutputFile, OutputStream

from .object_store import WarehouseStore


class _StoredFile:
    """What pyiceberg's input and output files both ask of a stored file: its size and whether it exists."""

    location: str

    def __init__(self, location: str, files: WarehouseStore) -> None:
        super().__init__(location)  # pyiceberg's InputFile or OutputFile, next in the MRO
        self._files = files

    def __len__(self) -> int:
        size = self._files.size(self.location)
        if size is None:
            raise FileNotFoundError(self.location)
        return size

    def exists(self) -> bool:
        return self._files.size(self.location) is not None


class ObstoreInputFile(_StoredFile, InputFile):
    """A file pyiceberg reads through obstore."""

    def open(self, seekable: bool = True) -> InputStream:
        return self._files.reader(self.location)


class ObstoreOutputFile(_StoredFile, OutputFile):
    """A file pyiceberg writes through obstore: written whole or not at all."""

    def to_input_file(self) -> ObstoreInputFile:
        return ObstoreInputFile(self.location, self._files)

    def create(self, overwrite: bool = False) -> OutputStream:
        if not overwrite and self.exists():
            raise FileExistsError(f"Cannot create {self.location}: it exists")
        return self._files.writer(self.location)


class ObstoreFileIO(FileIO):
    """pyiceberg's FileIO on obstore (the catalog property `py-io-impl` names it)."""

    def __init__(self, properties: Mapping[str, str] | None = None) -> None:
        super().__init__(properties=dict(properties or {}))
        self.files = WarehouseStore(self.properties)

    def new_input(self, location: str) -> ObstoreInputFile:
        return ObstoreInputFile(location, self.files)

    def new_output(self, location: str) -> ObstoreOutputFile:
        return ObstoreOutputFile(location, self.files)

    def delete(self, location: str | InputFile | OutputFile) -> None:
        self.files.delete(location if isinstance(location, str) else location.location)
