"""Billing: subscriptions, their invoices, and test clocks that move a customer's time forward.

A subscription bills its items at the start of each period: an invoice is made and paid with the
subscription's (or the customer's default) payment method, through the same test-card outcomes as
a payment intent. A failed first payment leaves the subscription `incomplete`, a failed renewal
`past_due`; a trial bills nothing until it ends. Time is the wall clock, except for customers made
with a `test_clock`: their subscriptions live at the clock's `frozen_time`, and advancing the clock
runs every renewal (and cancellation at period end) that falls due on the way, in order.
"""

from __future__ import annotations

import calendar
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..openapi import ApiError, Reply, lay_over
from . import test_cards
from .payments import payment_method
from .resources import (
    CHARGE,
    CUSTOMER,
    INVOICE,
    PAYMENT_INTENT,
    PRICE,
    SUBSCRIPTION,
    SUBSCRIPTION_ITEM,
    TEST_CLOCK,
    get,
    record_event,
    reply,
)

if TYPE_CHECKING:
    from ..openapi import ApiAccount, ApiCall

LIVE_STATUSES = ("active", "trialing", "past_due")
MAX_RENEWALS_PER_ADVANCE = 1000


def add_interval(moment: int, interval: str, count: int) -> int:
    """`moment` (Unix seconds) plus `count` days, weeks, months or years, months clamped to their length."""
    if interval == "day":
        return moment + 86_400 * count
    if interval == "week":
        return moment + 7 * 86_400 * count
    start = datetime.fromtimestamp(moment, UTC)
    months = count * (12 if interval == "year" else 1)
    year, month = divmod(start.month - 1 + months, 12)
    year += start.year
    day = min(start.day, calendar.monthrange(year, month + 1)[1])
    return int(start.replace(year=year, month=month + 1, day=day).timestamp())


async def now_for(account: ApiAccount, customer: dict[str, Any]) -> int:
    """The customer's present: its test clock's frozen time, or the wall clock."""
    clock_id = customer.get("test_clock")
    if clock_id:
        return int((await get(account, TEST_CLOCK, clock_id, "test_clock"))["frozen_time"])
    return int(time.time())


# -- test clocks -----------------------------------------------------------------------------------------


async def create_test_clock(account: ApiAccount, call: ApiCall) -> Reply:
    """POST /v1/test_helpers/test_clocks: a clock frozen at `frozen_time`."""
    frozen = call.body["frozen_time"]
    clock = TEST_CLOCK.new(
        frozen_time=frozen, name=call.body.get("name"), status="ready", deletes_after=frozen + 30 * 86_400
    )
    await account.create(TEST_CLOCK.name, clock)
    return await reply(account, call, clock)


async def advance_test_clock(account: ApiAccount, call: ApiCall) -> Reply:
    """POST /v1/test_helpers/test_clocks/{clock}/advance: run every renewal due before the new time."""
    clock = await get(account, TEST_CLOCK, call.path["test_clock"], "test_clock")
    target = call.body["frozen_time"]
    if target <= clock["frozen_time"]:
        raise ApiError(
            400, "The test clock can only be advanced to a time after its current frozen_time.", param="frozen_time"
        )
    customers, _ = await account.page(CUSTOMER.name, limit=100, where={"test_clock": clock["id"]})
    renewals = 0
    for customer in customers:
        subscriptions, _ = await account.page(SUBSCRIPTION.name, limit=100, where={"customer": customer["id"]})
        for subscription in subscriptions:
            while subscription["status"] in LIVE_STATUSES and subscription["current_period_end"] <= target:
                renewals += 1
                if renewals > MAX_RENEWALS_PER_ADVANCE:
                    raise ApiError(
                        400, f"Advancing this far renews more than {MAX_RENEWALS_PER_ADVANCE} periods at once."
                    )
                await _renew(account, subscription, customer)
    clock.update(frozen_time=target, status="ready", deletes_after=target + 30 * 86_400)
    await account.save(TEST_CLOCK.name, clock)
    return await reply(account, call, clock)


