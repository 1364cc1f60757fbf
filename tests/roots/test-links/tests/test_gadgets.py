"""Tests of gadgets, which are widgets too."""

import os

from widgets import Widget


def test_gadget():
    assert Widget(os.sep).name == os.sep
