"""unittest's loader lists a TestCase's tests by name, not as written."""

import unittest


class Base(unittest.TestCase):
    def test_b_inherited(self): ...


class TestWritten(Base):
    def test_zeta(self): ...

    def test_alpha(self): ...

    def test_Capital(self): ...


class TestPlain:
    def test_zeta(self): ...

    def test_alpha(self): ...
