"""The cluster's data folder: one shared `objects/` folder, and a folder per host for its own files.

A host runs the embedded runtime on `hosts/<host id>/`, whose `objects` is a link to the shared
`objects/`: every host opens any object's file at the same path, so a new owner finds every write of
the old one, while each host keeps its own alarm index and folder lock.

A cluster whose hosts ship every commit to object storage (`Cluster(replicate_to=...)`) shares no
folder: each host keeps its objects in its own `objects/`, and a new owner rebuilds an object from
the store.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from ..runtime.data_folder import DataFolderError

PROBE_FILE = "cluster-probe"


def host_folder(data_dir: str | os.PathLike[str], host_id: str, *, shared_objects: bool = True) -> Path:
    """Prepare and return the runtime folder of host `host_id` under the cluster's `data_dir`.

    `shared_objects` False gives the host its own `objects/` (its objects come from the change log).
    """
    root = Path(data_dir).expanduser().resolve()
    folder = root / "hosts" / host_id
    link = folder / "objects"
    if not shared_objects:
        if link.is_symlink():
            raise DataFolderError(
                f"{link} links to a shared objects folder, but this cluster ships its objects to object storage: "
                "give it another data folder (or remove the link)"
            )
        link.mkdir(parents=True, exist_ok=True)
        return folder
    shared = root / "objects"
    shared.mkdir(parents=True, exist_ok=True)
    folder.mkdir(parents=True, exist_ok=True)
    if not link.is_symlink():
        if link.exists():
            raise DataFolderError(f"{link} exists and is not the link to the shared objects folder {shared}")
        link.symlink_to(os.path.relpath(shared, folder), target_is_directory=True)
    return folder


def write_probe(data_dir: str | os.PathLike[str]) -> str:
    """Write a random token into the data folder for hosts to read back (`check_probe`)."""
    root = Path(data_dir).expanduser().resolve()
    root.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(8)
    (root / PROBE_FILE).write_text(token)
    return token


def check_probe(data_dir: str | os.PathLike[str], token: str, where: str) -> None:
    """Fail with a clear error unless this process sees the probe token: the data folder is not shared."""
    path = Path(data_dir).expanduser().resolve() / PROBE_FILE
    try:
        seen = path.read_text()
    except OSError:
        seen = None
    if seen != token:
        raise DataFolderError(
            f"The data folder {path.parent} is not shared with {where}: the probe file written at start is "
            "missing or different there. Put the data folder on a filesystem every node mounts at the same path."
        )
