"""Compat layers: wire-compatible servers for popular services' APIs, on dotdo objects.

A user keeps the service's official SDK and changes only its endpoint:

    dotdo compat keys create --tenant acme --service s3
    dotdo compat serve s3 --port 9000
    s3 = boto3.client("s3", endpoint_url="http://127.0.0.1:9000", aws_access_key_id=..., ...)

`compat_app(["s3"])` is the ASGI app `dotdo compat serve` runs; `API(Counter, compat=["s3"])`
serves the layers under `/_compat/<name>` of an app. `services()` lists the layers.
"""

from __future__ import annotations

import importlib
from typing import Any

from .credentials import AccessKey, Credentials, CredentialsError
from .registry import UnknownServiceError, names, service
from .server import CompatApp, CompatMount, compat_app
from .service import CompatContext, Service


def services() -> list[Service]:
    """Every compat layer (each loaded on this call)."""
    return [service(name) for name in names()]


def __getattr__(name: str) -> Any:
    # `dotdo.compat.s3.client()`: a layer's package is imported when it is first named.
    if name in names():
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def mounted(*layers: str) -> CompatMount:
    """The layers `layers` as a mount of an `API` app, under `/_compat/<name>`."""
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
