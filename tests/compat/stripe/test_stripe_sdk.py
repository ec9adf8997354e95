"""The official `stripe` SDK against `dotdo compat serve stripe`: resources keep state, per tenant."""

from __future__ import annotations

import pytest
import stripe

from dotdo.compat.openapi import bearer_tokens
from tests.compat.conftest import CompatServer


@pytest.fixture(scope="module")
def client(stripe_server: CompatServer) -> stripe.StripeClient:
    key = bearer_tokens.mint(stripe_server.key, "sk_test_")
    return stripe.StripeClient(key, base_addresses={"api": stripe_server.url}, max_network_retries=0)


def test_a_created_customer_can_be_read_back_updated_and_deleted(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(
        params={"email": "ann@example.com", "name": "Ann", "metadata": {"plan": "pro"}}
    )
    assert customer.id.startswith("cus_") and len(customer.id) == 28
    assert client.v1.customers.retrieve(customer.id).email == "ann@example.com"

    updated = client.v1.customers.update(customer.id, params={"metadata": {"plan": "", "seats": "3"}, "phone": "+1555"})
    assert updated.metadata.to_dict() == {"seats": "3"}
    assert updated.phone == "+1555" and updated.name == "Ann"

    deleted = client.v1.customers.delete(customer.id)
    assert deleted.deleted is True
    with pytest.raises(stripe.InvalidRequestError) as missing:
        client.v1.customers.retrieve(customer.id)
    assert missing.value.http_status == 404 and missing.value.code == "resource_missing"


def test_lists_page_newest_first_with_starting_after_and_ending_before(client: stripe.StripeClient) -> None:
    made = [client.v1.products.create(params={"name": f"p{i}", "metadata": {"batch": "paging"}}).id for i in range(5)]
    first = client.v1.products.list(params={"limit": 2})
    assert [p.id for p in first.data] == made[::-1][:2] and first.has_more
    second = client.v1.products.list(params={"limit": 2, "starting_after": first.data[-1].id})
    assert [p.id for p in second.data] == made[::-1][2:4]
    back = client.v1.products.list(params={"limit": 2, "ending_before": second.data[0].id})
    assert [p.id for p in back.data] == [p.id for p in first.data]
    every = [p.id for p in client.v1.products.list(params={"limit": 3}).auto_paging_iter()]
    assert every[:5] == made[::-1]


def test_prices_belong_to_products_and_filter_by_product(client: stripe.StripeClient) -> None:
    product = client.v1.products.create(params={"name": "Seat"})
    monthly = client.v1.prices.create(
        params={"product": product.id, "unit_amount": 900, "currency": "usd", "recurring": {"interval": "month"}}
    )
    assert monthly.type == "recurring" and monthly.recurring.interval == "month" and monthly.unit_amount == 900
    listed = client.v1.prices.list(params={"product": product.id})
    assert [p.id for p in listed.data] == [monthly.id]
    with pytest.raises(stripe.InvalidRequestError) as bad:
        client.v1.prices.create(params={"product": "prod_missing", "unit_amount": 1, "currency": "usd"})
    assert bad.value.param == "product"


def test_a_payment_with_a_good_card_succeeds_and_can_be_partly_refunded(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(params={"email": "buyer@example.com"})
    intent = client.v1.payment_intents.create(
        params={
            "amount": 2000,
            "currency": "usd",
            "customer": customer.id,
            "payment_method": "pm_card_visa",
            "confirm": True,
        }
    )
    assert intent.status == "succeeded" and intent.amount_received == 2000
    charge = client.v1.charges.retrieve(intent.latest_charge)
    assert charge.paid and charge.captured and charge.payment_intent == intent.id

    refund = client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 500})
    assert refund.status == "succeeded" and refund.amount == 500
    assert client.v1.charges.retrieve(charge.id).amount_refunded == 500
    with pytest.raises(stripe.InvalidRequestError) as too_much:
        client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 1600})
    assert too_much.value.code == "amount_too_large"


@pytest.mark.parametrize(
    ("method", "decline_code"),
    [
        ("pm_card_chargeDeclined", "generic_decline"),
        ("pm_card_chargeDeclinedInsufficientFunds", "insufficient_funds"),
        ("pm_card_chargeDeclinedLostCard", "lost_card"),
    ],
)
def test_declined_test_cards_answer_card_errors_and_the_intent_can_be_retried(
    client: stripe.StripeClient, method: str, decline_code: str
) -> None:
    intent = client.v1.payment_intents.create(params={"amount": 1500, "currency": "eur"})
    assert intent.status == "requires_payment_method"
    with pytest.raises(stripe.CardError) as declined:
        client.v1.payment_intents.confirm(intent.id, params={"payment_method": method})
    assert declined.value.http_status == 402 and declined.value.error.decline_code == decline_code
    after = client.v1.payment_intents.retrieve(intent.id)
    assert after.status == "requires_payment_method" and after.last_payment_error.decline_code == decline_code
    retried = client.v1.payment_intents.confirm(intent.id, params={"payment_method": "pm_card_mastercard"})
    assert retried.status == "succeeded" and retried.last_payment_error is None


