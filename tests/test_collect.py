"""Tests as pytest collects them: for each root, the node ids the extension
lists are asked of real pytest (``--collect-only``), never of our own rules."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest
from html_contract import (
    Element,
    keyword_lists,
    kwindex_blocks,
    metadata_fields,
    squash,
)
from support import (
    build_serial_and_parallel,
    own_warnings,
    pytest_fixtures_per_test,
    pytest_ids,
    pytest_items,
    record_read_documents,
    write_suite,
)

from sphinx_kwindex.__main__ import main
from sphinx_kwindex.collect import collect_tests
from sphinx_kwindex.extract import extract_file, extract_source
from sphinx_kwindex.names import pytest_node_id
from sphinx_kwindex.pytest_config import DEFAULT_RULES, CollectRules, read_rules
from sphinx_kwindex.shapes import Resolver
from sphinx_kwindex.tree_resolver import file_resolver
from sphinx_kwindex.view import test_keywords as keywords_of_tests

SUITE = {
    "test_mixins.py": """
        import unittest

        class FoldMixin(object):
            def test_fold(self): ...
            def helper(self): ...

        class TestWithMixin(FoldMixin, unittest.TestCase):
            def test_own(self): ...

        class Intermediate(unittest.TestCase):
            def setUp(self): ...

        class Leaf(Intermediate):
            def testCamel(self): ...

        class Overrides(Leaf):
            testCamel = None
            def test_more(self): ...

        def wrap(function):
            return function

        class Borrowing(unittest.TestCase):
            test_fold = FoldMixin.test_fold
            def test_base(self): ...
            test_wrapped = wrap(test_base)
            test_lambda = lambda self: None
            test_data = 3

        class TestPlainAliases:
            def test_one(self): ...
            test_again = test_one
            test_lambda = lambda self: None

        class OnlyRunTest(unittest.TestCase):
            def runTest(self): ...

        class RunTestAndTests(unittest.TestCase):
            def runTest(self): ...
            def test_real(self): ...
    """,
    "test_rules.py": """
        import pytest

        class TestSkippedFlag:
            __test__ = False
            def test_never(self): ...

        class TestInheritsFlag(TestSkippedFlag):
            def test_neither(self): ...

        class TestFlagBack(TestSkippedFlag):
            __test__ = True
            def test_again(self): ...

        class TestWithInit:
            def __init__(self): ...
            def test_not_collected(self): ...

        class TestInheritsInit(TestWithInit):
            def test_also_not(self): ...

        class TestPlain:
            def test_one(self): ...
            class TestNested:
                def test_deep(self): ...
            class NotATestName:
                def test_hidden(self): ...

        class TestChild(TestPlain):
            def test_two(self): ...

        @pytest.fixture
        def test_fixture_named_like_a_test(): ...

        def test_function(): ...

        def test_switched_off(): ...
        test_switched_off.__test__ = False

        def helper_test(): ...

        def outer():
            class TestLocal:
                def test_local(self): ...

        if __name__ == "__main__":
            class TestOnlyWhenRunAsAScript(TestPlain):
                def test_script(self): ...

            def test_script_function(): ...
    """,
    "module_off_test.py": """
        __test__ = False

        def test_nothing(): ...
    """,
    "helpers.py": """
        def test_in_a_helper_file(): ...

        class TestInHelpers:
            def test_x(self): ...
    """,
    "conftest.py": """
        def test_in_conftest(): ...
    """,
}


def our_ids(
    folder: Path, rules: CollectRules = DEFAULT_RULES, resolve: Resolver | None = None
) -> set[str]:
    ids = set()
    for path in sorted(folder.rglob("*.py")):
        relative = path.relative_to(folder).as_posix()
        shape = extract_file(path).shape
        ids.update(
            pytest_node_id(relative, test.qualname)
            for test in collect_tests(relative, shape, rules, resolve)
        )
    return ids


@pytest.mark.slow
def test_the_tests_listed_are_those_pytest_collects(tmp_path: Path) -> None:
    write_suite(tmp_path, SUITE)
    expected = pytest_ids(tmp_path)
    assert our_ids(tmp_path) == expected
    # What the suite is about, spelled out: inherited tests under each class
    # that collects them, and none of the traps.
    assert "test_mixins.py::TestWithMixin::test_fold" in expected
    assert "test_mixins.py::Overrides::test_more" in expected
    assert "test_mixins.py::Overrides::testCamel" not in expected
    assert "test_mixins.py::Borrowing::test_wrapped" in expected
    assert "test_mixins.py::TestPlainAliases::test_again" in expected
    assert "test_mixins.py::OnlyRunTest::runTest" in expected
    assert "test_mixins.py::RunTestAndTests::runTest" not in expected
    assert "test_rules.py::TestChild::test_one" in expected
    assert "test_rules.py::TestFlagBack::test_again" in expected
    assert not any("Init" in node for node in expected)


def test_an_inherited_test_is_located_where_it_is_defined(tmp_path: Path) -> None:
    write_suite(tmp_path, {"test_mixins.py": SUITE["test_mixins.py"]})
    module = extract_file(tmp_path / "test_mixins.py")
    tests = collect_tests("test_mixins.py", module.shape)
    (fold,) = [k for k in keywords_of_tests(tests) if k.name == "test_fold"]
    # Inherited where the mixin defines it; borrowed where the class does.
    assert [(loc.qualname, loc.line) for loc in fold.locations] == [
        ("TestWithMixin.test_fold", 5),
        ("Borrowing.test_fold", 25),
    ]


CUSTOM = {
    "check_orders.py": """
        class CheckOrders:
            def check_total(self): ...
            def test_kept(self): ...
            def helper(self): ...

        class OrdersSuite:
            def check_empty(self): ...

        class TestNotAClassName:
            def check_hidden(self): ...

        def check_function(): ...
        def test_function(): ...
    """,
    "test_default_name.py": """
        def test_not_a_file_name(): ...
    """,
}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("file", "config"),
    [
        (
            "pyproject.toml",
            '[tool.pytest.ini_options]\npython_files = ["check_*.py"]\n'
            'python_classes = ["Check", "*Suite"]\n'
            'python_functions = ["check_", "test"]\n',
        ),
        (
            "tox.ini",
            "[pytest]\npython_files = check_*.py\npython_classes = Check *Suite\n"
            "python_functions = check_ test\n",
        ),
        (
            "setup.cfg",
            "[tool:pytest]\npython_files =\n    check_*.py\n"
            "python_classes = Check *Suite\npython_functions = check_ test\n",
        ),
    ],
)
def test_the_project_s_own_rules_are_read_as_pytest_reads_them(
    tmp_path: Path, file: str, config: str
) -> None:
    write_suite(tmp_path, CUSTOM, ini=None)
    (tmp_path / file).write_text(config, encoding="utf-8")
    rules, source = read_rules(tmp_path / "sub" / "folder")
    assert source == tmp_path / file
    assert rules == CollectRules(
        ("check_*.py",),
        ("Check", "*Suite"),
        ("check_", "test"),
        # -k matches the rootdir's name and the folders below it.
        root_nodes=(tmp_path.name, "sub", "folder"),
    )
    expected = pytest_ids(tmp_path)
    assert our_ids(tmp_path, rules) == expected
    assert expected == {
        "check_orders.py::CheckOrders::check_total",
        "check_orders.py::CheckOrders::test_kept",
        "check_orders.py::OrdersSuite::check_empty",
        "check_orders.py::check_function",
        "check_orders.py::test_function",
    }


def test_a_file_that_does_not_configure_pytest_is_passed_over(tmp_path: Path) -> None:
    (tmp_path / "tox.ini").write_text("[tox]\nenvlist = py3\n")
    (tmp_path / "setup.cfg").write_text("[metadata]\nname = x\n")
    (tmp_path / "pyproject.toml").write_text("[tool.black]\nline-length = 88\n")
    # Nothing above tmp_path configures pytest either.
    assert read_rules(tmp_path) == (DEFAULT_RULES, None)


def test_pages_follow_the_project_s_rules_and_their_changes(
    make_app, write_project
) -> None:
    page = "Orders\n======\n\n.. kwindex:: /check_orders.py\n   :kinds: tests\n"
    files = {name: textwrap.dedent(text) for name, text in CUSTOM.items()}
    project = write_project({**files, "index.rst": page})
    (project / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\npython_files = ["check_*.py"]\n'
        'python_functions = ["check_"]\n'
    )
    app = make_app("html", srcdir=project)
    app.build()
    (block,) = kwindex_blocks((app.outdir / "index.html").read_text("utf-8"))
    # Default class names (Test…) with the project's function names.
    assert keyword_lists(block) == {"tests": ["check_function", "check_hidden"]}
    # A module the project's python_files collects is a test module.
    assert metadata_fields(block)["Type"] == "test module"
    # The project changes its rules: the page is read again.
    (project / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\npython_files = ["check_*.py"]\n'
        'python_classes = ["Check"]\npython_functions = ["check_"]\n'
    )
    again = make_app("html", srcdir=project)
    read = record_read_documents(again)
    again.build()
    assert read == ["index"]
    (block,) = kwindex_blocks((again.outdir / "index.html").read_text("utf-8"))
    assert keyword_lists(block) == {"tests": ["check_function", "check_total"]}


@pytest.mark.parametrize(
    ("path", "collected"),
    [
        ("testing/python/approx.py", True),
        ("/abs/project/testing/python/approx.py", True),
        ("testing/approx.py", False),
        ("tests/test_x.py", True),
        ("tests/conftest.py", False),
        ("tests/helpers.py", False),
    ],
)
def test_file_patterns_with_a_folder_match_the_path(path: str, collected: bool) -> None:
    rules = CollectRules(files=("test_*.py", "testing/python/*.py"))
    assert rules.collects_file(path) is collected


ACROSS = {
    "tests/__init__.py": "",
    "tests/base.py": """
        import unittest

        class Mixin:
            def test_from_mixin(self): ...

        class BaseCase(unittest.TestCase):
            def test_from_base(self): ...
            def test_overridden(self): ...
    """,
    "tests/pkg/__init__.py": "",
    "tests/pkg/shared.py": """
        class TestShared:
            def test_shared(self): ...
    """,
    "tests/test_absolute.py": """
        from tests.base import BaseCase, Mixin

        class TestBoth(Mixin, BaseCase):
            def test_overridden(self): ...
    """,
    "tests/pkg/test_relative.py": """
        from ..base import Mixin
        from .shared import TestShared as Shared

        class TestRelative(Mixin):
            def test_own(self): ...

        class TestFromShared(Shared):
            pass
    """,
    "tests/test_dotted.py": """
        import tests.pkg.shared
        from tests import base

        class TestDotted(tests.pkg.shared.TestShared):
            pass

        class ModuleAttribute(base.BaseCase):
            pass
    """,
}


@pytest.mark.slow
def test_bases_in_other_modules_bring_their_tests(tmp_path: Path) -> None:
    write_suite(tmp_path, ACROSS)
    expected = pytest_ids(tmp_path)
    resolve = file_resolver(tmp_path, lambda file: extract_file(file).shape)
    assert our_ids(tmp_path, resolve=resolve) == expected
    assert "tests/test_absolute.py::TestBoth::test_from_mixin" in expected
    assert "tests/pkg/test_relative.py::TestFromShared::test_shared" in expected
    assert "tests/test_dotted.py::ModuleAttribute::test_from_base" in expected
    # Without a resolver, other modules' bases bring nothing.
    assert "tests/test_dotted.py::TestDotted::test_shared" not in our_ids(tmp_path)


def test_an_inherited_test_says_which_module_defines_it(
    make_app, write_project
) -> None:
    files = {name: textwrap.dedent(text) for name, text in ACROSS.items()}
    page = "Tests\n=====\n\n.. kwindex:: /tests/test_absolute.py\n   :kinds: tests\n\n"
    page += ".. kwindex:: /tests/base.py\n"
    project = write_project({**files, "index.rst": page})
    app = make_app("html", srcdir=project)
    app.build()
    html = (app.outdir / "index.html").read_text("utf-8")
    (block, _base) = kwindex_blocks(html)
    mixin = next(
        entry
        for entry in block.find_all("kwindex-entry")
        if entry.find("kwindex-name").text() == "test_from_mixin"
    )
    line = mixin.find("kwindex-line")
    assert line.attrs["href"] == "_kwsource/tests/base.py.html#L5"
    assert mixin.find("kwindex-defined-in").text() == "tests/base.py"
    assert (app.outdir / "_kwsource/tests/base.py.html").is_file()
    # Editing the base re-reads the page that inherits from it.
    base = project / "tests" / "base.py"
    base.write_text(base.read_text() + "\n    def test_added(self): ...\n")
    again = make_app("html", srcdir=project)
    read = record_read_documents(again)
    again.build()
    assert read == ["index"]
    (block, _base) = kwindex_blocks((again.outdir / "index.html").read_text("utf-8"))
    assert "test_added" in keyword_lists(block)["tests"]


PARAMETRIZED = {
    "test_params.py": """
        import pytest
        from pytest import param

        pytestmark = pytest.mark.parametrize("mod", [1, 2])

        @pytest.mark.parametrize("x", ["a", "b c", "é", "tab\\\\t", b"by", 1.5, -3, None, True])
        def test_literals(x, mod): ...

        @pytest.mark.parametrize(("a", "b"), [(1, 2), [3, 4], pytest.param(5, 6, id="five")])
        @pytest.mark.parametrize("c", [0, 0, 1], ids=["zero", None, "one"])
        def test_stacked(a, b, c, mod): ...

        @pytest.mark.parametrize("d", [[1], {"k": 2}, (3,), "1", "1"])
        def test_containers_and_duplicates(d, mod): ...

        @pytest.mark.parametrize("e", [param("x", id="ex"), param("y")])
        def test_param_imported(e, mod): ...

        @pytest.mark.parametrize("cls", [int, str])
        def test_names_count_only(cls, mod): ...

        @pytest.mark.parametrize("f", list(range(3)))
        def test_built_by_code(f, mod): ...

        @pytest.mark.parametrize("g", [1, 2])
        class TestClassLevel:
            @pytest.mark.parametrize("h", ["p", "q"])
            def test_method(self, g, h, mod): ...
    """,
}


@pytest.mark.slow
def test_parametrized_items_as_pytest_makes_them(tmp_path: Path) -> None:
    write_suite(tmp_path, PARAMETRIZED)
    items = pytest_items(tmp_path)
    by_node: dict[str, set[str]] = {}
    for item in items:
        node, _, rest = item.partition("[")
        by_node.setdefault(node, set()).add(rest.rstrip("]"))
    shape = extract_file(tmp_path / "test_params.py").shape
    ours = {
        "test_params.py::" + test.qualname.replace(".", "::"): test
        for test in collect_tests("test_params.py", shape)
    }
    assert set(ours) == set(by_node)
    known = {node for node, test in ours.items() if test.item_ids is not None}
    assert known == {
        "test_params.py::test_literals",
        "test_params.py::test_stacked",
        "test_params.py::test_containers_and_duplicates",
        "test_params.py::test_param_imported",
        "test_params.py::TestClassLevel::test_method",
    }
    for node in known:
        assert set(ours[node].item_ids) == by_node[node], node
    for node, test in ours.items():
        if test.items is not None:
            assert test.items == len(by_node[node]), node
    # A count known without the ids; one only a run can tell.
    assert ours["test_params.py::test_names_count_only"].items == 4
    assert ours["test_params.py::test_built_by_code"].items is None


def test_a_page_says_how_many_items_a_parametrized_test_makes(
    make_app, write_project
) -> None:
    files = {
        "test_params.py": textwrap.dedent(PARAMETRIZED["test_params.py"])
        + "\n@pytest.mark.parametrize('n', [1, 2])\ndef test_fixture(n, project_fixture): ...\n"
    }
    page = "Params\n======\n\n.. kwindex:: /test_params.py\n   :kinds: tests\n"
    project = write_project({**files, "index.rst": page})
    app = make_app("html", srcdir=project)
    app.build()
    (block,) = kwindex_blocks((app.outdir / "index.html").read_text("utf-8"))
    items = {
        entry.find("kwindex-name").text(): entry.find("kwindex-items").text()
        for entry in block.find_all("kwindex-entry")
        if entry.find("kwindex-items") is not None
    }
    assert items == {
        "test_literals": "(18 items)",
        "test_stacked": "(18 items)",
        "test_containers_and_duplicates": "(10 items)",
        "test_param_imported": "(4 items)",
        "test_names_count_only": "(4 items)",
        "test_built_by_code": (
            "(items known when pytest runs: values given by code: list(range(3)))"
        ),
        "test_method": "(8 items)",
        # A fixture from outside the tree (a plugin's) is taken to make one.
        "test_fixture": "(4 items)",
    }


def test_pages_with_bases_across_modules_build_the_same_in_parallel(
    make_app, write_project, tmp_path: Path
) -> None:
    files = {name: textwrap.dedent(text) for name, text in ACROSS.items()}
    pages = {
        f"{stem}.rst": f"{stem}\n{'=' * len(stem)}\n\n.. kwindex:: /{path}\n"
        "   :kinds: tests\n"
        for stem, path in [
            ("absolute", "tests/test_absolute.py"),
            ("relative", "tests/pkg/test_relative.py"),
            ("dotted", "tests/test_dotted.py"),
        ]
    }
    index = "Index\n=====\n\n.. toctree::\n\n   absolute\n   relative\n   dotted\n"
    project = write_project({**files, **pages, "index.rst": index})
    serial, parallel = build_serial_and_parallel(make_app, project, tmp_path)
    assert serial.keys() == parallel.keys()
    for name in serial:
        assert serial[name] == parallel[name], name
    assert b"TestFromShared::test_shared" in serial["relative.html"]


def test_kwindex_json_and_the_command_line_give_the_same_tests(
    make_app, write_project, capsys
) -> None:
    files = {name: textwrap.dedent(text) for name, text in ACROSS.items()}
    page = "Tests\n=====\n\n.. kwindex:: /tests/test_absolute.py\n   :kinds: tests\n"
    project = write_project({**files, "index.rst": page})
    app = make_app("html", srcdir=project)
    app.build()
    path = Path(app.outdir) / "kwindex.json"
    (module,) = json.loads(path.read_text("utf-8"))["modules"]
    mixin = next(
        k for k in module["keywords"]["tests"] if k["name"] == "test_from_mixin"
    )
    assert mixin["locations"] == [
        {
            "qualname": "TestBoth.test_from_mixin",
            "line": 5,
            "doc": "",
            "node_id": "tests/test_absolute.py::TestBoth::test_from_mixin",
            "defined_in": {"class": "Mixin", "path": "tests/base.py"},
            "markers": [],
            "fixtures": [],
            "items": 1,
            "item_ids": None,
            "unknown": "",
            "deselected": "",
            "condition": "",
        }
    ]
    arguments = ["tests/test_absolute.py", "--root", str(project)]
    arguments += ["--kinds", "tests", "--format", "json"]
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(project)
        assert main(arguments) == 0
    (from_cli,) = json.loads(capsys.readouterr().out)["modules"]
    assert from_cli["keywords"] == module["keywords"]
    # Nothing read, nothing written again.
    written = path.stat().st_mtime_ns
    make_app("html", srcdir=project).build()
    assert path.stat().st_mtime_ns == written


@pytest.mark.slow
def test_fixtures_are_those_pytest_gives_each_test(
    rootdir: Path, tmp_path: Path
) -> None:
    shutil.copytree(rootdir / "test-fixtures" / "suite", tmp_path, dirs_exist_ok=True)
    resolve = file_resolver(tmp_path, lambda file: extract_file(file).shape)
    ours = {}
    for path in ["sub/test_deep.py", "test_root.py"]:
        shape = extract_file(tmp_path / path).shape
        ours.update({t.name: t for t in collect_tests(path, shape, resolve=resolve)})
    # Items and their ids, as pytest makes them.
    by_test: dict[str, list[str]] = {}
    for item in pytest_items(tmp_path):
        name, _, ids = item.rpartition("::")[2].partition("[")
        by_test.setdefault(name, []).append(ids.rstrip("]"))
    assert set(ours) == set(by_test)
    for name, test in ours.items():
        assert test.items == len(by_test[name]), name
        expected_ids = None if by_test[name] == [""] else by_test[name]
        assert (list(test.item_ids) if test.item_ids else None) == expected_ids, name
    # Each fixture found where pytest finds it (pytest lists the whole
    # closure, and no fixture of its own or a plugin's).
    used = pytest_fixtures_per_test(tmp_path)
    for name, test in ours.items():
        for fixture in test.fixtures:
            if fixture.path:
                assert (fixture.name, fixture.path) in used[name], (name, fixture)
        # What its setup needs: pytest's list (which names one definition a
        # fixture, the nearest), and the definitions those override.
        listed = {(n, f) for n, f in used[name] if not f.startswith(".../")}
        needs = set(test.needs)
        overridden = len(needs) - len({n for _, n in needs})
        assert {f for _, f in listed} <= {p for p, _ in needs}, name
        assert len(needs) - overridden == len(listed), name
    shown = {
        name: [(f.name, f.path, f.autouse) for f in test.fixtures if not f.through]
        for name, test in ours.items()
    }
    assert shown == {
        "test_builtin_only": [
            ("tmp_path", "", False),
            ("capsys", "", False),
            ("root_auto", "conftest.py", True),
        ],
        "test_overridden_db": [
            ("db", "sub/conftest.py", False),
            ("root_auto", "conftest.py", True),
        ],
        "test_mark_and_fixtures": [
            ("local", "sub/test_deep.py", False),
            ("size", "sub/conftest.py", False),
            ("root_auto", "conftest.py", True),
        ],
        "test_imported_fixture": [
            ("helper", "sub/helpers.py", False),
            ("root_auto", "conftest.py", True),
        ],
        "test_parametrize_wins": [("root_auto", "conftest.py", True)],
        "test_from_a_plugin": [
            ("some_plugin_fixture", "", False),
            ("root_auto", "conftest.py", True),
        ],
        "test_class_local": [
            ("local", "sub/test_deep.py", False),
            ("root_auto", "conftest.py", True),
            ("class_auto", "sub/test_deep.py", True),
        ],
        "test_make": [
            ("root_auto", "conftest.py", True),
            ("class_auto", "sub/test_deep.py", True),
        ],
        # Inherited from sub/base.py: fixtures as seen from where it is collected.
        "test_saves": [
            ("db", "sub/conftest.py", False),
            ("root_auto", "conftest.py", True),
        ],
        "test_unittest_autouse": [("root_auto", "conftest.py", True)],
        "test_enter": [("root_auto", "conftest.py", True)],
        # Named by usefixtures marks, on the class and in its pytestmark.
        "test_marked": [
            ("db", "conftest.py", False),
            ("flavour", "conftest.py", False),
            ("root_auto", "conftest.py", True),
        ],
        "test_root_db": [
            ("db", "conftest.py", False),
            ("flavour", "conftest.py", False),
            ("root_auto", "conftest.py", True),
        ],
    }
    assert ours["test_class_local"].fixtures[0].qualname == "TestWithFixtures.local"
    assert [(f.builtin, f.through) for f in ours["test_builtin_only"].fixtures] == [
        (True, False),
        (True, False),
        (False, False),
        (True, True),  # tmp_path_factory, which tmp_path needs
    ]
    assert not ours["test_from_a_plugin"].fixtures[0].builtin


def test_arguments_hypothesis_fills_are_no_fixtures() -> None:
    # pytest sees the signature @given leaves: attrs' tests name a fixture
    # of the suite (slots, with params) that the strategy fills instead.
    source = b"""
