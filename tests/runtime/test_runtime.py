"""`Runtime.shared`: one runtime per data folder in a process."""

from pathlib import Path

import pytest

from dotdo import Runtime


async def test_shared_returns_the_runtime_this_process_has_for_a_folder(tmp_path: Path) -> None:
    first = Runtime.shared(tmp_path / "d")
    assert Runtime.shared(tmp_path / "d") is first
    assert Runtime.shared(str(tmp_path / "x" / ".." / "d")) is first
    assert Runtime.shared(tmp_path / "other") is not first
    async with first:
        assert Runtime.shared(tmp_path / "d") is first
    reopened = Runtime.shared(tmp_path / "d")
    assert reopened is not first and not reopened.closed


async def test_a_runtime_created_directly_is_the_one_shared(tmp_path: Path) -> None:
    async with Runtime(tmp_path, durability="power") as rt:
        assert Runtime.shared(tmp_path) is rt
        assert Runtime.shared(tmp_path, durability="power") is rt
        with pytest.raises(ValueError, match="durability 'power'"):
            Runtime.shared(tmp_path, durability="process")


async def test_acquire_and_release_close_with_the_last_user(tmp_path: Path) -> None:
    rt = Runtime.shared(tmp_path)
    await rt.acquire()
    await rt.acquire()
    await rt.release()
    assert rt.started and not rt.closed
    await rt.release()
    assert rt.closed


async def test_the_runtime_holding_a_folder_is_the_one_shared(tmp_path: Path) -> None:
    created_first = Runtime(tmp_path)
    async with Runtime(tmp_path) as holder:
        assert Runtime.shared(tmp_path) is holder is not created_first
