"""The post-transform that finishes keyword indexes for the builder at hand.

Once references are resolved, placeholders become links (related modules,
the source page), names get links to their API documentation, and for every
builder but HTML the compact keyword lists become generic docutils lists.
Links are made from the document each block was written in: a LaTeX or
single-page build resolves one doctree assembled from many documents.
"""

from __future__ import annotations

import bisect
import posixpath
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.nodes import make_refnode

from sphinx_kwindex._i18n import _
from sphinx_kwindex.api_links import (
    entry_href,
    reference_href,
    resolve_api_reference,
)
from sphinx_kwindex.domain import FIXTURE_USERS_SHOWN, generated_tree, get_domain
from sphinx_kwindex.names import source_page_name, source_page_part
from sphinx_kwindex.nodes import (
    kind_count,
    kind_labels,
    kwindex_keywords,
    kwindex_related,
    kwindex_source_link,
    kwindex_totals,
    labels,
    local_label,
    shown_entries,
    shown_sections,
    summary_nodes,
)
from sphinx_kwindex.outputs import has_keyword_index, has_source_pages
from sphinx_kwindex.present import (
    RELATED_LIMIT,
    glance_text,
    location_text,
    nearest_by_name,
    needed_at_a_glance,
)
from sphinx_kwindex.view import group_name

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from sphinx.application import Sphinx
    from sphinx.builders import Builder

    from sphinx_kwindex.nodes import FoundByRun, Results, TestUses, Users
    from sphinx_kwindex.present import Labels
    from sphinx_kwindex.view import Entry, TestGroup


class FinishKeywordIndexes(SphinxPostTransform):
    """Placeholders to links, API links on names, and for builders other than
    HTML, keyword lists expanded into plain nested lists."""

    default_priority = 20  # after ReferencesResolver (10)

    def run(self, **kwargs: Any) -> None:
        builder = current_builder(self)
        docname = self.env.docname
        with_sources = has_source_pages(builder)
        html = builder.format == "html"
        if not html:
            label_module_blocks(self.document)
        if not has_keyword_index(builder):
            for link in list(self.document.findall(_keyword_index_link)):
                link.parent.remove(link)
        if not html:  # a page to scroll: the lists' links are for HTML
            for jump in list(self.document.findall(_jump_links)):
                jump.parent.remove(jump)
        for related in list(self.document.findall(kwindex_related)):
            resolve_related(related, builder, written_in(related, docname))
        for totals in list(self.document.findall(kwindex_totals)):
            totals.replace_self(totals_paragraph(get_domain(self.env).data))
        for link in list(self.document.findall(kwindex_source_link)):
            fromdocname = written_in(link, docname)
            resolve_source_link(link, builder, fromdocname, with_sources)
        for keywords in list(self.document.findall(kwindex_keywords)):
            fromdocname = written_in(keywords, docname)
            entries = shown_entries(keywords)
            references = [
                resolve_api_reference(
                    self.env,
                    builder,
                    fromdocname,
                    keywords["kind"],
                    entry.name,
                    entry.api_targets,
                )
                for entry in entries
            ]
            if keywords["kind"] == "fixtures":
                keywords["users"] = fixture_users(
                    builder, fromdocname, keywords["path"], entries
                )
            if not html:
                keywords.replace_self(
                    expand_keyword_list(keywords, entries, references)
                )
                continue
            keywords["api_links"] = tuple(map(api_link, references))
            if keywords.get("api_uses"):
                keywords["api_uses"] = tuple(
                    None
                    if used is None
                    else (used[0], tuple((n, api_link(r)) for n, r in used[1]))
                    for used in keywords["api_uses"]
                )
            keywords["fixture_uris"] = fixture_uris(builder, fromdocname, entries)
            if with_sources and keywords["source_path"]:
                groups: tuple[TestGroup, ...] = keywords.get("groups", ())
                keywords["source_uris"] = source_uris(
                    builder,
                    fromdocname,
                    keywords["source_path"],
                    entries,
                    [
                        *(("", group.line) for group in groups if group.line),
                        *(
                            (note.path, note.line)
                            for group in groups
                            for note in group.made_at_import
                        ),
                    ],
                )


