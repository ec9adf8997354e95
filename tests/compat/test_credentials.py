"""Access keys: created per tenant and service, sealed at rest, looked up, revoked, bad input refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from dotdo.compat import Credentials, CredentialsError


def test_a_created_key_is_found_with_its_secret_and_scope(tmp_path: Path) -> None:
    keys = Credentials(tmp_path)
    created = keys.create("acme", ["s3"])
    assert created.secret is not None and len(created.secret) == 40
    found = Credentials(tmp_path).lookup(created.access_key_id)
    assert found is not None
    assert (found.secret, found.tenant) == (created.secret, "acme")
    assert found.allows("s3") and not found.allows("sqs")
    assert [k.access_key_id for k in keys.list()] == [created.access_key_id]
    assert keys.list()[0].secret is None


def test_secrets_are_not_readable_from_the_key_table(tmp_path: Path) -> None:
    created = Credentials(tmp_path).create("acme")
    assert created.secret is not None
    assert created.secret.encode() not in (tmp_path / "keys.sqlite").read_bytes()
    assert (tmp_path / "master.key").stat().st_mode & 0o077 == 0


def test_revoked_keys_are_gone(tmp_path: Path) -> None:
    keys = Credentials(tmp_path)
    created = keys.create("acme")
    assert keys.revoke(created.access_key_id)
    assert keys.lookup(created.access_key_id) is None
    assert not keys.revoke(created.access_key_id)


def test_a_different_master_key_cannot_unseal(tmp_path: Path) -> None:
    created = Credentials(tmp_path).create("acme")
    (tmp_path / "master.key").write_bytes(b"rWsVOUZb7DYzO0l-ctOXoP8QG2y8aCtVyqhHZL8ejJk=")
    with pytest.raises(CredentialsError, match=r"master\.key"):
        Credentials(tmp_path).lookup(created.access_key_id)


@pytest.mark.parametrize("tenant", ["", "Acme", "../etc", "a" * 64, "acme/x", "-acme"])
def test_invalid_tenants_are_refused(tmp_path: Path, tenant: str) -> None:
    with pytest.raises(CredentialsError, match="invalid tenant"):
        Credentials(tmp_path).create(tenant)
