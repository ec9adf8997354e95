"""Payments: payment methods, the payment intent state machine, charges and refunds.

A payment intent moves `requires_payment_method` → `requires_confirmation` → (`requires_action`) →
`requires_capture` or `succeeded`, or `canceled`; a declined card sends it back to
`requires_payment_method` with `last_payment_error` and answers the 402 `card_error` Stripe answers.
Which card does what is Stripe's documented table of test cards (`test_cards.py`). Every step runs
inside the tenant's object, so two confirmations of one intent are never interleaved.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..openapi import ApiError, Reply, lay_over
from . import test_cards
from .resources import CHARGE, CUSTOMER, PAYMENT_INTENT, PAYMENT_METHOD, REFUND, get, public, record_event, reply

if TYPE_CHECKING:
    from ..openapi import ApiAccount, ApiCall

CANCELABLE = {"requires_payment_method", "requires_confirmation", "requires_action", "requires_capture", "processing"}
CONFIRMABLE = {"requires_payment_method", "requires_confirmation", "requires_action"}
CANCELLATION_REASONS = {"duplicate", "fraudulent", "requested_by_customer", "abandoned"}


# -- payment methods ---------------------------------------------------------------------------------------


def _card_method(number: str, exp_month: int = 12, exp_year: int = 2034, **values: Any) -> dict[str, Any]:
    result = test_cards.outcome(number)
    card = {
        "brand": result.brand,
        "checks": {"address_line1_check": None, "address_postal_code_check": None, "cvc_check": "pass"},
        "country": "US",
        "exp_month": exp_month,
        "exp_year": exp_year,
        "fingerprint": number[-8:],
        "funding": result.funding,
        "generated_from": None,
        "last4": result.last4,
        "networks": {"available": [result.brand], "preferred": None},
        "three_d_secure_usage": {"supported": True},
        "wallet": None,
        "display_brand": result.brand,
        "regulated_status": "unregulated",
    }
    method = PAYMENT_METHOD.new(type="card", card=card, customer=None, **values)
    method["billing_details"] = {"address": None, "email": None, "name": None, "phone": None, "tax_id": None}
    method["_number"] = number
    return method


async def payment_method(account: ApiAccount, method_id: Any, param: str = "payment_method") -> dict[str, Any]:
    """A stored payment method, or one of Stripe's ready-made test methods (`pm_card_visa`), stored on first use."""
    if isinstance(method_id, str) and method_id in test_cards.PAYMENT_METHODS:
        method = _card_method(test_cards.PAYMENT_METHODS[method_id])
        await account.create(PAYMENT_METHOD.name, method)
        return method
    return await get(account, PAYMENT_METHOD, method_id, param)


async def create_payment_method(account: ApiAccount, call: ApiCall) -> Reply:
    """POST /v1/payment_methods: a card from `card[number]` (any Luhn-valid number) or `card[token]`."""
    body = call.body
    if body.get("type") != "card":
        raise ApiError(400, f"This layer creates card payment methods only, not {body.get('type')!r}.", param="type")
    card = body.get("card") or {}
    number = str(
        card.get("number") or test_cards.PAYMENT_METHODS.get(str(card.get("token", "")).replace("tok_", "pm_card_"), "")
    )
    if not test_cards.luhn_valid(number):
        raise ApiError(
            402, "Your card number is incorrect.", kind="card_error", code="incorrect_number", param="card[number]"
        )
    method = _card_method(
        number, int(card.get("exp_month", 12)), int(card.get("exp_year", 2034)), metadata=body.get("metadata") or {}
    )
    if body.get("billing_details"):
        method["billing_details"].update(body["billing_details"])
    await account.create(PAYMENT_METHOD.name, method)
    await record_event(account, "payment_method.created", public(method))
    return await reply(account, call, public(method))


async def retrieve_payment_method(account: ApiAccount, call: ApiCall) -> Reply:
    """GET /v1/payment_methods/{payment_method}."""
    return await reply(account, call, public(await payment_method(account, call.path["payment_method"])))


async def update_payment_method(account: ApiAccount, call: ApiCall) -> Reply:
    """POST /v1/payment_methods/{payment_method}: billing details and metadata."""
    method = await payment_method(account, call.path["payment_method"])
    lay_over(method, call.body, PAYMENT_METHOD.fields)
    await account.save(PAYMENT_METHOD.name, method)
    return await reply(account, call, public(method))


