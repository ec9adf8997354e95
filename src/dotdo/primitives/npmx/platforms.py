"""The ``os`` and ``cpu`` of this machine in Node's names, and whether a package's fields allow them."""

from __future__ import annotations

import platform
from typing import Any

NODE_PLATFORM = {"linux": "linux", "darwin": "darwin", "windows": "win32"}.get(platform.system().lower(), "linux")
NODE_ARCH = {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64", "arm64": "arm64"}.get(
    platform.machine().lower(), "x64"
)


def platform_ok(manifest: dict[str, Any]) -> bool:
    """Whether a version's ``os`` and ``cpu`` lists (``["linux"]``, ``["!win32"]``) allow this machine."""
    for key, actual in (("os", NODE_PLATFORM), ("cpu", NODE_ARCH)):
        wanted = manifest.get(key)
        if not isinstance(wanted, list) or not wanted:
            continue
        allowed = [w for w in wanted if not w.startswith("!")]
        denied = [w[1:] for w in wanted if w.startswith("!")]
        if actual in denied or (allowed and actual not in allowed):
            return False
    return True
