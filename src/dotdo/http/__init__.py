"""The HTTP layer: `API()` routing to objects, WebSockets, body limits, auth."""

from .app import API
from .routing import FixedRouting, HostnameRouting, PathRouting

__all__ = ["API", "FixedRouting", "HostnameRouting", "PathRouting"]
