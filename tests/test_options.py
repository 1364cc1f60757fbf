"""Every option of the directive, seen in the built HTML and kwindex.json."""

from __future__ import annotations

import json
import re

import pytest
from html_contract import Element, keyword_lists, kwindex_blocks, parse_html, squash
from support import load_inventory

CLASSES = ["Alpha", "TestZebra"]
FUNCTIONS = ["helper", "test_module_function", "test_stripes", "workspace"]
IMPORTS = ["Path", "os", "pathlib", "pytest"]
SOURCE = "_kwsource/pkg/sample_test.py.html"


@pytest.fixture
def built(app):
    app.build()
    return app


def page(app, docname: str) -> Element:
    html = (app.outdir / f"{docname}.html").read_text(encoding="utf-8")
    (block,) = kwindex_blocks(html)
    return block


def entry(block: Element, kind: str, name: str) -> Element:
    kind_block = block.find(f"kwindex-kind-{kind}")
    (found,) = [
        e
        for e in kind_block.find_all("kwindex-entry")
        if e.find("kwindex-name").text() == name
    ]
    return found


pytestmark = pytest.mark.sphinx("html", testroot="options")


def test_defaults_are_the_seed_kinds_sorted_by_name(built) -> None:
    assert keyword_lists(page(built, "defaults")) == {
        "classes": CLASSES,
        "functions": FUNCTIONS,
        "imports": IMPORTS,
    }


def test_kinds_option_orders_and_deduplicates(built) -> None:
    assert keyword_lists(page(built, "kinds")) == {
        "tests": ["test_module_function", "test_stripes"],
        "fixtures": ["workspace"],
        "markers": ["pytest.mark.slow"],
        "constants": ["TIMEOUT"],
    }
    kinds = [e.classes[-1] for e in page(built, "kinds").find_all("kwindex-kind")]
    assert kinds == [
        "kwindex-kind-tests",
        "kwindex-kind-fixtures",
        "kwindex-kind-markers",
        "kwindex-kind-constants",
    ]


def test_tests_and_markers_show_pytest_node_ids(built) -> None:
    block = page(built, "kinds")
    test = entry(block, "tests", "test_stripes")
    assert (
        test.find("kwindex-qualname").text()
        == "pkg/sample_test.py::TestZebra::test_stripes"
    )
    marker = entry(block, "markers", "pytest.mark.slow")
    assert (
        marker.find("kwindex-qualname").text()
        == "pkg/sample_test.py::TestZebra::test_stripes"
    )
    assert marker.find("kwindex-line").text() == "line 20"


def test_sort_source_is_order_of_first_appearance(built) -> None:
    assert keyword_lists(page(built, "sort")) == {
        "classes": ["TestZebra", "Alpha"],
        "functions": ["workspace", "test_stripes", "helper", "test_module_function"],
        "imports": ["os", "Path", "pathlib", "pytest"],
    }


def test_exclude_leaves_out_matching_names(built) -> None:
    assert keyword_lists(page(built, "exclude")) == {
        "classes": CLASSES,
        "functions": ["test_module_function", "test_stripes", "workspace"],
        "imports": ["Path", "pathlib", "pytest"],
    }


def test_no_metadata_hides_the_block(built) -> None:
    assert page(built, "nometadata").find_all("kwindex-metadata") == []
    assert len(page(built, "defaults").find_all("kwindex-metadata")) == 1


def test_entries_link_to_source_lines(built) -> None:
    helper = entry(page(built, "defaults"), "functions", "helper")
    links = [(a.attrs["href"], a.text()) for a in helper.iter() if a.tag == "a"]
    assert links == [(f"{SOURCE}#L24", "line 24"), (f"{SOURCE}#L29", "line 29")]
    source = (built.outdir / SOURCE).read_text(encoding="utf-8")
    assert 'id="L24"' in source
    assert 'id="L35"' in source
    assert 'id="L36"' not in source


def test_no_source_keeps_lines_without_links(built) -> None:
    block = page(built, "nosource")
    assert [
        a for a in block.iter() if a.tag == "a" and SOURCE in a.attrs.get("href", "")
    ] == []
    helper = entry(block, "functions", "helper")
    assert [e.text() for e in helper.find_all("kwindex-line")] == ["line 24", "line 29"]


def test_relative_path_is_relative_to_the_document(built) -> None:
    block = page(built, "sub/relative")
    assert keyword_lists(block) == {"classes": CLASSES}
    assert entry(block, "classes", "Alpha").find("kwindex-line").attrs["href"] == (
        f"../{SOURCE}#L28"
    )


