"""Extraction on source snippets: pure, no Sphinx. Expected values are written
by hand from what each snippet says."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from sphinx_kwindex import extract
from sphinx_kwindex.collect import collect_tests
from sphinx_kwindex.extract import (
    Keyword,
    Location,
    docstring_summary,
    extract_file,
    extract_source,
    parse_in_parts,
)
from sphinx_kwindex.kinds import KINDS
from sphinx_kwindex.parsed_store import ParseCache
from sphinx_kwindex.uses import module_uses
from sphinx_kwindex.view import test_keywords as keywords_of_tests

SNIPPET = "test_snippet.py"
"""The name snippets are parsed under: a test module, as pytest names them."""


def keywords(source: str, kind: str) -> tuple[Keyword, ...]:
    """The keywords of ``kind`` of a snippet; tests as pytest collects them
    (with its default rules)."""
    module = extract_source(textwrap.dedent(source).encode(), SNIPPET)
    assert module.problem is None, module.problem
    if kind == "tests":
        assert module.of_kind("tests") == ()  # extraction leaves it to collection
        return keywords_of_tests(collect_tests(SNIPPET, module.shape))
    return module.of_kind(kind)


def names(source: str, kind: str) -> list[str]:
    return [keyword.name for keyword in keywords(source, kind)]


def locations(source: str, kind: str, name: str) -> list[Location]:
    (keyword,) = [k for k in keywords(source, kind) if k.name == name]
    return list(keyword.locations)


NESTED = """
class Outer:
    class Inner:
        def method(self): ...
    async def amethod(self): ...
def function():
    class Local: ...
    def helper(): ...
if True:
    class InIf: ...
try:
    def in_try(): ...
except ImportError:
    def in_except(): ...
finally:
    pass
with open(__file__):
    def in_with(): ...
match 1:
    case 1:
        def in_match(): ...
lam = lambda: 0
"""


def test_classes_at_any_depth() -> None:
    assert names(NESTED, "classes") == ["InIf", "Inner", "Local", "Outer"]


def test_functions_at_any_depth() -> None:
    assert names(NESTED, "functions") == [
        "amethod",
        "function",
        "helper",
        "in_except",
        "in_match",
        "in_try",
        "in_with",
        "method",
    ]


def test_qualified_names_follow_nesting() -> None:
    assert locations(NESTED, "functions", "method") == [
        Location("Outer.Inner.method", 4)
    ]
    assert locations(NESTED, "classes", "Local") == [Location("function.Local", 7)]


IMPORTS = """
import os
import os.path as osp
import a.b.c, json as j
from collections import OrderedDict, defaultdict as dd
from . import sibling
from .. import cousin
from .pkg.mod import thing
from ..up import *
from star import *
def later():
    import late_module
try:
    from fast import speedy
except ImportError:
    pass
"""


def test_imports_as_the_spec_lists_them() -> None:
    assert names(IMPORTS, "imports") == [
        "..up",
        ".pkg.mod",
        "OrderedDict",
        "a.b.c",
        "collections",
        "cousin",
        "defaultdict",
        "fast",
        "json",
        "late_module",
        "os",
        "os.path",
        "sibling",
        "speedy",
        "star",
        "thing",
    ]


def test_import_locations_carry_the_full_dotted_path() -> None:
    assert locations(IMPORTS, "imports", "defaultdict") == [
        Location("collections.defaultdict", 5)
    ]
    assert locations(IMPORTS, "imports", "sibling") == [Location(".sibling", 6)]
    assert locations(IMPORTS, "imports", "cousin") == [Location("..cousin", 7)]
    assert locations(IMPORTS, "imports", "thing") == [Location(".pkg.mod.thing", 8)]


TESTS = """
import unittest
from unittest import TestCase

def test_module_level(): ...
async def test_async(): ...
def helper_test(): ...
def test_outer():
    def test_inner(): ...

class TestPytestStyle:
    def test_method(self): ...
    def not_a_test(self): ...
    class TestNested:
        def test_deep(self): ...

class Suite(unittest.TestCase):
    def test_unit(self): ...
    def setUp(self): ...

class Derived(Suite):
    def test_inherited_base(self): ...

class Plain(TestCase):
    def testNoUnderscore(self): ...

class Helper:
    def test_not_collected(self): ...
    class TestInsideHelper:
        def test_also_not(self): ...
