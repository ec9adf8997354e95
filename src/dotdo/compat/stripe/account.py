"""`StripeAccount`: one tenant's Stripe account as a durable object, with the handler of every operation served."""

from __future__ import annotations

import time
from typing import Any, ClassVar

from ..openapi import ApiAccount, ApiCall, Handler, Reply
from . import billing, payments
from .resources import (
    CHARGE,
    CUSTOMER,
    EVENT,
    INVOICE,
    PRICE,
    PRODUCT,
    REFUND,
    SUBSCRIPTION,
    TEST_CLOCK,
    WEBHOOK_ENDPOINT,
    creator,
    deleter,
    get,
    lister,
    retriever,
    updater,
    webhook_secret,
)
from .search import searcher
from .signatures import signature_header


async def _check_price(account: ApiAccount, call: ApiCall, price: dict[str, Any]) -> None:
    product = call.body.get("product")
    if product is None and call.body.get("product_data"):
        data = call.body["product_data"]
        created = PRODUCT.new(
            name=data.get("name", ""), active=data.get("active", True), metadata=data.get("metadata") or {}
        )
        created["images"], created["updated"] = [], created["created"]
        await account.create(PRODUCT.name, created)
        product = created["id"]
    await get(account, PRODUCT, product, "product")
    price["product"] = product
    recurring = call.body.get("recurring")
    price["type"] = "recurring" if recurring else "one_time"
    price["recurring"] = (
        {
            "interval": recurring["interval"],
            "interval_count": recurring.get("interval_count", 1),
            "usage_type": recurring.get("usage_type", "licensed"),
            "meter": None,
            "trial_period_days": None,
        }
        if recurring
        else None
    )
    price["unit_amount_decimal"] = None if price.get("unit_amount") is None else str(price["unit_amount"])
    price["billing_scheme"] = call.body.get("billing_scheme", "per_unit")
    price["active"] = call.body.get("active", True)
    price["tax_behavior"] = call.body.get("tax_behavior", "unspecified")


async def _prepare_product(account: ApiAccount, call: ApiCall, product: dict[str, Any]) -> None:
    product["active"] = call.body.get("active", True)
    product["images"] = call.body.get("images", [])
    product["updated"] = product["created"]
    if call.body.get("id"):
        product["id"] = call.body["id"]


async def _prepare_endpoint(account: ApiAccount, call: ApiCall, endpoint: dict[str, Any]) -> None:
    endpoint["status"] = "enabled"
    endpoint["_secret"] = webhook_secret()
    endpoint["api_version"] = call.body.get("api_version")


async def _prepare_customer(account: ApiAccount, call: ApiCall, customer: dict[str, Any]) -> None:
    customer.setdefault("balance", 0)
    customer["delinquent"] = False
    customer["invoice_prefix"] = customer["id"][4:12].upper()
    customer["next_invoice_sequence"] = 1
    customer["preferred_locales"] = call.body.get("preferred_locales", [])
    customer["tax_exempt"] = call.body.get("tax_exempt", "none")
    customer["invoice_settings"] = {
        "custom_fields": None,
        "default_payment_method": None,
        "footer": None,
        "rendering_options": None,
    }
    method = (call.body.get("payment_method") or "").strip()
    if method:
        attached = await payments.payment_method(account, method)
        attached["customer"] = customer["id"]
        await account.save("payment_method", attached)
    await _invoice_settings(account, call, customer)
    clock = call.body.get("test_clock")
    if clock:
        customer["test_clock"] = (await get(account, TEST_CLOCK, clock, "test_clock"))["id"]


async def _invoice_settings(account: ApiAccount, call: ApiCall, customer: dict[str, Any]) -> None:
    default = (call.body.get("invoice_settings") or {}).get("default_payment_method")
    if default:
        customer["invoice_settings"]["default_payment_method"] = (
            await payments.payment_method(account, default, "invoice_settings[default_payment_method]")
        )["id"]


async def _touch(account: ApiAccount, call: ApiCall, resource: dict[str, Any]) -> None:
    resource["updated"] = int(time.time())


async def _create_webhook_endpoint(account: ApiAccount, call: ApiCall) -> Reply:
    # The signing secret is answered once, at creation, as Stripe does; later reads leave it out.
    created = await creator(WEBHOOK_ENDPOINT, _prepare_endpoint)(account, call)
    stored = await get(account, WEBHOOK_ENDPOINT, created.body["id"])
    created.body["secret"] = stored["_secret"]
    return created


