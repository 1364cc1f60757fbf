"""A module with every kind of keyword -- "all" of them..."""

import os
from pathlib import Path

import pytest

TIMEOUT = 30


@pytest.fixture
def workspace(tmp_path):
    """A temporary workspace."""
    return tmp_path


class TestZebra:
    """Tests that come first in the file."""

    @pytest.mark.slow
    def test_stripes(self, workspace):
        assert Path(workspace).exists()

    def helper(self):
        """Shared helper, second definition below."""


class Alpha:
    def helper(self):
        """Another helper."""


def test_module_function():
    """Quotes "as is" -- and <b>not bold</b> & *not emphasis*."""
    assert os.sep