"""


def test_tests_as_pytest_collects_them() -> None:
    assert names(TESTS, "tests") == [
        "testNoUnderscore",
        "test_async",
        "test_deep",
        "test_inherited_base",
        "test_method",
        "test_module_level",
        "test_outer",
        "test_unit",
    ]


FIXTURES = """
import pytest
from pytest import fixture as fx

@pytest.fixture
def plain(): ...

@pytest.fixture(scope="module")
def with_arguments(): ...

@fx
def aliased(): ...

@fixture
def bare(): ...

@pytest.fixture(name="renamed")
def _renamed_impl():
    '''Gives a renamed thing.'''

@other.decorator
def not_a_fixture(): ...
"""


def test_fixtures_with_and_without_arguments() -> None:
    assert names(FIXTURES, "fixtures") == [
        "aliased",
        "bare",
        "plain",
        "renamed",
        "with_arguments",
    ]
    assert locations(FIXTURES, "fixtures", "renamed") == [
        Location("_renamed_impl", 18, "Gives a renamed thing.")
    ]


MARKERS = """
import pytest
import unittest
from unittest import skipIf

pytestmark = pytest.mark.slow

@pytest.mark.skip(reason="no")
def test_skipped(): ...

@pytest.mark.parametrize("x", [1, 2])
@pytest.mark.xfail
def test_both(x): ...

@pytest.mark.usefixtures("db")
class TestMarked:
    pytestmark = [pytest.mark.network, pytest.mark.timeout(3)]
    def test_m(self): ...

class Case(unittest.TestCase):
    @unittest.skip("later")
    def test_u(self): ...
    @skipIf(True, "never")
    def test_v(self): ...
    @unittest.expectedFailure
    def test_w(self): ...

@functools.cache
def test_not_marked(): ...
"""


def test_markers_and_the_tests_they_apply_to() -> None:
    assert names(MARKERS, "markers") == [
        "pytest.mark.network",
        "pytest.mark.parametrize",
        "pytest.mark.skip",
        "pytest.mark.slow",
        "pytest.mark.timeout",
        "pytest.mark.usefixtures",
        "pytest.mark.xfail",
        "unittest.expectedFailure",
        "unittest.skip",
        "unittest.skipIf",
    ]
    assert locations(MARKERS, "markers", "pytest.mark.xfail") == [
        Location("test_both", 12)
    ]
    assert locations(MARKERS, "markers", "pytest.mark.slow") == [Location("", 6)]
    assert locations(MARKERS, "markers", "pytest.mark.network") == [
        Location("TestMarked", 17)
    ]
    # The reason a skip gives, by keyword or where the marker takes it.
    assert locations(MARKERS, "markers", "unittest.skipIf") == [
        Location("Case.test_v", 23, "never")
    ]
    assert locations(MARKERS, "markers", "unittest.skip") == [
        Location("Case.test_u", 21, "later")
    ]
    assert locations(MARKERS, "markers", "pytest.mark.skip") == [
        Location("test_skipped", 8, "no")
    ]


CONSTANTS = """
MAX_SIZE = 10
TIMEOUT: float = 1.5
A, (B, _C) = 1, (2, 3)
lower_case = 1
Mixed_Case = 2
__all__ = []
if True:
    IN_IF = 1
def f():
    NOT_MODULE_LEVEL = 1
class K:
    NOR_THIS = 1