def test_the_payment_intent_state_machine(client: stripe.StripeClient) -> None:
    intent = client.v1.payment_intents.create(
        params={"amount": 700, "currency": "usd", "payment_method": "pm_card_visa"}
    )
    assert intent.status == "requires_confirmation"

    three_ds = client.v1.payment_intents.create(
        params={"amount": 700, "currency": "usd", "payment_method": "pm_card_authenticationRequired", "confirm": True}
    )
    assert three_ds.status == "requires_action" and three_ds.next_action.type == "use_stripe_sdk"
    assert client.v1.payment_intents.confirm(three_ds.id).status == "succeeded"

    manual = client.v1.payment_intents.create(
        params={
            "amount": 900,
            "currency": "usd",
            "payment_method": "pm_card_visa",
            "capture_method": "manual",
            "confirm": True,
        }
    )
    assert manual.status == "requires_capture" and manual.amount_capturable == 900
    captured = client.v1.payment_intents.capture(manual.id, params={"amount_to_capture": 600})
    assert captured.status == "succeeded" and captured.amount_received == 600

    canceled = client.v1.payment_intents.cancel(intent.id, params={"cancellation_reason": "requested_by_customer"})
    assert canceled.status == "canceled" and canceled.cancellation_reason == "requested_by_customer"
    with pytest.raises(stripe.InvalidRequestError) as unexpected:
        client.v1.payment_intents.confirm(intent.id)
    assert unexpected.value.code == "payment_intent_unexpected_state"


def test_payment_methods_attach_to_customers(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(params={"name": "Card holder"})
    method = client.v1.payment_methods.create(
        params={"type": "card", "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2034, "cvc": "123"}}
    )
    assert method.card.last4 == "4242" and method.card.brand == "visa"
    client.v1.payment_methods.attach(method.id, params={"customer": customer.id})
    listed = client.v1.customers.payment_methods.list(customer.id)
    assert [m.id for m in listed.data] == [method.id]
    with pytest.raises(stripe.CardError) as wrong:
        client.v1.payment_methods.create(
            params={"type": "card", "card": {"number": "4242424242424241", "exp_month": 1, "exp_year": 2030}}
        )
    assert wrong.value.code == "incorrect_number"


def test_expand_replaces_ids_with_the_resources(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(params={"email": "expand@example.com"})
    intent = client.v1.payment_intents.create(
        params={
            "amount": 100,
            "currency": "usd",
            "customer": customer.id,
            "payment_method": "pm_card_visa",
            "confirm": True,
        }
    )
    expanded = client.v1.payment_intents.retrieve(intent.id, params={"expand": ["customer", "latest_charge"]})
    assert expanded.customer.email == "expand@example.com" and expanded.latest_charge.amount == 100
    listed = client.v1.payment_intents.list(params={"customer": customer.id, "expand": ["data.customer"]})
    assert listed.data[0].customer.id == customer.id
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.payment_intents.retrieve(intent.id, params={"expand": ["amount"]})


def test_an_idempotency_key_answers_the_first_result_and_refuses_other_parameters(client: stripe.StripeClient) -> None:
    first = client.v1.customers.create(params={"email": "once@example.com"}, options={"idempotency_key": "signup-42"})
    again = client.v1.customers.create(params={"email": "once@example.com"}, options={"idempotency_key": "signup-42"})
    assert again.id == first.id
    assert len([c for c in client.v1.customers.list(params={"email": "once@example.com"}).data]) == 1
    with pytest.raises(stripe.IdempotencyError):
        client.v1.customers.create(params={"email": "other@example.com"}, options={"idempotency_key": "signup-42"})


def test_events_record_every_change(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(params={"name": "Evented"})
    client.v1.customers.update(customer.id, params={"name": "Renamed"})
    events = client.v1.events.list(params={"limit": 5}).data
    updated = next(e for e in events if e.type == "customer.updated" and e.data.object.id == customer.id)
    assert updated.data.previous_attributes.name == "Evented" and updated.data.object.name == "Renamed"
    assert client.v1.events.retrieve(updated.id).type == "customer.updated"
    only_updates = client.v1.events.list(params={"type": "customer.updated", "limit": 100}).data
    assert only_updates and {e.type for e in only_updates} == {"customer.updated"}
    assert updated.id in {e.id for e in only_updates}