import pytest
from hypothesis import given, strategies as st

@pytest.fixture(params=[True, False])
def slots(request): ...

@given(st.booleans())
def test_positional(slots): ...

@given(slots=st.booleans())
def test_named(tmp_path, slots): ...

def test_fixture(slots): ...
"""
    module = extract_source(source, "test_given.py")
    tests = {t.name: t for t in collect_tests("test_given.py", module.shape)}
    assert [f.name for f in tests["test_positional"].fixtures] == []
    assert [f.name for f in tests["test_named"].fixtures if not f.through] == [
        "tmp_path"
    ]
    assert tests["test_positional"].items == tests["test_named"].items == 1
    assert tests["test_fixture"].items == 2


@pytest.mark.slow
def test_folders_pytest_does_not_recurse_into_hold_no_tests(tmp_path: Path) -> None:
    test = "def test_it(): ...\n"
    write_suite(
        tmp_path,
        {
            "tests/test_kept.py": test,
            "examples/scripts/test_script.py": test,
            "examples/test_example.py": test,
            "build/test_built.py": test,
            ".hidden/test_hidden.py": test,
            "tests/build/test_deep_build.py": test,
        },
        ini=None,
    )
    (tmp_path / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\nnorecursedirs = ["examples/scripts", "build", ".*"]\n'
    )
    rules, _source = read_rules(tmp_path)
    expected = pytest_ids(tmp_path)
    assert our_ids(tmp_path, rules) == expected
    assert expected == {
        "tests/test_kept.py::test_it",
        "examples/test_example.py::test_it",
    }


@pytest.mark.slow
def test_fixtures_of_plugins_the_suite_loads_by_name(tmp_path: Path) -> None:
    write_suite(
        tmp_path,
        {
            "conftest.py": 'pytest_plugins = ["helpers.plugin_fixtures"]\n',
            "helpers/__init__.py": "",
            "helpers/plugin_fixtures.py": """
                import pytest

                pytest_plugins = "helpers.deeper"

                @pytest.fixture
                def plugged(): ...

                @pytest.fixture(params=[1, 2])
                def plugged_params(request): ...
            """,
            "helpers/deeper.py": """
                import pytest

                @pytest.fixture
                def deeper(): ...
            """,
            "tests/test_plugins.py": """
                def test_uses(plugged, plugged_params, deeper): ...
            """,
        },
    )
    resolve = file_resolver(tmp_path, lambda file: extract_file(file).shape)
    shape = extract_file(tmp_path / "tests/test_plugins.py").shape
    (test,) = collect_tests("tests/test_plugins.py", shape, resolve=resolve)
    items = pytest_items(tmp_path)
    assert test.items == len(items) == 2
    used = pytest_fixtures_per_test(tmp_path)["test_uses"]
    assert (
        {(f.name, f.path) for f in test.fixtures if not f.through}
        == used
        == {
            ("plugged", "helpers/plugin_fixtures.py"),
            ("plugged_params", "helpers/plugin_fixtures.py"),
            ("deeper", "helpers/deeper.py"),
        }
    )


FACTORIES = {
    "tests/__init__.py": "",
    "tests/util.py": """
        import types
        import unittest

        def specialize(cls, kind, base=None, **kwargs):
            if base is None:
                base = unittest.TestCase
            elif not isinstance(base, type):
                base = base[kind]
            name = "{}_{}".format(kind, cls.__name__)
            bases = (cls, base)
            return types.new_class(name, bases)

        def split(cls, base=None, **kwargs):
            first = specialize(cls, "First", base, **kwargs)
            second = specialize(cls, "Second", base, **kwargs)
            return first, second

        def both(test_class, base=None, **kwargs):
            return split(test_class, base, **kwargs)

        def plain(cls):
            return type("Made", (cls,), {})

        def computed(cls):
            bases = tuple([cls, unittest.TestCase])
            return type("Computed", bases, {})

        def local_classes(flavour):
            class TestLocal(unittest.TestCase):
                def test_local(self): ...

            if flavour:
                class TestOther:
                    def test_other(self): ...

            return TestLocal, TestOther

        def not_a_class():
            def test_function(): ...

            return test_function
    """,
    "tests/base.py": """
        import unittest

        class ExtraCase(unittest.TestCase):
            def test_extra(self): ...
    """,
    "tests/test_made.py": """
        import unittest
        from tests import util
        from tests.base import ExtraCase
        from .util import plain as make_plain

        class Checks:
            def test_one(self): ...
            def test_two(self): ...

        (First_Checks, Second_Checks) = util.both(Checks, util=util)
        Alone = util.specialize(Checks, "Alone")
        WithBase, WithBaseToo = util.split(Checks, ExtraCase)
        TestPlainMade = make_plain(Checks)
        NotCollected = make_plain(Checks)
        TestDirect = type("TestDirect", (Checks,), {})
        Unknown = util.computed(Checks)
        LocalPy, TestOtherPy = util.local_classes("py")
        TestFunction = util.not_a_class()
        number = len("not a class")
    """,
}


@pytest.mark.slow
def test_classes_made_by_calls_are_collected_as_pytest_does(tmp_path: Path) -> None:
    write_suite(tmp_path, FACTORIES)
    expected = pytest_ids(tmp_path)
    resolve = file_resolver(tmp_path, lambda file: extract_file(file).shape)
    ours = our_ids(tmp_path, resolve=resolve)
    # Bases a computed tuple makes are not followed: that class is missed.
    unknown = {f"tests/test_made.py::Unknown::test_{n}" for n in ("one", "two")}
    assert unknown <= expected
    assert ours == expected - unknown
    # What the suite is about: classes made through calls, across modules,
    # under the names they are bound to, with the bases passed.
    assert "tests/test_made.py::First_Checks::test_one" in expected
    assert "tests/test_made.py::Second_Checks::test_two" in expected
    assert "tests/test_made.py::Alone::test_one" in expected
    assert "tests/test_made.py::WithBaseToo::test_extra" in expected
    assert "tests/test_made.py::TestPlainMade::test_one" in expected
    assert "tests/test_made.py::TestDirect::test_two" in expected
    assert "tests/test_made.py::LocalPy::test_local" in expected
    assert "tests/test_made.py::TestOtherPy::test_other" in expected
    assert not any("NotCollected" in node for node in expected)
    # Without a resolver, no call is followed.
    assert not any("First_Checks" in node for node in our_ids(tmp_path))


def build_tests_page(make_app, write_project, files: dict[str, str], module: str):
    """A project of ``files`` whose one page lists the tests of ``module``,
    built as HTML without a warning: the project, the application and the
    page's block."""
    files = {name: textwrap.dedent(text) for name, text in files.items()}
    page = f"Tests\n=====\n\n.. kwindex:: /{module}\n   :kinds: tests\n"
    project = write_project({**files, "index.rst": page})
    app = make_app("html", srcdir=project)
    app.build()
    assert own_warnings(app) == []
    (block,) = kwindex_blocks((app.outdir / "index.html").read_text("utf-8"))
    return project, app, block


