"""The built documentation site in a real browser (headless Chromium): search
finds a keyword's page, the Keyword Index leads to entries, entries lead to
their source lines."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sphinx.cmd.build import build_main
from support import serve

import sphinx_kwindex.reverse_index

pytestmark = pytest.mark.slow

pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

PROJECT = Path(__file__).parent.parent
KEYWORD = "Cart"
"""Imported by two modules of the example shop: conftest.py and test_cart.py."""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> str:
    """The docs site, built with ``-W`` as the README says, served on localhost.

    Built from a copy of ``docs/`` and ``tests/`` (what the docs index): the
    generated tree is written into the source folder, and the checkout stays
    as it is.
    """
    project = tmp_path_factory.mktemp("project")
    ignore = shutil.ignore_patterns("_build", "tree", "__pycache__")
    for folder in ("docs", "tests"):
        shutil.copytree(PROJECT / folder, project / folder, ignore=ignore)
    shutil.copy(PROJECT / "pyproject.toml", project)
    outdir = tmp_path_factory.mktemp("site")
    doctrees = tmp_path_factory.mktemp("doctrees")
    arguments = ["-W", "-q", "-b", "html", "-d", str(doctrees)]
    status = build_main([*arguments, str(project / "docs"), str(outdir)])
    assert status == 0
    yield from serve(outdir)


@pytest.fixture
def page(browser):
    page = browser.new_page()
    yield page
    page.close()


def search(page, site: str, query: str) -> list[str]:
    """The links of the search page's results for ``query``."""
    page.goto(f"{site}/search.html?q={query}")
    # Results are shown one by one; the heading changes once all are there.
    page.wait_for_function(
        "document.querySelector('#search-results h2')?.textContent === 'Search Results'"
    )
    return page.eval_on_selector_all(
        "#search-results li a", "links => links.map(a => a.getAttribute('href'))"
    )


def test_search_finds_the_page_that_indexes_a_keyword(page, site) -> None:
    results = search(page, site, KEYWORD)
    pages = {href.split("#")[0].split("?")[0] for href in results}
    assert "gallery.html" in pages, results
    # A class (a kind of kwindex_index_kinds) is an object search lists,
    # with its entry's anchor.
    results = search(page, site, "TestLimits")
    assert any(
        href.startswith(
            "gallery.html#kw-docs.examples.shop.tests.unit.test_cart.py-classes-TestLimits"
        )
        for href in results
    ), results


def test_the_keyword_index_leads_to_an_entry(page, site) -> None:
    page.goto(f"{site}/index.html")
    # The site's navigation (the sidebar) links to the Keyword Index.
    navigation = page.locator(".sphinxsidebar a[href='kw-index.html']")
    assert navigation.inner_text() == "Keyword Index"
    navigation.click()
    page.wait_for_url(f"{site}/kw-index.html")
    heading = page.locator(f"dt#kw-{KEYWORD}")
    assert heading.locator(".kwindex-name").inner_text() == KEYWORD
    links = page.locator(f"dt#kw-{KEYWORD} + dd a")
    assert links.all_inner_texts() == [
        "docs/examples/shop/tests/conftest.py",
        "docs/examples/shop/tests/unit/test_cart.py",
    ]
    links.nth(1).click()
    anchor = "kw-docs.examples.shop.tests.unit.test_cart.py-imports-Cart"
    page.wait_for_url(f"{site}/gallery.html#{anchor}")
    landed = page.evaluate("document.querySelector(':target')?.id")
    assert landed == anchor
    entry = page.locator(f"[id='{anchor}']")
    assert entry.locator(".kwindex-name").inner_text() == KEYWORD
    assert entry.is_visible()


def test_an_entry_source_link_lands_on_its_line(page, site) -> None:
    anchor = "kw-docs.examples.shop.tests.unit.test_cart.py-imports-Cart"
    page.goto(f"{site}/gallery.html#{anchor}")
    page.locator(f"[id='{anchor}'] a.kwindex-line").click()
    source = "_kwsource/docs/examples/shop/tests/unit/test_cart.py.html"
    page.wait_for_url(f"{site}/{source}#L7")
    line = page.evaluate("document.querySelector(':target')?.id")
    assert line == "L7"
    lines = page.evaluate("document.querySelector('pre.kwindex-source').innerText")
    assert "from shop.cart import Cart, CartFullError" in lines.split("\n")[6]
    # The browser scrolled to it: the line is inside the window.
    top = page.evaluate("document.getElementById('L7').getBoundingClientRect().top")
    assert 0 <= top < page.evaluate("window.innerHeight")
    # And back to the documentation.
    page.click("a.kwindex-back")
    page.wait_for_url(
        f"{site}/gallery.html#kw-docs.examples.shop.tests.unit.test_cart.py"
    )


