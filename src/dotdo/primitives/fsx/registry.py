"""State shared by every fsx instance over the same storage: pinned blobs, open inodes, sweeps.

Two `FileSystem`s over one object's storage (say `ctx.fs` and one built by hand) must agree on
which blobs a writer is uploading and which unlinked inodes a file object still uses.
"""

from __future__ import annotations

import weakref
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dotdo.runtime.storage import Storage


@dataclass
class SharedState:
    """What the fsx instances of one storage share."""

    pins: Counter[str] = field(default_factory=Counter)
    open_inodes: Counter[int] = field(default_factory=Counter)
    swept: bool = False


_states: weakref.WeakKeyDictionary[Storage, SharedState] = weakref.WeakKeyDictionary()


def shared_state(storage: Storage) -> SharedState:
    """The shared state of `storage` (created on first use)."""
    state = _states.get(storage)
    if state is None:
        state = _states[storage] = SharedState()
    return state
