"""The synchronous core: the whole API, Python's own errors with real errno, quota, hostile input."""

from __future__ import annotations

import errno
import stat

import pytest

from dotdo.primitives.fsx import FileSystem, SyncFileSystem
from dotdo.runtime.storage import Storage


def test_write_and_read_bytes_text_and_json(fs: SyncFileSystem) -> None:
    assert fs.write("/b.bin", b"\x00\x01") == 2
    fs.write("/t.txt", "héllo")
    fs.write("/d.json", {"n": [1, 2.5, None, True]})

    assert fs.read("/b.bin") == b"\x00\x01"
    assert fs.read_text("/t.txt") == "héllo"
    assert fs.read_json("/d.json") == {"n": [1, 2.5, None, True]}


def test_write_overwrites_appends_and_refuses_when_exclusive(fs: SyncFileSystem) -> None:
    fs.write("/f", "one")
    fs.write("/f", "two")
    fs.write("/f", "+more", append=True)
    assert fs.read_text("/f") == "two+more"

    with pytest.raises(FileExistsError):
        fs.write("/f", "x", exclusive=True)
    with pytest.raises(FileExistsError):
        fs.write("/f", "x", exist_ok=False)
    assert fs.read_text("/f") == "two+more"


def test_write_rejects_values_that_are_not_json(fs: SyncFileSystem) -> None:
    with pytest.raises(TypeError, match="JSON-compatible"):
        fs.write("/x", object())
    assert not fs.exists("/x")