def test_several_locations_show_qualified_names_and_docstrings(built) -> None:
    helper = entry(page(built, "defaults"), "functions", "helper")
    locations = [
        squash(li.text())
        for li in helper.find("kwindex-locations").children
        if isinstance(li, Element)
    ]
    assert locations == [
        "TestZebra.helper line 24 Shared helper, second definition below.",
        "Alpha.helper line 29 Another helper.",
    ]
    assert (
        entry(page(built, "defaults"), "classes", "Alpha").find_all("kwindex-qualname")
        == []
    )


def test_text_from_the_file_is_escaped_not_interpreted(built) -> None:
    block = page(built, "defaults")
    function = entry(block, "functions", "test_module_function")
    assert function.find("kwindex-doc").text() == (
        'Quotes "as is" -- and <b>not bold</b> & *not emphasis*.'
    )
    assert [e for e in function.iter() if e.tag in ("b", "em")] == []
    html = (built.outdir / "defaults.html").read_text(encoding="utf-8")
    assert "&lt;b&gt;not bold&lt;/b&gt; &amp; *not emphasis*" in html
    summary = 'A module with every kind of keyword -- "all" of them...'
    assert summary in squash(block.find("kwindex-metadata").text())


def test_every_entry_has_a_unique_id(built) -> None:
    html = (built.outdir / "defaults.html").read_text(encoding="utf-8")
    (block,) = kwindex_blocks(html)
    ids = [e.attrs.get("id") for e in block.find_all("kwindex-entry")]
    assert all(ids)
    assert len(set(ids)) == len(ids) == 10
    assert block.attrs["id"] == "kw-pkg.sample_test.py"


def test_general_index_entries_unless_no_index(built) -> None:
    genindex = (built.outdir / "genindex.html").read_text(encoding="utf-8")
    assert "TestZebra (class in pkg/sample_test.py)" in genindex
    assert "os (imported in pkg/sample_test.py)" in genindex
    assert "TIMEOUT (constant in pkg/sample_test.py)" in genindex
    assert "defaults.html#kw-pkg.sample_test.py-classes-TestZebra" in genindex
    assert "noindex.html#" not in genindex
    # Tests give an entry per test class, leading to its tests.
    # (genindex lists the class and the test class as two uses of TestZebra)
    assert "(test class in pkg/sample_test.py)" in genindex
    assert "kinds.html#kw-pkg.sample_test.py-group-TestZebra" in genindex
    assert "kinds.html#kw-pkg.sample_test.py-tests-test_stripes" not in genindex


def test_kwindex_json_lists_kinds_as_rendered(built) -> None:
    data = json.loads((built.outdir / "kwindex.json").read_text(encoding="utf-8"))
    assert data["version"] == 9
    modules = {module["docname"]: module for module in data["modules"]}
    assert sorted(modules) == [
        "defaults",
        "exclude",
        "kinds",
        "myst",
        "noindex",
        "nometadata",
        "nosource",
        "sort",
        "sub/relative",
    ]
    assert all(module["path"] == "pkg/sample_test.py" for module in data["modules"])
    assert names_and_lines(modules["kinds"]["keywords"]) == {
        "tests": [
            {"name": "test_module_function", "lines": [33]},
            {"name": "test_stripes", "lines": [21]},
        ],
        "fixtures": [{"name": "workspace", "lines": [12]}],
        "markers": [{"name": "pytest.mark.slow", "lines": [20]}],
        "constants": [{"name": "TIMEOUT", "lines": [8]}],
    }
    assert names_and_lines(modules["sort"]["keywords"])["classes"] == [
        {"name": "TestZebra", "lines": [17]},
        {"name": "Alpha", "lines": [28]},
    ]
    (helper, *_others) = modules["defaults"]["keywords"]["functions"]
    assert helper == {
        "name": "helper",
        "lines": [24, 29],
        "locations": [
            {
                "qualname": "TestZebra.helper",
                "line": 24,
                "doc": "Shared helper, second definition below.",
            },
            {"qualname": "Alpha.helper", "line": 29, "doc": "Another helper."},
        ],
    }
    # The classes that collect the tests, as the page heads them.
    assert modules["kinds"]["test_groups"] == [
        {
            "class": "",
            "line": None,
            "doc": "",
            "tests": 1,
            "items": 1,
            "unseen_bases": [],
            "condition": "",
            "deselected": 0,
        },
        {
            "class": "TestZebra",
            "line": 17,
            "doc": "Tests that come first in the file.",
            "tests": 1,
            "items": 1,
            "unseen_bases": [],
            "condition": "",
            "deselected": 0,
        },
    ]
    assert "test_groups" not in modules["sort"]
    # A test: its node id, where it is defined, its markers, fixtures, items.
    stripes = modules["kinds"]["keywords"]["tests"][1]
    assert stripes["locations"] == [
        {
            "qualname": "TestZebra.test_stripes",
            "line": 21,
            "doc": "",
            "node_id": "pkg/sample_test.py::TestZebra::test_stripes",
            "defined_in": {"class": "TestZebra", "path": "pkg/sample_test.py"},
            "markers": [{"name": "pytest.mark.slow", "reason": ""}],
            "fixtures": [
                {
                    "name": "workspace",
                    "path": "pkg/sample_test.py",
                    "qualname": "workspace",
                    "line": 12,
                    "autouse": False,
                    "builtin": False,
                    "through": False,
                },
                {
                    "name": "tmp_path",
                    "path": None,
                    "qualname": None,
                    "line": None,
                    "autouse": False,
                    "builtin": True,
                    "through": True,
                },
                {
                    "name": "tmp_path_factory",
                    "path": None,
                    "qualname": None,
                    "line": None,
                    "autouse": False,
                    "builtin": True,
                    "through": True,
                },
            ],
            "items": 1,
            "item_ids": None,
            "unknown": "",
            "deselected": "",
            "condition": "",
        }
    ]


