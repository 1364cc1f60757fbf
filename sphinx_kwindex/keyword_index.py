"""The Keyword Index pages of HTML builders: every keyword from A to Z, each
with links to its entry in every module that holds it.

Sphinx writes the domain index ``kw-index`` with its generic template; here
that page and, for large projects, the pages it is split into
(``kw-index-t``, ``kw-index-te`` …, see
:func:`~sphinx_kwindex.reverse_index.lay_out_index`) get our own markup: an
id per keyword (the target of ``:kw:`name```), a letter bar, the list of
pages, module links laid out inline, and a script that sends a saved link
to a keyword the page no longer holds to the page that holds it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from html import escape
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sphinx.builders.html import StandaloneHTMLBuilder

from sphinx_kwindex._i18n import _
from sphinx_kwindex.domain import KeywordIndex, get_domain
from sphinx_kwindex.garbage_collection import collection_paused
from sphinx_kwindex.kinds import KINDS
from sphinx_kwindex.names import (
    KEYWORD_INDEX,
    SYMBOLS,
    index_page_name,
    letter_anchor,
)
from sphinx_kwindex.outputs import (
    has_keyword_index,
    load_state,
    save_state,
    shared_signature,
    shown_digest,
    writes_html_site,
)
from sphinx_kwindex.reverse_index import IndexLayout, IndexPage, KeywordGroup

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.builders import Builder

INDEX_STATE = ".kwindex-index.json"
"""What the Keyword Index pages of the last build show, in the output folder."""

FIRST_PAGE_STATE = ".kwindex-index-first.json"
"""What the first page of the Keyword Index showed when last written, in the
output folder (a file of its own: Sphinx may write it in a process of its
own, beside the other pages')."""


def render_first_index_page(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], *_: Any
) -> str | None:
    """Give ``kw-index`` our markup instead of ``domainindex.html``
    (``html-page-context``). Sphinx writes this page at every build: where
    the records and the builder are those it was last made from, it is
    shown again as it was, without laying out the index."""
    if pagename != KEYWORD_INDEX or templatename != "domainindex.html":
        return None
    builder = app.builder
    kept_in = has_keyword_index(builder)  # an e-book keeps no state files
    state_path = Path(builder.outdir, FIRST_PAGE_STATE)
    signature = _signature(builder) if kept_in else []
    kept = load_state(state_path) if kept_in else {}
    if kept.get("signature") == signature and isinstance(kept.get("context"), dict):
        context.update(kept["context"])
        return "page.html"
    layout = get_domain(app.env).index_layout()
    made = index_page_context(builder, layout, layout.pages[""])
    context.update(made)
    if kept_in:
        state = {"signature": signature, "context": made, "pages": {}}
        save_state(state_path, state)
    return "page.html"


def _signature(builder: Builder) -> list[str]:
    """What the Keyword Index pages depend on: the builder's shared
    signature and the generation of the records."""
    assert isinstance(builder, StandaloneHTMLBuilder)
    return [*shared_signature(builder), get_domain(builder.env).generation]


def collect_index_pages(app: Sphinx) -> Iterator[tuple[str, dict[str, Any], str]]:
    """The other pages of a large Keyword Index (``html-collect-pages``),
    where what they show changed since they were last written.

    A page whose key the index no longer has (the project shrank) stays, as a
    page that sends saved links on to the pages that hold their keywords.
    """
    builder = app.builder
    if not isinstance(builder, StandaloneHTMLBuilder) or not writes_html_site(builder):
        return
    state_path = Path(builder.outdir, INDEX_STATE)
    previous = load_state(state_path)
    if not has_keyword_index(builder):
        for key in previous["pages"]:
            Path(builder.get_outfilename(index_page_name(key))).unlink(missing_ok=True)
        state_path.unlink(missing_ok=True)
        return
    signature = _signature(builder)
    if previous.get("signature") == signature and all(
        Path(builder.get_outfilename(index_page_name(key))).is_file()
        for key in previous["pages"]
    ):
        return  # written from the same records by the same builder
    layout = get_domain(app.env).index_layout()
    shared = [*shared_signature(builder), _letters_digest(layout)]
    with collection_paused():  # every entry of the project, no cycle
        shows = {
            key: _page_digest(layout, page) for key, page in layout.pages.items() if key
        }
    shows.update((key, "moved") for key in previous["pages"].keys() - shows.keys())
    for key, digest in sorted(shows.items()):
        pagename = index_page_name(key)
        if (
            previous["shared"] == shared
            and previous["pages"].get(key) == digest
            and Path(builder.get_outfilename(pagename)).is_file()
        ):
            continue
        page = layout.pages.get(key) or IndexPage(key)
        yield pagename, index_page_context(builder, layout, page), "page.html"
    # Reached once every page above is written.
    save_state(state_path, {"shared": shared, "pages": shows, "signature": signature})


