"""Fixtures to import."""

import pytest


@pytest.fixture(params=[None, "x"], ids=["none", "ex"])
def helper_fix(): ...