"""


def test_constants_are_module_level_upper_case() -> None:
    assert names(CONSTANTS, "constants") == [
        "A",
        "B",
        "IN_IF",
        "MAX_SIZE",
        "TIMEOUT",
        "_C",
    ]


def test_decorated_definitions_are_on_the_def_line() -> None:
    source = """
    @decorator
    @other(
        1,
    )
    def decorated(): ...
    """
    assert locations(source, "functions", "decorated") == [Location("decorated", 6)]


def test_one_keyword_many_locations_with_their_docstrings() -> None:
    source = '''
    class First:
        def setUp(self):
            """Prepare the first.

            More text.
            """
    class Second:
        def setUp(self):
            """
            Prepare the second.
            """
    '''
    assert locations(source, "functions", "setUp") == [
        Location("First.setUp", 3, "Prepare the first."),
        Location("Second.setUp", 9, "Prepare the second."),
    ]


def test_names_sort_as_plain_sorted() -> None:
    source = "def b(): ...\ndef B(): ...\ndef _a(): ...\ndef a(): ...\n"
    assert names(source, "functions") == ["B", "_a", "a", "b"]


def test_every_kind_is_present_even_when_empty() -> None:
    assert set(extract_source(b"").keywords) == set(KINDS)


def test_module_facts() -> None:
    source = b'"""\n   The summary.\n\nDetails."""\nx = 1\n'
    module = extract_source(source)
    assert (module.docstring, module.size, module.line_count) == (
        "The summary.",
        len(source),
        5,
    )


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\xef\xbb\xbfimport bom_module\n", ["bom_module"]),
        ("# -*- coding: latin-1 -*-\nimport caf\xe9\n".encode("latin-1"), ["café"]),
        (
            "# vim: set fileencoding=cp1252 :\nimport \xe9t\xe9\n".encode("cp1252"),
            ["été"],
        ),
    ],
)
def test_decoding_honours_bom_and_coding_cookies(
    data: bytes, expected: list[str]
) -> None:
    module = extract_source(data)
    assert module.problem is None
    assert [k.name for k in module.of_kind("imports")] == expected


@pytest.mark.parametrize(
    ("data", "kind", "line", "message"),
    [
        (b"x = 1\ny = '\xe9'\n", "encoding", 2, "cannot decode as utf-8"),
        (b"# coding: no-such-codec\nx = 1\n", "encoding", 1, "unknown encoding"),
        (b"\xef\xbb\xbf# coding: latin-1\n", "encoding", 1, "encoding problem"),
        (b"x = 1\ndef broken(:\n", "syntax", 2, "invalid syntax"),
        (b"x = 1\ny = 2\x00\n", "syntax", 2, "null bytes"),
        (b"x = " + b"(" * 250 + b")" * 250 + b"\n", "syntax", 1, "too many nested"),
        (
            b"if x:\n" + b"".join(b" " * i + b"if x:\n" for i in range(1, 120)),
            "syntax",
            0,
            "",
        ),
    ],
)
def test_problems_are_returned_with_their_position(
    data: bytes, kind: str, line: int, message: str
) -> None:
    problem = extract_source(data).problem
    assert problem is not None
    assert problem.kind == kind
    assert message in problem.message
    if line:
        assert problem.line == line


def test_deep_expression_nesting_is_a_problem_not_a_crash() -> None:
    problem = extract_source(b"x = " + b"-" * 200_000 + b"1\n").problem
    assert problem is not None
    assert problem.kind == "syntax"


def test_nothing_is_executed(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    source = f"open({str(marker)!r}, 'w').close()\nraise SystemExit(3)\nimport os\n"
    module = extract_source(source.encode())
    assert [k.name for k in module.of_kind("imports")] == ["os"]
    assert not marker.exists()


def test_index_file_reports_missing_files_and_folders(tmp_path: Path) -> None:
    missing = extract_file(tmp_path / "nope.py").problem
    folder = extract_file(tmp_path).problem
    assert missing is not None
    assert (missing.kind, missing.message) == ("missing", "no such file")
    assert folder is not None
    assert (folder.kind, folder.message) == ("missing", "it is a folder, not a file")


def test_docstring_control_characters_are_replaced() -> None:
    source = 'def colourful():\n    """Red: \\x1b[31m, bell: \\x07, tab:\\tkept."""\n'
    assert locations(source, "functions", "colourful") == [
        Location("colourful", 1, "Red: \ufffd[31m, bell: \ufffd, tab:\tkept.")
    ]


def test_an_imported_name_is_located_on_its_own_line() -> None:
    source = "from shop.cart import (\n    Cart,\n    CartFullError as Full,\n)\nimport os, \\\n    sys\n"
    assert locations(source, "imports", "shop.cart") == [Location("shop.cart", 1)]
    assert locations(source, "imports", "Cart") == [Location("shop.cart.Cart", 2)]
    assert locations(source, "imports", "CartFullError") == [
        Location("shop.cart.CartFullError", 3)
    ]
    assert locations(source, "imports", "os") == [Location("os", 5)]
    assert locations(source, "imports", "sys") == [Location("sys", 6)]


PARTS = '''\
"""A long module, read in parts."""

import os

TEXT = """
def not_a_function():
    pass
class NotAClass:
    pass
"""


@pytest.mark.parametrize(
    "n",
    [1, 2],
)
def test_decorated(n):
    assert n


@first
@second
class TestDecorated:
    def test_method(self):
        pass


if os.name == "nt":
    def helper():
        pass
else:
    def helper():
        return 1


try:
    import json
except ImportError:
    json = None


async def test_async():
    pass


class TestLast:
    """Last."""

    def test_one(self):
        values = (
1,
        )
'''


@pytest.mark.parametrize("part_size", [1, 40, 200])
def test_a_long_module_parsed_in_parts_gives_the_statements_of_a_whole_parse(
    part_size: int,
) -> None:
    whole = [ast.dump(s, include_attributes=True) for s in ast.parse(PARTS).body]
    parts = list(parse_in_parts(PARTS, "parts.py", part_size))
    # Parts end where a def, class or decorator starts a statement, never
    # inside a string or between decorators and what they decorate.
    assert len(parts) > 1
    assert [ast.dump(s, include_attributes=True) for p in parts for s in p] == whole


def test_extraction_in_parts_equals_extraction_whole(monkeypatch) -> None:
    whole = extract_source(PARTS.encode(), SNIPPET)
    monkeypatch.setattr(extract, "PART_SIZE", 40)
    assert extract_source(PARTS.encode(), SNIPPET) == whole
    assert whole.docstring == "A long module, read in parts."
    assert names(PARTS, "tests") == [
        "test_async",
        "test_decorated",
        "test_method",
        "test_one",
    ]


def test_uses_are_read_with_extraction_only_when_asked_whole_or_in_parts(
    monkeypatch,
) -> None:
    whole = module_uses(ast.parse(PARTS))
    assert whole.classes
    assert whole.functions
    assert extract_source(PARTS.encode(), SNIPPET).uses is None
    assert extract_source(PARTS.encode(), SNIPPET, True).uses == whole
    bare = module_uses(ast.parse(PARTS), False)
    assert extract_source(PARTS.encode(), SNIPPET, False).uses == bare
    monkeypatch.setattr(extract, "PART_SIZE", 40)
    assert extract_source(PARTS.encode(), SNIPPET, True).uses == whole
    assert extract_source(PARTS.encode(), SNIPPET, False).uses == bare
    # A module that does not parse has none, as read_module_uses says.
    broken = extract_source(b"def test_broken(:\n    pass\n", SNIPPET, True)
    assert broken.problem is not None
    assert broken.uses is None


def test_the_parse_cache_reads_uses_where_asked_and_parses_again_for_them(
    tmp_path: Path,
) -> None:
    module = tmp_path / "test_a.py"
    module.write_text("from shop import Cart\n\n\ndef test_a():\n    Cart().add()\n")
    cache = ParseCache()
    cache.parse(module)
    assert cache.uses(module, True) is None  # not asked for
    cache.with_uses = lambda key: True if key.endswith("test_a.py") else None
    _index, parsed = cache.parse(module)
    assert parsed is not None  # parsed again, for its uses
    whole = module_uses(ast.parse(module.read_bytes()))
    assert cache.uses(module, True) == (whole,)
    assert cache.uses(module, False) is None
    assert cache.parse(module)[1] is None  # held since
    # Asked without the bodies of its functions (a module of a package).
    cache.with_uses = lambda key: False
    assert cache.parse(module)[1] is not None
    bare = module_uses(ast.parse(module.read_bytes()), False)
    assert cache.uses(module, False) == (bare,)
    assert bare.functions["test_a"].chains == ()
    module.write_text("def test_a(:\n    pass\n")
    assert cache.uses(module, False) is None  # another content
    cache.parse(module)
    assert cache.uses(module, False) == (None,)  # it does not parse


def test_a_syntax_error_in_a_later_part_is_reported_at_its_line(monkeypatch) -> None:
    monkeypatch.setattr(extract, "PART_SIZE", 40)
    broken = PARTS + "\n\ndef test_broken(:\n    pass\n"
    problem = extract_source(broken.encode(), SNIPPET).problem
    assert problem is not None
    assert (problem.kind, problem.line) == ("syntax", PARTS.count("\n") + 3)


@pytest.mark.parametrize(
    ("docstring", "summary"),
    [
        # The first sentence, across the lines of its paragraph.
        (
            "Plugins registered by specifying a\n    ``PluginManager.register``"
            " call. More text.",
            "Plugins registered by specifying a ``PluginManager.register`` call.",
        ),
        # A full stop in a literal, after "e.g.", or in a number ends none.
        ("Use e.g. ``a.b`` in 1.2 here. Then more.", "Use e.g. ``a.b`` in 1.2 here."),
        # Without a sentence, the paragraph; the next one never.
        ("No full stop\n  on two lines\n\nNext one.", "No full stop on two lines"),
        ("\n\n   Leading blank lines. Skipped.", "Leading blank lines."),
        ("x" * 400, "x" * 299 + "…"),
    ],
)
def test_a_summary_is_the_first_sentence(docstring: str, summary: str) -> None:
    assert docstring_summary(docstring) == summary
