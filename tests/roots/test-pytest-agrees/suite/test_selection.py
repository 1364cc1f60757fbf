"""Tests addopts deselects: by marks (-m), by names (-k)."""

import pytest

slow = pytest.mark.slow


@pytest.mark.slow
def test_marked_slow(): ...


@slow
@pytest.mark.parametrize("n", [1, 2])
def test_slow_and_parametrized(n): ...


@pytest.mark.parametrize("n", [1, pytest.param(2, marks=pytest.mark.slow)])
def test_one_item_slow(n): ...


@pytest.mark.fast
def test_marked_fast(): ...


def test_deselected_by_keyword(): ...


@pytest.mark.slow
class TestSlowClass:
    def test_in_a_slow_class(self): ...


class Test_by_keyword:
    def test_in_a_class_the_keyword_names(self): ...


class TestSlowBase:
    pytestmark = pytest.mark.slow


class TestInheritsMarks(TestSlowBase):
    def test_inherited_mark(self): ...
