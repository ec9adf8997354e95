"""stripe-python's own tests (vendored in `upstream/`, MIT) against `dotdo compat serve stripe`, as against stripe-mock.

The suite is written to run against stripe-mock: its conftest points `stripe.api_base` at the mock
and its `http_client_mock` fixture wraps the SDK's real HTTP client, so a test that stubs nothing
sends real requests and checks both what it sent and what came back. Here a session fixture starts
the Stripe layer on a free port instead, and each test gets a tenant of its own (a new key), so no
test sees what another created and the results do not depend on their order. Tests stripe-mock
answers from fixtures (an id no test created) fail against a server that keeps state; `exclusions.py`
says why each group is not counted as passing.

`make test` runs the tests in `baseline.json`, which must keep passing; `python -m
tests.compat.stripe.conformance.run` runs every vendored test, prints the table and, with
`--update-baseline`, raises the baseline (it never lowers it).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from unittest.mock import Mock

import pytest
import stripe
from stripe._http_client import new_default_http_client

from dotdo.compat.openapi import bearer_tokens
from tests.compat.conftest import CompatServer, running_server

from .upstream.http_client_mock import HTTPClientMock

HERE = Path(__file__).parent
BASELINE = HERE / "baseline.json"
RUN_ALL = "DOTDO_STRIPE_SUITE_ALL"
"""Set (to anything) to run every vendored test, not only the baseline (what `run.py` does)."""


def upstream_id(item: pytest.Item) -> str | None:
    """A collected test's id inside `upstream/` (`test_generated_examples.py::TestGeneratedExamples::test_…`)."""
    path = Path(str(item.path))
    if HERE / "upstream" not in path.parents:
        return None
    return "::".join([path.relative_to(HERE / "upstream").as_posix(), *item.nodeid.split("::")[1:]])


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out the vendored tests not in the baseline, unless the whole suite was asked for."""
    if os.environ.get(RUN_ALL):
        return
    baseline = set(json.loads(BASELINE.read_text())["passed"])
    kept, dropped = [], []
    for item in items:
        found = upstream_id(item)
        (dropped if found is not None and found not in baseline else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="session")
def stripe_layer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CompatServer]:
    """`dotdo compat serve stripe` where stripe-mock would be."""
    with running_server(tmp_path_factory.mktemp("stripe-python-suite"), ["stripe"]) as server:
        yield server


@pytest.fixture(autouse=True)
def setup_stripe(stripe_layer: CompatServer) -> Iterator[None]:
    """The upstream conftest's `setup_stripe`, pointed at the layer with a new tenant's key."""
    key = stripe_layer.credentials().create(f"stripe-python-{uuid.uuid4().hex[:12]}", ["stripe"])
    saved = {
        "api_base": stripe.api_base,
        "upload_api_base": stripe.upload_api_base,
        "api_key": stripe.api_key,
        "client_id": stripe.client_id,
        "default_http_client": stripe.default_http_client,
    }
    http_client = new_default_http_client()
    stripe.api_base = stripe_layer.url
    stripe.upload_api_base = stripe_layer.url
    stripe.api_key = bearer_tokens.mint(key, "sk_test_")
    stripe.client_id = "ca_123"
    stripe.default_http_client = http_client
    yield
    http_client.close()
    for name, value in saved.items():
        setattr(stripe, name, value)


@pytest.fixture
def mocker() -> SimpleNamespace:
    """What the vendored `HTTPClientMock` asks of pytest-mock's fixture (`mocker.Mock`)."""
    return SimpleNamespace(Mock=Mock)


@pytest.fixture
def http_client_mock(mocker: SimpleNamespace) -> Iterator[HTTPClientMock]:
    """The upstream conftest's fixture: the SDK's real HTTP client, wrapped to record (and stub) requests."""
    mock_client = HTTPClientMock(mocker)
    previous = stripe.default_http_client
    stripe.default_http_client = mock_client.get_mock_http_client()
    yield mock_client
    stripe.default_http_client = previous
