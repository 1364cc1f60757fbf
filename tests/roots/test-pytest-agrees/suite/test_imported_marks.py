"""Marks imported from a module of the tree."""

import helpers
import pytest
from helpers import not_a_mark, params, slow, uses_base


@params
def test_imported_alias(h): ...


@helpers.params
@pytest.mark.parametrize("z", [0, 1])
def test_imported_attribute_beside_a_literal(h, z): ...


@slow
def test_imported_marker(): ...


@uses_base
def test_imported_usefixtures(): ...


class TestImportedInPytestmark:
    pytestmark = [params]

    def test_method(self, h): ...


@params
class TestImportedOnTheClass:
    def test_method(self, h): ...
