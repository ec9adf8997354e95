"""Stripe's search endpoints through the `stripe` SDK: its query language, paging, and its errors."""

from __future__ import annotations

import pytest
import stripe

from dotdo.compat.openapi import bearer_tokens
from tests.compat.conftest import CompatServer


@pytest.fixture(scope="module")
def client(stripe_server: CompatServer) -> stripe.StripeClient:
    key = stripe_server.credentials().create("search-tenant", ["stripe"])
    return stripe.StripeClient(
        bearer_tokens.mint(key, "sk_test_"), base_addresses={"api": stripe_server.url}, max_network_retries=0
    )


def test_queries_match_fields_metadata_and_numbers(client: stripe.StripeClient) -> None:
    ada = client.v1.customers.create(params={"email": "ada@example.com", "name": "Ada", "metadata": {"plan": "pro"}})
    bob = client.v1.customers.create(params={"email": "bob@example.org", "name": "Bob", "metadata": {"plan": "free"}})

    def found(query: str) -> list[str]:
        return [c.id for c in client.v1.customers.search(params={"query": query}).data]

    assert found("email:'ADA@example.com'") == [ada.id]
    assert found("email~'example'") == [bob.id, ada.id]
    assert found("metadata['plan']:'pro'") == [ada.id]
    assert found("-metadata['plan']:'pro' AND email~'example'") == [bob.id]
    assert found("name:'Ada' OR name:\"Bob\"") == [bob.id, ada.id]
    assert found(f"created>={ada.created} AND phone:null") == [bob.id, ada.id]
    assert found("name:'Nobody'") == []
    counted = client.v1.customers.search(params={"query": "email~'example'", "limit": 1, "expand": ["total_count"]})
    assert counted.total_count == 2 and len(counted.data) == 1
    assert "total_count" not in client.v1.customers.search(params={"query": "email~'example'"})


def test_results_page_with_next_page(client: stripe.StripeClient) -> None:
    made = [client.v1.products.create(params={"name": f"Paged {n}"}).id for n in range(3)]
    first = client.v1.products.search(params={"query": "name~'Paged'", "limit": 2})
    assert first.has_more and [p.id for p in first.data] == made[:0:-1]
    rest = client.v1.products.search(params={"query": "name~'Paged'", "limit": 2, "page": first.next_page})
    assert [p.id for p in rest.data] == [made[0]] and rest.has_more is False and rest.next_page is None


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("email=ada", "Invalid search query"),
        ("email:'a' AND name:'b' OR name:'c'", "cannot mix AND and OR"),
        ("password:'x'", "unsupported search field"),
        ("name~'ab'", "three characters"),
        ("created>'yesterday'", "compares numbers"),
        (" AND ".join(["name:'x'"] * 11), "at most 10 clauses"),
    ],
)
def test_bad_queries_are_refused_with_stripes_error(client: stripe.StripeClient, query: str, says: str) -> None:
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.customers.search(params={"query": query})
    assert says in str(refused.value) and refused.value.param == "query"
    with pytest.raises(stripe.InvalidRequestError, match="Invalid page"):
        client.v1.customers.search(params={"query": "name:'x'", "page": "not-a-page"})
