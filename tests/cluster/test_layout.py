"""The cluster's data folder: host folders see the shared objects; an unshared folder is detected."""

from pathlib import Path

import pytest

from dotdo.cluster.layout import check_probe, host_folder, write_probe
from dotdo.runtime.data_folder import DataFolderError


def test_every_host_folder_sees_the_same_objects(tmp_path: Path) -> None:
    first = host_folder(tmp_path, "host-0")
    second = host_folder(tmp_path, "host-1")
    (first / "objects" / "Counter").mkdir()
    assert (second / "objects" / "Counter").is_dir()
    assert (tmp_path / "objects" / "Counter").is_dir()
    assert host_folder(tmp_path, "host-0") == first


def test_a_data_folder_a_host_does_not_share_is_detected(tmp_path: Path) -> None:
    token = write_probe(tmp_path / "data-folder")
    check_probe(tmp_path / "data-folder", token, "host-0")
    with pytest.raises(DataFolderError, match="is not shared with host-1 on node-b"):
        check_probe(tmp_path / "local-disk-of-node-b", token, "host-1 on node-b")