def test_stat_reports_kind_size_links_and_times(fs: SyncFileSystem) -> None:
    fs.mkdir("/d")
    fs.write("/d/f", b"12345", mode=0o600)
    fs.utime("/d/f", (1000.0, 2000.5))

    st = fs.stat("/d/f")
    assert stat.S_ISREG(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o600
    assert (st.st_size, st.st_nlink, st.st_mtime, st.st_atime) == (5, 1, 2000.5, 1000.0)
    assert st.st_mtime_ns == 2_000_500_000_000
    assert stat.S_ISDIR(fs.stat("/d").st_mode)
    assert fs.stat("/d").st_nlink == 2
    assert fs.stat("/").st_nlink == 3
    assert st.st_ino != fs.stat("/d").st_ino


def test_listdir_scandir_and_walk(fs: SyncFileSystem) -> None:
    fs.mkdir("/p/q", parents=True)
    for name in ["z", "a", "m"]:
        fs.write(f"/p/{name}", name)
    fs.symlink("q", "/p/lq")

    assert fs.listdir("/p") == ["a", "lq", "m", "q", "z"]
    entries = {e.name: (e.is_dir(), e.is_file(), e.is_symlink(), e.path) for e in fs.scandir("/p")}
    assert entries["q"] == (True, False, False, "/p/q")
    assert entries["lq"] == (True, False, True, "/p/lq")
    assert entries["a"] == (False, True, False, "/p/a")
    assert list(fs.walk("/p")) == [("/p", ["lq", "q"], ["a", "m", "z"]), ("/p/q", [], [])]
    assert [top for top, _, _ in fs.walk("/p", topdown=False)] == ["/p/q", "/p"]


def test_mkdir_parents_and_exist_ok(fs: SyncFileSystem) -> None:
    with pytest.raises(FileNotFoundError):
        fs.mkdir("/x/y")
    fs.mkdir("/x/y", parents=True)
    with pytest.raises(FileExistsError):
        fs.mkdir("/x/y")
    fs.mkdir("/x/y", exist_ok=True)
    fs.write("/x/file", b"")
    with pytest.raises(FileExistsError):
        fs.mkdir("/x/file", exist_ok=True)
    assert stat.S_IMODE(fs.stat("/x/y").st_mode) == 0o755


def test_errors_carry_the_real_errno(fs: SyncFileSystem) -> None:
    fs.mkdir("/dir")
    fs.write("/dir/f", b"x")
    fs.write("/file", b"x")
    cases = [
        (lambda: fs.read("/missing"), FileNotFoundError, errno.ENOENT),
        (lambda: fs.read("/dir"), IsADirectoryError, errno.EISDIR),
        (lambda: fs.write("/dir", b""), IsADirectoryError, errno.EISDIR),
        (lambda: fs.listdir("/file"), NotADirectoryError, errno.ENOTDIR),
        (lambda: fs.read("/file/x"), NotADirectoryError, errno.ENOTDIR),
        (lambda: fs.read("/file/"), NotADirectoryError, errno.ENOTDIR),
        (lambda: fs.rmdir("/dir"), OSError, errno.ENOTEMPTY),
        (lambda: fs.rmdir("/file"), NotADirectoryError, errno.ENOTDIR),
        (lambda: fs.unlink("/dir"), IsADirectoryError, errno.EISDIR),
        (lambda: fs.rename("/dir", "/dir/sub"), OSError, errno.EINVAL),
        (lambda: fs.rename("/dir", "/file"), NotADirectoryError, errno.ENOTDIR),
        (lambda: fs.rename("/file", "/dir"), IsADirectoryError, errno.EISDIR),
        (lambda: fs.link("/dir", "/dl"), PermissionError, errno.EPERM),
        (lambda: fs.readlink("/file"), OSError, errno.EINVAL),
        (lambda: fs.rm("/dir"), IsADirectoryError, errno.EISDIR),
        (lambda: fs.rmdir("/"), OSError, errno.EBUSY),
        (lambda: fs.truncate("/file", -1), OSError, errno.EINVAL),
    ]
    for action, kind, code in cases:
        with pytest.raises(kind) as caught:
            action()
        assert caught.value.errno == code, f"{action} gave {caught.value!r}"


def test_symlink_loops_give_eloop(fs: SyncFileSystem) -> None:
    fs.symlink("/b", "/a")
    fs.symlink("/a", "/b")
    with pytest.raises(OSError) as caught:
        fs.read("/a")
    assert caught.value.errno == errno.ELOOP
    assert not fs.exists("/a")
    assert fs.is_symlink("/a")


def test_paths_never_escape_the_root(fs: SyncFileSystem) -> None:
    fs.mkdir("/etc")
    fs.write("/etc/passwd", "inside")
    assert fs.read_text("../../etc/passwd") == "inside"
    assert fs.read_text("/etc/../../../etc/./passwd") == "inside"
    fs.symlink("../../../../etc", "/up")
    assert fs.read_text("/up/passwd") == "inside"
    assert fs.realpath("/up/passwd") == "/etc/passwd"


def test_hostile_names_are_refused_and_lose_nothing(fs: SyncFileSystem) -> None:
    fs.write("/keep", "safe")
    with pytest.raises(OSError) as nul:
        fs.write("/bad\0name", "x")
    assert nul.value.errno == errno.EINVAL
    with pytest.raises(OSError) as long_name:
        fs.write("/" + "n" * 256, "x")
    assert long_name.value.errno == errno.ENAMETOOLONG
    with pytest.raises(OSError) as long_path:
        fs.write("/" + "/".join(["d" * 200] * 21), "x")
    assert long_path.value.errno == errno.ENAMETOOLONG
    with pytest.raises(TypeError, match="path"):
        fs.read(42)  # type: ignore[arg-type]
    fs.write("/'; DROP TABLE fsx_inodes; --", "sql is data")
    assert fs.read_text("/'; DROP TABLE fsx_inodes; --") == "sql is data"
    assert fs.listdir("/") == ["'; DROP TABLE fsx_inodes; --", "keep"]


def test_hard_links_share_contents_and_count(fs: SyncFileSystem) -> None:
    fs.write("/f", "one")
    fs.link("/f", "/g")
    assert fs.stat("/f").st_nlink == 2 and fs.stat("/f").st_ino == fs.stat("/g").st_ino
    fs.write("/g", "two")
    assert fs.read_text("/f") == "two"
    fs.unlink("/f")
    assert fs.read_text("/g") == "two" and fs.stat("/g").st_nlink == 1


def test_symlinks_readlink_lstat_and_realpath(fs: SyncFileSystem) -> None:
    fs.mkdir("/real/inner", parents=True)
    fs.write("/real/inner/f", "x")
    fs.symlink("real/inner", "/short")
    fs.symlink("/nowhere", "/dangling")

    assert fs.readlink("/short") == "real/inner"
    assert fs.read_text("/short/f") == "x"
    assert stat.S_ISLNK(fs.lstat("/short").st_mode) and fs.lstat("/short").st_size == len("real/inner")
    assert stat.S_ISDIR(fs.stat("/short").st_mode)
    assert fs.realpath("/short/f") == "/real/inner/f"
    assert not fs.exists("/dangling") and fs.is_symlink("/dangling")
    fs.write("/dangling", "created through the link")
    assert fs.read_text("/nowhere") == "created through the link"


def test_rm_recursive_unlink_missing_ok_and_du(fs: SyncFileSystem) -> None:
    fs.mkdir("/t/u", parents=True)
    fs.write("/t/a", b"x" * 10)
    fs.write("/t/u/b", b"y" * 5)
    fs.link("/t/a", "/t/u/a-again")
    assert fs.du("/t") == 15
    assert fs.du("/t/a") == 10
    fs.rm("/t", recursive=True)
    assert fs.listdir("/") == []
    assert fs.du("/") == 0
    fs.unlink("/nothing", missing_ok=True)
    fs.rm("/nothing", missing_ok=True)
    with pytest.raises(FileNotFoundError):
        fs.unlink("/nothing")


def test_truncate_chmod_and_utime(fs: SyncFileSystem) -> None:
    fs.write("/f", b"abcdef")
    fs.truncate("/f", 3)
    assert fs.read("/f") == b"abc"
    fs.truncate("/f", 5)
    assert fs.read("/f") == b"abc\0\0"
    fs.chmod("/f", 0o400)
    assert stat.S_IMODE(fs.stat("/f").st_mode) == 0o400 and stat.S_ISREG(fs.stat("/f").st_mode)
    fs.utime("/f", ns=(5, 7))
    assert (fs.stat("/f").st_atime_ns, fs.stat("/f").st_mtime_ns) == (5, 7)


def test_quota_gives_enospc_and_keeps_the_old_contents(storage: Storage) -> None:
    fs = FileSystem(storage, quota_bytes=100).sync
    fs.write("/a", b"x" * 60)
    with pytest.raises(OSError) as caught:
        fs.write("/b", b"y" * 50)
    assert caught.value.errno == errno.ENOSPC
    assert not fs.exists("/b")
    fs.write("/a", b"z" * 10, append=True)
    with pytest.raises(OSError) as again:
        fs.write("/a", b"z" * 41, append=True)
    assert again.value.errno == errno.ENOSPC
    assert fs.read("/a") == b"x" * 60 + b"z" * 10
    fs.write("/a", b"w" * 100)
    assert fs.usage()["used_bytes"] == 100
    fs.unlink("/a")
    fs.write("/b", b"y" * 90)
    assert fs.usage()["used_bytes"] == 90


def test_state_survives_reopening_the_storage(storage: Storage) -> None:
    fs = FileSystem(storage).sync
    fs.mkdir("/persist")
    fs.write("/persist/x", "kept")
    path = storage.path
    storage.close()

    again = Storage(path)
    try:
        assert FileSystem(again).sync.read_text("/persist/x") == "kept"
    finally:
        again.close()


def test_bad_configuration_is_refused(storage: Storage) -> None:
    with pytest.raises(ValueError, match="quota_bytes"):
        FileSystem(storage, quota_bytes=-1)
    with pytest.raises(ValueError, match="warm_threshold"):
        FileSystem(storage, warm_threshold=-5)
    with pytest.raises(ValueError, match="cold_after"):
        FileSystem(storage, cold_after=-1)


# -- hostile paths and trees: clear errors, nothing outside the object's root, no deep recursion ---

HOSTILE_PATHS = [
    (b"/bytes-\xff", errno.EILSEQ),
    ("/surrogate-\udcff", errno.EILSEQ),
    ("/nul\0byte", errno.EINVAL),
    ("/" + "n" * 256, errno.ENAMETOOLONG),
    ("/d" * 2049, errno.ENAMETOOLONG),
]


@pytest.mark.parametrize(("path", "code"), HOSTILE_PATHS)
def test_hostile_names_get_an_errno_from_every_call(fs: SyncFileSystem, path: str | bytes, code: int) -> None:
    fs.write("/ok", b"x")
    calls = [
        lambda: fs.write(path, b"x"),
        lambda: fs.read(path),
        lambda: fs.mkdir(path, parents=True),
        lambda: fs.open(path, "wb"),
        lambda: fs.symlink(path, "/link"),
        lambda: fs.symlink("/ok", path),
        lambda: fs.rename("/ok", path),
        lambda: fs.copy("/ok", path),
        lambda: fs.link("/ok", path),
        lambda: fs.glob("*", root=path),
    ]
    for call in calls:
        with pytest.raises(OSError) as caught:
            call()
        assert caught.value.errno == code
    assert fs.listdir("/") == ["ok"], "nothing was created"


def test_dotdot_never_leaves_the_root(fs: SyncFileSystem) -> None:
    fs.mkdir("/etc")
    fs.write("../../etc/passwd", b"object's own")
    fs.symlink("../../../../etc", "/a-link")
    assert fs.read("/etc/passwd") == fs.read("/a-link/passwd") == b"object's own"
    assert fs.realpath("/a-link/../../..") == "/"
    assert fs.listdir("/..") == fs.listdir("/")


DEPTH = 1500  # past Python's recursion limit (1000); a path of 4096 bytes can name 2048 levels


def test_trees_deeper_than_the_recursion_limit_work_everywhere(fs: SyncFileSystem) -> None:
    deep = "/d" * DEPTH
    fs.mkdir(deep, parents=True)
    fs.write(deep + "/leaf.txt", b"bottom")
    assert fs.glob("**/leaf.txt") == [deep + "/leaf.txt"]
    assert fs.glob("d/" + "*/" * (DEPTH - 1) + "*.txt") == [deep + "/leaf.txt"]
    assert sum(1 for _ in fs.walk("/")) == DEPTH + 1
    assert next(top for top, _, _ in fs.walk("/", topdown=False)) == deep
    assert fs.copy("/d", "/copy") == "/copy"
    assert fs.read("/copy" + "/d" * (DEPTH - 1) + "/leaf.txt") == b"bottom"
    fs.rm("/d", recursive=True)
    fs.rm("/copy", recursive=True)
    assert fs.listdir("/") == [] and fs.usage()["used_bytes"] == 0
    assert fs.storage.sql.exec("SELECT count(*) AS n FROM fsx_inodes").one()["n"] == 1
