"""The warm sandbox pool: removing a sandbox tree stays inside that tree."""


def test_removing_a_sandbox_tree_never_changes_its_parent(tmp_path) -> None:
    from dotdo.primitives.pyx.pool import _remove_tree

    parent = tmp_path / "parent"
    parent.mkdir(mode=0o755)
    parent.chmod(0o1777)
    _remove_tree(str(parent / "already-gone"))
    assert parent.stat().st_mode & 0o7777 == 0o1777
