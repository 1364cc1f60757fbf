"""Fixtures of the whole suite."""

import pytest


@pytest.fixture(autouse=True)
def root_auto(): ...


@pytest.fixture(params=["a", "b"])
def flavour(request):
    """A flavour per item."""


@pytest.fixture
def db():
    """The database."""
