"""Tests with fixtures from everywhere."""

import unittest

import pytest
from base import Checks
from helpers import helper_fix as helper


@pytest.fixture
def local(flavour): ...


def test_builtin_only(tmp_path, capsys): ...


def test_overridden_db(db):
    """Uses sub's db, which uses the root's."""


@pytest.mark.parametrize("n", [10, 20])
def test_mark_and_fixtures(n, local, size): ...


def test_imported_fixture(helper): ...


@pytest.mark.parametrize("flavour", ["direct"])
def test_parametrize_wins(flavour): ...


@pytest.mark.skip(reason="needs a plugin")
def test_from_a_plugin(some_plugin_fixture): ...


class TestWithFixtures:
    """Fixtures of a class."""

    @pytest.fixture(autouse=True)
    def class_auto(self, size): ...

    @pytest.fixture
    def local(self): ...

    def test_class_local(self, local): ...

    def test_make(self):
        class Throwaway:
            """Defined inside a test."""

        def helper_inside(): ...


class TestSqlStore(Checks):
    """The SQL store passes the checks."""


class TestCaseStyle(unittest.TestCase):
    def test_unittest_autouse(self): ...
