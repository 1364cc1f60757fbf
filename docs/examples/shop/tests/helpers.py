"""Helpers for building test data."""

from shop.cart import Item

MAX_ITEMS = 100


def make_item(name, price=1.0):
    """Build an item without touching the catalogue."""
    return Item(name=name, price=price)


def make_items(*names):
    return [make_item(name) for name in names]
