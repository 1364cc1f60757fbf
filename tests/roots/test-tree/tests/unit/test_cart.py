"""Carts."""

import os


class CartTest:
    def test_empty(self): ...