async def delete_test_clock(account: ApiAccount, call: ApiCall) -> Reply:
    """DELETE /v1/test_helpers/test_clocks/{clock}: the clock, and the customers living on it."""
    clock = await get(account, TEST_CLOCK, call.path["test_clock"], "test_clock")
    customers, _ = await account.page(CUSTOMER.name, limit=100, where={"test_clock": clock["id"]})
    for customer in customers:
        await account.remove(CUSTOMER.name, customer["id"])
    await account.remove(TEST_CLOCK.name, clock["id"])
    return Reply({"id": clock["id"], "object": TEST_CLOCK.name, "deleted": True})


# -- subscriptions -------------------------------------------------------------------------------------


async def create_subscription(account: ApiAccount, call: ApiCall) -> Reply:
    """POST /v1/subscriptions: start billing `items` to `customer`, the first invoice at once."""
    body = call.body
    customer = await get(account, CUSTOMER, body["customer"], "customer")
    entries = body.get("items") or []
    if not entries:
        raise ApiError(400, "Missing required param: items.", param="items")
    prices = [await get(account, PRICE, entry.get("price"), f"items[{i}][price]") for i, entry in enumerate(entries)]
    for index, price in enumerate(prices):
        if price["type"] != "recurring":
            raise ApiError(
                400,
                "The price specified is set to `type=one_time` but this field only accepts prices with "
                "`type=recurring`.",
                param=f"items[{index}][price]",
            )
    intervals = {(p["recurring"]["interval"], p["recurring"]["interval_count"]) for p in prices}
    if len(intervals) > 1 or len({p["currency"] for p in prices}) > 1:
        raise ApiError(
            400,
            "All prices on a subscription must have the same `recurring.interval`, `interval_count` and currency.",
            param="items",
        )
    now = await now_for(account, customer)
    trial_days = body.get("trial_period_days")
    subscription = SUBSCRIPTION.new(
        customer=customer["id"],
        currency=prices[0]["currency"],
        status="incomplete",
        start_date=now,
        billing_cycle_anchor=now,
        cancel_at_period_end=False,
        collection_method="charge_automatically",
        automatic_tax={"enabled": False, "liability": None},
        test_clock=customer.get("test_clock"),
        metadata={},
    )
    lay_over(subscription, body, SUBSCRIPTION.fields)
    if subscription.get("default_payment_method"):
        subscription["default_payment_method"] = (
            await payment_method(account, subscription["default_payment_method"])
        )["id"]
    items = []
    for entry, price in zip(entries, prices, strict=True):
        item = SUBSCRIPTION_ITEM.new(price=price, quantity=entry.get("quantity", 1), subscription=subscription["id"])
        item["metadata"] = entry.get("metadata") or {}
        items.append(item)
    subscription["items"] = {
        "object": "list",
        "data": items,
        "has_more": False,
        "url": f"/v1/subscription_items?subscription={subscription['id']}",
    }
    interval, count = intervals.pop()
    if trial_days:
        trial_end = now + 86_400 * int(trial_days)
        subscription.update(
            status="trialing",
            trial_start=now,
            trial_end=trial_end,
            current_period_start=now,
            current_period_end=trial_end,
        )
    else:
        subscription.update(current_period_start=now, current_period_end=add_interval(now, interval, count))
    await account.create(SUBSCRIPTION.name, subscription)
    await _bill(account, subscription, customer, "subscription_create", amount=0 if trial_days else None)
    await record_event(account, "customer.subscription.created", subscription)
    return await reply(account, call, await account.find(SUBSCRIPTION.name, subscription["id"]) or subscription)


async def update_subscription(account: ApiAccount, call: ApiCall) -> Reply:
    """POST /v1/subscriptions/{id}: metadata, description, default payment method, `cancel_at_period_end`."""
    subscription = await get(account, SUBSCRIPTION, call.path["subscription_exposed_id"], "subscription_exposed_id")
    if "items" in call.body:
        raise ApiError(
            400, "Changing a subscription's items (and prorations) is not implemented by this layer yet.", param="items"
        )
    if subscription["status"] == "canceled":
        raise ApiError(400, "A canceled subscription can only update its cancellation_details and metadata.")
    before = dict(subscription)
    lay_over(subscription, call.body, SUBSCRIPTION.fields)
    await account.save(SUBSCRIPTION.name, subscription)
    previous = {key: before.get(key) for key in subscription if subscription[key] != before.get(key)}
    await record_event(account, "customer.subscription.updated", subscription, previous)
    return await reply(account, call, subscription)


