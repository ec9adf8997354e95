"""Stripe's test cards and test PaymentMethods, with the outcomes Stripe documents for each.

`4242 4242 4242 4242` (or `pm_card_visa`) succeeds; `4000 0000 0000 0002` is declined with
`generic_decline`; `4000 0027 6000 3184` requires 3-D Secure authentication; and so on. The table is
what test suites written against Stripe's test mode rely on.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CardOutcome:
    """What confirming a payment with this card does."""

    brand: str
    last4: str
    decline_code: str | None = None
    error_code: str = "card_declined"
    requires_action: bool = False
    funding: str = "credit"

    @property
    def succeeds(self) -> bool:
        """Whether the payment goes through (once authenticated, if it requires action)."""
        return self.decline_code is None


CARDS: dict[str, CardOutcome] = {
    "4242424242424242": CardOutcome("visa", "4242"),
    "4000056655665556": CardOutcome("visa", "5556", funding="debit"),
    "5555555555554444": CardOutcome("mastercard", "4444"),
    "378282246310005": CardOutcome("amex", "0005"),
    "4000000000000002": CardOutcome("visa", "0002", "generic_decline"),
    "4000000000009995": CardOutcome("visa", "9995", "insufficient_funds"),
    "4000000000009987": CardOutcome("visa", "9987", "lost_card"),
    "4000000000009979": CardOutcome("visa", "9979", "stolen_card"),
    "4000000000000069": CardOutcome("visa", "0069", "expired_card", error_code="expired_card"),
    "4000000000000127": CardOutcome("visa", "0127", "incorrect_cvc", error_code="incorrect_cvc"),
    "4000000000000119": CardOutcome("visa", "0119", "processing_error", error_code="processing_error"),
    "4000002760003184": CardOutcome("visa", "3184", requires_action=True),
    "4000002500003155": CardOutcome("visa", "3155", requires_action=True),
    "4000000000003220": CardOutcome("visa", "3220", requires_action=True),
}
"""Card numbers → outcome."""

PAYMENT_METHODS: dict[str, str] = {
    "pm_card_visa": "4242424242424242",
    "pm_card_visa_debit": "4000056655665556",
    "pm_card_mastercard": "5555555555554444",
    "pm_card_amex": "378282246310005",
    "pm_card_chargeDeclined": "4000000000000002",
    "pm_card_visa_chargeDeclined": "4000000000000002",
    "pm_card_chargeDeclinedInsufficientFunds": "4000000000009995",
    "pm_card_chargeDeclinedLostCard": "4000000000009987",
    "pm_card_chargeDeclinedStolenCard": "4000000000009979",
    "pm_card_chargeDeclinedExpiredCard": "4000000000000069",
    "pm_card_chargeDeclinedIncorrectCvc": "4000000000000127",
    "pm_card_chargeDeclinedProcessingError": "4000000000000119",
    "pm_card_authenticationRequired": "4000002760003184",
    "pm_card_threeDSecure2Required": "4000000000003220",
    "pm_card_threeDSecureRequired": "4000002500003155",
}
"""Stripe's ready-made test PaymentMethod ids → the card number behind each."""

DECLINE_MESSAGES = {
    "generic_decline": "Your card was declined.",
    "insufficient_funds": "Your card has insufficient funds.",
    "lost_card": "Your card was declined.",
    "stolen_card": "Your card was declined.",
    "expired_card": "Your card has expired.",
    "incorrect_cvc": "Your card's security code is incorrect.",
    "processing_error": "An error occurred while processing your card. Try again in a little bit.",
}


def outcome(number: str) -> CardOutcome:
    """The outcome of a card number: a listed test card, or success for any other number passing Luhn's check."""
    digits = "".join(ch for ch in number if ch.isdigit())
    known = CARDS.get(digits)
    if known is not None:
        return known
    brand = {"4": "visa", "5": "mastercard", "3": "amex", "6": "discover"}.get(digits[:1], "unknown")
    return CardOutcome(brand, digits[-4:])


def luhn_valid(number: str) -> bool:
    """Whether a card number passes the Luhn checksum (what Stripe calls `incorrect_number` otherwise)."""
    digits = [int(ch) for ch in number if ch.isdigit()]
    if len(digits) < 12 or len(digits) > 19:
        return False
    total = 0
    for index, digit in enumerate(reversed(digits)):
        if index % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0
