"""Subscriptions billed by period, with test clocks moving a customer's time forward."""

from __future__ import annotations

import pytest
import stripe

from dotdo.compat.openapi import bearer_tokens
from dotdo.compat.stripe.billing import add_interval
from tests.compat.conftest import CompatServer

DAY = 86_400
JAN_31 = 1_801_353_600  # 2027-01-31T00:00:00Z


@pytest.fixture(scope="module")
def client(stripe_server: CompatServer) -> stripe.StripeClient:
    key = bearer_tokens.mint(stripe_server.key, "sk_test_")
    return stripe.StripeClient(key, base_addresses={"api": stripe_server.url}, max_network_retries=0)


def monthly_price(client: stripe.StripeClient, amount: int = 1000) -> stripe.Price:
    product = client.v1.products.create(params={"name": "Plan"})
    return client.v1.prices.create(
        params={"product": product.id, "unit_amount": amount, "currency": "usd", "recurring": {"interval": "month"}}
    )


def clocked_customer(
    client: stripe.StripeClient, method: str = "pm_card_visa"
) -> tuple[stripe.Customer, stripe.TestHelpers.TestClock]:
    clock = client.v1.test_helpers.test_clocks.create(params={"frozen_time": JAN_31})
    customer = client.v1.customers.create(
        params={
            "test_clock": clock.id,
            "payment_method": method,
            "invoice_settings": {"default_payment_method": method},
        }
    )
    return customer, clock


def test_months_are_added_on_the_calendar() -> None:
    assert add_interval(JAN_31, "month", 1) == JAN_31 + 28 * DAY  # 2027-02-28
    assert add_interval(JAN_31, "year", 1) == JAN_31 + 365 * DAY
    assert add_interval(JAN_31, "week", 2) == JAN_31 + 14 * DAY


def test_a_subscription_bills_its_first_period_then_renews_as_the_clock_advances(client: stripe.StripeClient) -> None:
    price = monthly_price(client)
    customer, clock = clocked_customer(client)
    subscription = client.v1.subscriptions.create(
        params={"customer": customer.id, "items": [{"price": price.id, "quantity": 2}]}
    )
    assert subscription.status == "active" and subscription.current_period_start == JAN_31
    first = client.v1.invoices.retrieve(subscription.latest_invoice)
    assert first.status == "paid" and first.amount_paid == 2000 and first.billing_reason == "subscription_create"

    client.v1.test_helpers.test_clocks.advance(clock.id, params={"frozen_time": JAN_31 + 70 * DAY})
    invoices = client.v1.invoices.list(params={"subscription": subscription.id}).data
    assert [i.billing_reason for i in invoices] == ["subscription_cycle", "subscription_cycle", "subscription_create"]
    assert all(i.status == "paid" for i in invoices)
    renewed = client.v1.subscriptions.retrieve(subscription.id)
    assert renewed.current_period_start == add_interval(add_interval(JAN_31, "month", 1), "month", 1)


def test_a_trial_bills_nothing_until_it_ends(client: stripe.StripeClient) -> None:
    price = monthly_price(client, 500)
    customer, clock = clocked_customer(client)
    subscription = client.v1.subscriptions.create(
        params={"customer": customer.id, "items": [{"price": price.id}], "trial_period_days": 14}
    )
    assert subscription.status == "trialing" and subscription.trial_end == JAN_31 + 14 * DAY
    assert client.v1.invoices.retrieve(subscription.latest_invoice).amount_due == 0
    client.v1.test_helpers.test_clocks.advance(clock.id, params={"frozen_time": JAN_31 + 15 * DAY})
    after = client.v1.subscriptions.retrieve(subscription.id)
    assert after.status == "active"
    assert client.v1.invoices.retrieve(after.latest_invoice).amount_paid == 500


def test_failed_payments_leave_subscriptions_incomplete_or_past_due(client: stripe.StripeClient) -> None:
    price = monthly_price(client)
    declined, _ = clocked_customer(client, "pm_card_chargeDeclined")
    incomplete = client.v1.subscriptions.create(params={"customer": declined.id, "items": [{"price": price.id}]})
    assert incomplete.status == "incomplete"
    invoice = client.v1.invoices.retrieve(incomplete.latest_invoice)
    assert invoice.status == "open" and invoice.attempt_count == 1
    paid = client.v1.invoices.pay(invoice.id, params={"payment_method": "pm_card_visa"})
    assert paid.status == "paid"
    assert client.v1.subscriptions.retrieve(incomplete.id).status == "active"


def test_cancel_now_or_at_period_end(client: stripe.StripeClient) -> None:
    price = monthly_price(client)
    customer, clock = clocked_customer(client)
    now = client.v1.subscriptions.create(params={"customer": customer.id, "items": [{"price": price.id}]})
    assert client.v1.subscriptions.cancel(now.id).status == "canceled"
    later = client.v1.subscriptions.create(params={"customer": customer.id, "items": [{"price": price.id}]})
    client.v1.subscriptions.update(later.id, params={"cancel_at_period_end": True})
    client.v1.test_helpers.test_clocks.advance(clock.id, params={"frozen_time": JAN_31 + 40 * DAY})
    ended = client.v1.subscriptions.retrieve(later.id)
    assert ended.status == "canceled" and ended.ended_at == add_interval(JAN_31, "month", 1)
    assert len(client.v1.invoices.list(params={"subscription": later.id}).data) == 1


def test_refused_subscriptions(client: stripe.StripeClient) -> None:
    product = client.v1.products.create(params={"name": "One-off"})
    once = client.v1.prices.create(params={"product": product.id, "unit_amount": 100, "currency": "usd"})
    customer, clock = clocked_customer(client)
    with pytest.raises(stripe.InvalidRequestError) as one_time:
        client.v1.subscriptions.create(params={"customer": customer.id, "items": [{"price": once.id}]})
    assert one_time.value.param == "items[0][price]"
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.test_helpers.test_clocks.advance(clock.id, params={"frozen_time": JAN_31 - DAY})
