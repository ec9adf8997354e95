"""Compat layers: wire-compatible servers for popular services' APIs, on dotdo objects.

A user keeps the service's official SDK and changes only its endpoint:

    dotdo compat keys create --tenant acme --service s3
    dotdo compat serve s3 sqs gcs --port 9000
    s3 = boto3.client("s3", endpoint_url="http://127.0.0.1:9000", aws_access_key_id=..., ...)

`compat_app(["s3"])` is the ASGI app `dotdo compat serve` runs; `API(Counter, compat=["s3"])`
serves the layers under `/_compat/<name>` of an app; `services()` lists the layers and
`dotdo.compat.s3.client()` (or `sqs`, `gcs`) gives the official SDK's client pointed at dotdo.
Names are imported on first use, so the CLI starts without loading the layers.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .registry import UnknownServiceError, names, service

if TYPE_CHECKING:
    from .credentials import AccessKey, Credentials, CredentialsError
    from .layer import CompatContext, Service
    from .server import CompatApp, CompatMount, compat_app

_LAZY = {
    "AccessKey": "credentials",
    "Credentials": "credentials",
    "CredentialsError": "credentials",
    "CompatApp": "server",
    "CompatMount": "server",
    "compat_app": "server",
    "CompatContext": "layer",
    "Service": "layer",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    if name in names():
        # `dotdo.compat.s3.client()`: a layer's package is imported when it is first named.
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def services() -> list[Service]:
    """Every compat layer (each loaded on this call)."""
    return [service(name) for name in names()]


def mounted(*layers: str) -> CompatMount:
    """The layers `layers` as a mount of an `API` app, under `/_compat/<name>`."""
    from .server import CompatMount

    return CompatMount(layers)


__all__ = [
    "AccessKey",
    "CompatApp",
    "CompatContext",
    "CompatMount",
    "Credentials",
    "CredentialsError",
    "Service",
    "UnknownServiceError",
    "compat_app",
    "mounted",
    "names",
    "service",
    "services",
]