def suite_ids(tmp_path: Path, files: dict[str, str]) -> set[str]:
    """The node ids real pytest collects from ``files``, written in a
    folder of ``tmp_path`` of their own."""
    write_suite(tmp_path / "suite", files)
    return pytest_ids(tmp_path / "suite")


def listed_ids(block: Element) -> set[str]:
    """The node ids a page's list of tests shows."""
    return {e.find("kwindex-qualname").text() for e in block.find_all("kwindex-entry")}


def notes_by_group(block: Element, css_class: str) -> dict[str, str]:
    """The text of each ``css_class`` note of a page's test groups, by the
    group's name."""
    return {
        group.find("kwindex-group-name").text(): squash(note.text())
        for group in block.find_all("kwindex-group")
        for note in group.find_all(css_class)
    }


@pytest.mark.slow
def test_a_page_lists_made_classes_and_follows_their_factory(
    make_app, write_project, tmp_path: Path
) -> None:
    project, _app, block = build_tests_page(
        make_app, write_project, FACTORIES, "tests/test_made.py"
    )
    groups = [
        g.find("kwindex-group-name").text() for g in block.find_all("kwindex-group")
    ]
    # In source order, under the names they are bound to, as pytest has them.
    write_suite(tmp_path / "suite", FACTORIES)
    pytest_order = [item.split("::")[1] for item in pytest_items(tmp_path / "suite")]
    assert groups == [c for c in dict.fromkeys(pytest_order) if c != "Unknown"]
    first = next(
        entry
        for entry in block.find_all("kwindex-entry")
        if entry.find("kwindex-qualname").text()
        == "tests/test_made.py::First_Checks::test_one"
    )
    assert squash(first.find("kwindex-inherited").text()) == "inherited from Checks"
    # A class made by a call is where the module binds it.
    labels = {
        g.find("kwindex-group-name").text(): g.find("kwindex-group-label")
        for g in block.find_all("kwindex-group")
    }
    assert labels["First_Checks"].find("kwindex-line").text() == "line 11"
    assert labels["TestDirect"].find("kwindex-line").text() == "line 16"
    # Editing the module of the factory re-reads the page: a factory that
    # no longer says what it returns makes no classes the page can list.
    util = project / "tests" / "util.py"
    made = "return split(test_class, base, **kwargs)"
    util.write_text(util.read_text().replace(made, f"return list({made[7:]})"))
    again = make_app("html", srcdir=project)
    read = record_read_documents(again)
    again.build()
    assert read == ["index"]
    (block,) = kwindex_blocks((again.outdir / "index.html").read_text("utf-8"))
    groups = [
        g.find("kwindex-group-name").text() for g in block.find_all("kwindex-group")
    ]
    assert "First_Checks" not in groups
    assert "Alone" in groups


