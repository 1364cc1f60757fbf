"""Doctree nodes of a keyword index, and how each builder renders them.

A kind's keyword list is one compact node (:class:`kwindex_keywords`) whose
entries are plain data in attributes: pickling, transforming and writing a
doctree costs per node, and a module can have hundreds of keywords. HTML
builders render it directly; every other builder gets it expanded into
generic docutils lists at ``doctree-resolved``.
"""

from __future__ import annotations

import posixpath
import re
from html import escape
from typing import TYPE_CHECKING

from docutils import nodes
from sphinx import addnodes
from sphinx.util.nodes import make_refnode

from sphinx_kwindex._i18n import _
from sphinx_kwindex.builders import has_source_pages
from sphinx_kwindex.domain import get_domain
from sphinx_kwindex.extract import location_text
from sphinx_kwindex.links import reference_href, resolve_api_reference

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.writers.html5 import HTML5Translator

    LocationData = tuple[str, int, str]
    """``(qualified name shown or "", line, first docstring line)``."""
    EntryData = tuple[str, str, tuple[LocationData, ...], tuple[str, ...]]
    """``(name, entry id, locations, Python names it may be documented under)``."""

SOURCE_DIR = "_kwsource"
"""Output folder of the highlighted source pages."""

_UNSAFE_ID_CHARS = re.compile(r"[^\w.-]")


class kwindex_keywords(nodes.General, nodes.Element):
    """The keywords of one kind; attributes ``kind``, ``entries``, ``source_page``.

    Its only child is a text of the names, so that search indexes them. Once
    resolved, HTML builders find ``source_uri`` and ``api_links`` (an
    ``(href, title, external)`` or ``None`` per entry) on it.
    """


class kwindex_related(nodes.General, nodes.Element):
    """Placeholder for the links to the other indexed modules of ``folder``."""


class kwindex_source_link(nodes.General, nodes.Element):
    """Placeholder for the link to the source page ``page`` (HTML only)."""


def kind_labels() -> dict[str, tuple[str, str]]:
    """Heading and singular label of each kind, in the current language."""
    return {
        "classes": (_("Classes"), _("class")),
        "functions": (_("Functions"), _("function")),
        "imports": (_("Imports"), _("import")),
        "tests": (_("Tests"), _("test")),
        "fixtures": (_("Fixtures"), _("fixture")),
        "markers": (_("Markers"), _("marker")),
        "constants": (_("Constants"), _("constant")),
    }


def module_type_label(module_type: str) -> str:
    """The translated name of what a module is (see ``classify_module``)."""
    labels = {
        "test module": _("test module"),
        "conftest": _("conftest (pytest plugin)"),
        "package init": _("package init"),
        "benchmark": _("benchmark"),
        "example": _("example"),
        "other": _("other Python module"),
    }
    return labels.get(module_type, module_type)


def module_anchor(path: str) -> str:
    """The id of the block that indexes the module at ``path``."""
    return "kw-" + _UNSAFE_ID_CHARS.sub("-", path.replace("/", "."))


def entry_anchor(module_id: str, kind: str, name: str) -> str:
    """The id of a keyword's entry inside the block ``module_id``."""
    return f"{module_id}-{kind}-{_UNSAFE_ID_CHARS.sub('-', name)}"


def source_page_name(path: str) -> str:
    """The page name of the highlighted source of ``path``."""
    return posixpath.join(SOURCE_DIR, path)


def keyword_list(
    kind: str, entries: tuple[EntryData, ...], source_page: str
) -> kwindex_keywords:
    """The compact node listing ``entries`` of ``kind``."""
    node = kwindex_keywords(kind=kind, entries=entries, source_page=source_page)
    node += nodes.Text(" ".join(entry[0] for entry in entries))
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


def related_placeholder(folder: str, path: str) -> kwindex_related:
    """Where the links to the other modules of ``folder`` go once all is read."""
    return kwindex_related(folder=folder, path=path)