class StripeAccount(ApiAccount):
    """A tenant's Stripe account: customers, products, prices, payment methods and intents, charges, refunds, events."""

    service_name: ClassVar[str] = "stripe"
    handlers: ClassVar[dict[str, Handler]] = {
        "PostCustomers": creator(CUSTOMER, _prepare_customer),
        "GetCustomers": lister(CUSTOMER),
        "GetCustomersSearch": searcher(CUSTOMER, "created email name phone"),
        "GetCustomersCustomer": retriever(CUSTOMER, "customer"),
        "PostCustomersCustomer": updater(CUSTOMER, "customer", _invoice_settings),
        "DeleteCustomersCustomer": deleter(CUSTOMER, "customer"),
        "GetCustomersCustomerPaymentMethods": payments.list_payment_methods,
        "PostProducts": creator(PRODUCT, _prepare_product),
        "GetProducts": lister(PRODUCT),
        "GetProductsSearch": searcher(PRODUCT, "active created description name shippable url"),
        "GetProductsId": retriever(PRODUCT, "id"),
        "PostProductsId": updater(PRODUCT, "id", _touch),
        "DeleteProductsId": deleter(PRODUCT, "id"),
        "PostPrices": creator(PRICE, _check_price),
        "GetPrices": lister(PRICE),
        "GetPricesSearch": searcher(PRICE, "active created currency lookup_key product type"),
        "GetPricesPrice": retriever(PRICE, "price"),
        "PostPricesPrice": updater(PRICE, "price"),
        "PostPaymentMethods": payments.create_payment_method,
        "GetPaymentMethods": payments.list_payment_methods,
        "GetPaymentMethodsPaymentMethod": payments.retrieve_payment_method,
        "PostPaymentMethodsPaymentMethod": payments.update_payment_method,
        "PostPaymentMethodsPaymentMethodAttach": payments.attach_payment_method,
        "PostPaymentMethodsPaymentMethodDetach": payments.detach_payment_method,
        "PostPaymentIntents": payments.create_payment_intent,
        "GetPaymentIntents": lister(payments.PAYMENT_INTENT),
        "GetPaymentIntentsSearch": searcher(payments.PAYMENT_INTENT, "amount created currency customer status"),
        "GetPaymentIntentsIntent": payments.retrieve_payment_intent,
        "PostPaymentIntentsIntent": payments.update_payment_intent,
        "PostPaymentIntentsIntentConfirm": payments.confirm_payment_intent,
        "PostPaymentIntentsIntentCancel": payments.cancel_payment_intent,
        "PostPaymentIntentsIntentCapture": payments.capture_payment_intent,
        "GetCharges": lister(CHARGE),
        "GetChargesSearch": searcher(
            CHARGE, "amount created currency customer disputed payment_intent refunded status"
        ),
        "GetChargesCharge": retriever(CHARGE, "charge"),
        "PostRefunds": payments.create_refund,
        "GetRefunds": lister(REFUND),
        "GetRefundsRefund": retriever(REFUND, "refund"),
        "PostSubscriptions": billing.create_subscription,
        "GetSubscriptions": lister(SUBSCRIPTION),
        "GetSubscriptionsSearch": searcher(SUBSCRIPTION, "created status"),
        "GetSubscriptionsSubscriptionExposedId": retriever(SUBSCRIPTION, "subscription_exposed_id"),
        "PostSubscriptionsSubscriptionExposedId": billing.update_subscription,
        "DeleteSubscriptionsSubscriptionExposedId": billing.cancel_subscription,
        "GetInvoices": lister(INVOICE),
        "GetInvoicesSearch": searcher(INVOICE, "created currency customer number status subscription total"),
        "GetInvoicesInvoice": retriever(INVOICE, "invoice"),
        "PostInvoicesInvoicePay": billing.pay_invoice,
        "PostTestHelpersTestClocks": billing.create_test_clock,
        "GetTestHelpersTestClocks": lister(TEST_CLOCK),
        "GetTestHelpersTestClocksTestClock": retriever(TEST_CLOCK, "test_clock"),
        "DeleteTestHelpersTestClocksTestClock": billing.delete_test_clock,
        "PostTestHelpersTestClocksTestClockAdvance": billing.advance_test_clock,
        "GetEvents": lister(EVENT),
        "GetEventsId": retriever(EVENT, "id"),
        "PostWebhookEndpoints": _create_webhook_endpoint,
        "GetWebhookEndpoints": lister(WEBHOOK_ENDPOINT),
        "GetWebhookEndpointsWebhookEndpoint": retriever(WEBHOOK_ENDPOINT, "webhook_endpoint"),
        "PostWebhookEndpointsWebhookEndpoint": updater(WEBHOOK_ENDPOINT, "webhook_endpoint"),
        "DeleteWebhookEndpointsWebhookEndpoint": deleter(WEBHOOK_ENDPOINT, "webhook_endpoint"),
    }

    def sign_webhook(self, endpoint: dict[str, Any], event: dict[str, Any], payload: bytes) -> dict[str, str]:
        """Stripe's `Stripe-Signature` header, made with the endpoint's secret."""
        return {
            "Stripe-Signature": signature_header(endpoint["_secret"], payload),
            "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
        }
