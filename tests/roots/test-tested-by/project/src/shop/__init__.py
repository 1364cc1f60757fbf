"""A shop: what its tests use, found statically."""

from . import pricing
from .cart import Cart, make_cart

__all__ = ["Cart", "make_cart", "pricing"]