MADE_AT_IMPORT = {
    "helpers.py": """
        def add_tests(cls):
            for name in ("a", "b"):
                setattr(cls, "test_" + name, lambda self: None)
            return cls

        def harmless(cls):
            return cls

        def add_attribute(cls):
            cls.test_z = lambda self: None
            return cls

        class Meta(type):
            def __init__(cls, name, bases, namespace):
                super().__init__(name, bases, namespace)
                cls.test_from_meta = lambda self: None
    """,
    "test_dynamic.py": """
        import unittest
        from helpers import Meta, add_attribute, add_tests, harmless

        @add_tests
        class TestDecorated:
            def test_own(self): ...

        class TestInheritsDecorated(TestDecorated):
            pass

        @harmless
        class TestPlain:
            def test_own(self): ...

        class TestWithMeta(metaclass=Meta):
            def test_own(self): ...

        MetaBase = Meta("MetaBase", (unittest.TestCase,), {})

        class FromMetaBase(MetaBase):
            def test_own(self): ...

        for n in range(2):
            globals()[f"TestLoop{n}"] = type(
                f"TestLoop{n}", (unittest.TestCase,), {"test_x": lambda self: None}
            )

        def install_tests():
            for n in range(2):
                globals()[f"TestInstalled{n}"] = type(
                    f"TestInstalled{n}", (), {"test_y": lambda self: None}
                )

        install_tests()

        class TestSetLater:
            def test_own(self): ...

        setattr(TestSetLater, "test_later", lambda self: None)

        class TestLocals:
            for n in range(2):
                locals()[f"test_{n}"] = lambda self: None

        @add_attribute
        class TestAttribute:
            def test_own(self): ...
    """,
}


