"""Tests at the top."""


def test_root_db(db, flavour): ...


from contextlib import AbstractContextManager


class TestManaged(AbstractContextManager):
    def __exit__(self, *exc): ...

    def test_enter(self): ...


import pytest


@pytest.mark.usefixtures("db")
class TestUses:
    pytestmark = pytest.mark.usefixtures("flavour")

    def test_marked(self): ...
