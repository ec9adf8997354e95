"""``.npmrc``: the registry to use (per scope) and the credentials for it, as npm reads them."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

DEFAULT_REGISTRY = "https://registry.npmjs.org/"
_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass
class NpmConfig:
    """The settings npmx uses from ``.npmrc`` (``registry=``, ``@scope:registry=``, ``//host/:_authToken=``)."""

    registry: str = DEFAULT_REGISTRY
    scopes: dict[str, str] = field(default_factory=dict)
    credentials: dict[str, dict[str, str]] = field(default_factory=dict)
    """Per "nerf-darted" URL (``//host:port/path/``): ``_authToken``, ``_auth``, ``username``, ``_password``."""

    def registry_for(self, name: str) -> str:
        """The registry URL (ending in ``/``) that serves package ``name``."""
        if name.startswith("@"):
            scope = name.split("/", 1)[0]
            if scope in self.scopes:
                return _slash(self.scopes[scope])
        return _slash(self.registry)

    def headers_for(self, url: str) -> dict[str, str]:
        """The ``Authorization`` header for ``url``: the credentials of the longest matching registry path."""
        parts = urlsplit(url)
        key = f"//{parts.netloc}{parts.path}"
        best = ""
        for prefix in self.credentials:
            if key.startswith(prefix) and len(prefix) > len(best):
                best = prefix
        if not best:
            return {}
        creds = self.credentials[best]
        if "_authToken" in creds:
            return {"authorization": f"Bearer {creds['_authToken']}"}
        if "_auth" in creds:
            return {"authorization": f"Basic {creds['_auth']}"}
        if "username" in creds and "_password" in creds:
            password = base64.b64decode(creds["_password"]).decode()
            pair = base64.b64encode(f"{creds['username']}:{password}".encode()).decode()
            return {"authorization": f"Basic {pair}"}
        return {}


def parse_npmrc(text: str, environ: dict[str, str] | None = None, base: NpmConfig | None = None) -> NpmConfig:
    """Read ``.npmrc`` text over ``base``; ``${VAR}`` is replaced from ``environ`` as npm does."""
    config = base or NpmConfig()
    env = environ or {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")) or "=" not in line:
            continue
        key, _, value = line.partition("=")
        key, value = key.strip(), _ENV.sub(lambda m: env.get(m.group(1), ""), value.strip().strip('"'))
        if key == "registry":
            config.registry = _slash(value)
        elif key.startswith("@") and key.endswith(":registry"):
            config.scopes[key[: -len(":registry")]] = _slash(value)
        elif key.startswith("//") and ":" in key:
            prefix, _, setting = key.rpartition(":")
            config.credentials.setdefault(_slash(prefix), {})[setting] = value
    return config


def _slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"