@pytest.mark.slow
def test_a_page_says_what_makes_tests_it_cannot_list(
    make_app, write_project, tmp_path: Path, capsys
) -> None:
    expected = suite_ids(tmp_path, MADE_AT_IMPORT)
    project, app, block = build_tests_page(
        make_app, write_project, MADE_AT_IMPORT, "test_dynamic.py"
    )
    notes = notes_by_group(block, "kwindex-made")
    listed = listed_ids(block)
    # Everything listed is collected; every test missed is in a class, or a
    # module, whose heading says what makes it.
    assert listed <= expected
    groups = {
        g.find("kwindex-group-name").text() for g in block.find_all("kwindex-group")
    }
    for node in expected - listed:
        cls = node.split("::")[1]
        assert cls in notes or (cls not in groups and "test_dynamic.py" in notes)
    prefix = "tests made when the module is imported are not listed, by:"
    assert notes == {
        "test_dynamic.py": f"{prefix} globals()[f'TestLoop{{n}}'] = type(f'TestLoop{{n}}', (unittest.… (line 25), install_tests() (line 35)",
        "TestDecorated": f"{prefix} @helpers.add_tests (line 5)",
        "TestInheritsDecorated": f"{prefix} @helpers.add_tests (line 5)",
        "TestWithMeta": f"{prefix} metaclass=helpers.Meta (line 16)",
        "MetaBase": f"{prefix} metaclass=helpers.Meta (line 19)",
        "FromMetaBase": f"{prefix} metaclass=helpers.Meta (line 19)",
        "TestSetLater": f"{prefix} setattr(TestSetLater, 'test_later', lambda self: None) (line 40)",
        "TestLocals": f"{prefix} locals()[f'test_{{n}}'] = lambda self: None (line 44)",
        "TestAttribute": f"{prefix} @helpers.add_attribute (line 46)",
    }
    # The line links to the source.
    (loop,) = [
        g
        for g in block.find_all("kwindex-group")
        if g.find("kwindex-group-name").text() == "test_dynamic.py"
    ]
    links = loop.find("kwindex-made").find_all("kwindex-line")
    assert [link.attrs["href"] for link in links] == [
        "_kwsource/test_dynamic.py.html#L25",
        "_kwsource/test_dynamic.py.html#L35",
    ]
    # Other builders and the command line say the same.
    text_app = make_app("text", srcdir=project)
    text_app.build()
    text = (text_app.outdir / "index.txt").read_text("utf-8")
    assert f"{prefix} @helpers.add_tests (line 5)" in " ".join(text.split())
    # So does kwindex.json.
    (module,) = json.loads((app.outdir / "kwindex.json").read_text("utf-8"))["modules"]
    assert {note["class"]: note["line"] for note in module["made_at_import"]} == {
        "": 35,  # the last of the module's own two, at lines 25 and 35
        "TestDecorated": 5,
        "TestInheritsDecorated": 5,
        "TestWithMeta": 16,
        "MetaBase": 19,
        "FromMetaBase": 19,
        "TestSetLater": 40,
        "TestLocals": 44,
        "TestAttribute": 46,
    }
    main([str(project / "test_dynamic.py"), "--root", str(project), "--kinds", "tests"])
    assert f"[{prefix} metaclass=helpers.Meta (line 16)]" in capsys.readouterr().out