def _letters_digest(layout: IndexLayout) -> str:
    """What every page of the index shows: the page of each letter."""
    return shown_digest(sorted(layout.first_page_of_letter.items()))


def _page_digest(layout: IndexLayout, page: IndexPage) -> str:
    """What one page of the index shows of its own: keywords and the links
    to their entries (not their lines, which it does not show), and the
    pages around it."""
    return shown_digest(
        (
            _around(layout, page),
            [p.key for p in _redirected(layout, page)],
            [
                (
                    group.name,
                    [(e.path, e.kind, e.docname, e.block) for e in group.entries],
                )
                for group in page.groups
            ],
        )
    )


def index_page_context(
    builder: Builder, layout: IndexLayout, page: IndexPage
) -> dict[str, Any]:
    """Title and body of the Keyword Index page ``page``."""
    title = str(KeywordIndex.localname)
    pagename = index_page_name(page.key)
    uris: dict[str, str] = {}

    def uri_of(docname: str) -> str:
        if docname not in uris:
            uris[docname] = builder.get_relative_uri(pagename, docname)
        return uris[docname]

    body = [f"<h1>{escape(title)}</h1>\n"]
    if not page.key:  # the first page, written every build: the counts
        body.append(_summary_html(layout))
    body.append(_letters_html(uri_of, pagename, layout))
    if page.key not in layout.pages:
        note = _("The keywords of this page are now on the pages below.")
        body.append(f'<p class="kwindex-index-moved">{escape(note)}</p>\n')
    body.append(_pager_html(uri_of, pagename, layout, page))
    for letter, letter_groups in groupby(page.groups, lambda g: g.letter):
        label = escape(_letter_label(letter))
        if layout.first_page_of_letter[letter] == page.key:
            body.append(f'<h2 id="{escape(letter_anchor(letter))}">{label}</h2>\n')
        else:
            body.append(f"<h2>{label} {escape(_('(continued)'))}</h2>\n")
        body.append('<dl class="kwindex-index">\n')
        body.extend(_group_html(uri_of, g) for g in letter_groups)
        body.append("</dl>\n")
    redirected = _redirected(layout, page)
    if redirected:
        body.append(_redirect_script(uri_of, pagename, redirected))
    return {"title": title, "body": "".join(body), "parents": []}


def _summary_html(layout: IndexLayout) -> str:
    counts = {
        "keywords": layout.keyword_count,
        "modules": layout.module_count,
        "indexed": layout.indexed_modules,
    }
    if layout.indexed_modules > layout.module_count:  # as the top page counts
        text = _("Keywords: %(keywords)d, in %(modules)d of %(indexed)d modules.")
    else:
        text = _("Keywords: %(keywords)d. Modules: %(modules)d.")
    text %= counts
    return f'<p class="kwindex-index-summary">{escape(text)}</p>\n'


def _letters_html(
    uri_of: Callable[[str], str], pagename: str, layout: IndexLayout
) -> str:
    links = [
        f'<a href="{escape(_page_uri(uri_of, pagename, key))}#'
        f'{escape(letter_anchor(letter))}"><strong>{escape(_letter_label(letter))}'
        "</strong></a>"
        for letter, key in layout.first_page_of_letter.items()
    ]
    return f'<p class="kwindex-index-letters">{" | ".join(links)}</p>\n'


def _around(layout: IndexLayout, page: IndexPage) -> tuple[list[str], list[str]]:
    """The pages a page links to besides letters: the pages it is a part of,
    then its parts, or else the other parts of the page it is a part of (for
    a page the index no longer has, the parts of the first page)."""
    if page.key not in layout.pages:
        return [], list(layout.pages[""].subpages or [""])
    ancestors = layout.ancestors(page.key) if page.key else []
    if page.subpages:
        return ancestors, list(page.subpages)
    if ancestors:
        return ancestors, list(layout.pages[ancestors[-1]].subpages)
    return [], []


