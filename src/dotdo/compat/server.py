"""The compat layers as ASGI: every asked layer on one port, or mounted under `/_compat/<name>` of an app.

    app = compat_app(["s3", "sqs"], data_dir=".dotdo")       # `dotdo compat serve s3 sqs` serves this
    api = API(Counter, compat=["s3"])                         # S3 at http://host/_compat/s3

On one port the layers tell their requests apart by their shape (SQS's `X-Amz-Target` header, GCS's
`/storage/v1/` paths); S3, whose paths are bare bucket names, answers whatever no other layer claims.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ..http.lifespan import serve_lifespan
from ..runtime.runtime import Runtime
from .credentials import Credentials
from .layer import Companion, CompatContext, Service
from .registry import service

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Receive, Scope, Send

    from ..http.app import API

MOUNT_PREFIX = "/_compat"


def _build(
    names: Iterable[str], runtime: Runtime, options: Mapping[str, Mapping[str, Any]] | None = None
) -> list[tuple[Service, ASGIApp, CompatContext]]:
    chosen = [service(name) for name in dict.fromkeys(names)]
    if not chosen:
        raise ValueError("name at least one compat layer, for example: s3")
    root = runtime.data_folder.root / "compat"
    credentials = Credentials(root)
    built = []
    for layer in sorted(chosen, key=lambda s: s.catch_all):
        for cls in layer.objects:
            runtime.register(cls)
        settings = (options or {}).get(layer.name, {})
        context = CompatContext(runtime, credentials, root / layer.name, settings)
        built.append((layer, layer.build(context), context))
    return built


class CompatApp:
    """The chosen compat layers on one ASGI app (with its own runtime's lifespan)."""

    def __init__(
        self,
        names: Iterable[str],
        *,
        data_dir: str | os.PathLike[str] = ".dotdo",
        runtime: Runtime | None = None,
        options: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        self.runtime = runtime or Runtime.shared(data_dir)
        built = _build(names, self.runtime, options)
        self.layers = [(layer, app) for layer, app, _ in built]
        self.companions: list[Companion] = [
            layer.companion(context) for layer, _, context in built if layer.companion is not None
        ]
        self.companion_addresses: list[str] = []
        """Where each companion server listens, once the app has started."""
        self.credentials = Credentials(self.runtime.data_folder.root / "compat")

    async def _start_companions(self) -> None:
        for companion in self.companions:
            self.companion_addresses.append(await companion.start())

    async def _stop_companions(self) -> None:
        for companion in self.companions:
            await companion.stop()
        self.companion_addresses.clear()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await serve_lifespan(self.runtime, receive, send, self._start_companions, self._stop_companions)
            return
        if not self.runtime.started:
            await self.runtime.start()
        for layer, app in self.layers:
            if layer.catch_all or layer.claims(scope):
                await app(scope, receive, send)
                return
        await self.layers[-1][1](scope, receive, send)


def compat_app(
    names: Iterable[str],
    *,
    data_dir: str | os.PathLike[str] = ".dotdo",
    runtime: Runtime | None = None,
    options: Mapping[str, Mapping[str, Any]] | None = None,
) -> CompatApp:
    """An ASGI app serving the compat layers `names` (e.g. `["s3"]`) on the objects of `data_dir`.

    `options` holds settings per layer, e.g. `{"s3": {"bucket_shards": 16}}`.
    """
    return CompatApp(names, data_dir=data_dir, runtime=runtime, options=options)


class CompatMount:
    """An `API` mount serving each layer under `/_compat/<name>/` on the app's own runtime."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names = list(dict.fromkeys(names))
        for name in self.names:
            service(name)
        self._apps: dict[str, ASGIApp] | None = None

    async def __call__(self, api: API, scope: Scope, receive: Receive, send: Send) -> bool:
        """Serve a request under `/_compat/<name>/`; False for any other path."""
        path: str = scope["path"]
        if not path.startswith(MOUNT_PREFIX + "/"):
            return False
        name, _, rest = path[len(MOUNT_PREFIX) + 1 :].partition("/")
        if self._apps is None:
            self._apps = {layer.name: app for layer, app, _ in _build(self.names, api.runtime)}
        app = self._apps.get(name)
        if app is None:
            return False
        prefix = f"{MOUNT_PREFIX}/{name}"
        raw_path: bytes = scope.get("raw_path") or path.encode()
        inner = dict(
            scope,
            path="/" + rest,
            root_path=scope.get("root_path", "") + prefix,
            raw_path=raw_path[len(prefix.encode()) :] or b"/",
            **{"compat.raw_path": raw_path},
        )
        await app(inner, receive, send)
        return True
