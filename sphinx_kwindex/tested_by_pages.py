"""The complete lists behind "and N more" of "Tested by", for HTML builders
that write a site: a page per documented object that more tests use than
its "Tested by" names (``_kwtested/shop.cart.Cart``), cut into pages of
:data:`~sphinx_kwindex.reverse_index.LINKS_PER_PAGE` tests, each linked to
its entry. A page is written when what it shows changed, and removed when
its object has no such list any more.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.builders.html import StandaloneHTMLBuilder

from sphinx_kwindex._i18n import _
from sphinx_kwindex.api_links import entry_href, python_reference, reference_href
from sphinx_kwindex.domain import get_domain
from sphinx_kwindex.names import tested_by_page_name
from sphinx_kwindex.nodes import labels
from sphinx_kwindex.outputs import (
    load_state,
    save_state,
    shared_signature,
    shown_digest,
    writes_tested_by_pages,
)
from sphinx_kwindex.reverse_index import LINKS_PER_PAGE
from sphinx_kwindex.tested_by import (
    TESTED_BY_SHOWN,
    documented_names,
    tested_by_shown,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sphinx.application import Sphinx
    from sphinx.builders import Builder

TESTED_STATE = ".kwindex-tested.json"
"""What the pages of tests that use an object show, in the output folder."""

Shown = tuple[str, str, str, int, int, int, tuple[tuple[str, str, str], ...]]
"""What one page shows: the defined and the documented name, the document
of its documentation, how many tests use it, the
page's part and the number of parts, and per test its node id and where its
entry is (document, anchor; empty where no page lists it)."""


def tested_by_pages(builder: Builder) -> dict[str, Shown]:
    """What each page shows, by page name."""
    env = builder.env
    domain = get_domain(env)
    pages: dict[str, Shown] = {}
    objects = env.get_domain("py").data.get("objects", {})
    for defined, documented in sorted(documented_names(env).items()):
        tests = domain.tested_by(defined)
        if len(tests) <= TESTED_BY_SHOWN:
            continue
        parts = -(-len(tests) // LINKS_PER_PAGE)
        for part in range(1, parts + 1):
            start = (part - 1) * LINKS_PER_PAGE
            shown = []
            for node_id in tests[start : start + LINKS_PER_PAGE]:
                target = domain.test_target(node_id)
                if target is None:
                    shown.append((node_id, "", ""))
                else:
                    shown.append((node_id, target.docname, target.entry_id))
            pages[tested_by_page_name(defined, part)] = (
                defined,
                documented,
                objects[documented][0],
                len(tests),
                part,
                parts,
                tuple(shown),
            )
    return pages


def collect_tested_by_pages(
    app: Sphinx,
) -> Iterator[tuple[str, dict[str, Any], str]]:
    """The complete lists of tests (``html-collect-pages``) whose content
    changed since they were last written; those no longer needed removed."""
    builder = app.builder
    if not isinstance(builder, StandaloneHTMLBuilder):
        return
    state_path = Path(builder.outdir, TESTED_STATE)
    previous = load_state(state_path)
    wanted = writes_tested_by_pages(builder) and tested_by_shown(app.env)
    pages = tested_by_pages(builder) if wanted else {}
    for gone in previous["pages"].keys() - pages.keys():
        Path(builder.get_outfilename(gone)).unlink(missing_ok=True)
    if not pages:
        state_path.unlink(missing_ok=True)
        return
    shared = shared_signature(builder)
    shows = {name: shown_digest(page) for name, page in pages.items()}
    for pagename, shown in pages.items():
        if (
            previous["shared"] == shared
            and previous["pages"].get(pagename) == shows[pagename]
            and Path(builder.get_outfilename(pagename)).is_file()
        ):
            continue
        context = tested_by_page_context(builder, pagename, shown)
        yield pagename, context, "page.html"
    save_state(state_path, {"shared": shared, "pages": shows})


def tested_by_page_context(
    builder: Builder, pagename: str, shown: Shown
) -> dict[str, Any]:
    """Title and body of one page of the tests that use an object: its name
    linked to its documentation, how many tests use it, the pages of a long
    list, each test linked to its entry."""
    defined, documented, _docname, total, part, parts, tests = shown
    words = labels()
    code = nodes.literal(documented, documented)
    reference = python_reference(builder.env, builder, pagename, documented, code)
    name = f"<code>{escape(documented)}</code>"
    if reference is not None:
        href = escape(reference_href(reference))
        name = f'<a class="reference internal" href="{href}">{name}</a>'
    heading = escape(_("Tests that use %s")).replace("%s", name)
    count = escape(words.tested_by % words.tests_text(total))
    body = [
        f"<h1>{heading}</h1>\n",
        f'<p class="kwindex-tested-by-count">{count}.</p>\n',
        _pager_html(builder, pagename, defined, part, parts),
        '<ul class="kwindex-tested-by-list">\n',
    ]
    for node_id, docname, anchor in tests:
        test = f'<code class="kwindex-test">{escape(node_id)}</code>'
        if docname:
            href = escape(entry_href(builder, pagename, docname, anchor))
            test = f'<a class="reference internal" href="{href}">{test}</a>'
        body.append(f"<li>{test}</li>\n")
    body.append("</ul>\n")
    title = _("Tests that use %s") % documented
    return {"title": title, "body": "".join(body), "parents": []}


def _pager_html(
    builder: Builder, pagename: str, defined: str, part: int, parts: int
) -> str:
    """Links to every page of the list of the object ``defined``, cut into
    ``parts``, this one ``part``."""
    if parts == 1:
        return ""
    links = []
    for number in range(1, parts + 1):
        if number == part:
            links.append(f"<strong>{number}</strong>")
            continue
        other = tested_by_page_name(defined, number)
        href = escape(builder.get_relative_uri(pagename, other))
        links.append(f'<a href="{href}">{number}</a>')
    pages = escape(_("Pages:"))
    return f'<p class="kwindex-pager">{pages} {" ".join(links)}</p>\n'


def register(app: Sphinx) -> None:
    """The pages, written once the documents are."""
    app.connect("html-collect-pages", collect_tested_by_pages)
