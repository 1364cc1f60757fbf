"""The Keyword Index pages of HTML builders: every keyword from A to Z, each
with links to its entry in every module that holds it.

Sphinx writes the domain index ``kw-index`` with its generic template; here
that page and, for large projects, its continuation pages ``kw-index-2`` …
get our own markup: an id per keyword (the target of ``:kw:`name```), a
letter bar, a pager, and module links laid out inline.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from html import escape
from itertools import groupby
from typing import TYPE_CHECKING, Any

from sphinx_kwindex._i18n import _
from sphinx_kwindex.domain import KeywordIndex, get_domain
from sphinx_kwindex.kinds import KINDS
from sphinx_kwindex.names import (
    KEYWORD_INDEX,
    SYMBOLS,
    index_page_name,
    letter_anchor,
)
from sphinx_kwindex.outputs import has_keyword_index
from sphinx_kwindex.reverse_index import IndexLayout, KeywordGroup

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.builders import Builder


def render_first_index_page(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], *_: Any
) -> str | None:
    """Give ``kw-index`` our markup instead of ``domainindex.html``
    (``html-page-context``)."""
    if pagename != KEYWORD_INDEX or templatename != "domainindex.html":
        return None
    layout = get_domain(app.env).index_layout()
    context.update(index_page_context(app.builder, layout, 1))
    return "page.html"


def collect_index_pages(app: Sphinx) -> Iterator[tuple[str, dict[str, Any], str]]:
    """The continuation pages of a large Keyword Index (``html-collect-pages``)."""
    if not has_keyword_index(app.builder):
        return
    layout = get_domain(app.env).index_layout()
    for page in range(2, len(layout.pages) + 1):
        context = index_page_context(app.builder, layout, page)
        yield index_page_name(page), context, "page.html"


def index_page_context(
    builder: Builder, layout: IndexLayout, page: int
) -> dict[str, Any]:
    """Title and body of page ``page`` of the Keyword Index."""
    title = str(KeywordIndex.localname)
    pagename = index_page_name(page)
    body = [
        f"<h1>{escape(title)}</h1>\n",
        _summary_html(layout),
        _letters_html(builder, pagename, layout),
    ]
    if len(layout.pages) > 1:
        body.append(_pager_html(builder, pagename, layout, page))
    uris: dict[str, str] = {}

    def uri_of(docname: str) -> str:
        if docname not in uris:
            uris[docname] = builder.get_relative_uri(pagename, docname)
        return uris[docname]

    for letter, letter_groups in groupby(layout.pages[page - 1], lambda g: g.letter):
        label = escape(_letter_label(letter))
        if layout.first_page_of_letter[letter] == page:
            body.append(f'<h2 id="{escape(letter_anchor(letter))}">{label}</h2>\n')
        else:
            body.append(f"<h2>{label} {escape(_('(continued)'))}</h2>\n")
        body.append('<dl class="kwindex-index">\n')
        body.extend(_group_html(uri_of, g) for g in letter_groups)
        body.append("</dl>\n")
    return {"title": title, "body": "".join(body), "parents": []}


def _summary_html(layout: IndexLayout) -> str:
    text = _("Keywords: %(keywords)d. Modules: %(modules)d.") % {
        "keywords": layout.keyword_count,
        "modules": layout.module_count,
    }
    return f'<p class="kwindex-index-summary">{escape(text)}</p>\n'


def _letters_html(builder: Builder, pagename: str, layout: IndexLayout) -> str:
    links = [
        f'<a href="{escape(_page_uri(builder, pagename, page))}#'
        f'{escape(letter_anchor(letter))}"><strong>{escape(_letter_label(letter))}'
        "</strong></a>"
        for letter, page in layout.first_page_of_letter.items()
    ]
    return f'<p class="kwindex-index-letters">{" | ".join(links)}</p>\n'


def _pager_html(
    builder: Builder, pagename: str, layout: IndexLayout, current: int
) -> str:
    items = []
    for page, groups in enumerate(layout.pages, start=1):
        first, last = groups[0].name, groups[-1].name
        span = escape(first if first == last else f"{first} … {last}")
        if page == current:
            items.append(f'<li class="current"><strong>{page}</strong> {span}</li>')
        else:
            uri = escape(_page_uri(builder, pagename, page))
            items.append(f'<li><a href="{uri}">{page}</a> {span}</li>')
    heading = escape(_("Pages"))
    return (
        f'<nav class="kwindex-index-pages"><p>{heading}</p>'
        f"<ol>{''.join(items)}</ol></nav>\n"
    )


def _group_html(uri_of: Callable[[str], str], group: KeywordGroup) -> str:
    links = []
    for entry in group.entries:
        href = escape(f"{uri_of(entry.docname)}#{entry.entry_id}")
        kind = escape(_(KINDS[entry.kind].label))
        links.append(
            f'<li><a class="reference internal" href="{href}">'
            f"<code>{escape(entry.path)}</code></a> "
            f'<span class="kwindex-kindname">{kind}</span></li>'
        )
    count = len(group.paths)
    return (
        f'<dt id="{escape(group.anchor)}"><code class="kwindex-name">'
        f'{escape(group.name)}</code> <span class="kwindex-count">({count})</span>'
        f'</dt>\n<dd><ul class="kwindex-index-modules">{"".join(links)}</ul></dd>\n'
    )


def _page_uri(builder: Builder, pagename: str, page: int) -> str:
    target = index_page_name(page)
    return "" if target == pagename else builder.get_relative_uri(pagename, target)


def _letter_label(letter: str) -> str:
    return _("Symbols") if letter == SYMBOLS else letter