def totals_paragraph(data: dict[str, Any]) -> nodes.paragraph:
    """What the project's indexed modules hold in all, in words."""
    totals = data.get("totals") or {}
    counts = {
        key: f"{totals.get(key, 0):,}"
        for key in ("modules", "tests", "items", "items_unknown", "fixtures")
    }
    text = _("Modules: %(modules)s. Tests: %(tests)s, items: %(items)s") % counts
    unknown = totals.get("items_unknown", 0)
    if unknown:
        said = (
            _("(and a test's known when pytest runs)")
            if unknown == 1
            else _("(and those of %(items_unknown)s tests known when pytest runs)")
        )
        text += " " + said % counts
    text += ". " + _("Fixtures: %(fixtures)s.") % counts
    marked = [
        f"{name} {totals[name]:,}"
        for name in ("skip", "skipif", "xfail")
        if totals.get(name)
    ]
    if marked:
        text += " " + _("Marked: %s.") % ", ".join(marked)
    return nodes.paragraph("", text, classes=["kwindex-totals"])


def _jump_links(node: nodes.Node) -> bool:
    """Whether ``node`` is a block's links to its lists."""
    return isinstance(node, nodes.paragraph) and "kwindex-jump" in node["classes"]


def _keyword_index_link(node: nodes.Node) -> bool:
    """Whether ``node`` is the top page's link to the Keyword Index."""
    return isinstance(node, nodes.paragraph) and "kwindex-index-link" in node["classes"]


def current_builder(transform: SphinxPostTransform) -> Builder:
    """The builder a post-transform runs for.

    Sphinx 9 deprecates ``SphinxTransform.app`` without a public way to the
    builder; its own post-transforms use ``env._app``, which 7.4 lacks.
    """
    app: Sphinx | None = getattr(transform.env, "_app", None)
    if app is None:
        app = transform.app
    return app.builder


def source_uris(
    builder: Builder,
    docname: str,
    path: str,
    entries: Iterable[Entry],
    lines: Iterable[tuple[str, int]] = (),
) -> dict[tuple[str, int], str]:
    """The address of each part of a source page that a line of ``entries``
    or one of ``lines`` (``(module, line)``) is on: of ``path``'s (keyed
    ``""``), and of another module's that has a source page (an inherited
    test's)."""
    linked = get_domain(builder.env).linked_sources
    places = [
        *((loc.path, loc.line) for entry in entries for loc in entry.locations),
        *lines,
    ]
    parts = {
        (module, source_page_part(line))
        for module, line in places
        if not module or module in linked
    }
    return {
        (other, part): builder.get_relative_uri(
            docname, source_page_name(other or path, part)
        )
        for other, part in sorted(parts)
    }


def fixture_uris(
    builder: Builder, docname: str, entries: Iterable[Entry]
) -> dict[tuple[str, str], str]:
    """The address of the entry of each fixture that ``entries`` use, where
    a page lists the fixtures of the module defining it."""
    domain = get_domain(builder.env)
    used = {
        (fixture.path, fixture.entry_name)
        for entry in entries
        for location in entry.locations
        for fixture in location.fixtures
        if fixture.path
    }
    uris = {}
    for path, name in sorted(used):
        found = domain.find_entries(f"{path}::{name}", ("fixture",))
        if found:
            uris[path, name] = entry_href(
                builder, docname, found[0].docname, found[0].entry_id
            )
    return uris


def fixture_users(
    builder: Builder, docname: str, path: str, entries: Iterable[Entry]
) -> tuple[Users | None, ...]:
    """Per fixture of ``entries`` (of the module at ``path``), how many
    tests use it and the node id and address of the first few (None where
    no test does)."""
    domain = get_domain(builder.env)
    found: list[Users | None] = []
    for entry in entries:
        users = domain.fixture_users(path, entry.name)
        shown = tuple(
            (user.node_id, entry_href(builder, docname, user.docname, user.entry_id))
            for user in users[:FIXTURE_USERS_SHOWN]
        )
        found.append((len(users), shown) if users else None)
    return tuple(found)


def node_id_link(
    builder: Builder, fromdocname: str, node_id: str, of_test: str = ""
) -> nodes.Node:
    """``node_id`` as code, linked in HTML to the entry of its test
    (``of_test``, by default the node id itself: an item's is its test's
    without the parameters) where a page lists it."""
    literal = nodes.literal(node_id, node_id, classes=["kwindex-test"])
    target = get_domain(builder.env).test_target(of_test or node_id)
    if builder.format != "html" or target is None:
        return literal
    uri = entry_href(builder, fromdocname, target.docname, target.entry_id)
    return nodes.reference("", "", literal, refuri=uri, internal=True)


def written_in(node: nodes.Element, default: str) -> str:
    """The document whose ``kwindex`` block holds ``node`` (its ``refdoc``)."""
    parent: nodes.Element | None = node
    while parent is not None and "refdoc" not in parent:
        parent = parent.parent
    return default if parent is None else str(parent["refdoc"])


