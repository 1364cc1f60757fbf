"""Integration tests of payments (unittest style)."""

import os
import unittest
from unittest import mock

from shop.payments import Gateway, PaymentDeclined
from shop.payments.fake import FakeGateway

from .. import helpers

SANDBOX_URL = os.environ.get("SHOP_SANDBOX_URL", "")
RETRIES = 3


class PaymentTestCase(unittest.TestCase):
    """Base class: a fresh fake gateway per test."""

    def setUp(self):
        """Open the fake gateway."""
        self.gateway = FakeGateway()

    def tearDown(self):
        """Close the fake gateway."""
        self.gateway.close()


class CardPaymentTest(PaymentTestCase):
    def test_accepted(self):
        self.assertTrue(self.gateway.pay(helpers.make_item("apple")))

    def test_declined(self):
        self.gateway.decline_next()
        with self.assertRaises(PaymentDeclined):
            self.gateway.pay(helpers.make_item("apple"))

    @mock.patch.object(Gateway, "timeout", 0.01)
    def test_timeout_is_retried(self):
        self.assertEqual(self.gateway.retries, RETRIES)


class SandboxPaymentTest(PaymentTestCase):
    @unittest.skipUnless(SANDBOX_URL, "needs SHOP_SANDBOX_URL")
    def test_real_sandbox(self):
        Gateway(SANDBOX_URL).ping()

    @unittest.expectedFailure
    def test_refund_in_sandbox(self):
        Gateway(SANDBOX_URL).refund("unknown")
