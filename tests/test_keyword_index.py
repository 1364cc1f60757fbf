"""The Keyword Index pages (``kw-index.html`` …): the project's reverse index."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from html_contract import parse_html
from support import load_inventory, own_warnings, record_read_documents

import sphinx_kwindex.reverse_index


def index_groups(html: str) -> dict[str, list[tuple[str, str, str]]]:
    """``{keyword: [(module path, kind, href)]}`` of one Keyword Index page."""
    page = parse_html(html)
    groups: dict[str, list[tuple[str, str, str]]] = {}
    for dl in page.find_all("kwindex-index"):
        terms = [e for e in dl.children if not isinstance(e, str)]
        for dt, dd in zip(terms[::2], terms[1::2], strict=True):
            name = dt.find("kwindex-name").text()
            groups[name] = [
                (
                    li.iter()[1].text(),
                    li.find("kwindex-kindname").text(),
                    li.iter()[1].attrs["href"],
                )
                for li in dd.iter()
                if li.tag == "li"
            ]
    return groups


def ids_of(html: str) -> set[str]:
    return set(re.findall(r'\bid="([^"]+)"', html))


@pytest.mark.sphinx("html", testroot="links")
def test_a_keyword_of_several_modules_has_one_heading_with_a_link_to_each(
    app,
) -> None:
    app.build()
    assert own_warnings(app) == []
    html = (app.outdir / "kw-index.html").read_text("utf-8")
    groups = index_groups(html)
    assert groups["os"] == [
        (
            "tests/test_gadgets.py",
            "import",
            "gadgets.html#kw-tests.test_gadgets.py-imports-os",
        ),
        (
            "tests/test_widgets.py",
            "import",
            "index.html#kw-tests.test_widgets.py-imports-os",
        ),
    ]
    assert groups["Widget"] == [
        ("lib/widgets.py", "class", "api.html#kw-lib.widgets.py-classes-Widget"),
        (
            "tests/test_gadgets.py",
            "import",
            "gadgets.html#kw-tests.test_gadgets.py-imports-Widget",
        ),
        (
            "tests/test_widgets.py",
            "import",
            "index.html#kw-tests.test_widgets.py-imports-Widget",
        ),
    ]
    # A page that lists tests shows a test once, as a test.
    assert groups["test_gadget"] == [
        (
            "tests/test_gadgets.py",
            "test",
            "gadgets.html#kw-tests.test_gadgets.py-tests-test_gadget",
        ),
    ]
    # :no-index: keeps test_hidden.py out.
    assert "test_hidden" not in groups
    assert all("test_hidden" not in path for g in groups.values() for path, *_ in g)
    # Every link lands on an entry with that id.
    for entries in groups.values():
        for _path, _kind, href in entries:
            page, anchor = href.split("#")
            assert anchor in ids_of((app.outdir / page).read_text("utf-8")), href


@pytest.mark.sphinx("html", testroot="links")
def test_keywords_are_sorted_and_grouped_by_letter_like_genindex(app) -> None:
    app.build()
    html = (app.outdir / "kw-index.html").read_text("utf-8")
    page = parse_html(html)
    letters = [h.text() for h in page.iter() if h.tag == "h2"]
    assert letters == ["_", "M", "O", "T", "U", "W"]
    names = list(index_groups(html))
    assert names == [
        "__init__",
        "make_widget",
        "os",
        "test_environment",
        "test_gadget",
        "test_name",
        "unittest",
        "uuid",
        "Widget",
        "widgets",
        "WidgetTest",
    ]
    assert {f"kw-{name}" for name in names} <= ids_of(html)
    bar = page.find("kwindex-index-letters")
    assert [a.attrs["href"] for a in bar.iter() if a.tag == "a"] == [
        f"#kw-letter-{letter}" for letter in letters
    ]
    assert page.find("kwindex-index-summary").text() == "Keywords: 11. Modules: 3."
    assert not page.find_all("kwindex-index-pages")


@pytest.mark.sphinx("dirhtml", testroot="links", freshenv=True)
def test_dirhtml_writes_the_index_as_a_folder(app) -> None:
    app.build()
    html = (app.outdir / "kw-index" / "index.html").read_text("utf-8")
    assert index_groups(html)["os"][0][2] == (
        "../gadgets/#kw-tests.test_gadgets.py-imports-os"
    )
    refs = (app.outdir / "refs" / "index.html").read_text("utf-8")
    assert 'href="../kw-index/#kw-os"' in refs


def test_a_large_index_is_split_into_pages_at_keyword_boundaries(
    make_app, write_project, monkeypatch
) -> None:
    monkeypatch.setattr(sphinx_kwindex.reverse_index, "LINKS_PER_PAGE", 3)
    shared = "import os\nimport sys\n"
    modules = {
        f"tests/test_{letter}.py": shared + f"def test_{letter}():\n    pass\n"
        for letter in "abcd"
    }
    pages = {
        f"{letter}.rst": f"{letter}\n=\n\n.. kwindex:: /tests/test_{letter}.py\n"
        "   :kinds: functions, imports, tests\n"
        for letter in "abcd"
    }
    project = write_project(
        {
            **modules,
            **pages,
            "index.rst": "Index\n=====\n\n* :kw:`os`\n* :kw:`sys`\n\n"
            ".. toctree::\n\n   a\n   b\n   c\n   d\n",
        }
    )
    app = make_app("html", srcdir=project)
    app.build()
    assert own_warnings(app) == []
    outdir = Path(app.outdir)
    # os and sys have four links each; test_a … test_d one (a test, shown
    # once): 12 links in all, at most 3 a page. Pages are named by the letters their
    # keywords start with, split letter by letter where they hold too many.
    listing = {
        name: list(index_groups((outdir / name).read_text("utf-8")))
        for name in sorted(p.name for p in outdir.glob("kw-index*.html"))
    }
    assert listing == {
        "kw-index.html": [],
        "kw-index-o.html": ["os"],
        "kw-index-s.html": ["sys"],
        "kw-index-t.html": [],
        "kw-index-te.html": [],
        "kw-index-tes.html": [],
        "kw-index-test.html": [],
        "kw-index-test_.html": [],
        # Small letters share a page, named by the first.
        "kw-index-test_a.html": ["test_a", "test_b", "test_c"],
        "kw-index-test_d.html": ["test_d"],
    }
    # The first page of a letter holds its id; later ones say "continued".
    first = (outdir / "kw-index-test_a.html").read_text("utf-8")
    assert [h.text() for h in parse_html(first).iter() if h.tag == "h2"] == ["T"]
    assert 'id="kw-letter-T"' in first
    later = (outdir / "kw-index-test_d.html").read_text("utf-8")
    assert "T (continued)" in later
    assert 'href="kw-index-test_a.html#kw-letter-T"' in later
    # Each page says where it stands, and lists its neighbours: nothing on a
    # page grows with the number of pages.
    pager = parse_html(later).find("kwindex-index-pages")
    path = pager.find("kwindex-index-path")
    assert " ".join(path.text().split()) == (
        "Keyword Index › t… › te… › tes… › test… › test_…"
    )
    items = [" ".join(li.text().split()) for li in pager.iter() if li.tag == "li"]
    # A page is labelled from its first letters to its last.
    assert items == ["test_a–test_c", "test_d…"]
    first = parse_html((outdir / "kw-index.html").read_text("utf-8"))
    top = first.find("kwindex-index-pages")
    # The first page says how many keywords each part holds.
    assert [" ".join(li.text().split()) for li in top.iter() if li.tag == "li"] == [
        "o… (1 keyword)",
        "s… (1 keyword)",
        "t… (4 keywords)",
    ]
    # A page that is split lists its sub-pages.
    split = parse_html((outdir / "kw-index-t.html").read_text("utf-8"))
    subpages = split.find("kwindex-index-pages")
    listed = [
        a.attrs["href"]
        for li in subpages.iter()
        if li.tag == "li"
        for a in li.iter()
        if a.tag == "a"
    ]
    assert listed == ["kw-index-te.html"]
    # The role and objects.inv point at the page that lists the keyword.
    index = (outdir / "index.html").read_text("utf-8")
    assert 'href="kw-index-o.html#kw-os"' in index
    assert 'href="kw-index-s.html#kw-sys"' in index
    # objects.inv holds each test by module, not keywords as a whole.
    inventory = load_inventory(outdir / "objects.inv")
    assert inventory["kw:test"]["tests/test_d.py::test_d"] == (
        "d.html#kw-tests.test_d.py-tests-test_d"
    )
    assert "kw:keyword" not in inventory
    # Every page redirects a link to a keyword it does not list to the page
    # that does: the greatest page name not after the keyword's.
    assert redirect_pages((outdir / "kw-index.html").read_text("utf-8")) == {
        "o": "kw-index-o.html",
        "s": "kw-index-s.html",
        "test_a": "kw-index-test_a.html",
        "test_d": "kw-index-test_d.html",
    }
    # A page of small letters sends on to its neighbours (its keywords may
    # move to them as the project grows); itself it leaves out.
    assert redirect_pages((outdir / "kw-index-test_d.html").read_text("utf-8")) == {
        "test_a": "kw-index-test_a.html",
        "test_d": "",
    }


def redirect_pages(html: str) -> dict[str, str]:
    """The page keys and addresses of a Keyword Index page's redirect script."""
    match = re.search(r"var pages = (\{.*?\}), best", html)
    assert match is not None
    return json.loads(match.group(1))