CONDITIONAL = {
    "test_conditional.py": """
        import sys

        class TestAlways:
            def test_a(self): ...

        if sys.platform == "win32":
            class TestWindows:
                def test_w(self): ...
        else:
            class TestElsewhere:
                def test_e(self): ...

            if hasattr(sys, "no_such_thing"):
                class TestNever:
                    def test_n(self): ...
    """,
}


@pytest.mark.slow
def test_a_class_defined_under_a_condition_says_which(
    make_app, write_project, tmp_path: Path, capsys
) -> None:
    expected = suite_ids(tmp_path, CONDITIONAL)
    project, _app, block = build_tests_page(
        make_app, write_project, CONDITIONAL, "test_conditional.py"
    )
    conditions = notes_by_group(block, "kwindex-condition")
    assert conditions == {
        "TestWindows": "defined only if sys.platform == 'win32'",
        "TestElsewhere": "defined only if not (sys.platform == 'win32')",
        "TestNever": "defined only if not (sys.platform == 'win32') and "
        "hasattr(sys, 'no_such_thing')",
    }
    # What the page lists and pytest does not collect here is all under a
    # condition the page names.
    listed = listed_ids(block)
    assert expected <= listed
    assert {node.split("::")[1] for node in listed - expected} <= set(conditions)
    main(
        [
            str(project / "test_conditional.py"),
            "--root",
            str(project),
            "--kinds",
            "tests",
        ]
    )
    out = capsys.readouterr().out
    assert (
        "TestWindows (1 test, 1 item) [defined only if sys.platform == 'win32']" in out
    )
    # kwindex.json and the command line's JSON say it too.
    data = json.loads((Path(_app.outdir) / "kwindex.json").read_text("utf-8"))
    (module,) = data["modules"]
    in_json = {g["class"]: g["condition"] for g in module["test_groups"]}
    assert {name: in_json[name] for name in conditions} == {
        name: text.removeprefix("defined only if ") for name, text in conditions.items()
    }
    arguments = [str(project / "test_conditional.py"), "--root", str(project)]
    main([*arguments, "--kinds", "tests", "--format", "json"])
    (cli,) = json.loads(capsys.readouterr().out)["modules"]
    assert cli["test_groups"] == module["test_groups"]


