"""Naming rules on plain data: node ids, dotted module names, the Python names
a keyword may be documented under. Expected values are written by hand."""

from __future__ import annotations

import textwrap

import pytest

from sphinx_kwindex.collect import collect_tests
from sphinx_kwindex.extract import extract_source
from sphinx_kwindex.kinds import KINDS
from sphinx_kwindex.names import api_targets, module_dotted_name, pytest_node_id
from sphinx_kwindex.view import test_location as location_of_test

TESTS = """
class TestPytestStyle:
    class TestNested:
        def test_deep(self): ...
"""


def test_test_locations_give_pytest_node_ids() -> None:
    module = extract_source(textwrap.dedent(TESTS).encode(), "test_x.py")
    (test,) = collect_tests("test_x.py", module.shape)
    location = location_of_test(test)
    node_id = pytest_node_id("tests/test_x.py", location.qualname)
    assert node_id == "tests/test_x.py::TestPytestStyle::TestNested::test_deep"
    assert pytest_node_id("t.py", "test_a") == "t.py::test_a"
    assert pytest_node_id("t.py", "") == "t.py"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("tests/test_cart.py", "tests.test_cart"),
        ("src/shop/cart.py", "src.shop.cart"),
        ("src/shop/__init__.py", "src.shop"),
        ("conftest.py", "conftest"),
    ],
)
def test_module_dotted_name(path: str, expected: str) -> None:
    assert module_dotted_name(path) == expected


API_SOURCE = """
import os.path
import numpy as np
from collections import OrderedDict as OD
from . import helpers
from ..shop.cart import Cart
from ... import too_far
import pytest

class CartTest:
    def test_total(self): ...

@pytest.mark.slow
def test_checkout(): ...

LIMIT = 3
"""


def api(path: str, kind: str, name: str) -> tuple[str, ...]:
    module = extract_source(textwrap.dedent(API_SOURCE).encode())
    (keyword,) = [k for k in module.of_kind(kind) if k.name == name]
    qualnames = [location.qualname for location in keyword.locations]
    return api_targets(path, KINDS[kind].link_rule, keyword.name, qualnames)


def test_imports_are_looked_up_by_their_full_dotted_path() -> None:
    path = "tests/unit/test_cart.py"
    assert api(path, "imports", "os.path") == ("os.path",)
    assert api(path, "imports", "numpy") == ("numpy",)
    assert api(path, "imports", "OrderedDict") == ("collections.OrderedDict",)


def test_relative_imports_resolve_against_the_package() -> None:
    path = "tests/unit/test_cart.py"
    # From tests.unit: "." is tests.unit, ".." is tests; each shorter tail too.
    assert api(path, "imports", "helpers") == (
        "tests.unit.helpers",
        "unit.helpers",
        "helpers",
    )
    assert api(path, "imports", "Cart") == (
        "tests.shop.cart.Cart",
        "shop.cart.Cart",
    )
    # Above the top of the tree: nothing to look up.
    assert api(path, "imports", "too_far") == ()


def test_a_package_init_is_its_own_package() -> None:
    assert api("shop/__init__.py", "imports", "helpers") == ("shop.helpers", "helpers")


def test_definitions_are_looked_up_by_qualified_name_under_each_module_tail() -> None:
    path = "src/shop/tests/test_cart.py"
    assert api(path, "functions", "test_total") == (
        "src.shop.tests.test_cart.CartTest.test_total",
        "shop.tests.test_cart.CartTest.test_total",
        "tests.test_cart.CartTest.test_total",
        "test_cart.CartTest.test_total",
    )
    assert api(path, "constants", "LIMIT")[-1] == "test_cart.LIMIT"
    assert api(path, "classes", "CartTest")[0] == "src.shop.tests.test_cart.CartTest"


def test_markers_are_looked_up_by_their_decorator_name() -> None:
    assert api("test_cart.py", "markers", "pytest.mark.slow") == ("pytest.mark.slow",)