def test_html_domain_indices_can_leave_the_index_out(make_app, write_project) -> None:
    project = write_project(
        {
            "tests/test_a.py": "import os\n",
            "tests/test_b.py": "import os\n",
            "index.rst": "Index\n=====\n\n* :kw:`os`\n\n"
            ".. kwindex:: /tests/test_a.py\n\n.. kwindex:: /tests/test_b.py\n",
        }
    )
    app = make_app(
        "html", srcdir=project, confoverrides={"html_domain_indices": ["py-modindex"]}
    )
    app.build()
    assert own_warnings(app) == []
    assert not (Path(app.outdir) / "kw-index.html").exists()
    index = (Path(app.outdir) / "index.html").read_text("utf-8")
    assert 'href="#kw-tests.test_a.py-imports-os"' in index


def test_editing_a_module_updates_the_index_and_rereads_only_its_page(
    make_app, rootdir: Path, tmp_path: Path
) -> None:
    project = tmp_path / "links"
    shutil.copytree(rootdir / "test-links", project)
    app = make_app("html", srcdir=project)
    app.build()
    module = project / "tests" / "test_gadgets.py"
    text = module.read_text().replace("import os\n", "import json\n")
    module.write_text(text.replace("def test_gadget(", "def test_json_gadget("))
    again = make_app("html", srcdir=project)
    read = record_read_documents(again)
    again.build()
    assert read == ["gadgets"]
    groups = index_groups((Path(again.outdir) / "kw-index.html").read_text("utf-8"))
    assert groups["json"] == [
        (
            "tests/test_gadgets.py",
            "import",
            "gadgets.html#kw-tests.test_gadgets.py-imports-json",
        )
    ]
    assert [path for path, _kind, _href in groups["os"]] == ["tests/test_widgets.py"]
    inventory = load_inventory(Path(again.outdir) / "objects.inv")
    assert "tests/test_gadgets.py::test_json_gadget" in inventory["kw:test"]
    assert "tests/test_gadgets.py::test_gadget" not in inventory["kw:test"]


