"""Keywords as objects of the ``kw`` domain: objects.inv, the ``:kw:`` role,
intersphinx from another project, parallel reads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from html_contract import parse_html
from support import build_serial_and_parallel, load_inventory, own_warnings

from sphinx_kwindex.domain import KeywordDomain

WIDGETS = "tests/test_widgets.py"
GADGETS = "tests/test_gadgets.py"


@pytest.mark.sphinx("html", testroot="links")
def test_objects_inv_holds_tests_classes_and_fixtures_by_default(app) -> None:
    app.build()
    inventory = load_inventory(app.outdir / "objects.inv")
    assert inventory["kw:class"][f"{WIDGETS}::WidgetTest"] == (
        "index.html#kw-tests.test_widgets.py-classes-WidgetTest"
    )
    # A test by its node id, each its own object.
    assert inventory["kw:test"][f"{WIDGETS}::WidgetTest::test_name"] == (
        "index.html#kw-tests.test_widgets.py-tests-test_name"
    )
    assert f"{WIDGETS}::test_name" not in inventory["kw:test"]
    # Names used, functions and keywords as a whole are targets of :kw: in
    # the project, not objects other projects link to.
    assert not {"kw:import", "kw:function", "kw:keyword"} & inventory.keys()
    # :no-index: keeps a module's keywords out of the inventory.
    names = {name for items in inventory.values() for name in items}
    assert not any("test_hidden" in name for name in names)
    # The Python domain's objects stay as they were.
    assert "widgets.Widget" in inventory["py:class"]


@pytest.mark.sphinx(
    "html",
    testroot="links",
    confoverrides={"kwindex_object_kinds": ["imports", "functions"]},
)
def test_objects_inv_holds_the_kinds_asked_for(app) -> None:
    app.build()
    inventory = load_inventory(app.outdir / "objects.inv")
    assert inventory["kw:import"][f"{GADGETS}::os"] == (
        "gadgets.html#kw-tests.test_gadgets.py-imports-os"
    )
    assert inventory["kw:function"]["lib/widgets.py::make_widget"] == (
        "api.html#kw-lib.widgets.py-functions-make_widget"
    )
    assert not {"kw:class", "kw:test"} & inventory.keys()


def reference_items(html: str) -> list[tuple[str, str | None]]:
    """Each list item of a page: its text, and where its first link goes (None
    when the reference stayed text)."""
    items = []
    for li in parse_html(html).find("body").iter():
        if li.tag == "li":
            hrefs = [a.attrs["href"] for a in li.iter() if a.tag == "a"]
            items.append((" ".join(li.text().split()), hrefs[0] if hrefs else None))
    return items


@pytest.mark.sphinx("html", testroot="links")
def test_the_role_resolves_names_and_module_entries(app) -> None:
    app.build()
    assert own_warnings(app) == []
    html = (app.outdir / "refs.html").read_text(encoding="utf-8")
    assert reference_items(html) == [
        (
            "One module: WidgetTest.",
            "index.html#kw-tests.test_widgets.py-classes-WidgetTest",
        ),
        # In several modules: the keyword's entry in the Keyword Index.
        ("Several modules: os.", "kw-index.html#kw-os"),
        (
            f"Entry in one module: {GADGETS}::os.",
            "gadgets.html#kw-tests.test_gadgets.py-imports-os",
        ),
        # A pytest node id names the test, not the method.
        (
            f"A pytest node id: {WIDGETS}::WidgetTest::test_name.",
            "index.html#kw-tests.test_widgets.py-tests-test_name",
        ),
        (
            "Restricted to a kind: test_gadget.",
            "gadgets.html#kw-tests.test_gadgets.py-tests-test_gadget",
        ),
        # Unresolved references stay text (and are silent: no nitpicky here).
        ("The wrong kind: test_gadget.", None),
        ("Only under no-index: test_hidden.", None),
        ("Unknown: no_such_keyword.", None),
        (
            "Any role: test_gadget.",
            "gadgets.html#kw-tests.test_gadgets.py-tests-test_gadget",
        ),
    ]


@pytest.mark.sphinx(
    "html", testroot="links", confoverrides={"nitpicky": True}, freshenv=True
)
def test_nitpicky_mode_warns_about_unknown_targets(app) -> None:
    app.build()
    warnings = own_warnings(app)
    assert len(warnings) == 3
    expected = [
        ("refs.rst:9", "kw:class reference target not found: test_gadget"),
        ("refs.rst:10", "kw:keyword reference target not found: test_hidden"),
        ("refs.rst:11", "kw:keyword reference target not found: no_such_keyword"),
    ]
    for warning, (location, message) in zip(warnings, expected, strict=True):
        assert location in warning
        assert message in warning


@pytest.mark.parametrize("buildername", ["text", "latex", "singlehtml"])
def test_other_builders_resolve_the_role_without_warnings(
    build_root, buildername
) -> None:
    app = build_root(buildername, "links")
    assert own_warnings(app) == []


@pytest.mark.sphinx("singlehtml", testroot="links", freshenv=True)
def test_without_a_keyword_index_page_a_name_links_to_its_first_entry(app) -> None:
    app.build()
    html = (app.outdir / "index.html").read_text(encoding="utf-8")
    assert "kw-index.html" not in html
    assert not (app.outdir / "kw-index.html").exists()
    links = dict(reference_items(html))
    # Sphinx 9 writes "#document-gadgets#…" where 7.4 and 8 write "#…".
    assert links["Several modules: os."].endswith(
        "#kw-tests.test_gadgets.py-imports-os"
    )


@pytest.mark.sphinx("latex", testroot="links", freshenv=True)
def test_latex_labels_every_entry_the_role_points_to(app) -> None:
    app.build()
    tex = (app.outdir / "links.tex").read_text(encoding="utf-8")
    targets = set(re.findall(r"\\hyperref\[\\detokenize\{([^}]+)\}\]", tex))
    labels = set(re.findall(r"\\label\{\\detokenize\{([^}]+)\}\}", tex))
    kw_targets = {t for t in targets if ":kw-" in t}
    assert "gadgets:kw-tests.test_gadgets.py-imports-os" in kw_targets
    assert kw_targets <= labels


def test_another_project_links_to_keywords_through_intersphinx(
    make_app, rootdir: Path, tmp_path: Path, write_project
) -> None:
    indexed = make_app(
        "html",
        srcdir=rootdir / "test-links",
        builddir=tmp_path / "links",
        confoverrides={"kwindex_object_kinds": ["classes", "imports"]},
    )
    indexed.build()
    inventory = indexed.outdir / "objects.inv"
    project = write_project(
        {
            "index.rst": "Elsewhere\n=========\n\n"
            f"* :kw:`{GADGETS}::os`\n"
            f"* :kw:class:`{WIDGETS}::WidgetTest`\n",
        }
    )
    with (project / "conf.py").open("a") as conf:
        conf.write(
            'extensions.append("sphinx.ext.intersphinx")\n'
            f"intersphinx_mapping = {{'links': ('https://links.example/', {str(inventory)!r})}}\n"
        )
    app = make_app("html", srcdir=project, confoverrides={"nitpicky": True})
    app.build()
    assert own_warnings(app) == []
    html = (app.outdir / "index.html").read_text(encoding="utf-8")
    assert reference_items(html) == [
        (
            f"{GADGETS}::os",
            "https://links.example/gadgets.html#kw-tests.test_gadgets.py-imports-os",
        ),
        (
            f"{WIDGETS}::WidgetTest",
            "https://links.example/index.html#kw-tests.test_widgets.py-classes-WidgetTest",
        ),
    ]


def test_parallel_reads_give_the_same_index_and_inventory(
    make_app, rootdir: Path, tmp_path: Path, monkeypatch
) -> None:
    merged: list[str] = []
    merge = KeywordDomain.merge_domaindata

    def counting_merge(self, docnames, otherdata) -> None:
        merged.extend(docnames)
        merge(self, docnames, otherdata)

    monkeypatch.setattr(KeywordDomain, "merge_domaindata", counting_merge)
    serial, parallel = build_serial_and_parallel(
        make_app, rootdir / "test-links", tmp_path
    )
    # The second build read in two processes and merged what they found.
    assert sorted(merged) == ["api", "gadgets", "hidden", "index", "refs", "sources"]
    assert {"kw-index.html", "objects.inv", "refs.html"} <= serial.keys()
    assert serial.keys() == parallel.keys()
    for name in serial:
        assert serial[name] == parallel[name], name


SHARED_NAMES = """\
import unittest


