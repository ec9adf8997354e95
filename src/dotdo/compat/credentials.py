"""Access keys of the compat layers: who may call which service, for which tenant.

`dotdo compat keys create --tenant acme --service s3` makes a key pair, like an AWS access key:
the id names the key, the secret signs requests. Signature schemes such as AWS SigV4 are HMACs,
so the server needs the secret itself to check a signature: it cannot keep only a hash of it, as it
can for a password. Secrets are therefore sealed at rest (Fernet: AES-128-CBC with an HMAC) with a
master key kept in its own file beside the key table, readable by its owner only; a copy of the key
table alone reveals no secret. Keys live in a small SQLite file of the data folder, so the CLI can
add or revoke keys while a server runs.
"""

from __future__ import annotations

import os
import re
import secrets
import sqlite3
import string
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..extras import require_extra

if TYPE_CHECKING:
    from cryptography.fernet import Fernet

TENANT_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
DEFAULT_TENANT = "default"
ALL_SERVICES = "*"
_KEY_ID_ALPHABET = string.ascii_uppercase + "234567"
_SECRET_ALPHABET = string.ascii_letters + string.digits + "+/"
_CACHE_SECONDS = 5.0
"""How long a looked-up key is trusted before the table is read again (a revocation's delay)."""


class CredentialsError(ValueError):
    """A tenant, service or key that cannot be used; the message says what to change."""


@dataclass(frozen=True)
class AccessKey:
    """A key: its id, its tenant, the services it may call; `secret` only when just created or looked up."""

    access_key_id: str
    tenant: str
    services: tuple[str, ...]
    created_at: float
    secret: str | None = None

    def allows(self, service: str) -> bool:
        """Whether this key may call `service`."""
        return ALL_SERVICES in self.services or service in self.services


def check_tenant(tenant: str) -> str:
    """`tenant` if it is a valid tenant name (lowercase letters, digits, dashes; 1-63 characters)."""
    if not isinstance(tenant, str) or not TENANT_PATTERN.fullmatch(tenant):
        raise CredentialsError(
            f"invalid tenant {tenant!r}: use 1-63 lowercase letters, digits and dashes, starting with a letter or digit"
        )
    return tenant


class Credentials:
    """The key table of one data folder: `Credentials(".dotdo/compat")`."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)
        self._fernet: Fernet | None = None
        self._cache: dict[str, tuple[float, AccessKey | None]] = {}

    def _connect(self) -> sqlite3.Connection:
        self.folder.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.folder / "keys.sqlite", timeout=10, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute(
            "CREATE TABLE IF NOT EXISTS access_keys (access_key_id TEXT PRIMARY KEY, sealed_secret BLOB NOT NULL, "
            "tenant TEXT NOT NULL, services TEXT NOT NULL, created_at REAL NOT NULL)"
        )
        return connection

    def _sealer(self) -> Fernet:
        if self._fernet is None:
            require_extra("compat", "Access keys of the compat layers")
            from cryptography.fernet import Fernet

            self.folder.mkdir(parents=True, exist_ok=True)
            path = self.folder / "master.key"
            try:
                descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                key = path.read_bytes().strip()
            else:
                key = Fernet.generate_key()
                with os.fdopen(descriptor, "wb") as file:
                    file.write(key)
            self._fernet = Fernet(key)
        return self._fernet

    def create(self, tenant: str = DEFAULT_TENANT, services: Iterable[str] = (ALL_SERVICES,)) -> AccessKey:
        """A new key for `tenant` and `services` (`*`: every service); its secret is shown only now."""
        check_tenant(tenant)
        chosen = tuple(sorted(set(services))) or (ALL_SERVICES,)
        for name in chosen:
            if not re.fullmatch(r"\*|[a-z0-9][a-z0-9-]{0,31}", name):
                raise CredentialsError(f"invalid service name {name!r}")
        key_id = "DOTDO" + "".join(secrets.choice(_KEY_ID_ALPHABET) for _ in range(15))
        secret = "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(40))
        created = time.time()
        sealed = self._sealer().encrypt(secret.encode())
        with self._connect() as connection:
            connection.execute(
                "INSERT INTO access_keys VALUES (?, ?, ?, ?, ?)", (key_id, sealed, tenant, ",".join(chosen), created)
            )
        return AccessKey(key_id, tenant, chosen, created, secret)

    def list(self) -> list[AccessKey]:
        """Every key, without secrets, oldest first."""
        with self._connect() as connection:
            rows = connection.execute(
                "SELECT access_key_id, tenant, services, created_at FROM access_keys ORDER BY created_at"
            ).fetchall()
        return [
            AccessKey(key_id, tenant, tuple(services.split(",")), created) for key_id, tenant, services, created in rows
        ]

    def revoke(self, access_key_id: str) -> bool:
        """Delete a key; False if there was none of that id."""
        with self._connect() as connection:
            deleted = connection.execute("DELETE FROM access_keys WHERE access_key_id = ?", (access_key_id,)).rowcount
        self._cache.pop(access_key_id, None)
        return deleted > 0

    def lookup(self, access_key_id: str) -> AccessKey | None:
        """The key with its secret, or None; answers from a cache of a few seconds."""
        cached = self._cache.get(access_key_id)
        now = time.monotonic()
        if cached is not None and now - cached[0] < _CACHE_SECONDS:
            return cached[1]
        with self._connect() as connection:
            row = connection.execute(
                "SELECT sealed_secret, tenant, services, created_at FROM access_keys WHERE access_key_id = ?",
                (access_key_id,),
            ).fetchone()
        found = None
        if row is not None:
            from cryptography.fernet import InvalidToken

            try:
                secret = self._sealer().decrypt(row[0]).decode()
            except InvalidToken:
                raise CredentialsError(
                    f"the secret of {access_key_id} cannot be unsealed: {self.folder / 'master.key'} is not the key "
                    "it was sealed with; restore that file or create a new key"
                ) from None
            found = AccessKey(access_key_id, row[1], tuple(row[2].split(",")), row[3], secret)
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[access_key_id] = (now, found)
        return found

    def default_key(self) -> AccessKey:
        """The default tenant's first key for every service, created if there is none (`dotdo compat serve`)."""
        for key in self.list():
            if key.tenant == DEFAULT_TENANT and ALL_SERVICES in key.services:
                found = self.lookup(key.access_key_id)
                if found is not None:
                    return found
        return self.create(DEFAULT_TENANT, (ALL_SERVICES,))


def client_key(data_dir: str | os.PathLike[str], access_key_id: str | None, secret: str | None) -> tuple[str, str]:
    """The key pair a layer's `client()` signs with: the one given, or the data folder's default key."""
    if access_key_id is not None and secret is not None:
        return access_key_id, secret
    key = Credentials(Path(data_dir) / "compat").default_key()
    return key.access_key_id, key.secret or ""