def index_page_times(outdir: Path) -> dict[str, int]:
    """``{page: modification time in ns}`` of the Keyword Index pages past the
    first (which Sphinx writes every build)."""
    return {
        p.name: p.stat().st_mtime_ns for p in sorted(outdir.glob("kw-index-*.html"))
    }


SPLIT = {
    f"tests/test_{letter}.py": f"import os\nimport sys\ndef test_{letter}():\n    pass\n"
    for letter in "abcd"
}
SPLIT_PAGES = {
    f"{letter}.rst": f"{letter}\n=\n\n.. kwindex:: /tests/test_{letter}.py\n"
    "   :kinds: functions, imports, tests\n"
    for letter in "abcd"
}
SPLIT_INDEX = "Index\n=====\n\n.. toctree::\n\n   a\n   b\n   c\n   d\n"


def test_index_pages_are_written_again_only_where_they_change(
    make_app, write_project, monkeypatch
) -> None:
    monkeypatch.setattr(sphinx_kwindex.reverse_index, "LINKS_PER_PAGE", 6)
    project = write_project({**SPLIT, **SPLIT_PAGES, "index.rst": SPLIT_INDEX})
    make_app("html", srcdir=project).build()
    app = make_app("html", srcdir=project)
    outdir = Path(app.outdir)
    written = index_page_times(outdir)
    assert "kw-index-o.html" in written
    app.build()
    assert index_page_times(outdir) == written
    # os.path joins os on its page: that page alone is written again.
    module = project / "tests" / "test_a.py"
    module.write_text("import os.path\n" + module.read_text())
    make_app("html", srcdir=project).build()
    after = index_page_times(outdir)
    assert [name for name in after if after[name] != written[name]] == [
        "kw-index-o.html"
    ]
    assert 'id="kw-os.path"' in (outdir / "kw-index-o.html").read_text("utf-8")


