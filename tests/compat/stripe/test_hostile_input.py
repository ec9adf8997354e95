"""Bad requests get Stripe's errors and change nothing; tenants never see each other's resources."""

from __future__ import annotations

import httpx
import pytest
import stripe

from dotdo.compat.openapi import bearer_tokens
from tests.compat.conftest import CompatServer


@pytest.fixture(scope="module")
def http(stripe_server: CompatServer) -> httpx.Client:
    token = bearer_tokens.mint(stripe_server.key, "sk_test_")
    return httpx.Client(base_url=stripe_server.url, headers={"Authorization": f"Bearer {token}"})


def customer_count(http: httpx.Client) -> int:
    return len(http.get("/v1/customers", params={"limit": 100}).json()["data"])


@pytest.mark.parametrize(
    ("body", "status", "message", "param"),
    [
        ({"bogus": "1"}, 400, "Received unknown parameter: bogus", "bogus"),
        ({"metadata[a][b]": "1"}, 400, "Invalid string", "metadata[a]"),
        ({"balance": "lots"}, 400, "Invalid integer: lots", "balance"),
        ({"email": "x" * 6000}, 400, "must be at most 512 characters", "email"),
        ({"address[line1": "x"}, 400, "Invalid parameter name", "address[line1"),
        ({"tax_exempt": "sometimes"}, 400, "Invalid tax_exempt", "tax_exempt"),
    ],
)
def test_invalid_parameters_are_refused_with_stripes_error_and_store_nothing(
    http: httpx.Client, body: dict[str, str], status: int, message: str, param: str
) -> None:
    before = customer_count(http)
    response = http.post("/v1/customers", data=body)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error" and message in error["message"] and error["param"] == param
    assert customer_count(http) == before


def test_an_oversized_body_is_refused(http: httpx.Client) -> None:
    response = http.post("/v1/customers", content=b"description=" + b"x" * (2 * 1024 * 1024))
    assert response.status_code == 413 and response.json()["error"]["type"] == "invalid_request_error"


def test_deep_nesting_and_hostile_ids_are_answered_not_crashed(http: httpx.Client) -> None:
    deep = "metadata" + "[a]" * 40
    assert http.post("/v1/customers", data={deep: "x"}).status_code == 400
    for hostile in ("../../etc/passwd", "cus_%00", "cus_' OR 1=1 --", "%2e%2e%2fetc"):
        response = http.get(f"/v1/customers/{hostile}")
        assert response.status_code == 404, hostile
        assert response.json()["error"]["type"] == "invalid_request_error"


def test_requests_without_a_valid_key_are_refused(stripe_server: CompatServer) -> None:
    for headers in ({}, {"Authorization": "Bearer sk_test_DOTDOFORGED.secret"}, {"Authorization": "Bearer pk_test_x"}):
        response = httpx.get(f"{stripe_server.url}/v1/customers", headers=headers)
        assert response.status_code == 401
        assert response.json()["error"]["type"] == "invalid_request_error"
    client = stripe.StripeClient(
        "sk_test_DOTDOFORGED.x", base_addresses={"api": stripe_server.url}, max_network_retries=0
    )
    with pytest.raises(stripe.AuthenticationError):
        client.v1.customers.list()


def test_a_key_not_granted_stripe_is_refused(stripe_server: CompatServer) -> None:
    s3_only = bearer_tokens.mint(stripe_server.credentials().create("storage-only", ["s3"]), "sk_test_")
    response = httpx.get(f"{stripe_server.url}/v1/customers", headers={"Authorization": f"Bearer {s3_only}"})
    assert response.status_code == 401 and "may not call stripe" in response.json()["error"]["message"]


def test_tenants_are_isolated(stripe_server: CompatServer, http: httpx.Client) -> None:
    mine = http.post("/v1/customers", data={"email": "mine@example.com"}).json()
    other_key = stripe_server.credentials().create("acme", ["stripe"])
    other = httpx.Client(
        base_url=stripe_server.url, headers={"Authorization": f"Bearer {bearer_tokens.mint(other_key, 'sk_test_')}"}
    )
    assert other.get(f"/v1/customers/{mine['id']}").status_code == 404
    assert mine["id"] not in [c["id"] for c in other.get("/v1/customers").json()["data"]]
    assert other.post(f"/v1/customers/{mine['id']}", data={"name": "stolen"}).status_code == 404
    assert http.get(f"/v1/customers/{mine['id']}").json()["name"] is None


def test_unknown_routes_and_methods_get_stripes_errors(http: httpx.Client) -> None:
    assert http.get("/v1/nothing_here").status_code == 404
    assert http.put("/v1/customers").status_code == 405
