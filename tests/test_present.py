"""Display choices on plain data: how problems and modules are described."""

from __future__ import annotations

import pytest

from sphinx_kwindex.extract import extract_source
from sphinx_kwindex.present import classify_module, describe_problem
from sphinx_kwindex.pytest_config import CollectRules


def test_describe_problem_names_the_files_own_line_and_column() -> None:
    problem = extract_source(b"x = 1\ndef broken(:\n").problem
    assert problem is not None
    assert describe_problem("t/bad.py", problem) == (
        "syntax error in t/bad.py:2:12: invalid syntax"
    )


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("test/distributed/etcd_rendezvous_test.py", "test module"),
        ("tests/test_api.py", "test module"),
        ("tests/conftest.py", "conftest"),
        ("pkg/__init__.py", "package init"),
        ("benchmarks/suite.py", "benchmark"),
        ("tools/bench_io.py", "benchmark"),
        ("docs/examples/demo.py", "example"),
        ("pkg/helpers.py", "other"),
    ],
)
def test_classify_module(path: str, expected: str) -> None:
    assert classify_module(path) == expected


def test_a_test_module_is_one_that_the_project_s_rules_collect() -> None:
    django_style = CollectRules(files=("tests.py", "test_*.py", "*_tests.py"))
    assert classify_module("app/tests.py", django_style) == "test module"
    assert classify_module("app/tests.py") == "other"
    # pytest never collects below a folder norecursedirs names.
    assert classify_module("build/test_x.py") == "other"
    assert classify_module("lib/test_x.py", CollectRules(files=("check_*.py",))) == (
        "other"
    )