def names_and_lines(keywords: dict[str, list[dict]]) -> dict[str, list[dict]]:
    return {
        kind: [{"name": k["name"], "lines": k["lines"]} for k in found]
        for kind, found in keywords.items()
    }


GENERAL = """\
import os
import pytest


class TestCart:
    def test_tuple_keys(self):
        class Local:
            pass


@pytest.fixture
def cart():
    pass


def helper():
    class AlsoLocal:
        pass
"""


def test_by_default_test_classes_and_fixtures_outside_functions_are_in_genindex(
    make_app, write_project
) -> None:
    page = "Cart\n====\n\n.. kwindex:: /cart_test.py\n   :kinds: tests, classes, functions, imports, fixtures\n"
    project = write_project({"cart_test.py": GENERAL, "index.rst": page})
    app = make_app("html", srcdir=project)
    app.build()
    genindex = (app.outdir / "genindex.html").read_text(encoding="utf-8")
    entries = re.findall(r"\w+ \([\w ]+ in cart_test\.py\)", genindex)
    assert sorted(entries) == [
        "TestCart (test class in cart_test.py)",
        "cart (fixture in cart_test.py)",
    ]
    html = (app.outdir / "index.html").read_text(encoding="utf-8")
    (group,) = parse_html(html).find_all("kwindex-group")
    assert group.attrs["id"] == "kw-cart_test.py-group-TestCart"
    assert 'href="index.html#kw-cart_test.py-group-TestCart"' in genindex
    # Tests, classes and fixtures are objects (objects.inv, search), local
    # classes among them; the Keyword Index lists every keyword.
    inventory = load_inventory(app.outdir / "objects.inv")
    assert "cart_test.py::Local" in inventory["kw:class"]
    assert "cart_test.py::TestCart::test_tuple_keys" in inventory["kw:test"]
    assert "kw:import" not in inventory
    kw_index = (app.outdir / "kw-index.html").read_text(encoding="utf-8")
    assert 'id="kw-AlsoLocal"' in kw_index
    # Search lists the objects but those made only inside functions.
    script = (app.outdir / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(script[script.index("(") + 1 : script.rindex(")")])
    searched = {name for names in index["objects"].values() for *_, name in names}
    assert searched == {"py::TestCart", "py::cart", "py::TestCart::test_tuple_keys"}


@pytest.mark.parametrize(
    ("kinds", "entries"),
    [
        (["classes"], ["TestCart (class in cart_test.py)"]),
        ([], []),
    ],
)
def test_index_kinds_choose_the_entries(
    make_app, write_project, kinds: list[str], entries: list[str]
) -> None:
    page = "Cart\n====\n\n.. kwindex:: /cart_test.py\n"
    project = write_project({"cart_test.py": GENERAL, "index.rst": page})
    with (project / "conf.py").open("a") as conf:
        conf.write(f"kwindex_index_kinds = {kinds!r}\n")
    app = make_app("html", srcdir=project)
    app.build()
    genindex = (app.outdir / "genindex.html").read_text(encoding="utf-8")
    assert re.findall(r"\w+ \([\w ]+ in cart_test\.py\)", genindex) == entries