@pytest.fixture
def grown_index(tmp_path: Path, monkeypatch):
    """A project whose Keyword Index has outgrown its first page: at most six
    links a page, 16 links (``os``, ``sys`` four each, ``test_a`` …
    ``test_d`` two each)."""
    monkeypatch.setattr(sphinx_kwindex.reverse_index, "LINKS_PER_PAGE", 3)
    project = tmp_path / "project"
    project.mkdir()
    (project / "conf.py").write_text(
        'extensions = ["sphinx_kwindex"]\nkwindex_root = "."\n'
    )
    toctree = "".join(f"   {letter}\n" for letter in "abcd")
    (project / "index.rst").write_text(f"Index\n=====\n\n.. toctree::\n\n{toctree}")
    for letter in "abcd":
        module = f"import os\nimport sys\ndef test_{letter}():\n    pass\n"
        (project / f"test_{letter}.py").write_text(module)
        (project / f"{letter}.rst").write_text(
            f"{letter}\n=\n\n.. kwindex:: /test_{letter}.py\n"
            "   :kinds: functions, imports, tests\n"
        )
    outdir = tmp_path / "html"
    assert build_main(["-q", "-b", "html", str(project), str(outdir)]) == 0
    yield from serve(outdir)


@pytest.mark.parametrize(
    ("saved", "lands"),
    [
        # Saved when the whole index was one page.
        ("kw-index.html#kw-sys", "kw-index-s.html#kw-sys"),
        # Saved when test_… keywords were all on the page of T.
        ("kw-index-t.html#kw-test_c", "kw-index-test_a.html#kw-test_c"),
        # Saved on a neighbour of the page that holds the keyword now.
        ("kw-index-test_d.html#kw-test_b", "kw-index-test_a.html#kw-test_b"),
        # Already where it is.
        ("kw-index-o.html#kw-os", "kw-index-o.html#kw-os"),
    ],
)
def test_a_saved_keyword_index_link_still_leads_to_its_keyword(
    page, grown_index, saved: str, lands: str
) -> None:
    page.goto(f"{grown_index}/{saved}")
    page.wait_for_url(f"{grown_index}/{lands}")
    anchor = lands.split("#")[1]
    assert page.evaluate("document.querySelector(':target')?.id") == anchor
    assert page.locator(f"dt#{anchor}").is_visible()


def test_a_test_s_node_id_is_copied_with_one_click(page, site: str) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(f"{site}/tree/docs/examples/shop/tests/unit/test_cart.py.html")
    node_id = page.locator(".kwindex-nodeid code.kwindex-qualname").first.inner_text()
    assert node_id.startswith("docs/examples/shop/tests/unit/test_cart.py::")
    button = page.locator(".kwindex-nodeid button.kwindex-copy").first
    assert button.inner_text() == "copy"
    button.click()
    page.wait_for_function(
        "document.querySelector('.kwindex-copy').textContent === 'copied'"
    )
    assert page.evaluate("navigator.clipboard.readText()") == node_id


def test_search_for_a_fixture_finds_the_tests_that_use_it(page, site: str) -> None:
    # inventory_test.py's test_restock gets catalogue through its inventory
    # fixture: nothing else on its page says "catalogue".
    found = search(page, site, "catalogue")
    pages = {link.split("#")[0].split("?")[0] for link in found}
    assert any(p.endswith("integration/inventory_test.py.html") for p in pages), pages


def test_related_modules_do_not_make_a_page_a_search_result(page, site: str) -> None:
    # test_catalogue.py's page names test_cart.py among its Related modules.
    found = search(page, site, "test_cart")
    pages = {link.split("#")[0].split("?")[0] for link in found}
    assert not any(p.endswith("test_catalogue.py.html") for p in pages), pages


def test_search_for_a_node_id_finds_its_test_s_page(page, site: str) -> None:
    node_id = (
        "docs/examples/shop/tests/unit/test_cart.py::TestLimits::test_negative_price"
    )
    found = search(page, site, node_id)
    assert any("tests/unit/test_cart.py" in link for link in found), found
