"""A large tenant's Stripe account spread over shard objects answers exactly as one object does.

One server: tenant `big` is sharded (`--account-shards big=4`), the default tenant is not and is the
oracle every list, page and search of `big` is compared with, the same calls made on both.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
import stripe

from dotdo.compat import AccessKey, Credentials
from dotdo.compat.openapi import bearer_tokens
from dotdo.compat.openapi.account_admin import account_layout, reshard_account
from dotdo.compat.sharding import ReshardError
from tests.compat.conftest import CompatServer, start_server, stop_server
from tests.compat.stripe.test_billing import DAY, JAN_31, clocked_customer, monthly_price
from tests.compat.stripe.test_webhooks import Receiver

SHARDS = 4


TOKENS: dict[str, str] = {}
"""Each tenant's `sk_test_…` key, made before the server starts."""
KEYS: dict[str, AccessKey] = {}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CompatServer]:
    data_dir: Path = tmp_path_factory.mktemp("compat-stripe-shards")
    credentials = Credentials(data_dir / "compat")
    TOKENS["default"] = bearer_tokens.mint(credentials.default_key(), "sk_test_")
    for tenant in ("big", "grow"):
        KEYS[tenant] = credentials.create(tenant, ("stripe",))
        TOKENS[tenant] = bearer_tokens.mint(KEYS[tenant], "sk_test_")
    found = start_server(data_dir, ["stripe"], None, "--account-shards", f"big={SHARDS}")
    yield found
    stop_server(found)


def _client(server: CompatServer, tenant: str) -> stripe.StripeClient:
    return stripe.StripeClient(TOKENS[tenant], base_addresses={"api": server.url}, max_network_retries=0)


def _headers(tenant: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKENS[tenant]}"}


@pytest.fixture(scope="module")
def big(server: CompatServer) -> stripe.StripeClient:
    return _client(server, "big")


@pytest.fixture(scope="module")
def oracle(server: CompatServer) -> stripe.StripeClient:
    return _client(server, "default")


def both(big: stripe.StripeClient, oracle: stripe.StripeClient, calls: Callable[[stripe.StripeClient], Any]) -> Any:
    """The same calls on the sharded account and on the oracle."""
    return calls(big), calls(oracle)


def test_resources_spread_over_the_shards_and_answer_by_id(server: CompatServer, big: stripe.StripeClient) -> None:
    made = [big.v1.customers.create(params={"email": f"c{i}@spread.example", "name": f"c{i}"}) for i in range(16)]
    layout = account_layout(server.url + "/v1/_dotdo/account", _headers("big"))
    assert layout["shards"] == SHARDS and not layout["running"]
    assert sorted(layout["counts"]) == [str(place) for place in range(SHARDS)]
    assert all(count > 0 for count in layout["counts"].values())  # 16 customers and their events, hashed

    for customer in made[:4]:
        assert customer.id.startswith("cus_") and big.v1.customers.retrieve(customer.id).name == customer.name
        assert big.v1.customers.update(customer.id, params={"phone": "+1555"}).phone == "+1555"
    assert big.v1.customers.delete(made[0].id).deleted is True
    with pytest.raises(stripe.InvalidRequestError) as missing:
        big.v1.customers.retrieve(made[0].id)
    assert missing.value.http_status == 404 and missing.value.code == "resource_missing"


def test_lists_page_across_shards_exactly_as_one_object_does(
    big: stripe.StripeClient, oracle: stripe.StripeClient
) -> None:
    def make(client: stripe.StripeClient) -> list[str]:
        return [client.v1.products.create(params={"name": f"p{i}", "metadata": {"n": str(i)}}).id for i in range(11)]

    made = both(big, oracle, make)

    def pages(client: stripe.StripeClient) -> list[Any]:
        first = client.v1.products.list(params={"limit": 3})
        second = client.v1.products.list(params={"limit": 3, "starting_after": first.data[-1].id})
        back = client.v1.products.list(params={"limit": 2, "ending_before": second.data[0].id})
        every = [p.metadata["n"] for p in client.v1.products.list(params={"limit": 4}).auto_paging_iter()]
        shape = [[p.metadata["n"] for p in page.data] + [page.has_more] for page in (first, second, back)]
        return [shape, every]

    sharded, unsharded = both(big, oracle, pages)
    assert sharded == unsharded
    assert sharded[1] == [str(i) for i in reversed(range(11))]
    ids = [p.id for p in big.v1.products.list(params={"limit": 100}).auto_paging_iter()]
    assert ids == made[0][::-1] and len(set(ids)) == len(ids)