async def attach_payment_method(account: ApiAccount, call: ApiCall) -> Reply:
    """POST /v1/payment_methods/{pm}/attach: the method now belongs to `customer`."""
    method = await payment_method(account, call.path["payment_method"])
    customer = await get(account, CUSTOMER, call.body.get("customer"), "customer")
    if method.get("customer") not in (None, customer["id"]):
        raise ApiError(
            400,
            "The payment method you provided has already been attached to a customer.",
            code="resource_already_exists",
        )
    method["customer"] = customer["id"]
    await account.save(PAYMENT_METHOD.name, method)
    await record_event(account, "payment_method.attached", public(method))
    return await reply(account, call, public(method))


async def detach_payment_method(account: ApiAccount, call: ApiCall) -> Reply:
    """POST /v1/payment_methods/{pm}/detach."""
    method = await payment_method(account, call.path["payment_method"])
    if method.get("customer") is None:
        raise ApiError(
            400, "The payment method you provided is not attached to a customer so detachment is impossible."
        )
    method["customer"] = None
    await account.save(PAYMENT_METHOD.name, method)
    await record_event(account, "payment_method.detached", public(method))
    return await reply(account, call, public(method))


async def list_payment_methods(account: ApiAccount, call: ApiCall) -> Reply:
    """GET /v1/payment_methods and /v1/customers/{customer}/payment_methods."""
    customer = call.path.get("customer") or call.params.get("customer")
    if customer is not None:
        await get(account, CUSTOMER, customer, "customer")
    where: dict[str, Any] = {"customer": customer} if customer else {}
    if call.params.get("type"):
        where["type"] = call.params["type"]
    limit = call.params.get("limit", 10)
    items, more = await account.page(
        PAYMENT_METHOD.name,
        limit=limit,
        starting_after=call.params.get("starting_after"),
        ending_before=call.params.get("ending_before"),
        where=where,
    )
    url = f"/v1/customers/{customer}/payment_methods" if call.path.get("customer") else "/v1/payment_methods"
    return await reply(
        account, call, {"object": "list", "data": [public(m) for m in items], "has_more": more, "url": url}
    )


# -- payment intents ---------------------------------------------------------------------------------------


async def _intent(account: ApiAccount, call: ApiCall) -> dict[str, Any]:
    return await get(account, PAYMENT_INTENT, call.path["intent"], "intent")


def _unexpected_state(intent: dict[str, Any], action: str) -> ApiError:
    return ApiError(
        400,
        f"You cannot {action} this PaymentIntent because it has a status of {intent['status']}.",
        code="payment_intent_unexpected_state",
        payment_intent=intent,
    )


async def create_payment_intent(account: ApiAccount, call: ApiCall) -> Reply:
    """POST /v1/payment_intents: `requires_payment_method`, or further when a method and `confirm` are given."""
    body = call.body
    amount = body.get("amount")
    if not isinstance(amount, int) or amount < 1:
        raise ApiError(400, "This value must be greater than or equal to 1.", param="amount")
    if body.get("customer") is not None:
        await get(account, CUSTOMER, body["customer"], "customer")
    intent = PAYMENT_INTENT.new(
        amount=amount,
        currency=str(body["currency"]).lower(),
        capture_method=body.get("capture_method", "automatic_async"),
        confirmation_method=body.get("confirmation_method", "automatic"),
        payment_method_types=body.get("payment_method_types") or ["card"],
        status="requires_payment_method",
        client_secret=None,
        amount_capturable=0,
        amount_received=0,
        metadata={},
    )
    intent["client_secret"] = f"{intent['id']}_secret_{intent['id'][3:]}"
    lay_over(intent, body, PAYMENT_INTENT.fields)
    if body.get("payment_method"):
        intent["payment_method"] = (await payment_method(account, body["payment_method"]))["id"]
        intent["status"] = "requires_confirmation"
    await account.create(PAYMENT_INTENT.name, intent)
    await record_event(account, "payment_intent.created", intent)
    if body.get("confirm") is True:
        return await _confirm(account, call, intent, body)
    return await reply(account, call, intent)