def resolve_kwindex_nodes(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Turn placeholders into links and, outside HTML, expand keyword lists.

    Links are made from the document each block was written in: a LaTeX or
    single-page build resolves one doctree assembled from many documents.
    """
    builder = app.builder
    with_sources = has_source_pages(builder)
    if builder.format != "html":
        _label_module_blocks(doctree)
    for related in list(doctree.findall(kwindex_related)):
        _resolve_related(related, builder, written_in(related, docname))
    for link in list(doctree.findall(kwindex_source_link)):
        _resolve_source_link(link, builder, written_in(link, docname), with_sources)
    for keywords in list(doctree.findall(kwindex_keywords)):
        fromdocname = written_in(keywords, docname)
        references = api_references(app, fromdocname, keywords)
        if builder.format != "html":
            keywords.replace_self(expand_keyword_list(keywords, references))
            continue
        keywords["api_links"] = tuple(
            None
            if ref is None
            else (reference_href(ref), ref.get("reftitle", ""), not ref.get("internal"))
            for ref in references
        )
        if with_sources and keywords["source_page"]:
            uri = builder.get_relative_uri(fromdocname, keywords["source_page"])
            keywords["source_uri"] = uri


def written_in(node: nodes.Element, default: str) -> str:
    """The document whose ``kwindex`` block holds ``node`` (its ``refdoc``)."""
    parent: nodes.Element | None = node
    while parent is not None and "refdoc" not in parent:
        parent = parent.parent
    return default if parent is None else str(parent["refdoc"])


def _label_module_blocks(doctree: nodes.document) -> None:
    """Move each block's id to a target at its start, which every writer labels."""
    for block in doctree.findall(nodes.container):
        if "kwindex" in block["classes"] and block["ids"]:
            block.insert(0, nodes.target("", "", ids=block["ids"]))
            block["ids"] = []


def api_references(
    app: Sphinx, docname: str, node: kwindex_keywords
) -> list[nodes.reference | None]:
    """Per entry, a reference to the name's API documentation, if any."""
    kind = node["kind"]
    return [
        resolve_api_reference(app, docname, kind, name, targets)
        for name, _id, _locations, targets in node["entries"]
    ]


def _resolve_related(node: kwindex_related, builder: Builder, docname: str) -> None:
    modules = get_domain(builder.env).folders.get(node["folder"], ())
    others = [module for module in modules if module[0] != node["path"]]
    if not others:
        _remove_enclosing_field(node)
        return
    links: list[nodes.Node] = []
    for path, target_doc, anchor in others:
        if links:
            links.append(nodes.Text(", "))
        title = nodes.literal(path, posixpath.basename(path))
        links.append(make_refnode(builder, docname, target_doc, anchor, title, path))
    node.replace_self(links)


def _remove_enclosing_field(node: nodes.Element) -> None:
    field = node.parent
    while not isinstance(field, nodes.field):
        field = field.parent
    field.parent.remove(field)


def _resolve_source_link(
    node: kwindex_source_link, builder: Builder, docname: str, with_sources: bool
) -> None:
    if not with_sources:
        node.parent.remove(node)
        return
    uri = builder.get_relative_uri(docname, node["page"])
    reference = nodes.reference("", _("highlighted source"), refuri=uri, internal=True)
    reference["classes"].append("kwindex-source-link")
    node.replace_self([nodes.Text(" ("), reference, nodes.Text(")")])


def expand_keyword_list(
    node: kwindex_keywords, references: list[nodes.reference | None]
) -> nodes.container:
    """Generic docutils nodes for builders other than HTML; a name with API
    documentation becomes its ``reference``."""
    kind, entries = node["kind"], node["entries"]
    heading, singular = kind_labels()[kind]
    block = nodes.container(classes=["kwindex-kind", f"kwindex-kind-{kind}"])
    block += nodes.rubric("", f"{heading} ({len(entries)})")
    if not entries:
        block += nodes.paragraph("", _("None."))
        return block
    line_format = _("line %d")
    entry_list = nodes.bullet_list(classes=["kwindex-entries"])
    for (name, entry_id, locations, _targets), reference in zip(
        entries, references, strict=True
    ):
        located = [
            location_text(shown, line, doc, line_format)
            for shown, line, doc in locations
        ]
        # A target, not the item's id: LaTeX and Texinfo only label targets.
        paragraph = nodes.paragraph("", "", nodes.target("", "", ids=[entry_id]))
        paragraph += reference or nodes.literal(name, name, classes=["kwindex-name"])
        paragraph += nodes.Text(f" ({singular})")
        item = nodes.list_item("", paragraph, classes=["kwindex-entry"])
        if len(located) == 1:
            paragraph += nodes.Text(" — " + located[0])
        else:
            item += nodes.bullet_list(
                "",
                *(nodes.list_item("", nodes.paragraph("", text)) for text in located),
            )
        entry_list += item
    block += entry_list
    return block


def visit_keywords_html(self: HTML5Translator, node: kwindex_keywords) -> None:
    """Write a keyword list as the HTML contract says; children are not visited."""
    self.body.append(keyword_list_html(node))
    raise nodes.SkipNode


def keyword_list_html(node: kwindex_keywords) -> str:
    """The HTML of a keyword list (every name and docstring escaped)."""
    kind, entries = node["kind"], node["entries"]
    heading, singular = kind_labels()[kind]
    source_uri = node.get("source_uri", "")
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
    for (name, entry_id, locations, _targets), api_link in zip(
        entries, api_links, strict=True
    ):
        parts.append(
            f'<li class="kwindex-entry" id="{escape(entry_id)}">'
            f"{_name_html(name, api_link)} "
            f'<span class="kwindex-kindname">{escape(singular)}</span>'
        )
        if len(locations) == 1:
            parts.append(" " + _location_html(locations[0], source_uri, line_format))
        else:
            items = "".join(
                f"<li>{_location_html(location, source_uri, line_format)}</li>"
                for location in locations
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


def _location_html(location: LocationData, source_uri: str, line_format: str) -> str:
    shown, line, doc = location
    html = f'<code class="kwindex-qualname">{escape(shown)}</code> ' if shown else ""
    line_text = escape(line_format % line)
    if source_uri:
        href = escape(f"{source_uri}#L{line}")
        html += f'<a class="kwindex-line" href="{href}">{line_text}</a>'
    else:
        html += f'<span class="kwindex-line">{line_text}</span>'
    if doc:
        html += f' <span class="kwindex-doc">{escape(doc)}</span>'
    return html


def register(app: Sphinx) -> None:
    """Register the nodes, their HTML visitor and the placeholder resolution."""
    app.add_node(kwindex_keywords, html=(visit_keywords_html, None))
    app.add_node(kwindex_related)
    app.add_node(kwindex_source_link)
    app.connect("doctree-resolved", resolve_kwindex_nodes)