def api_link(reference: nodes.reference | None) -> tuple[str, str, bool] | None:
    """``(href, title, external)`` of an API ``reference``, for the HTML visitor."""
    if reference is None:
        return None
    title = reference.get("reftitle", "")
    return reference_href(reference), title, not reference.get("internal")


def label_module_blocks(doctree: nodes.document) -> None:
    """Move each block's id to a target at its start, which every writer labels."""
    for block in doctree.findall(nodes.container):
        if "kwindex" in block["classes"] and block["ids"]:
            block.insert(0, nodes.target("", "", ids=block["ids"]))
            block["ids"] = []


def resolve_related(node: kwindex_related, builder: Builder, docname: str) -> None:
    """Links to the other indexed modules of the node's folder nearest by
    name, and how many more the folder holds (linked to the folder's page
    where there is one); no field when there are none."""
    folder, path = node["folder"], node["path"]
    modules = get_domain(builder.env).folders.get(folder, ())
    position = bisect.bisect_left(modules, (path,))
    window = nearest_by_name(len(modules), position, RELATED_LIMIT)
    others = [modules[i] for i in window if modules[i][0] != path]
    if not others:
        remove_enclosing_field(node)
        return
    links: list[nodes.Node] = []
    for other, target_doc, anchor in others:
        if links:
            links.append(nodes.Text(", "))
        title = nodes.literal(other, posixpath.basename(other))
        links.append(make_refnode(builder, docname, target_doc, anchor, title, other))
    more = (
        len(modules)
        - len(others)
        - (position < len(modules) and modules[position][0] == path)
    )
    if more:
        links.append(nodes.Text(" "))
        text = nodes.Text(_("and %d more") % more)
        page = generated_tree(builder.env).folder_page(folder)
        if page is None:
            links.append(text)
        else:
            links.append(make_refnode(builder, docname, page, "", text))
    node.replace_self(links)


def remove_enclosing_field(node: nodes.Element) -> None:
    """Remove the field of a field list that holds ``node``."""
    field = node.parent
    while not isinstance(field, nodes.field):
        field = field.parent
    field.parent.remove(field)


def resolve_source_link(
    node: kwindex_source_link, builder: Builder, docname: str, with_sources: bool
) -> None:
    """The link to the source page, where the builder writes one."""
    if not with_sources:
        node.parent.remove(node)
        return
    uri = builder.get_relative_uri(docname, node["page"])
    reference = nodes.reference("", _("highlighted source"), refuri=uri, internal=True)
    reference["classes"].append("kwindex-source-link")
    node.replace_self([nodes.Text(" ("), reference, nodes.Text(")")])


def expand_keyword_list(
    node: kwindex_keywords,
    entries: Sequence[Entry],
    references: list[nodes.reference | None],
) -> nodes.container:
    """Generic docutils nodes for builders other than HTML, showing
    ``entries`` (those of ``node``); a name with API documentation becomes
    its ``reference``; tests are grouped by class."""
    kind = node["kind"]
    words = labels()
    heading = kind_labels(kind)[0]
    block = nodes.container(classes=["kwindex-kind", f"kwindex-kind-{kind}"])
    if node.get("anchor"):
        block["ids"].append(node["anchor"])
    block += nodes.rubric("", f"{heading} ({kind_count(node, words)})")
    if kind == "tests" and (glance := glance_text(needed_at_a_glance(entries), words)):
        block += nodes.paragraph("", glance, classes=["kwindex-glance"])
    users = node.get("users") or (None,) * len(entries)
    uses = node.get("api_uses") or (None,) * len(entries)
    results = node.get("results") or (None,) * len(entries)
    for start, end, group, local in shown_sections(node):
        if group is not None:
            label = group_paragraph(group, node["path"], words)
            run_found: dict[str, int] = node.get("run_found") or {}
            if group.made_at_import and run_found.get(group.node):
                label += nodes.Text(" " + words.run_found % run_found[group.node])
            block += label
        elif local:
            block += nodes.paragraph("", local_label(end - start))
        if end > start:  # an empty list breaks some writers (LaTeX)
            block += entry_list(
                kind,
                entries[start:end],
                references[start:end],
                words,
                users[start:end],
                uses[start:end],
                results[start:end],
            )
    if node.get("found_by_run"):
        block += found_by_run_nodes(node["found_by_run"], node["path"], words)
    if not entries and not node.get("found_by_run"):
        block += nodes.paragraph("", _("None."))
    return block