async def update_payment_intent(account: ApiAccount, call: ApiCall) -> Reply:
    """POST /v1/payment_intents/{intent}: amount, currency, customer, method, metadata before it is done."""
    intent = await _intent(account, call)
    if intent["status"] in ("succeeded", "canceled", "processing"):
        raise _unexpected_state(intent, "update")
    lay_over(intent, call.body, PAYMENT_INTENT.fields)
    if call.body.get("payment_method"):
        intent["payment_method"] = (await payment_method(account, call.body["payment_method"]))["id"]
        intent["status"] = "requires_confirmation"
    await account.save(PAYMENT_INTENT.name, intent)
    return await reply(account, call, intent)


async def retrieve_payment_intent(account: ApiAccount, call: ApiCall) -> Reply:
    """GET /v1/payment_intents/{intent}."""
    return await reply(account, call, await _intent(account, call))


async def confirm_payment_intent(account: ApiAccount, call: ApiCall) -> Reply:
    """POST /v1/payment_intents/{intent}/confirm: charge the payment method (or ask for authentication)."""
    intent = await _intent(account, call)
    return await _confirm(account, call, intent, call.body)


async def _confirm(account: ApiAccount, call: ApiCall, intent: dict[str, Any], body: dict[str, Any]) -> Reply:
    if intent["status"] not in CONFIRMABLE:
        raise _unexpected_state(intent, "confirm")
    if body.get("payment_method"):
        intent["payment_method"] = (await payment_method(account, body["payment_method"]))["id"]
    if intent.get("payment_method") is None:
        raise ApiError(
            400,
            "You cannot confirm this PaymentIntent because it's missing a payment method. To confirm the PaymentIntent "
            "with a customer, you need to provide a payment method.",
            code="payment_intent_unexpected_state",
        )
    method = await payment_method(account, intent["payment_method"])
    result = test_cards.outcome(method.get("_number", ""))
    authenticated = intent["status"] == "requires_action"
    if result.requires_action and not authenticated:
        intent["status"] = "requires_action"
        intent["next_action"] = {
            "type": "use_stripe_sdk",
            "use_stripe_sdk": {"type": "three_d_secure_redirect", "stripe_js": "", "source": intent["payment_method"]},
        }
        await account.save(PAYMENT_INTENT.name, intent)
        await record_event(account, "payment_intent.requires_action", intent)
        return await reply(account, call, intent)
    intent["next_action"] = None
    charge = _charge(intent, method, result)
    await account.create(CHARGE.name, charge)
    intent["latest_charge"] = charge["id"]
    if not result.succeeds:
        error = {
            "type": "card_error",
            "code": result.error_code,
            "decline_code": result.decline_code,
            "message": test_cards.DECLINE_MESSAGES.get(result.decline_code or "", "Your card was declined."),
            "charge": charge["id"],
            "payment_method": public(method),
        }
        intent.update(status="requires_payment_method", last_payment_error=error, payment_method=None)
        await account.save(PAYMENT_INTENT.name, intent)
        await record_event(account, "charge.failed", charge)
        await record_event(account, "payment_intent.payment_failed", intent)
        raise ApiError(
            402,
            error["message"],
            kind="card_error",
            code=result.error_code,
            decline_code=result.decline_code,
            charge=charge["id"],
            payment_intent=intent,
        )
    manual = intent["capture_method"] == "manual"
    intent["last_payment_error"] = None
    intent["status"] = "requires_capture" if manual else "succeeded"
    intent["amount_capturable" if manual else "amount_received"] = intent["amount"]
    await account.save(PAYMENT_INTENT.name, intent)
    await record_event(account, "charge.succeeded", charge)
    await record_event(
        account, "payment_intent.amount_capturable_updated" if manual else "payment_intent.succeeded", intent
    )
    return await reply(account, call, intent)


