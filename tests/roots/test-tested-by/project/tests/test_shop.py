import unittest

import shop.pricing as p
from helpers import check_total, filled
from shop import Cart
from shop.cart import either


def test_fixture_value(cart):
    cart.add(1)
    assert cart.total == 1


def test_module_alias():
    assert p.discount(10) == 9


def test_helper_and_inherited_method():
    c = filled()
    c.clear()


def test_annotated_returns():
    assert Cart().receipt().printed() == ""


def test_protocol():
    cart = Cart().add(1)
    assert len(cart) == 1  # a C function calls __len__: not the test
    assert cart[0] == 1


def test_argument_to_a_helper():
    check_total(Cart(), 0)


def test_metaclass(tariff):
    assert tariff.apply(10) == 5


def test_ambiguous():
    either(True).add(1)  # Cart or Receipt: what add is, is not known


class TestState(unittest.TestCase):
    def setUp(self):
        self.cart = Cart()

    def test_clear(self):
        self.cart.clear()
