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


def test_a_host_of_a_cluster_shipping_to_object_storage_keeps_its_objects_to_itself(tmp_path: Path) -> None:
    first = host_folder(tmp_path, "host-0", shared_objects=False)
    second = host_folder(tmp_path, "host-1", shared_objects=False)
    (first / "objects" / "Counter").mkdir()
    assert not (second / "objects" / "Counter").exists()
    assert not (tmp_path / "objects").exists()
    host_folder(tmp_path, "host-2")  # a folder once used with a shared objects folder is refused
    with pytest.raises(DataFolderError, match="links to a shared objects folder"):
        host_folder(tmp_path, "host-2", shared_objects=False)
