"""Reading package tarballs: the package folder's files and modes; escaping paths refused."""

from __future__ import annotations

import io
import tarfile

import pytest

from dotdo.primitives.npmx import NpmTarballError
from dotdo.primitives.npmx.tarballs import read_tarball
from tests.primitives.npmx.local_registry import pack


def test_files_are_relative_to_the_package_folder_with_npms_modes() -> None:
    files = read_tarball(
        pack({"name": "x", "version": "1.0.0"}, {"bin/cli.sh": "#!/bin/sh\n", "lib/a.js": "1"}), what="x"
    )
    assert {f.path: f.mode for f in files} == {"package.json": 0o644, "bin/cli.sh": 0o755, "lib/a.js": 0o644}


@pytest.mark.parametrize("name", ["../x.js", "package/../../x.js", "/abs.js", "C:/windows.js"])
def test_escaping_paths_are_refused(name: str) -> None:
    data = pack({"name": "x", "version": "1.0.0"}, {name: "owned"}, raw=True)
    with pytest.raises(NpmTarballError, match="refused"):
        read_tarball(data, what="x@1.0.0")


def test_garbage_is_refused() -> None:
    with pytest.raises(NpmTarballError, match="not a gzip tarball"):
        read_tarball(b"\x1f\x8bnot really gzip", what="x")
    with pytest.raises(NpmTarballError, match=r"not a readable tarball|no package\.json"):
        read_tarball(b"plain bytes, no archive at all" * 30, what="x")


def test_a_tarball_without_package_json_is_refused() -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        info = tarfile.TarInfo("package/index.js")
        info.size = 1
        archive.addfile(info, io.BytesIO(b"1"))
    with pytest.raises(NpmTarballError, match=r"no package\.json"):
        read_tarball(buffer.getvalue(), what="x")
