"""Nothing stated that pytest contradicts: every item count, item id and
fixture the extension states of the root ``test-pytest-agrees`` (one module
per family of patterns from real suites) is asked of real pytest, with a
plugin recording each item's fixtures (``benchmarks/pytest_oracle.py``).
Where static reading cannot know, the page says so and why."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from html_contract import kwindex_blocks
from pytest_oracle import collect, disagreements
from support import write_suite

from sphinx_kwindex.collect import CollectedTest, Collection, collect_module
from sphinx_kwindex.extract import extract_file
from sphinx_kwindex.module_tree import find_modules
from sphinx_kwindex.names import pytest_node_id
from sphinx_kwindex.pytest_config import read_rules
from sphinx_kwindex.tree_resolver import file_resolver


@pytest.fixture
def suite(rootdir: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "suite"
    shutil.copytree(rootdir / "test-pytest-agrees" / "suite", folder)
    return folder


def ours(folder: Path) -> tuple[dict[str, CollectedTest], dict[str, Collection]]:
    """The tests the extension lists under ``folder``, by node id, and each
    module's collection."""
    rules, _file = read_rules(folder)
    resolve = file_resolver(folder, lambda file: extract_file(file).shape)
    tests: dict[str, CollectedTest] = {}
    collections = {}
    for module in find_modules(folder, ["**/*.py"]).modules:
        shape = extract_file(folder / module).shape
        collections[module] = collection = collect_module(module, shape, rules, resolve)
        for test in collection.tests:
            tests[pytest_node_id(module, test.qualname)] = test
    return tests, collections


def stated_fixtures(test: CollectedTest) -> tuple[set[str], set[str]]:
    """The fixtures the extension lists for ``test``, and its closure."""
    named = {fixture.name for fixture in test.fixtures if not fixture.through}
    listed = {fixture.name for fixture in test.fixtures}
    return named, listed | {name for _path, name in test.needs}


@pytest.mark.slow
def test_every_count_id_and_fixture_stated_is_pytest_s(suite: Path) -> None:
    by_node = collect(suite).by_node()
    tests, collections = ours(suite)
    wrong = {}
    for node in sorted(set(by_node) & set(tests)):
        test = tests[node]
        named, closure = stated_fixtures(test)
        found = disagreements(
            by_node[node],
            test.items,
            test.item_ids,
            named,
            closure,
            suite,
            bool(test.deselected),
        )
        if found:
            wrong[node] = found
    assert wrong == {}

    # Each class's tests in pytest's order (a TestCase's by name).
    def by_class(nodes) -> dict[str, list[str]]:
        grouped: dict[str, list[str]] = {}
        for node in nodes:
            grouped.setdefault(node.rpartition("::")[0], []).append(node)
        return grouped

    assert by_class(n for n in tests if n in by_node) == by_class(
        n for n in by_node if n in tests
    )
    assert by_class(tests)["test_unittest_order.py::TestWritten"] == [
        f"test_unittest_order.py::TestWritten::{name}"
        for name in ("test_Capital", "test_alpha", "test_b_inherited", "test_zeta")
    ]
    # What is missed, pytest makes at import, and the page says where.
    assert set(by_node) - set(tests) == {
        "test_classes.py::TestOpaqueBase::test_opaque",
        "test_classes.py::test_from_exec",
        "test_classes.py::TestChecksOne::test_registered",
        "test_classes.py::TestChecksTwo::test_registered",
    }
    # What is listed but not collected is said to be defined only if …
    assert set(tests) - set(by_node) == {"test_classes.py::test_on_windows"}
    assert tests["test_classes.py::test_on_windows"].condition == (
        "sys.platform == 'win32'"
    )
    assert tests["test_classes.py::test_elsewhere"].condition == (
        "not (sys.platform == 'win32')"
    )
    # A base a call in the bases list makes: followed where the factory
    # returns a class it defines, named where it cannot be followed.
    assert "test_classes.py::TestMadeBase::test_made" in tests
    classes = collections["test_classes.py"]
    (opaque,) = [c for c in classes.classes if c.node == "TestOpaqueBase"]
    assert [note.code for note in opaque.made_at_import] == ["make_opaque_base()"]
    assert [note.code for note in classes.made_at_import] == [
        "exec('def test_from_exec(): pass')",
        "@register",
    ]
    # Each pattern is stated, not merely left unknown.
    stated = {
        "test_mark_aliases.py::test_alias": 3,
        "test_mark_aliases.py::test_alias_beside_a_literal": 6,
        "test_mark_aliases.py::test_alias_of_an_alias": 3,
        "test_mark_aliases.py::test_helper_and_alias": 4,
        "test_mark_aliases.py::TestDecoratedClass::test_method": 3,
        "test_mark_aliases.py::TestClassBody::test_local_alias": 6,
        "test_mark_aliases.py::TestClassBody::test_only_pytestmark": 3,
        "test_ids.py::test_long_string": 2,
        "test_ids.py::test_one_name_in_a_list": 2,
        "test_ids.py::test_names_in_a_tuple": 2,
        "test_fixture_args.py::test_fixture_alias": 3,
        "test_imported_marks.py::test_imported_alias": 2,
        "test_imported_marks.py::test_imported_attribute_beside_a_literal": 4,
        "test_imported_marks.py::TestImportedInPytestmark::test_method": 2,
        "test_imported_marks.py::TestImportedOnTheClass::test_method": 2,
    }
    for node, count in stated.items():
        assert (tests[node].items, len(tests[node].item_ids or ())) == (count, count)
    assert tests["test_fixture_args.py::test_fixture_alias"].fixtures[0].path == (
        "conftest.py"
    )
    # The closure shown apart from what the test names.
    closure = tests["test_fixture_args.py::test_closure"].fixtures
    assert [(f.name, f.path, f.through) for f in closure] == [
        ("derived", "conftest.py", False),
        ("base", "conftest.py", True),
    ]
    patched = tests["test_fixture_args.py::test_mock_arguments"]
    assert [(f.name, f.through) for f in patched.fixtures] == [
        ("tmp_path", False),
        ("tmp_path_factory", True),
    ]

    # A decorator's wrapper that does not keep the signature is what pytest
    # fills; one that does (functools.wraps) keeps the test's fixtures.
    def named(node: str) -> list[str]:
        return [f.name for f in tests[f"test_fixture_args.py::{node}"].fixtures]

    assert named("test_wrapped_keeps_its_fixtures") == ["base"]
    assert named("test_replaced_asks_for_nothing") == []
    assert named("TestSized::test_sized_asks_for_nothing") == []
    # What addopts deselects, said where pytest deselects every item.
    said = {node for node, test in tests.items() if test.deselected}
    every = {
        node for node, items in by_node.items() if all(i.deselected for i in items)
    }
    assert said == every
    assert tests["test_selection.py::test_deselected_by_keyword"].deselected == (
        "-k 'not by_keyword'"
    )
    assert tests[
        "test_selection.py::TestInheritsMarks::test_inherited_mark"
    ].deselected == ("-m 'not slow'")
    imported = "test_imported_marks.py::test_imported_marker"
    assert tests[imported].deselected == "-m 'not slow'"
    uses = tests["test_imported_marks.py::test_imported_usefixtures"].fixtures
    assert [f.name for f in uses] == ["base"]
    some = tests["test_selection.py::test_one_item_slow"]
    assert not some.deselected
    assert [i.deselected for i in by_node["test_selection.py::test_one_item_slow"]] == [
        False,
        True,
    ]


