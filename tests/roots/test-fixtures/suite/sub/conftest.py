"""Fixtures of sub/: one overrides the root's."""

import pytest


@pytest.fixture
def db(db, tmp_path):
    """The database, in a temporary folder."""


@pytest.fixture(params=[1, 2, 3], scope="module")
def size(request): ...
