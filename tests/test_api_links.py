"""Keyword names link to their API documentation: this project's Python domain
(autodoc) and other projects' inventories (intersphinx)."""

from __future__ import annotations

import pytest
from html_contract import kwindex_blocks
from support import own_warnings


def name_links(block) -> dict[str, dict[str, str | None]]:
    """``{kind: {name: href of its API link, or None}}`` of a ``kwindex`` block."""
    links: dict[str, dict[str, str | None]] = {}
    for kind_block in block.find_all("kwindex-kind"):
        kind = kind_block.classes[-1].removeprefix("kwindex-kind-")
        for entry in kind_block.find_all("kwindex-entry"):
            anchors = [a for a in entry.iter() if "kwindex-api" in a.classes]
            name = entry.find("kwindex-name").text()
            links.setdefault(kind, {})[name] = (
                anchors[0].attrs["href"] if anchors else None
            )
    return links


@pytest.mark.sphinx("html", testroot="links")
def test_names_link_to_autodoc_and_intersphinx(app) -> None:
    app.build()
    assert own_warnings(app) == []
    (tests_block,) = kwindex_blocks((app.outdir / "index.html").read_text("utf-8"))
    links = name_links(tests_block)
    assert links["imports"] == {
        # Through the Python docs' inventory, by the full dotted path.
        "os": "https://docs.python.org/3/library/os.html#module-os",
        "unittest": "https://docs.python.org/3/library/unittest.html#module-unittest",
        "uuid": "https://docs.python.org/3/library/uuid.html#module-uuid",
        # "from widgets import Widget" is widgets.Widget, documented by autodoc.
        "Widget": "api.html#widgets.Widget",
        "make_widget": "api.html#widgets.make_widget",
        "widgets": "api.html#module-widgets",
    }
    # Test classes and methods are documented nowhere: plain text, no warning.
    assert links["classes"] == {"WidgetTest": None}
    assert set(links["tests"].values()) == {None}
    # Every function of the module is a test, listed once: under Tests.
    assert "functions" not in links
    anchor = next(
        a for a in tests_block.iter() if a.attrs.get("href", "").endswith("#module-os")
    )
    assert anchor.classes == ["reference", "kwindex-api", "external"]


@pytest.mark.sphinx("html", testroot="links")
def test_definitions_link_by_their_qualified_names(app) -> None:
    app.build()
    html = (app.outdir / "api.html").read_text("utf-8")
    (block,) = kwindex_blocks(html)
    links = name_links(block)
    # lib/widgets.py is importable as "widgets": its classes and functions are
    # the objects autodoc documented on the same page.
    assert links["classes"] == {"Widget": "#widgets.Widget"}
    assert links["functions"] == {
        "__init__": None,
        "make_widget": "#widgets.make_widget",
    }
    assert 'id="widgets.Widget"' in html


@pytest.mark.sphinx("text", testroot="links", freshenv=True)
def test_plain_builders_keep_the_link(app) -> None:
    app.build()
    assert own_warnings(app) == []
    text = (app.outdir / "index.txt").read_text("utf-8")
    assert '* "os" (import) — line 3' in text


@pytest.mark.sphinx("latex", testroot="links", freshenv=True)
def test_latex_links_names_to_api_docs(app) -> None:
    app.build()
    tex = (app.outdir / "links.tex").read_text("utf-8")
    assert r"\sphinxhref{https://docs.python.org/3/library/os.html\#module-os}" in tex
    assert r"\hyperref[\detokenize{api:widgets.Widget}]" in tex
