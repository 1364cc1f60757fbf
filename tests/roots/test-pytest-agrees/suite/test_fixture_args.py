"""What fills a test's arguments: fixtures, parametrize, mock.patch."""

import functools
from unittest import mock

import pytest


def test_fixture_alias(Poly1): ...


def test_named_fixture(named): ...


def test_closure(derived): ...


@pytest.mark.parametrize("value", list(range(2)))
def test_argument_parametrize_fills(value, base): ...


@mock.patch("os.getcwd")
@mock.patch.object(mock, "sentinel")
def test_mock_arguments(sentinel, getcwd, tmp_path): ...


@mock.patch("os.getcwd", new=None)
def test_mock_given_new(base): ...


class TestMethods:
    @mock.patch("os.getcwd")
    def test_mock_method(self, getcwd, derived): ...


def wrapping(f):
    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        return f(*args, **kwargs)

    return wrapper


def replacing(f):
    def wrapper():
        return f(None)

    return wrapper


def sized(size):
    def decorator(f):
        def wrapper(self):
            return f(self, size)

        return wrapper

    return decorator


@wrapping
def test_wrapped_keeps_its_fixtures(base): ...


@replacing
def test_replaced_asks_for_nothing(base): ...


class TestSized:
    @sized(3)
    def test_sized_asks_for_nothing(self, _size): ...
