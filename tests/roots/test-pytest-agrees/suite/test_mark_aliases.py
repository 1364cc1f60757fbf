"""Marks bound to names, returned by helpers, listed in pytestmark."""

import pytest

params = pytest.mark.parametrize("x", [1, 2, 3])
letters = pytest.mark.parametrize("y", ["a", pytest.param("b", id="bee")])
slow = pytest.mark.slow
again = params


@params
def test_alias(x): ...


@params
@pytest.mark.parametrize("z", [True, False])
def test_alias_beside_a_literal(x, z): ...


@again
def test_alias_of_an_alias(x): ...


def dual():
    return pytest.mark.parametrize("d", [0, 1])


def scaled(n):
    return pytest.mark.parametrize("n", list(range(n)))


@dual()
@letters
def test_helper_and_alias(d, y): ...


@scaled(4)
def test_helper_with_arguments(n): ...


@slow
def test_marker_alias(): ...


@params
class TestDecoratedClass:
    def test_method(self, x): ...


class TestClassBody:
    pytestmark = [params, slow]
    local = pytest.mark.parametrize("w", [5, 6])

    @local
    def test_local_alias(self, x, w): ...

    def test_only_pytestmark(self, x): ...
