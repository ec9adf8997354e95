"""What of stripe-python's tests is not counted as passing against the Stripe layer, and why.

stripe-python 16.1.0's `tests/` (its PyPI sdist) holds 3,396 tests. Only those that send a request
to the server stand for the layer: the rest test the SDK itself. Of those, the ones whose every
request is an operation this layer serves are vendored in `upstream/` and run; `FAILING` says why
the vendored tests outside the baseline fail.
"""

from __future__ import annotations

UPSTREAM_TESTS = 3396

NO_SERVER = (
    2344,
    "tests of the SDK itself (encoding, retries, errors, webhooks, its HTTP clients against their own local "
    "servers) and tests that stub every response: no request reaches the server; not vendored",
)

NOT_SERVED: dict[str, int] = {
    "accounts": 79,
    "customers (sources, balance and cash balance transactions, tax ids, discount)": 68,
    "treasury": 62,
    "issuing": 52,
    "terminal": 48,
    "quotes": 46,
    "financial_connections": 34,
    "test_helpers/issuing": 30,
    "invoices (create, update, finalize, void, send, line items, upcoming)": 23,
    "radar": 22,
    "files": 17,
    "transfers": 17,
    "identity": 16,
    "setup_intents": 16,
    "tax": 16,
    "test_helpers/treasury": 16,
    "application_fees": 14,
    "checkout": 14,
    "payment_links": 14,
    "tokens": 14,
    "sources": 13,
    "tax_ids": 13,
    "apps": 12,
    "credit_notes": 12,
    "payouts": 12,
    "plans": 12,
    "shipping_rates": 12,
    "subscription_schedules": 12,
    "billing_portal": 10,
    "coupons": 10,
    "invoiceitems": 10,
    "reporting": 10,
    "subscription_items": 10,
    "topups": 10,
    "charges (create, update, capture)": 9,
    "disputes": 8,
    "file_links": 8,
    "payment_intents (apply_customer_balance, increment_authorization, verify_microdeposits)": 8,
    "payment_method_configurations": 8,
    "promotion_codes": 8,
    "tax_rates": 8,
    "reviews": 6,
    "balance_transactions": 4,
    "country_specs": 4,
    "ephemeral_keys": 4,
    "refunds (update, cancel)": 4,
    "sigma": 4,
    "tax_codes": 4,
    "account_links": 2,
    "customer_sessions": 2,
    "mandates": 2,
    "setup_attempts": 2,
    "subscriptions (delete discount)": 2,
    "test_helpers/customers": 2,
    "test_helpers/refunds": 2,
    "account": 1,
}
"""Tests that call an operation the layer does not serve, by the resource of their first such request; not vendored."""

FIXTURE_ID = (
    "reads or changes an object by an id no test created (`cus_xxxxxxxxxxxxx`, `in_123`): stripe-mock answers "
    "a fixture for any id, a layer that keeps state answers `resource_missing` as Stripe does"
)
FIXTURE_LIST = (
    "expects a list or a search to hold an object no test created (`data[0]` of a new account's charges, "
    "customers or invoices): stripe-mock answers its fixtures"
)
PLACEHOLDER_KEY = "sends stripe-mock's placeholder key (`sk_test_customer`), which a layer that checks keys refuses"

FAILING: dict[str, str] = {
    "api_resources/test_charge.py::TestCharge::test_is_listable": FIXTURE_LIST,
    "api_resources/test_charge.py::TestCharge::test_is_searchable": FIXTURE_LIST,
    "api_resources/test_customer.py::TestCustomer::test_is_listable": FIXTURE_LIST,
    "api_resources/test_invoice.py::TestInvoice::test_is_listable": FIXTURE_LIST,
    "api_resources/test_list_object.py::TestListObject::test_retrieve_maintains_list_properties": PLACEHOLDER_KEY,
}
"""Vendored tests that fail for a reason other than `FIXTURE_ID` (the reason of every other failing one)."""


def reason_of(test_id: str, message: str) -> str:
    """Why a vendored test outside the baseline failed: its listed reason, a fixture id, or its own message."""
    if test_id in FAILING:
        return FAILING[test_id]
    if "No such" in message:
        return FIXTURE_ID
    return f"not explained yet: {message[:200]}"
