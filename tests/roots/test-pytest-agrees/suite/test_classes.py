"""Classes as Python's order of execution leaves them."""

import pytest


try:
    class TestFallback:
        def test_in_try(self): ...
except ImportError:
    class TestFallback:
        def test_in_except(self): ...


class Helpers:
    def test_borrowed(self): ...


class TestBorrowing:
    test_under_another_name = Helpers.test_borrowed


def test_redefined_first(): ...


def test_redefined_first(base): ...


def make_base():
    return type("Made", (), {"test_made": lambda self: None})


class TestMadeBase(make_base()):
    def test_own(self): ...


exec("def test_from_exec(): pass")
