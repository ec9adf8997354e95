import json

import pytest

import stripe

from stripe._util import convert_to_stripe_object

from stripe._stripe_object import StripeObject

from tests.compat.stripe.conformance.upstream.http_client_mock import HTTPClientMock

class TestListObject(object):
    @pytest.fixture
    def list_object(self):
        return stripe.ListObject.construct_from(
            {"object": "list", "url": "/my/path", "data": ["foo"]}, "mykey"
        )

    def test_retrieve_maintains_list_properties(
        self, http_client_mock, list_object
    ):
        # Testing with real requests because our mock makes it impossible to
        # test otherwise
        charge = stripe.Charge.retrieve("ch_123", api_key="sk_test_custom")
        res = charge.refunds.retrieve("re_abc")
        http_client_mock.assert_requested(
            "get", path="/v1/charges/ch_123/refunds/re_abc"
        )
        assert res.api_key == "sk_test_custom"
