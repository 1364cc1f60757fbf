"""Classes as Python's order of execution leaves them."""

import sys

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
    class Base:
        def test_made(self): ...

    return Base


def make_opaque_base():
    return type("Made", (), {"test_opaque": lambda self: None})


class TestMadeBase(make_base()):
    def test_own(self): ...


class TestOpaqueBase(make_opaque_base()):
    def test_own(self): ...


exec("def test_from_exec(): pass")


def register(cls):
    for suffix in ("One", "Two"):
        name = "Test" + cls.__name__ + suffix
        globals()[name] = type(name, (cls,), {})
    return cls


@register
class Checks:
    def test_registered(self): ...


if sys.platform == "win32":

    def test_on_windows(): ...

else:

    def test_elsewhere(): ...
