"""What each test uses of the project under test, found statically
(``uses.py``, ``api_uses.py``), and checked against what a real run calls
(``benchmarks/tested_by_oracle.py``)."""

from __future__ import annotations

import ast
import json
import shutil
import textwrap
from pathlib import Path

import pytest
from support import run_pytest
from tested_by import package_classes, run_suite, static_uses

from sphinx_kwindex.__main__ import main
from sphinx_kwindex.api_uses import find_packages, is_test_module
from sphinx_kwindex.module_tree import find_modules
from sphinx_kwindex.uses import function_uses, module_uses


def chains_of(source: str) -> tuple[tuple[str, ...], ...]:
    """The chains of the one function ``source`` defines."""
    (node,) = ast.parse(textwrap.dedent(source)).body
    assert isinstance(node, ast.FunctionDef)
    return function_uses(node, method=False).chains


def test_a_local_name_is_replaced_by_what_it_is_bound_to() -> None:
    assert chains_of(
        """
        def test(cart):
            receipt = Receipt()
            with Basket() as basket:
                basket.fill(receipt)
            cart.add(receipt.total)
        """
    ) == (
        ("Receipt", "()"),
        ("Basket", "()", "__enter__", "()"),
        ("Basket", "()", "__exit__", "()"),
        ("Basket", "()"),
        ("Basket", "()", "fill", "()"),
        ("@arg:cart", "add", "()"),
        ("Receipt", "()", "total"),
    )


def test_names_bound_by_loops_comprehensions_and_nested_functions_are_not_globals() -> (
    None
):
    # Left out, never guessed: none of these is the module's name.
    assert chains_of(
        """
        def test():
            for item in items():
                item.check()
            [row.check() for row in rows()]
            def inner(value):
                value.check()
            lambda other: other.check()
        """
    ) == (
        ("items", "()", "__iter__", "()"),
        ("items", "()"),
        ("rows", "()", "__iter__", "()"),
        ("rows", "()"),
    )


def test_operators_and_subscripts_call_methods_of_their_operand() -> None:
    assert chains_of(
        """
        def test(a, b):
            a[0] = b + 1
            del a[1]
            assert 2 in a and a != b
        """
    ) == (
        ("@arg:a", "__setitem__", "()"),
        ("@arg:b", "__add__", "()"),
        ("@arg:a", "__delitem__", "()"),
        ("@arg:a", "__contains__", "()"),
        ("@arg:a", "__ne__", "()"),
    )


def test_a_module_s_imports_classes_and_exports() -> None:
    module = module_uses(
        ast.parse(
            textwrap.dedent(
                """
                import a.b
                import c.d as e
                from . import f
                from .g import h as i
                from j import *
                __all__ = ["K"]
                class K(a.b.Base, metaclass=Meta):
                    x = Thing()
                    def __init__(self):
                        self.y = Other()
                    @property
                    def z(self) -> "K":
                        return self
                """
            )
        )
    )
    assert module.imports == {"a": "a", "e": "c.d", "f": ".f", "i": ".g.h"}
    assert module.star == ("j",)
    assert module.exports("K")
    assert not module.exports("L")
    cls = module.classes["K"]
    assert cls.bases == (("a", "b", "Base"),)
    assert cls.metaclass == ("Meta",)
    assert cls.attributes == {"x": (("Thing", "()"),), "y": (("Other", "()"),)}
    assert cls.methods["z"].kind == "property"
    assert cls.methods["z"].returns == (("K", "()"),)


