import stripe

TEST_RESOURCE_ID = "cus_123"

TEST_SUB_ID = "sub_123"

TEST_SOURCE_ID = "ba_123"

TEST_TAX_ID_ID = "txi_123"

TEST_TRANSACTION_ID = "cbtxn_123"

class TestCustomer(object):
    def test_is_listable(self, http_client_mock):
        resources = stripe.Customer.list()
        http_client_mock.assert_requested("get", path="/v1/customers")
        assert isinstance(resources.data, list)
        assert isinstance(resources.data[0], stripe.Customer)

    def test_is_retrievable(self, http_client_mock):
        resource = stripe.Customer.retrieve(TEST_RESOURCE_ID)
        http_client_mock.assert_requested(
            "get", path="/v1/customers/%s" % TEST_RESOURCE_ID
        )
        assert isinstance(resource, stripe.Customer)

    def test_is_creatable(self, http_client_mock):
        resource = stripe.Customer.create()
        http_client_mock.assert_requested("post", path="/v1/customers")
        assert isinstance(resource, stripe.Customer)

    def test_is_saveable(self, http_client_mock):
        resource = stripe.Customer.retrieve(TEST_RESOURCE_ID)
        resource.metadata["key"] = "value"
        resource.save()
        http_client_mock.assert_requested(
            "post",
            path="/v1/customers/%s" % TEST_RESOURCE_ID,
            post_data="metadata[key]=value",
        )

    def test_is_modifiable(self, http_client_mock):
        resource = stripe.Customer.modify(
            TEST_RESOURCE_ID, metadata={"key": "value"}
        )
        http_client_mock.assert_requested(
            "post",
            path="/v1/customers/%s" % TEST_RESOURCE_ID,
            post_data="metadata[key]=value",
        )
        assert isinstance(resource, stripe.Customer)

    def test_is_deletable(self, http_client_mock):
        resource = stripe.Customer.retrieve(TEST_RESOURCE_ID)
        resource.delete()
        http_client_mock.assert_requested(
            "delete", path="/v1/customers/%s" % TEST_RESOURCE_ID
        )
        assert resource.deleted is True

    def test_can_delete(self, http_client_mock):
        resource = stripe.Customer.delete(TEST_RESOURCE_ID)
        http_client_mock.assert_requested(
            "delete", path="/v1/customers/%s" % TEST_RESOURCE_ID
        )
        assert resource.deleted is True

    def test_can_delete_discount(self, http_client_mock):
        resource = stripe.Customer.retrieve(TEST_RESOURCE_ID)
        resource.delete_discount()
        http_client_mock.assert_requested(
            "delete", path="/v1/customers/%s/discount" % TEST_RESOURCE_ID
        )


class TestCustomerPaymentMethods(object):
    def test_is_listable(self, http_client_mock):
        stripe.Customer.list_payment_methods(TEST_RESOURCE_ID, type="card")
        http_client_mock.assert_requested(
            "get", path="/v1/customers/%s/payment_methods" % TEST_RESOURCE_ID
        )

    def test_is_listable_on_object(self, http_client_mock):
        resource = stripe.Customer.retrieve(
            TEST_RESOURCE_ID
        ).list_payment_methods(type="card")
        http_client_mock.assert_requested(
            "get", path="/v1/customers/%s/payment_methods" % TEST_RESOURCE_ID
        )
        assert isinstance(resource, stripe.ListObject)