def test_what_only_a_run_knows_is_said_with_its_reason(suite: Path) -> None:
    tests, _collections = ours(suite)
    unknown = {
        node: (test.items, test.item_ids, test.unknown)
        for node, test in tests.items()
        if test.unknown
    }
    assert unknown == {
        "test_mark_aliases.py::test_helper_with_arguments": (
            None,
            None,
            "a mark made by code: scaled(4)",
        ),
        "test_ids.py::test_values_built_by_code": (
            None,
            None,
            "values given by code: list(range(3))",
        ),
        "test_ids.py::test_values_whose_ids_a_run_knows": (
            2,
            None,
            "a value whose id only a run knows: int",
        ),
        "test_fixture_args.py::test_argument_parametrize_fills": (
            None,
            None,
            "values given by code: list(range(2))",
        ),
        # Every test a pytest_generate_tests hook sees: it decides in code.
        "generated/test_generated.py::test_generated": (
            None,
            None,
            "pytest_generate_tests in generated/conftest.py, line 1",
        ),
        "generated/test_generated.py::test_not_parametrized_by_it": (
            None,
            None,
            "pytest_generate_tests in generated/conftest.py, line 1",
        ),
        "test_class_hook.py::TestHookInClass::test_lettered": (
            None,
            None,
            "pytest_generate_tests in TestHookInClass, line 5",
        ),
    }
    # A name the hook may fill is not claimed as a plugin's fixture.
    generated = tests["generated/test_generated.py::test_generated"]
    assert generated.fixtures == ()


@pytest.mark.slow
@pytest.mark.parametrize("strategy", ["legacy", "short"])
def test_long_strings_in_ids_follow_the_configured_strategy(
    suite: Path, strategy: str
) -> None:
    ini = suite / "pytest.ini"
    ini.write_text(
        ini.read_text("utf-8") + f"parametrize_long_str_id_strategy = {strategy}\n",
        encoding="utf-8",
    )
    node = "test_ids.py::test_long_string"
    made = {item.id for item in collect(suite, "test_ids.py").by_node()[node]}
    test = ours(suite)[0][node]
    assert set(test.item_ids or ()) == made
    assert ("text1" in made) is (strategy == "short")


