"""The HTTP layer: `API()` routing to objects, WebSockets, body limits, auth."""

from . import git_mount as git_mount  # registers the <object>/repo.git mount
from .app import API
from .routing import FixedRouting, HostnameRouting, PathRouting

__all__ = ["API", "FixedRouting", "HostnameRouting", "PathRouting"]
