import pytest

from shop import Cart


@pytest.fixture
def cart():
    return Cart()


@pytest.fixture
def tariff():
    from shop.pricing import Tariff

    yield Tariff(0.5)