class TestReading(unittest.TestCase):
    def test_empty(self): ...


class TestWriting(unittest.TestCase):
    def test_empty(self): ...
"""


def test_each_node_id_is_its_own_target_in_the_role_and_the_inventory(
    make_app, write_project
) -> None:
    page = (
        "Files\n=====\n\n.. kwindex:: test_files.py\n   :kinds: tests\n\n"
        "Reading: :kw:`test_files.py::TestReading::test_empty`;\n"
        "writing: :kw:`test_files.py::TestWriting::test_empty`.\n"
    )
    project = write_project({"test_files.py": SHARED_NAMES, "index.rst": page})
    app = make_app("html", srcdir=project)
    app.build()
    assert own_warnings(app) == []
    html = (app.outdir / "index.html").read_text("utf-8")
    entries = {
        entry.find("kwindex-qualname").text(): entry.attrs["id"]
        for entry in parse_html(html).find_all("kwindex-entry")
    }
    reading = entries["test_files.py::TestReading::test_empty"]
    writing = entries["test_files.py::TestWriting::test_empty"]
    assert reading != writing
    links = re.findall(r'href="#(kw-test_files\.py-tests-[^"]+)"', html)
    assert links == [reading, writing]
    inventory = load_inventory(app.outdir / "objects.inv")["kw:test"]
    assert inventory == {
        "test_files.py::TestReading::test_empty": f"index.html#{reading}",
        "test_files.py::TestWriting::test_empty": f"index.html#{writing}",
    }
