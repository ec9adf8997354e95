"""State shared by every fsx instance over the same storage: pinned blobs, open inodes, sweeps.

Two `FileSystem`s over one object's storage (say `ctx.fs` and one built by hand) must agree on
which blobs a writer is uploading and which unlinked inodes a file object still uses. The lock
serializes callers on other threads (pyarrow reads files from its own thread pool through the
fsspec adapter while the object's turn waits for it).
"""

from __future__ import annotations

import threading
import weakref
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dotdo.runtime.object_storage import ObjectStorage


@dataclass
class SharedState:
    """What the fsx instances of one storage share."""

    pins: Counter[str] = field(default_factory=Counter)
    open_inodes: Counter[int] = field(default_factory=Counter)
    swept: bool = False
    lock: threading.RLock = field(default_factory=threading.RLock)


_states: weakref.WeakKeyDictionary[ObjectStorage, SharedState] = weakref.WeakKeyDictionary()


def shared_state(storage: ObjectStorage) -> SharedState:
    """The shared state of `storage` (created on first use)."""
    state = _states.get(storage)
    if state is None:
        # The storage's own thread lock, which its close() also takes: no connection is closed
        # under a thread that is still using it.
        state = _states[storage] = SharedState(lock=storage.thread_lock)
    return state
