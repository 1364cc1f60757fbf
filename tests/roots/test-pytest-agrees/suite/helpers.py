"""Marks bound to names, for test modules to import."""

import pytest

params = pytest.mark.parametrize("h", [1, 2])
slow = pytest.mark.slow
uses_base = pytest.mark.usefixtures("base")
not_a_mark = len