def test_search_and_expand_reach_every_shard(big: stripe.StripeClient, oracle: stripe.StripeClient) -> None:
    def run(client: stripe.StripeClient) -> list[Any]:
        for i in range(6):
            client.v1.customers.create(params={"email": f"s{i}@search.example", "name": "Searched" if i % 2 else "No"})
        found = client.v1.customers.search(params={"query": "name:'Searched'", "limit": 2})
        rest = client.v1.customers.search(params={"query": "name:'Searched'", "limit": 2, "page": found.next_page})
        return [[c.email for c in found.data], [c.email for c in rest.data], found.has_more, rest.has_more]

    sharded, unsharded = both(big, oracle, run)
    assert sharded == unsharded == [["s5@search.example", "s3@search.example"], ["s1@search.example"], True, False]

    customer = big.v1.customers.create(params={"email": "expand@shards.example"})
    intent = big.v1.payment_intents.create(
        params={"amount": 700, "currency": "usd", "customer": customer.id, "payment_method": "pm_card_visa"}
    )
    intent = big.v1.payment_intents.confirm(intent.id)
    expanded = big.v1.payment_intents.retrieve(
        intent.id, params={"expand": ["customer", "latest_charge", "latest_charge.payment_intent"]}
    )
    assert expanded.customer.email == "expand@shards.example"
    assert expanded.latest_charge.amount == 700 and expanded.latest_charge.payment_intent.id == intent.id
    refund = big.v1.refunds.create(params={"payment_intent": intent.id, "amount": 200})
    assert refund.status == "succeeded" and big.v1.charges.retrieve(intent.latest_charge).amount_refunded == 200


def test_an_idempotency_key_creates_once_even_when_sent_at_once(big: stripe.StripeClient) -> None:
    def create(_: int) -> str:
        return big.v1.customers.create(
            params={"email": "once@shards.example"}, options={"idempotency_key": "shard-signup"}
        ).id

    with ThreadPoolExecutor(6) as pool:
        ids = set(pool.map(create, range(6)))
    assert len(ids) == 1
    assert len(big.v1.customers.list(params={"email": "once@shards.example"}).data) == 1
    with pytest.raises(stripe.IdempotencyError):
        big.v1.customers.create(params={"email": "other@shards.example"}, options={"idempotency_key": "shard-signup"})


def test_every_event_reaches_the_webhook_once(big: stripe.StripeClient) -> None:
    receiver = Receiver()
    receiver.failures = 1
    try:
        endpoint = big.v1.webhook_endpoints.create(params={"url": receiver.url, "enabled_events": ["product.created"]})
        made = {big.v1.products.create(params={"name": f"hooked {i}"}).id for i in range(8)}
        receiver.wait_for(len(made))
        delivered = [
            stripe.Webhook.construct_event(body, signature, endpoint.secret).data.object.id
            for body, signature, _ in receiver.acknowledged()
        ]
        assert sorted(delivered) == sorted(made)
        events = big.v1.events.list(params={"limit": 100}).auto_paging_iter()
        assert {e.data.object.id for e in events if e.type == "product.created"} >= made
        big.v1.webhook_endpoints.delete(endpoint.id)
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()


def test_the_test_clock_renews_subscriptions_in_every_shard(big: stripe.StripeClient) -> None:
    price = monthly_price(big, 1200)
    customer, clock = clocked_customer(big)
    paying = {"test_clock": clock.id, "invoice_settings": {"default_payment_method": "pm_card_visa"}}
    others = [big.v1.customers.create(params=paying) for _ in range(5)]
    subscriptions = [
        big.v1.subscriptions.create(params={"customer": c.id, "items": [{"price": price.id}]})
        for c in [customer, *others]
    ]
    big.v1.test_helpers.test_clocks.advance(clock.id, params={"frozen_time": JAN_31 + 40 * DAY})
    for subscription in subscriptions:
        renewed = big.v1.subscriptions.retrieve(subscription.id)
        assert renewed.status == "active" and renewed.latest_invoice != subscription.latest_invoice
        invoices = big.v1.invoices.list(params={"subscription": subscription.id}).data
        assert [i.billing_reason for i in invoices] == ["subscription_cycle", "subscription_create"]


def test_tenants_stay_apart(big: stripe.StripeClient, oracle: stripe.StripeClient) -> None:
    mine = big.v1.customers.create(params={"email": "mine@shards.example"})
    theirs = oracle.v1.customers.create(params={"email": "theirs@shards.example"})
    with pytest.raises(stripe.InvalidRequestError):
        oracle.v1.customers.retrieve(mine.id)
    with pytest.raises(stripe.InvalidRequestError):
        big.v1.customers.retrieve(theirs.id)
    assert "theirs@shards.example" not in {c.email for c in big.v1.customers.list(params={"limit": 100}).data}