async def cancel_subscription(account: ApiAccount, call: ApiCall) -> Reply:
    """DELETE /v1/subscriptions/{id}: canceled now."""
    subscription = await get(account, SUBSCRIPTION, call.path["subscription_exposed_id"], "subscription_exposed_id")
    if subscription["status"] == "canceled":
        raise ApiError(
            400, f"No such subscription: '{subscription['id']}'; it is already canceled", code="resource_missing"
        )
    customer = await get(account, CUSTOMER, subscription["customer"], "customer")
    await _end(account, subscription, await now_for(account, customer))
    return await reply(account, call, subscription)


async def _end(account: ApiAccount, subscription: dict[str, Any], moment: int) -> None:
    subscription.update(status="canceled", canceled_at=moment, ended_at=moment)
    await account.save(SUBSCRIPTION.name, subscription)
    await record_event(account, "customer.subscription.deleted", subscription)


async def _renew(account: ApiAccount, subscription: dict[str, Any], customer: dict[str, Any]) -> None:
    end = subscription["current_period_end"]
    if subscription.get("cancel_at_period_end"):
        await _end(account, subscription, end)
        return
    recurring = subscription["items"]["data"][0]["price"]["recurring"]
    subscription.update(
        current_period_start=end,
        current_period_end=add_interval(end, recurring["interval"], recurring["interval_count"]),
    )
    if subscription["status"] == "trialing":
        subscription["status"] = "active"
    await account.save(SUBSCRIPTION.name, subscription)
    await _bill(account, subscription, customer, "subscription_cycle")


# -- invoices ----------------------------------------------------------------------------------------------


async def _bill(
    account: ApiAccount, subscription: dict[str, Any], customer: dict[str, Any], reason: str, amount: int | None = None
) -> dict[str, Any]:
    lines = []
    for item in subscription["items"]["data"]:
        line_amount = 0 if amount == 0 else item["price"]["unit_amount"] * item["quantity"]
        lines.append(
            {
                "id": "il_" + item["id"][3:],
                "object": "line_item",
                "amount": line_amount,
                "currency": subscription["currency"],
                "description": f"{item['quantity']} x {item['price'].get('nickname') or item['price']['product']}",
                "livemode": False,
                "metadata": {},
                "period": {"start": subscription["current_period_start"], "end": subscription["current_period_end"]},
                "quantity": item["quantity"],
                "subscription": subscription["id"],
                "price": item["price"],
                "discount_amounts": [],
                "discountable": True,
                "discounts": [],
                "proration": False,
                "tax_amounts": [],
                "tax_rates": [],
                "type": "subscription",
            }
        )
    total = sum(line["amount"] for line in lines)
    moment = subscription["current_period_start"]
    invoice = INVOICE.new(
        customer=customer["id"],
        customer_email=customer.get("email"),
        customer_name=customer.get("name"),
        subscription=subscription["id"],
        billing_reason=reason,
        currency=subscription["currency"],
        collection_method="charge_automatically",
        created=moment,
        period_start=moment,
        period_end=moment,
        subtotal=total,
        total=total,
        amount_due=total,
        amount_remaining=total,
        amount_paid=0,
        status="open",
        test_clock=subscription.get("test_clock"),
        status_transitions={
            "finalized_at": moment,
            "marked_uncollectible_at": None,
            "paid_at": None,
            "voided_at": None,
        },
        metadata={},
    )
    invoice["lines"] = {
        "object": "list",
        "data": lines,
        "has_more": False,
        "url": f"/v1/invoices/{invoice['id']}/lines",
    }
    invoice["number"] = f"{customer.get('invoice_prefix') or 'DOTDO'}-{customer.get('next_invoice_sequence', 1):04d}"
    customer["next_invoice_sequence"] = customer.get("next_invoice_sequence", 1) + 1
    await account.save(CUSTOMER.name, customer)
    await account.create(INVOICE.name, invoice)
    await record_event(account, "invoice.created", invoice)
    await _pay(account, invoice, subscription, customer)
    subscription["latest_invoice"] = invoice["id"]
    await account.save(SUBSCRIPTION.name, subscription)
    return invoice


