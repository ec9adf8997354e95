"""Ceph's s3-tests (vendored in `s3tests/`, MIT) against `dotdo compat serve s3`, with a table of exclusions.

A session fixture starts the server on a free port, creates the suite's users as access keys of
three tenants (main, alt, tenant) and points `S3TEST_CONF` at a configuration naming them, before
the suite's own fixtures read it. `EXCLUDED` lists what is not run and why: whole features this
layer does not implement (by the suite's own markers) and single tests, each with its reason.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from dotdo.compat import Credentials
from tests.compat.conftest import start_server, stop_server
from tests.conftest import free_port

from .exclusions import EXCLUDED_MARKERS, EXCLUDED_TESTS

CONFIG = """[DEFAULT]
host = 127.0.0.1
port = {port}
is_secure = False
ssl_verify = False

[fixtures]
bucket prefix = s3t-{{random}}-

[s3 main]
display_name = dotdo
user_id = dotdo
email = main@example.com
api_name = default
access_key = {main.access_key_id}
secret_key = {main.secret}

[s3 alt]
display_name = dotdo
user_id = dotdo
email = alt@example.com
access_key = {alt.access_key_id}
secret_key = {alt.secret}

[s3 tenant]
display_name = dotdo
user_id = dotdo
email = tenant@example.com
tenant = tenant
access_key = {tenant.access_key_id}
secret_key = {tenant.secret}

[iam]
display_name = dotdo
user_id = dotdo
email = main@example.com
access_key = {main.access_key_id}
secret_key = {main.secret}

[iam root]
user_id = dotdo
email = main@example.com
access_key = {main.access_key_id}
secret_key = {main.secret}

[iam alt root]
user_id = dotdo
email = alt@example.com
access_key = {alt.access_key_id}
secret_key = {alt.secret}
"""


def _prepare() -> tuple[Path, int]:
    # The suite reads its configuration while it is imported (to build parametrized cases), so the
    # file, the keys and the port exist before collection; the server starts with the session.
    folder = Path(tempfile.mkdtemp(prefix="s3-tests-"))
    keys = Credentials(folder / "data" / "compat")
    port = free_port()
    config = folder / "s3tests.conf"
    config.write_text(
        CONFIG.format(
            port=port,
            main=keys.create("main", ["s3"]),
            alt=keys.create("alt", ["s3"]),
            tenant=keys.create("tenant", ["s3"]),
        )
    )
    os.environ["S3TEST_CONF"] = str(config)
    return folder, port


FOLDER, PORT = _prepare()


def pytest_configure(config: pytest.Config) -> None:
    """Register the suite's own markers."""
    for marker in (
        *EXCLUDED_MARKERS,
        "auth_aws2",
        "auth_aws4",
        "auth_common",
        "checksum",
        "conditional_write",
        "copy",
        "delete_marker",
        "fails_on_dbstore",
        "fails_on_dho",
        "fails_on_mod_proxy_fcgi",
        "fails_on_rgw",
        "fails_on_s3",
        "fails_with_subdomain",
        "fails_without_logging_rollover",
        "list_objects_v2",
        "target_by_bucket",
        "versioning",
    ):
        config.addinivalue_line("markers", f"{marker}: a marker of Ceph's s3-tests")


@pytest.fixture(scope="session", autouse=True)
def s3_tests_server() -> Iterator[None]:
    """`dotdo compat serve s3` where the suite's configuration points."""
    server = start_server(FOLDER / "data", ["s3"], port=PORT)
    yield
    stop_server(server)
    shutil.rmtree(FOLDER, ignore_errors=True)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out the features and tests listed in `exclusions.py` (each with its reason)."""
    kept, dropped = [], []
    for item in items:
        if "conformance" not in str(item.path):
            kept.append(item)
            continue
        markers = {m.name for m in item.iter_markers()}
        if markers & EXCLUDED_MARKERS.keys() or item.name in EXCLUDED_TESTS:
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
