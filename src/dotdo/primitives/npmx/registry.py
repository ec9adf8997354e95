"""The npm registry over HTTP: packuments and tarballs, concurrent with a bound, with ``.npmrc`` auth.

Packuments are fetched in npm's abbreviated form (``application/vnd.npm.install-v1+json``), once
per name per install; tarballs come from the blob-store cache when their integrity is known,
otherwise from the registry, checked against that integrity before they are cached or used.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import httpx

from dotdo.primitives.npmx.errors import NpmRegistryError, NpmResolveError
from dotdo.primitives.npmx.integrity import check, from_shasum, sri
from dotdo.primitives.npmx.npmrc import NpmConfig
from dotdo.primitives.npmx.tarball_cache import TarballCache

ABBREVIATED = "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*"
DEFAULT_CONCURRENCY = 16


class Registry:
    """Fetches from the registries an ``NpmConfig`` names; use as ``async with Registry(config) as r``."""

    def __init__(
        self,
        config: NpmConfig,
        *,
        cache: TarballCache | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        transport: httpx.AsyncBaseTransport | None = None,
        on_download: Callable[[str, int], None] | None = None,
    ) -> None:
        if concurrency < 1:
            raise ValueError(f"concurrency is at least 1, not {concurrency}")
        self.config = config
        self.cache = cache if cache is not None else TarballCache()
        self._limit = asyncio.Semaphore(concurrency)
        self._client = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(60.0, connect=15.0),
            follow_redirects=True,
            limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
        )
        self._packuments: dict[str, asyncio.Task[dict[str, Any]]] = {}
        self.on_download = on_download
        self.downloaded = 0
        """Tarballs fetched from the network by this client (the rest came from the cache)."""

    async def __aenter__(self) -> Registry:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        await self._client.aclose()

    def packument(self, name: str) -> asyncio.Task[dict[str, Any]]:
        """The packument of ``name`` (fetched once per client; concurrent askers share the request)."""
        task = self._packuments.get(name)
        if task is None:
            task = self._packuments[name] = asyncio.ensure_future(self._fetch_packument(name))
        return task

    async def _fetch_packument(self, name: str) -> dict[str, Any]:
        registry = self.config.registry_for(name)
        url = registry + quote(name, safe="@")
        async with self._limit:
            try:
                response = await self._client.get(url, headers={"accept": ABBREVIATED, **self.config.headers_for(url)})
            except httpx.HTTPError as exc:
                raise NpmRegistryError(f"cannot reach the registry {registry} for {name}: {exc}") from None
        if response.status_code == 404:
            raise NpmResolveError(f"{name} is not in the registry {registry} (404): check the name")
        if response.status_code in (401, 403):
            raise NpmRegistryError(
                f"the registry {registry} refused {name} ({response.status_code}): put a token in .npmrc as "
                f"//{url.split('//', 1)[1].split('/', 1)[0]}/:_authToken=..."
            )
        if response.status_code != 200:
            raise NpmRegistryError(f"the registry {registry} answered {response.status_code} for {name}")
        try:
            document = response.json()
        except ValueError:
            raise NpmRegistryError(f"the registry {registry} returned something that is not JSON for {name}") from None
        if not isinstance(document, dict) or not isinstance(document.get("versions"), dict):
            raise NpmRegistryError(f"the registry {registry} returned something that is not a packument for {name}")
        for version, manifest in document["versions"].items():
            if not isinstance(manifest, dict) or not isinstance(manifest.get("dist"), dict):
                raise NpmRegistryError(f"the registry's packument of {name} has a broken entry for {version}")
        document.setdefault("name", name)
        return document

    async def tarball(self, name: str, version: str, url: str, integrity: str | None) -> tuple[bytes, str]:
        """The tarball of ``name@version`` and its integrity; the cache first, then ``url``, checked."""
        what = f"{name}@{version}"
        if integrity:
            cached = self.cache.get(integrity)
            if cached is not None:
                return cached, integrity
        async with self._limit:
            try:
                response = await self._client.get(url, headers=self.config.headers_for(url))
            except httpx.HTTPError as exc:
                raise NpmRegistryError(f"cannot download {what} from {url}: {exc}") from None
        if response.status_code != 200:
            raise NpmRegistryError(f"downloading {what} from {url} answered {response.status_code}")
        data = response.content
        if integrity:
            check(data, integrity, what=what)
        else:
            integrity = sri(data)
        self.cache.put(integrity, data)
        self.downloaded += 1
        if self.on_download is not None:
            self.on_download(what, len(data))
        return data, integrity


def integrity_of(manifest: dict[str, Any]) -> str | None:
    """The integrity a version's ``dist`` promises (its SRI, or its old sha1 ``shasum``)."""
    dist = manifest.get("dist") or {}
    if dist.get("integrity"):
        return str(dist["integrity"])
    if dist.get("shasum"):
        return from_shasum(str(dist["shasum"]))
    return None
