"""Read a package tarball into the files npm would extract, refusing any path outside the package.

npm tarballs hold one top folder (``package/`` by convention, any name in practice) that becomes
the package's folder. Regular files and folders are kept; links, devices and other entry types
are dropped as npm's extractor drops them. A path that is absolute or climbs out with ``..`` makes
the whole tarball an error, before anything is written. Modes follow npm: files are 0644, or
0755 when any execute bit is set; folders 0755.
"""

from __future__ import annotations

import gzip
import io
import posixpath
import tarfile
import zlib
from dataclasses import dataclass

from dotdo.primitives.npmx.errors import NpmTarballError

MAX_UNPACKED_BYTES = 1024 * 1024 * 1024
"""A tarball that unpacks to more than this is refused (a decompression bomb, not a package)."""


@dataclass(frozen=True)
class PackageFile:
    """One file of a package: its path inside the package folder, its bytes and mode."""

    path: str
    data: bytes
    mode: int


def read_tarball(data: bytes, *, what: str) -> list[PackageFile]:
    """The files of a package tarball, paths relative to the package folder; ``NpmTarballError`` if unsafe."""
    try:
        raw = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
    except (OSError, EOFError, zlib.error) as exc:
        raise NpmTarballError(f"{what}: not a gzip tarball ({exc})") from None
    if len(raw) > MAX_UNPACKED_BYTES:
        raise NpmTarballError(f"{what}: unpacks to more than {MAX_UNPACKED_BYTES} bytes; refused")
    files: dict[str, PackageFile] = {}
    try:
        with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as archive:
            for member in archive:
                relative = _inside_package(member.name, what)
                if relative is None or not member.isfile():
                    continue
                handle = archive.extractfile(member)
                payload = handle.read() if handle is not None else b""
                mode = 0o755 if member.mode & 0o111 else 0o644
                files[relative] = PackageFile(relative, payload, mode)
    except tarfile.TarError as exc:
        raise NpmTarballError(f"{what}: not a readable tarball ({exc})") from None
    if "package.json" not in files:
        raise NpmTarballError(f"{what}: the tarball has no package.json in its top folder")
    return list(files.values())


def _inside_package(name: str, what: str) -> str | None:
    """``name`` without its top folder, or None for the top folder itself; refuses escaping paths."""
    if name.startswith("/") or name.startswith("\\") or (len(name) > 1 and name[1] == ":"):
        raise NpmTarballError(f"{what}: the tarball holds an absolute path {name!r}; refused, nothing was written")
    parts = [part for part in name.replace("\\", "/").split("/") if part not in ("", ".")]
    if ".." in parts:
        raise NpmTarballError(
            f"{what}: the tarball holds a path outside its package {name!r}; refused, nothing was written"
        )
    if len(parts) < 2:
        return None
    relative = posixpath.join(*parts[1:])
    return relative