def _redirected(layout: IndexLayout, page: IndexPage) -> list[IndexPage]:
    """The pages a saved link to a keyword this page does not list may go on
    to: those of the part of the index it is a page of (of its own parts if
    it is split; of its parent's otherwise: a keyword moves only within
    it); all of them for a page the index no longer has. None where the
    index is one page."""
    if page.key not in layout.pages:
        return layout.listing_pages
    if page.subpages:
        return layout.listing_pages_below(page.key)
    if page.key in layout.parents:
        return layout.listing_pages_below(layout.parents[page.key])
    return []


def _pager_html(
    uri_of: Callable[[str], str], pagename: str, layout: IndexLayout, page: IndexPage
) -> str:
    """Where a page stands in the index: the pages it is a part of, then its
    own parts or its neighbours; nothing when the index is one page."""
    ancestors, around = _around(layout, page)
    if not ancestors and not around:
        return ""
    parts = []
    if ancestors:
        crumbs = " \u203a ".join(
            _page_link(uri_of, pagename, layout.pages[key], layout) for key in ancestors
        )
        parts.append(f'<p class="kwindex-index-path">{crumbs}</p>')
    heading = escape(
        _("This part of the index is on these pages")
        if page.subpages or page.key not in layout.pages
        else _("Pages")
    )
    # The first page, written every build, says how much each part holds.
    items = "".join(
        ('<li class="current">' if key == page.key else "<li>")
        + _page_link(uri_of, pagename, layout.pages[key], layout)
        + ("" if page.key else f" ({escape(_keyword_count(layout, key))})")
        + "</li>"
        for key in around
    )
    parts.append(f"<p>{heading}</p><ol>{items}</ol>")
    return f'<nav class="kwindex-index-pages">{"".join(parts)}</nav>\n'


def _page_link(
    uri_of: Callable[[str], str], pagename: str, page: IndexPage, layout: IndexLayout
) -> str:
    """A link to a page, labelled by the letters its keywords start with:
    from its first to its last (``test_a`` to ``test_c``), or ``te…`` for a page
    split further (a label that changes only when the page does)."""
    label = _page_label(page) if page.key else str(KeywordIndex.localname)
    target = index_page_name(page.key)
    if target == pagename:
        return f"<strong>{escape(label)}</strong>"
    return f'<a href="{escape(uri_of(target))}">{escape(label)}</a>'


def _page_label(page: IndexPage) -> str:
    first = page.key
    last = page.groups[-1].folded[: len(first)] if page.groups else first
    if last == first:
        return _("%s…") % first
    return _("%(first)s–%(last)s") % {"first": first, "last": last}  # noqa: RUF001


def _keyword_count(layout: IndexLayout, key: str) -> str:
    """How many keywords the page ``key`` and the pages it is split into hold."""
    count = 0
    pending = [key]
    while pending:
        page = layout.pages[pending.pop()]
        count += len(page.groups)
        pending.extend(page.subpages)
    return (_("%d keyword") if count == 1 else _("%d keywords")) % count


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


_REDIRECT = """<script>
(function () {
  var id = decodeURIComponent(location.hash.slice(1));
  if (id.indexOf("kw-") !== 0 || document.getElementById(id)) return;
  var folded = id.slice(3).toLowerCase().normalize("NFD");
  var pages = %s, best = null;
  for (var key in pages) {
    if (key <= folded && (best === null || key > best)) best = key;
  }
  if (best !== null && pages[best]) location.replace(pages[best] + location.hash);
})();
</script>
"""
"""Where a saved link ``kw-index….html#kw-NAME`` to a keyword this page does
not list leads: to the page with the greatest name not after the keyword's,
folded as :func:`~sphinx_kwindex.reverse_index.fold` folds it."""


def _redirect_script(
    uri_of: Callable[[str], str], pagename: str, listing: list[IndexPage]
) -> str:
    """The script sending a saved link to a keyword on to one of ``listing``."""
    # This page's own address is empty: a keyword it should hold but does
    # not is nowhere, and the script stays.
    pages = {page.key: _page_uri(uri_of, pagename, page.key) for page in listing}
    return _REDIRECT % json.dumps(pages, ensure_ascii=True, sort_keys=True).replace(
        "</", "<\\/"
    )


def _page_uri(uri_of: Callable[[str], str], pagename: str, key: str) -> str:
    target = index_page_name(key)
    return "" if target == pagename else uri_of(target)


def _letter_label(letter: str) -> str:
    return _("Symbols") if letter == SYMBOLS else letter