@pytest.fixture
def project(rootdir: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    shutil.copytree(rootdir / "test-tested-by" / "project", folder)
    return folder


CART = "shop.cart.Cart"
EXPECTED = {
    "test_fixture_value": {CART, f"{CART}.add", f"{CART}.total"},
    "test_module_alias": {"shop.pricing.discount"},
    "test_helper_and_inherited_method": {
        "shop.cart.make_cart",
        f"{CART}.add",
        "shop.base.Base.clear",
    },
    "test_annotated_returns": {CART, f"{CART}.receipt", "shop.cart.Receipt.printed"},
    "test_protocol": {CART, f"{CART}.add", f"{CART}.__getitem__"},
    "test_argument_to_a_helper": {CART, f"{CART}.total"},
    "test_metaclass": {
        "shop.base.Registry.__call__",
        "shop.pricing.Tariff",
        "shop.pricing.Tariff.apply",
    },
    "test_ambiguous": {"shop.cart.either"},
    "TestState::test_clear": {CART, "shop.base.Base.clear"},
}
"""What each test of the root uses: through a fixture's value, a module
alias, a helper of the test tree and a method a class inherits, annotated
returns, operators, a helper's argument, a metaclass, ``setUp``."""


def test_what_each_test_uses_is_found_through_the_project(project: Path) -> None:
    packages = find_packages(project)
    assert packages == {"shop": project / "src"}
    modules = find_modules(project, ["tests/**/*.py"]).modules
    found = static_uses(project, modules, packages)
    assert {node.partition("::")[2]: set(uses) for node, uses in found.items()} == (
        EXPECTED
    )


@pytest.mark.slow
def test_what_a_real_run_calls_is_what_is_stated(project: Path) -> None:
    packages = find_packages(project)
    record = run_suite(project, ["tests"], sorted(packages))
    ran = {
        node.partition("::")[2]: set(calls) for node, calls in record["tests"].items()
    }
    # Made where the hook sees it: the classes with an __init__ in Python.
    made = {CART, "shop.cart.Receipt", "shop.pricing.Tariff"}
    assert set(record["classes"]) == made
    assert package_classes(project, packages) == made | {
        "shop.base.Base",
        "shop.base.Registry",
    }
    assert set(ran) == set(EXPECTED)
    # Every pair stated is one the run made; the one it made that is not
    # stated is where a value may be of two classes (left out, not guessed).
    for test, uses in EXPECTED.items():
        assert uses <= ran[test], test
    missed = {test: ran[test] - uses for test, uses in EXPECTED.items()}
    assert {test: calls for test, calls in missed.items() if calls} == {
        "test_ambiguous": {f"{CART}.add"}
    }


def test_test_modules_are_the_test_tree_s_wherever_they_are() -> None:
    assert is_test_module("toolz/tests/test_curry.py")
    assert is_test_module("pkg/conftest.py")
    assert is_test_module("pkg/cart_test.py")
    assert not is_test_module("shop/cart.py")


def test_the_command_line_answers_which_tests_use_an_object(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.chdir(project)
    # The name a page documents and the one it is defined under are one.
    assert main(["tests", "--uses", "shop.Cart.add"]) == 0
    by_name = capsys.readouterr().out
    assert main(["tests", "--uses", "shop.cart.Cart.add"]) == 0
    assert capsys.readouterr().out == by_name
    assert by_name.splitlines() == [
        "tests/test_shop.py::test_fixture_value",
        "tests/test_shop.py::test_helper_and_inherited_method",
        "tests/test_shop.py::test_protocol",
    ]
    # Ready for pytest: real pytest runs exactly those tests.
    assert "3 passed" in run_pytest(project, *by_name.split())
    # A class: the tests that use it or anything it holds.
    assert main(["tests", "--uses", "shop.pricing.Tariff"]) == 0
    assert capsys.readouterr().out.split() == ["tests/test_shop.py::test_metaclass"]
    assert main(["tests", "--uses", "shop.nothing"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "shop.nothing: no such object in the packages under test (shop)\n"
    )


def test_the_command_line_lists_what_no_test_uses(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.chdir(project)
    assert main(["tests", "--untested"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "src/shop/base.py (shop.base): 3 of 3 public objects used by a test",
        "src/shop/cart.py (shop.cart): 8 of 8 public objects used by a test",
        "src/shop/pricing.py (shop.pricing): 3 of 4 public objects used by a test",
        "  shop.pricing.surcharge",
        "",
        "In all: 14 of 15 public objects used by a test (93%)",
    ]
    assert main(["tests", "--untested", "--format", "json"]) == 0
    untested = json.loads(capsys.readouterr().out)["untested"]
    assert untested[2] == {
        "module": "shop.pricing",
        "path": "src/shop/pricing.py",
        "public": 4,
        "unused": ["shop.pricing.surcharge"],
    }
    assert main(["tests", "--untested", "--packages", "nope"]) == 1
    assert "--packages: no package nope in" in capsys.readouterr().err
