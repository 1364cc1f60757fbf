"""Doctree nodes of a keyword index, their HTML visitor and the stylesheet.

A kind's keyword list is one compact node (:class:`kwindex_keywords`) whose
entries are plain data in attributes: pickling, transforming and writing a
doctree costs per node, and a module can have hundreds of keywords. HTML
builders write it directly; ``transforms.py`` expands it into generic
docutils lists for every other builder, and turns the placeholders into
links.
"""

from __future__ import annotations

import shutil
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from docutils import nodes
from sphinx import addnodes

from sphinx_kwindex._i18n import _
from sphinx_kwindex.kinds import KINDS
from sphinx_kwindex.names import source_page_part

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.writers.html5 import HTML5Translator

    from sphinx_kwindex.present import ShownKeyword, ShownLocation

STATIC_DIR = Path(__file__).parent / "static"
STYLESHEET = "kwindex.css"


class kwindex_keywords(nodes.General, nodes.Element):
    """The keywords of one kind; attributes ``kind``, ``entries`` (a
    :class:`~sphinx_kwindex.present.ShownKeyword` each), ``source_path``
    (the module's, or ``""`` where entries do not link to source pages).

    Its only child is a text of the names, so that search indexes them. Once
    resolved, HTML builders find ``source_uris`` (``(module, part)`` to
    address, ``""`` for the block's own module) and
    ``api_links`` (an
    ``(href, title, external)`` or ``None`` per entry) on it.
    """


class kwindex_related(nodes.General, nodes.Element):
    """Placeholder for the links to the other indexed modules of ``folder``."""


class kwindex_source_link(nodes.General, nodes.Element):
    """Placeholder for the link to the source page ``page`` (HTML only)."""


def keyword_list(
    kind: str, entries: tuple[ShownKeyword, ...], source_path: str
) -> kwindex_keywords:
    """The compact node listing ``entries`` of ``kind``."""
    node = kwindex_keywords(kind=kind, entries=entries, source_path=source_path)
    node += nodes.Text(" ".join(entry.name for entry in entries))
    return node


def page_reference(
    fromdocname: str, docname: str, content: nodes.Node
) -> addnodes.pending_xref:
    """A link from ``fromdocname`` to the page ``docname`` around ``content``."""
    return addnodes.pending_xref(
        "",
        content,
        refdomain="std",
        reftype="doc",
        reftarget="/" + docname,
        refexplicit=True,
        refdoc=fromdocname,
    )


def kind_labels(kind: str) -> tuple[str, str]:
    """The translated heading of a list of keywords of ``kind``, and the
    translated label of one of them."""
    return _(KINDS[kind].heading), _(KINDS[kind].label)


def visit_keywords_html(self: HTML5Translator, node: kwindex_keywords) -> None:
    """Write a keyword list as the HTML contract says; children are not visited."""
    self.body.append(keyword_list_html(node))
    raise nodes.SkipNode


def keyword_list_html(node: kwindex_keywords) -> str:
    """The HTML of a keyword list (every name and docstring escaped)."""
    kind, entries = node["kind"], node["entries"]
    heading, singular = kind_labels(kind)
    source_uris: dict[tuple[str, int], str] = node.get("source_uris", {})
    api_links = node.get("api_links") or (None,) * len(entries)
    line_format = _("line %d")
    parts = [
        f'<div class="kwindex-kind kwindex-kind-{kind}">\n'
        f'<p class="rubric kwindex-label">{escape(heading)} '
        f'<span class="kwindex-count">({len(entries)})</span></p>\n'
    ]
    if not entries:
        parts.append(f'<p class="kwindex-empty">{escape(_("None."))}</p>\n</div>\n')
        return "".join(parts)
    parts.append('<ul class="kwindex-entries">\n')
    for entry, api_link in zip(entries, api_links, strict=True):
        parts.append(
            f'<li class="kwindex-entry" id="{escape(entry.entry_id)}">'
            f"{_name_html(entry.name, api_link)} "
            f'<span class="kwindex-kindname">{escape(singular)}</span>'
        )
        if len(entry.locations) == 1:
            (location,) = entry.locations
            parts.append(" " + _location_html(location, source_uris, line_format))
        else:
            items = "".join(
                f"<li>{_location_html(location, source_uris, line_format)}</li>"
                for location in entry.locations
            )
            parts.append(f'<ul class="kwindex-locations">{items}</ul>')
        parts.append("</li>\n")
    parts.append("</ul>\n</div>\n")
    return "".join(parts)


def _name_html(name: str, api_link: tuple[str, str, bool] | None) -> str:
    code = f'<code class="kwindex-name">{escape(name)}</code>'
    if api_link is None:
        return code
    href, title, external = api_link
    classes = "reference kwindex-api " + ("external" if external else "internal")
    title_attribute = f' title="{escape(title)}"' if title else ""
    return f'<a class="{classes}" href="{escape(href)}"{title_attribute}>{code}</a>'


def _location_html(
    location: ShownLocation,
    source_uris: dict[tuple[str, int], str],
    line_format: str,
) -> str:
    shown, line, doc, path, items = location
    html = f'<code class="kwindex-qualname">{escape(shown)}</code> ' if shown else ""
    line_text = escape(line_format % line)
    source_uri = source_uris.get((path, source_page_part(line)))
    if source_uri:
        href = escape(f"{source_uri}#L{line}")
        html += f'<a class="kwindex-line" href="{href}">{line_text}</a>'
    else:
        html += f'<span class="kwindex-line">{line_text}</span>'
    if path:
        module = f'<code class="kwindex-defined-in">{escape(path)}</code>'
        html += " " + escape(_("in %s")).replace("%s", module)
    if items != 1:
        html += f' <span class="kwindex-items">({escape(items_text(items))})</span>'
    if doc:
        html += f' <span class="kwindex-doc">{escape(doc)}</span>'
    return html


def items_text(items: int | None) -> str:
    """How many items a parametrized test makes, in the current language."""
    if items is None:
        return _("items known when pytest runs")
    return _("%d items") % items


def add_stylesheet(app: Sphinx) -> None:
    """Link ``kwindex.css`` from HTML pages (``builder-inited``)."""
    if app.builder.format == "html":
        app.add_css_file(STYLESHEET)


def copy_stylesheet(app: Sphinx, exception: BaseException | None) -> None:
    """Copy ``kwindex.css`` into ``_static`` after an HTML build."""
    if exception is None and app.builder.format == "html":
        static = Path(app.outdir, "_static")
        static.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(STATIC_DIR / STYLESHEET, static / STYLESHEET)


def register(app: Sphinx) -> None:
    """Register the nodes and the HTML visitor of keyword lists."""
    app.add_node(kwindex_keywords, html=(visit_keywords_html, None))
    app.add_node(kwindex_related)
    app.add_node(kwindex_source_link)
