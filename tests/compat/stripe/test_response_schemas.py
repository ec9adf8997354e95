"""Every operation the Stripe layer serves answers bodies that validate against Stripe's own schemas."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from dotdo.compat.openapi import bearer_tokens, encode_form, response_errors
from dotdo.compat.stripe import OPERATIONS
from dotdo.compat.stripe.resources import document
from tests.compat.conftest import CompatServer


class CheckedClient:
    """Calls operations by id and checks each answer against the operation's response schema."""

    def __init__(self, server: CompatServer) -> None:
        token = bearer_tokens.mint(server.key, "sk_test_")
        self.http = httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"})
        self.called: set[str] = set()
        self.problems: list[str] = []

    def __call__(self, operation_id: str, path: dict[str, str] | None = None, **params: Any) -> Any:
        operation = document().operation(operation_id)
        url = operation.path.format(**(path or {}))
        pairs = encode_form(params)
        if operation.method == "GET" or operation.method == "DELETE":
            response = self.http.request(operation.method, url, params=pairs)
        else:
            response = self.http.request(operation.method, url, data=dict(pairs))
        body = response.json()
        pointer = operation.response_pointers.get(str(response.status_code)) or operation.response_pointers["default"]
        self.called.add(operation_id)
        self.problems += [
            f"{operation_id} {response.status_code}: {p}" for p in response_errors(document(), pointer, body)
        ]
        return body


@pytest.fixture(scope="module")
def call(stripe_server: CompatServer) -> CheckedClient:
    return CheckedClient(stripe_server)


def test_every_served_operation_answers_a_schema_valid_body(call: CheckedClient) -> None:
    customer = call("PostCustomers", email="a@example.com", name="A", metadata={"k": "v"}, address={"city": "Paris"})
    call("GetCustomers", limit=2)
    call("GetCustomersSearch", query="email:'a@example.com' AND metadata['k']:'v'", limit=1)
    call("GetCustomersSearch", query="email=bad")
    call("GetCustomersCustomer", {"customer": customer["id"]})
    call("PostCustomersCustomer", {"customer": customer["id"]}, description="d")
    product = call("PostProducts", name="Widget")
    call("GetProducts")
    call("GetProductsSearch", query="name~'Widg'")
    call("GetProductsId", {"id": product["id"]})
    call("PostProductsId", {"id": product["id"]}, description="a widget")
    price = call("PostPrices", product=product["id"], unit_amount=500, currency="usd", recurring={"interval": "month"})
    call("GetPrices", product=product["id"])
    call("GetPricesSearch", query=f"product:'{product['id']}' AND active:'true'")
    call("GetPricesPrice", {"price": price["id"]})
    call("PostPricesPrice", {"price": price["id"]}, nickname="monthly")
    method = call(
        "PostPaymentMethods", type="card", card={"number": "4242424242424242", "exp_month": 1, "exp_year": 2031}
    )
    call("GetPaymentMethodsPaymentMethod", {"payment_method": method["id"]})
    call("PostPaymentMethodsPaymentMethod", {"payment_method": method["id"]}, metadata={"a": "b"})
    call("PostPaymentMethodsPaymentMethodAttach", {"payment_method": method["id"]}, customer=customer["id"])
    call("GetCustomersCustomerPaymentMethods", {"customer": customer["id"]})
    call("GetPaymentMethods", customer=customer["id"])
    call("PostPaymentMethodsPaymentMethodDetach", {"payment_method": method["id"]})
    intent = call("PostPaymentIntents", amount=1000, currency="usd", customer=customer["id"])
    call("PostPaymentIntentsIntent", {"intent": intent["id"]}, description="order 7")
    call("PostPaymentIntentsIntentConfirm", {"intent": intent["id"]}, payment_method="pm_card_chargeDeclined")
    paid = call("PostPaymentIntentsIntentConfirm", {"intent": intent["id"]}, payment_method="pm_card_visa")
    call("GetPaymentIntentsIntent", {"intent": intent["id"]}, expand=["customer", "latest_charge"])
    call("GetPaymentIntents", limit=3)
    call("GetPaymentIntentsSearch", query="amount>=1000 OR status:'canceled'", expand=["data.customer"])
    held = call(
        "PostPaymentIntents",
        amount=300,
        currency="usd",
        payment_method="pm_card_visa",
        capture_method="manual",
        confirm=True,
    )
    call("PostPaymentIntentsIntentCapture", {"intent": held["id"]})
    open_intent = call("PostPaymentIntents", amount=300, currency="usd")
    call("PostPaymentIntentsIntentCancel", {"intent": open_intent["id"]})
    call("GetCharges")
    call("GetChargesSearch", query="-refunded:'true'")
    call("GetChargesCharge", {"charge": paid["latest_charge"]})
    refund = call("PostRefunds", payment_intent=paid["id"], amount=100)
    call("GetRefunds")
    call("GetRefundsRefund", {"refund": refund["id"]})
    events = call("GetEvents", limit=3)
    call("GetEventsId", {"id": events["data"][0]["id"]})
    endpoint = call("PostWebhookEndpoints", url="http://127.0.0.1:9/hook", enabled_events=["customer.created"])
    call("GetWebhookEndpoints")
    call("GetWebhookEndpointsWebhookEndpoint", {"webhook_endpoint": endpoint["id"]})
    call("PostWebhookEndpointsWebhookEndpoint", {"webhook_endpoint": endpoint["id"]}, description="x")
    call("DeleteWebhookEndpointsWebhookEndpoint", {"webhook_endpoint": endpoint["id"]})
    clock = call("PostTestHelpersTestClocks", frozen_time=1_801_353_600)
    call("GetTestHelpersTestClocks")
    call("GetTestHelpersTestClocksTestClock", {"test_clock": clock["id"]})
    payer = call("PostCustomers", test_clock=clock["id"], payment_method="pm_card_visa")
    call(
        "PostCustomersCustomer", {"customer": payer["id"]}, invoice_settings={"default_payment_method": "pm_card_visa"}
    )
    subscription = call("PostSubscriptions", customer=payer["id"], items=[{"price": price["id"]}])
    call("PostSubscriptionsSubscriptionExposedId", {"subscription_exposed_id": subscription["id"]}, metadata={"a": "b"})
    call("GetSubscriptions", customer=payer["id"])
    call("GetSubscriptionsSearch", query="status:'active'")
    call("GetSubscriptionsSubscriptionExposedId", {"subscription_exposed_id": subscription["id"]})
    call(
        "PostTestHelpersTestClocksTestClockAdvance",
        {"test_clock": clock["id"]},
        frozen_time=1_801_353_600 + 40 * 86_400,
    )
    invoices = call("GetInvoices", subscription=subscription["id"])
    call("GetInvoicesSearch", query=f"subscription:'{subscription['id']}'")
    call("GetInvoicesInvoice", {"invoice": invoices["data"][0]["id"]})
    call("PostInvoicesInvoicePay", {"invoice": invoices["data"][0]["id"]})
    call("DeleteSubscriptionsSubscriptionExposedId", {"subscription_exposed_id": subscription["id"]})
    call("DeleteTestHelpersTestClocksTestClock", {"test_clock": clock["id"]})
    call("DeleteProductsId", {"id": product["id"]})
    call("DeleteCustomersCustomer", {"customer": customer["id"]})
    call("GetCustomersCustomer", {"customer": "cus_missing"})

    assert call.called == OPERATIONS
    assert call.problems == []
