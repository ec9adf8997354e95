"""The data folder lock: at most one process runs a runtime on a data folder.

The lock is `flock` on `runtime.lock` in the folder, so the kernel releases it when its holder dies
(even of `kill -9`); the file holds the holder's pid so the error can name it. A file left by a
dead process is simply taken over: its lock died with it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

from .data_folder import DataFolderError

LOCK_FILE = "runtime.lock"


class DataFolderInUseError(DataFolderError):
    """Another runtime (in this process or another) holds the data folder."""


class FolderLock:
    """The lock of one data folder, held from `acquire()` to `release()`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.path = root / LOCK_FILE
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        """Whether this lock holds the folder now."""
        return self._fd is not None

    def acquire(self) -> None:
        """Take the folder; `DataFolderInUseError` naming the holder's pid if another runtime has it."""
        if self._fd is not None:
            return
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise DataFolderError(f"Cannot create the lock file {self.path}: {exc.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_pid(fd)
            os.close(fd)
            raise DataFolderInUseError(in_use_message(self.root, holder)) from None
        except OSError as exc:
            os.close(fd)
            raise DataFolderError(f"Cannot lock the data folder {self.root}: {exc.strerror}") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        """Give the folder up (idempotent)."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def check(self) -> None:
        """Raise `DataFolderInUseError` now if another runtime holds the folder (takes nothing)."""
        self.acquire()
        self.release()


def in_use_message(root: Path, holder: int | None) -> str:
    """What to tell a user whose runtime cannot have the folder `root`, held by pid `holder`."""
    if holder == os.getpid():
        return (
            f"The data folder {root} is already used by another Runtime in this process (pid {holder}). "
            "Share that runtime: API() apps naming one data folder share it by themselves; from code, "
            "use Runtime.shared(data_dir) or pass runtime= to API()."
        )
    if holder is not None and _alive(holder):
        return (
            f"The data folder {root} is in use by process {holder} (another `dotdo dev` or Runtime). "
            "Stop that process, or choose another data folder with --data-dir or DOTDO_DATA_DIR."
        )
    who = f"process {holder}, which is no longer running" if holder is not None else "another process"
    return (
        f"The data folder {root} is locked by {who}; a process it started may still hold the lock. "
        "Stop it, or choose another data folder with --data-dir or DOTDO_DATA_DIR."
    )


def _read_pid(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode("ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return int(text) if text.isdigit() else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