async def _pay(
    account: ApiAccount,
    invoice: dict[str, Any],
    subscription: dict[str, Any] | None,
    customer: dict[str, Any],
    method_id: str | None = None,
) -> None:
    invoice["attempted"] = True
    invoice["attempt_count"] = invoice.get("attempt_count", 0) + 1
    if invoice["amount_due"] == 0:
        await _mark_paid(account, invoice, subscription)
        return
    method_id = (
        method_id
        or (subscription or {}).get("default_payment_method")
        or (customer.get("invoice_settings") or {}).get("default_payment_method")
    )
    number = (await payment_method(account, method_id)).get("_number", "") if method_id else ""
    result = test_cards.outcome(number) if number else None
    if result is None or not result.succeeds or result.requires_action:
        await account.save(INVOICE.name, invoice)
        await record_event(account, "invoice.payment_failed", invoice)
        if subscription is not None:
            subscription["status"] = "incomplete" if invoice["billing_reason"] == "subscription_create" else "past_due"
            await account.save(SUBSCRIPTION.name, subscription)
            await record_event(account, "customer.subscription.updated", subscription)
        return
    intent = PAYMENT_INTENT.new(
        amount=invoice["amount_due"],
        currency=invoice["currency"],
        customer=customer["id"],
        capture_method="automatic",
        confirmation_method="automatic",
        payment_method=method_id,
        payment_method_types=["card"],
        status="succeeded",
        amount_received=invoice["amount_due"],
        amount_capturable=0,
        metadata={},
    )
    charge = CHARGE.new(
        amount=intent["amount"],
        amount_captured=intent["amount"],
        amount_refunded=0,
        billing_details={"address": None, "email": None, "name": None, "phone": None, "tax_id": None},
        captured=True,
        currency=intent["currency"],
        customer=customer["id"],
        disputed=False,
        metadata={},
        paid=True,
        payment_intent=intent["id"],
        payment_method=method_id,
        refunded=False,
        status="succeeded",
    )
    intent["latest_charge"] = charge["id"]
    await account.create(PAYMENT_INTENT.name, intent)
    await account.create(CHARGE.name, charge)
    invoice["payment_intent"], invoice["charge"] = intent["id"], charge["id"]
    await _mark_paid(account, invoice, subscription)


async def _mark_paid(account: ApiAccount, invoice: dict[str, Any], subscription: dict[str, Any] | None) -> None:
    invoice.update(status="paid", paid=True, amount_paid=invoice["amount_due"], amount_remaining=0)
    invoice["status_transitions"]["paid_at"] = invoice["period_end"]
    await account.save(INVOICE.name, invoice)
    await record_event(account, "invoice.paid", invoice)
    if subscription is not None and subscription["status"] in ("incomplete", "past_due"):
        subscription["status"] = "active"
        await account.save(SUBSCRIPTION.name, subscription)


async def pay_invoice(account: ApiAccount, call: ApiCall) -> Reply:
    """POST /v1/invoices/{invoice}/pay: try an open invoice again (with `payment_method` if given)."""
    invoice = await get(account, INVOICE, call.path["invoice"], "invoice")
    if invoice["status"] != "open":
        raise ApiError(400, f"Invoice is already {invoice['status']}", code="invoice_not_open")
    customer = await get(account, CUSTOMER, invoice["customer"], "customer")
    subscription = (
        await account.find(SUBSCRIPTION.name, invoice["subscription"]) if invoice.get("subscription") else None
    )
    method = call.body.get("payment_method")
    await _pay(
        account, invoice, subscription, customer, (await payment_method(account, method))["id"] if method else None
    )
    if invoice["status"] != "paid":
        raise ApiError(402, "Your card was declined.", kind="card_error", code="card_declined")
    return await reply(account, call, invoice)