def test_a_strategy_that_hashes_or_refuses_long_strings_leaves_ids_unknown(
    suite: Path,
) -> None:
    ini = suite / "pytest.ini"
    ini.write_text(
        ini.read_text("utf-8") + "parametrize_long_str_id_strategy = sha256\n",
        encoding="utf-8",
    )
    tests = ours(suite)[0]
    long = tests["test_ids.py::test_long_string"]
    assert (long.items, long.item_ids) == (2, None)
    assert long.unknown == "parametrize_long_str_id_strategy = sha256"
    # Where no string is long, the ids are known whatever the strategy.
    assert tests["test_ids.py::test_names_in_a_tuple"].item_ids == ("1-2", "3-4")


def shown(app, module: str, css_class: str) -> dict[str, str]:
    """Per test entry of the page of ``module``, the text of its element of
    ``css_class``, where it has one."""
    html = (app.outdir / "kwindex" / f"{module}.html").read_text("utf-8")
    (block,) = kwindex_blocks(html)
    return {
        entry.find("kwindex-name").text(): found[0].text()
        for entry in block.find_all("kwindex-entry")
        if (found := entry.find_all(css_class))
    }


def test_the_page_says_why_a_count_is_unknown(build_root) -> None:
    app = build_root("html", "pytest-agrees")
    items = shown(app, "test_ids.py", "kwindex-items")
    assert items["test_values_built_by_code"] == (
        "(items known when pytest runs: values given by code: list(range(3)))"
    )
    assert items["test_long_string"] == "(2 items)"
    text = build_root("text", "pytest-agrees").outdir / "kwindex" / "test_ids.py.txt"
    assert (
        "test_ids.py::test_values_built_by_code, line 26 (items known when pytest runs: "
        "values given by code: list(range(3)))"
    ) in " ".join(text.read_text("utf-8").split())


def test_a_page_says_which_tests_addopts_deselects(build_root) -> None:
    app = build_root("html", "pytest-agrees")
    said = shown(app, "test_selection.py", "kwindex-deselected")
    assert said == {
        "test_marked_slow": "deselected by default (addopts: -m 'not slow')",
        "test_slow_and_parametrized": "deselected by default (addopts: -m 'not slow')",
        "test_deselected_by_keyword": (
            "deselected by default (addopts: -k 'not by_keyword')"
        ),
        "test_in_a_slow_class": "deselected by default (addopts: -m 'not slow')",
        "test_in_a_class_the_keyword_names": (
            "deselected by default (addopts: -k 'not by_keyword')"
        ),
        "test_inherited_mark": "deselected by default (addopts: -m 'not slow')",
    }
    html = (app.outdir / "kwindex" / "test_selection.py.html").read_text("utf-8")
    (block,) = kwindex_blocks(html)
    counts = [" ".join(c.text().split()) for c in block.find_all("kwindex-count")]
    assert "(5 tests, 7 items, 3 deselected by default)" in counts
    text = build_root("text", "pytest-agrees").outdir / "kwindex/test_selection.py.txt"
    assert (
        "test_selection.py::test_marked_slow, line 9 "
        "[deselected by default (addopts: -m 'not slow')]"
    ) in " ".join(text.read_text("utf-8").split())


def test_a_page_shows_the_fixtures_a_test_gets_through_others_apart(
    build_root,
) -> None:
    app = build_root("html", "pytest-agrees")
    html = (app.outdir / "kwindex" / "test_fixture_args.py.html").read_text("utf-8")
    (block,) = kwindex_blocks(html)
    (entry,) = [
        e
        for e in block.find_all("kwindex-entry")
        if e.find("kwindex-name").text() == "test_closure"
    ]
    assert entry.find("kwindex-fixtures").text() == "fixtures: derived"
    assert entry.find("kwindex-through").text() == "through them: base"
    links = [a.attrs.get("href", "") for a in entry.iter() if a.tag == "a"]
    assert any(href.endswith("#kw-conftest.py-fixtures-base") for href in links)


@pytest.mark.slow
def test_a_hook_that_spells_ids_leaves_them_unknown(tmp_path: Path) -> None:
    write_suite(
        tmp_path,
        {
            "conftest.py": """
                def pytest_make_parametrize_id(config, val, argname):
                    return f"{argname}={val}"
            """,
            "test_ids.py": """
                import pytest

                @pytest.mark.parametrize("n", [1, 2])
                def test_ids_by_a_hook(n): ...
            """,
        },
    )
    (items,) = collect(tmp_path).by_node().values()
    assert [item.id for item in items] == ["n=1", "n=2"]
    (test,) = ours(tmp_path)[0].values()
    assert (test.items, test.item_ids) == (2, None)
    assert test.unknown == "pytest_make_parametrize_id in conftest.py, line 2"


def test_a_mark_bound_to_a_name_is_located_where_it_is_applied(suite: Path) -> None:
    module = extract_file(suite / "test_selection.py")
    (slow,) = [k for k in module.of_kind("markers") if k.name == "pytest.mark.slow"]
    lines = {location.qualname: location.line for location in slow.locations}
    # @slow on line 12 (slow = pytest.mark.slow is line 5), and the literal ones.
    assert lines == {
        "test_marked_slow": 8,
        "test_slow_and_parametrized": 12,
        "TestSlowClass": 28,
        "TestSlowBase": 38,
    }
