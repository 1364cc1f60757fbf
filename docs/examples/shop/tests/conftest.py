"""Fixtures shared by every test of the shop."""

import pytest

from shop.cart import Cart
from shop.catalogue import Catalogue

DEFAULT_CURRENCY = "EUR"


@pytest.fixture
def catalogue():
    """A catalogue with three items."""
    return Catalogue.from_rows([("apple", 1.0), ("pear", 1.5), ("plum", 0.5)])


@pytest.fixture(name="cart")
def empty_cart(catalogue):
    """An empty cart over the shared catalogue."""
    return Cart(catalogue, currency=DEFAULT_CURRENCY)


@pytest.fixture(scope="session")
def payment_gateway():
    """A fake payment gateway, shared by the whole session."""
    from shop.payments.fake import FakeGateway

    gateway = FakeGateway()
    yield gateway
    gateway.close()