def _charge(intent: dict[str, Any], method: dict[str, Any], result: test_cards.CardOutcome) -> dict[str, Any]:
    succeeded = result.succeeds
    captured = succeeded and intent["capture_method"] != "manual"
    return CHARGE.new(
        amount=intent["amount"],
        amount_captured=intent["amount"] if captured else 0,
        amount_refunded=0,
        billing_details=method["billing_details"],
        captured=captured,
        currency=intent["currency"],
        customer=intent.get("customer"),
        description=intent.get("description"),
        disputed=False,
        failure_code=None if succeeded else result.error_code,
        failure_message=None if succeeded else test_cards.DECLINE_MESSAGES.get(result.decline_code or ""),
        metadata=dict(intent.get("metadata") or {}),
        paid=succeeded,
        payment_intent=intent["id"],
        payment_method=method["id"],
        refunded=False,
        status="succeeded" if succeeded else "failed",
        outcome={
            "network_status": "approved_by_network" if succeeded else "declined_by_network",
            "reason": None if succeeded else result.decline_code,
            "risk_level": "normal",
            "seller_message": "Payment complete." if succeeded else "The bank did not return any further details.",
            "type": "authorized" if succeeded else "issuer_declined",
        },
    )


async def capture_payment_intent(account: ApiAccount, call: ApiCall) -> Reply:
    """POST /v1/payment_intents/{intent}/capture: take (part of) an authorized amount."""
    intent = await _intent(account, call)
    if intent["status"] != "requires_capture":
        raise _unexpected_state(intent, "capture")
    amount = call.body.get("amount_to_capture", intent["amount_capturable"])
    if not isinstance(amount, int) or not 0 < amount <= intent["amount_capturable"]:
        raise ApiError(400, "The amount to capture must be at most the capturable amount.", param="amount_to_capture")
    intent.update(status="succeeded", amount_received=amount, amount_capturable=0)
    charge = await get(account, CHARGE, intent["latest_charge"])
    charge.update(captured=True, amount_captured=amount)
    await account.save(CHARGE.name, charge)
    await account.save(PAYMENT_INTENT.name, intent)
    await record_event(account, "charge.captured", charge)
    await record_event(account, "payment_intent.succeeded", intent)
    return await reply(account, call, intent)


async def cancel_payment_intent(account: ApiAccount, call: ApiCall) -> Reply:
    """POST /v1/payment_intents/{intent}/cancel."""
    intent = await _intent(account, call)
    if intent["status"] not in CANCELABLE:
        raise _unexpected_state(intent, "cancel")
    reason = call.body.get("cancellation_reason")
    if reason is not None and reason not in CANCELLATION_REASONS:
        raise ApiError(400, f"Invalid cancellation_reason: {reason}", param="cancellation_reason")
    intent.update(status="canceled", cancellation_reason=reason, canceled_at=intent["created"], amount_capturable=0)
    await account.save(PAYMENT_INTENT.name, intent)
    await record_event(account, "payment_intent.canceled", intent)
    return await reply(account, call, intent)


# -- refunds ---------------------------------------------------------------------------------------------------


async def create_refund(account: ApiAccount, call: ApiCall) -> Reply:
    """POST /v1/refunds: by `payment_intent` or `charge`; the whole remaining amount unless `amount` says less."""
    body = call.body
    if body.get("payment_intent"):
        intent = await get(account, PAYMENT_INTENT, body["payment_intent"], "payment_intent")
        if intent["status"] != "succeeded" or not intent.get("latest_charge"):
            raise ApiError(
                400,
                f"This PaymentIntent ({intent['id']}) does not have a successful charge to refund.",
                code="charge_not_refundable",
            )
        charge = await get(account, CHARGE, intent["latest_charge"], "payment_intent")
    elif body.get("charge"):
        charge = await get(account, CHARGE, body["charge"], "charge")
    else:
        raise ApiError(
            400, "One of the following params should be provided for this request: payment_intent or charge."
        )
    remaining = charge["amount_captured"] - charge["amount_refunded"]
    amount = body.get("amount", remaining)
    if not isinstance(amount, int) or amount < 1 or amount > remaining:
        raise ApiError(
            400,
            f"Refund amount ({amount}) is greater than unrefunded amount on charge ({remaining})",
            code="amount_too_large",
            param="amount",
        )
    refund = REFUND.new(
        amount=amount,
        currency=charge["currency"],
        charge=charge["id"],
        payment_intent=charge.get("payment_intent"),
        reason=body.get("reason"),
        status="succeeded",
        metadata=body.get("metadata") or {},
    )
    await account.create(REFUND.name, refund)
    charge["amount_refunded"] += amount
    charge["refunded"] = charge["amount_refunded"] == charge["amount_captured"]
    await account.save(CHARGE.name, charge)
    await record_event(account, "refund.created", refund)
    await record_event(account, "charge.refunded", charge)
    return await reply(account, call, refund)
