"""How much work one pack may cause: the limits that keep a pushed (or fetched) pack from exhausting a host.

A pack is a few bytes that can claim gigabytes: a zlib stream of zeros, or a chain of deltas each
doubling the one before. Every limit is checked against the sizes a pack declares, before the
bytes are allocated, and again while inflating (a pack that lies about a size is refused too).
"""

from __future__ import annotations

from dataclasses import dataclass

MiB = 1024 * 1024
GiB = 1024 * MiB


@dataclass(frozen=True, slots=True)
class GitLimits:
    """Limits on one incoming pack; `API(..., git_limits=GitLimits(...))` or `Git(..., limits=...)` sets them.

    - `max_object_size`: the largest object (or delta) a pack may inflate to. git starts treating
      files as big at `core.bigFileThreshold` (512 MiB); the default here is 100 MiB, the largest
      file the big git hosts accept.
    - `max_pack_expansion`: the bytes all objects and deltas of one pack may inflate to together.
    - `max_delta_depth`: the longest chain of deltas (git's `pack.depth` default is 50).
    - `max_input_size`: the largest pack accepted, in bytes (git's `receive.maxInputSize`); it also
      bounds what `fetch` and `clone` download. Over HTTP the app's `max_body_size` applies as well.
    """

    max_object_size: int = 100 * MiB
    max_pack_expansion: int = 1 * GiB
    max_delta_depth: int = 50
    max_input_size: int = 1 * GiB

    def __post_init__(self) -> None:
        for name in ("max_object_size", "max_pack_expansion", "max_delta_depth", "max_input_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"GitLimits.{name} must be a positive integer, not {value!r}")


DEFAULT_LIMITS = GitLimits()