IGNORED = {
    "conftest.py": """
        import sys

        collect_ignore = ["skipped_dir", "./test_ignored.py"]
        collect_ignore_glob = ["*_glob.py"]
        if sys.version_info < (3, 0):
            collect_ignore.append("test_py2_only.py")
    """,
    "sub/conftest.py": """
        collect_ignore = ["test_sub_ignored.py"]
    """,
    "test_kept.py": "def test_k(): ...\n",
    "test_ignored.py": "def test_i(): ...\n",
    "test_x_glob.py": "def test_g(): ...\n",
    "test_py2_only.py": "def test_p(): ...\n",
    "skipped_dir/test_in_dir.py": "def test_d(): ...\n",
    "sub/test_sub_ignored.py": "def test_s(): ...\n",
    "sub/test_sub_kept.py": "def test_sk(): ...\n",
}


@pytest.mark.slow
def test_what_conftest_files_ignore_is_not_collected(
    make_app, write_project, tmp_path: Path
) -> None:
    expected = suite_ids(tmp_path, IGNORED)
    resolve = file_resolver(tmp_path / "suite", lambda f: extract_file(f).shape)
    assert our_ids(tmp_path / "suite", resolve=resolve) == expected
    assert expected == {
        "test_kept.py::test_k",
        "test_py2_only.py::test_p",
        "sub/test_sub_kept.py::test_sk",
    }
    # Each page says why pytest leaves the module out, or when it would.
    files = {name: textwrap.dedent(text) for name, text in IGNORED.items()}
    pages = [
        "test_ignored.py",
        "test_py2_only.py",
        "sub/test_sub_ignored.py",
        "conftest.py",
    ]
    index = "Tests\n=====\n\n" + "".join(
        f".. kwindex:: /{page}\n   :kinds: tests\n\n" for page in pages
    )
    project = write_project({**files, "index.rst": index})
    app = make_app("html", srcdir=project)
    app.build()
    assert own_warnings(app) == []
    blocks = kwindex_blocks((app.outdir / "index.html").read_text("utf-8"))
    said = [squash(block.find("kwindex-ignored").text()) for block in blocks]
    assert said == [
        "pytest does not collect this module: collect_ignore = "
        "['skipped_dir', './test_ignored.py'] (line 4 in conftest.py)",
        "pytest does not collect this module if sys.version_info < (3, 0): "
        "collect_ignore.append('test_py2_only.py') (line 7 in conftest.py)",
        "pytest does not collect this module: collect_ignore = "
        "['test_sub_ignored.py'] (line 2 in sub/conftest.py)",
        # Nor from a conftest.py, whatever the kinds asked.
        "pytest collects no tests from a conftest.py: it reads its fixtures and hooks",
    ]
    listed = [len(block.find_all("kwindex-entry")) for block in blocks]
    assert listed == [0, 1, 0, 0]
    # Other builders say it too, an empty list or not.
    outdirs = {}
    for builder in ("text", "latex"):
        other = make_app(builder, srcdir=project)
        other.build()
        assert own_warnings(other) == []
        outdirs[builder] = other.outdir
    text = " ".join((outdirs["text"] / "index.txt").read_text("utf-8").split())
    assert said[0] in text