def test_hostile_input_is_answered_as_by_one_object(big: stripe.StripeClient, oracle: stripe.StripeClient) -> None:
    def refusals(client: stripe.StripeClient) -> list[Any]:
        found = []
        for call in (
            lambda: client.v1.customers.create(params={"emial": "typo@example.com"}),
            lambda: client.v1.customers.list(params={"limit": 0}),
            lambda: client.v1.customers.list(params={"starting_after": "cus_missing"}),
            lambda: client.v1.customers.retrieve("cus_" + "x" * 300),
            lambda: client.v1.customers.retrieve("../../etc"),
        ):
            with pytest.raises(stripe.StripeError) as refused:
                call()
            found.append((refused.value.http_status, refused.value.code, refused.value.param))
        return found

    sharded, unsharded = both(big, oracle, refusals)
    assert sharded == unsharded


def test_an_account_moves_to_shards_and_back_while_it_serves(server: CompatServer) -> None:
    grow = _client(server, "grow")
    before = [grow.v1.products.create(params={"name": f"g{i}"}).id for i in range(30)]
    assert account_layout(server.url + "/v1/_dotdo/account", _headers("grow"))["counts"] == {
        "-1": 30 + 30
    }  # products and events

    during: list[str] = []
    writer = threading.Thread(
        target=lambda: during.extend(grow.v1.products.create(params={"name": f"d{i}"}).id for i in range(10))
    )
    writer.start()
    moved = reshard_account(server.url + "/v1/_dotdo/account", _headers("grow"), 3)
    writer.join()
    assert moved["shards"] == 3 and not moved["running"]
    layout = account_layout(server.url + "/v1/_dotdo/account", _headers("grow"))
    assert sorted(layout["counts"]) == ["0", "1", "2"] and sum(layout["counts"].values()) == 2 * 40
    listed = [p.id for p in grow.v1.products.list(params={"limit": 100}).auto_paging_iter()]
    assert sorted(listed) == sorted(before + during) and listed[-30:] == before[::-1]
    assert all(grow.v1.products.retrieve(pid).id == pid for pid in before[::7] + during[::3])

    back = reshard_account(server.url + "/v1/_dotdo/account", _headers("grow"), 1)
    assert back["shards"] == 1 and account_layout(server.url + "/v1/_dotdo/account", _headers("grow"))["counts"] == {
        "-1": 80
    }
    assert [p.id for p in grow.v1.products.list(params={"limit": 100}).auto_paging_iter()] == listed


def test_a_bad_shard_count_is_refused_and_changes_nothing(server: CompatServer, big: stripe.StripeClient) -> None:
    for bad in ("0", "lots", "100000"):
        response = httpx.post(server.url + "/v1/_dotdo/account", data={"shards": bad}, headers=_headers("big"))
        assert response.status_code == 400 and response.json()["error"]["param"] == "shards"
    with pytest.raises(ReshardError):
        reshard_account(server.url + "/v1/_dotdo/account", {"Authorization": "Bearer sk_test_forged.key"}, 2)
    assert account_layout(server.url + "/v1/_dotdo/account", _headers("big"))["shards"] == SHARDS


def test_the_reshard_command_moves_a_tenants_account(server: CompatServer) -> None:
    key = KEYS["grow"]
    command = [sys.executable, "-m", "dotdo", "compat", "reshard", "stripe", "grow", "--shards", "2"]
    command += ["--endpoint", server.url, "--access-key-id", key.access_key_id, "--secret", key.secret or ""]
    done = subprocess.run([*command, "--data-dir", str(server.data_dir)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "grow: 2 shard(s)" in done.stdout
    assert account_layout(server.url + "/v1/_dotdo/account", _headers("grow"))["shards"] == 2

    refused = subprocess.run([*command[:5], "slack", "x", "--shards", "2"], capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2 and "not 'slack'" in refused.stdout


def test_a_bad_account_shards_setting_stops_the_server_with_what_to_write(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "dotdo", "compat", "serve", "stripe", "--data-dir", str(tmp_path)]
    for bad in ("big", "big=0"):
        done = subprocess.run([*command, "--account-shards", bad], capture_output=True, text=True, timeout=60)
        assert done.returncode == 2 and "--account-shards" in done.stdout