def found_by_run_nodes(
    found: FoundByRun, path: str, words: Labels
) -> list[nodes.Element]:
    """The tests only a run shows, as plain paragraphs and lists."""
    count = sum(len(tests) for _group, _makers, tests in found)
    shown: list[nodes.Element] = [
        nodes.paragraph("", words.found_by_run % count, classes=["kwindex-run-found"])
    ]
    singular = kind_labels("tests")[1]
    for group, makers, tests in found:
        name = group or posixpath.basename(path)
        label = nodes.paragraph("", "", nodes.literal(name, name))
        if makers:
            label += nodes.Text(f" ({words.made_by % ', '.join(makers)})")
        listed = nodes.bullet_list(classes=["kwindex-entries"])
        for test, node_id, results in tests:
            said = "; ".join(f"{r[0]}: {r[2]}" if r[0] else r[2] for r in results)
            text = f" ({singular}) — {node_id}" + (f"; {said}" if said else "")
            item = nodes.paragraph("", "", nodes.literal(test, test), nodes.Text(text))
            listed += nodes.list_item("", item)
        shown += [label, listed]
    return shown


def group_paragraph(group: TestGroup, path: str, words: Labels) -> nodes.paragraph:
    """The heading of the tests one class collects, as plain text."""
    name = group_name(group, path)
    label = nodes.paragraph("", "", nodes.literal(name, name))
    if group.anchor:  # a target, which every writer labels
        label.insert(0, nodes.target("", "", ids=[group.anchor]))
    label += nodes.Text(f" ({words.group_count(group)})")
    if group.doc:
        label += nodes.Text(": ")
        label += summary_nodes(group.doc)
    for note in words.group_notes(group):
        label += nodes.Text(f" ({note})")
    return label


def entry_list(
    kind: str,
    entries: Sequence[Entry],
    references: Sequence[nodes.reference | None],
    words: Labels,
    users: Sequence[Users | None] = (),
    uses: Sequence[TestUses | None] = (),
    results: Sequence[Results | None] = (),
) -> nodes.bullet_list:
    """A bullet list of ``entries``, a paragraph each (more for several
    locations), a fixture's with the tests that use it, a test's with what
    it uses of the project under test."""
    singular = kind_labels(kind)[1]
    listed = nodes.bullet_list(classes=["kwindex-entries"])
    users = users or (None,) * len(entries)
    uses = uses or (None,) * len(entries)
    results = results or (None,) * len(entries)
    for entry, reference, used, using, ran in zip(
        entries, references, users, uses, results, strict=True
    ):
        located = [location_text(loc, words) for loc in entry.locations]
        # A target, not the item's id: LaTeX and Texinfo only label targets.
        paragraph = nodes.paragraph("", "", nodes.target("", "", ids=[entry.entry_id]))
        paragraph += reference or nodes.literal(
            entry.name, entry.name, classes=["kwindex-name"]
        )
        paragraph += nodes.Text(f" ({singular})")
        item = nodes.list_item("", paragraph, classes=["kwindex-entry"])
        if len(located) == 1:
            paragraph += nodes.Text(" — " + located[0])
        else:
            item += nodes.bullet_list(
                "",
                *(nodes.list_item("", nodes.paragraph("", text)) for text in located),
            )
        if used is not None:
            count, shown = used
            text = words.users_text(count, (node_id for node_id, _uri in shown))
            item += nodes.paragraph("", text, classes=["kwindex-users"])
        for label, outcome, text in ran or ():
            said = f"{label}: {text}" if label else text
            item += nodes.paragraph("", said, classes=["kwindex-result", outcome])
        if using is not None:
            item += uses_paragraph(*using, words)
        listed += item
    return listed


def uses_paragraph(
    count: int, shown: Sequence[tuple[str, nodes.reference | None]], words: Labels
) -> nodes.paragraph:
    """What a test uses of the project under test, the documented objects
    their references: ``uses: shop.Cart.add, shop.Cart and 3 more``."""
    before, _, after = words.uses.partition("%s")
    paragraph = nodes.paragraph("", before, classes=["kwindex-uses"])
    for number, (name, reference) in enumerate(shown):
        if number:
            paragraph += nodes.Text(", ")
        paragraph += reference or nodes.literal(name, name)
    if count > len(shown):
        paragraph += nodes.Text(" " + words.more % (count - len(shown)))
    paragraph += nodes.Text(after)
    return paragraph


def register(app: Sphinx) -> None:
    """Register the post-transform."""
    app.add_post_transform(FinishKeywordIndexes)