def test_a_page_the_index_no_longer_has_sends_links_on(
    make_app, write_project, monkeypatch
) -> None:
    monkeypatch.setattr(sphinx_kwindex.reverse_index, "LINKS_PER_PAGE", 3)
    project = write_project({**SPLIT, **SPLIT_PAGES, "index.rst": SPLIT_INDEX})
    make_app("html", srcdir=project).build()
    # Three modules fewer: everything fits on the first page again.
    for letter in "bcd":
        (project / f"{letter}.rst").unlink()
    (project / "index.rst").write_text(SPLIT_INDEX.replace("   b\n   c\n   d\n", ""))
    app = make_app("html", srcdir=project)
    app.build()
    outdir = Path(app.outdir)
    first = (outdir / "kw-index.html").read_text("utf-8")
    assert list(index_groups(first)) == ["os", "sys", "test_a"]
    moved = (outdir / "kw-index-test_d.html").read_text("utf-8")
    assert index_groups(moved) == {}
    assert "now on the pages below" in moved
    assert redirect_pages(moved) == {"": "kw-index.html"}


def test_the_index_counts_the_modules_the_top_page_counts(
    make_app, write_project
) -> None:
    project = write_project(
        {
            "tests/__init__.py": "",
            "tests/test_a.py": "import os\n\ndef test_a(): ...\n",
            "tests/test_b.py": "def test_b(): ...\n",
            "index.rst": "Top\n===\n\n.. toctree::\n\n   kwindex/index\n",
        }
    )
    with (project / "conf.py").open("a") as conf:
        conf.write('kwindex_modules = ["tests/*.py"]\n')
    app = make_app("html", srcdir=project)
    app.build()
    top = parse_html((app.outdir / "kwindex/index.html").read_text("utf-8"))
    folders = " ".join(top.find("kwindex-folders").text().split())
    assert folders == "tests (modules: 3)"
    page = parse_html((app.outdir / "kw-index.html").read_text("utf-8"))
    assert page.find("kwindex-index-summary").text() == (
        "Keywords: 3, in 2 of 3 modules."
    )
    # The top page says what the modules hold in all, kept up to date.
    assert top.find("kwindex-totals").text() == (
        "Modules: 3. Tests: 2, items: 2. Fixtures: 0."
    )
    (project / "tests/test_b.py").write_text(
        "import pytest\n\n@pytest.mark.skip\ndef test_b(): ...\n\n"
        "@pytest.fixture\ndef ready(): ...\n\ndef test_c(ready): ...\n\n"
        "@pytest.mark.parametrize('n', list(range(2)))\ndef test_d(n): ...\n"
    )
    app = make_app("html", srcdir=project)
    app.build()
    top = parse_html((app.outdir / "kwindex/index.html").read_text("utf-8"))
    assert top.find("kwindex-totals").text() == (
        "Modules: 3. Tests: 4, items: 3 (and a test's known when pytest runs). "
        "Fixtures: 1. Marked: skip 1."
    )
