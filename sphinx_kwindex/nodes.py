"""Doctree nodes of a keyword index, their HTML visitor and the stylesheet.

A kind's keyword list is one compact node (:class:`kwindex_keywords`) whose
entries are plain data in attributes: pickling, transforming and writing a
doctree costs per node, and a module can have hundreds of keywords. HTML
builders write it directly; ``transforms.py`` expands it into generic
docutils lists for every other builder, and turns the placeholders into
links.
"""

from __future__ import annotations

import posixpath
import shutil
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from docutils import nodes
from sphinx import addnodes

from sphinx_kwindex._i18n import _
from sphinx_kwindex.collect import Ignored, ImportTimeNote
from sphinx_kwindex.kinds import KINDS
from sphinx_kwindex.names import part_name, source_page_part
from sphinx_kwindex.present import (
    ENGLISH,
    Labels,
    glance_text,
    needed_at_a_glance,
    summary_parts,
)
from sphinx_kwindex.view import (
    KindView,
    Section,
    group_name,
    pack_entries,
    part_sections,
    unpack_entries,
)

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from sphinx.application import Sphinx
    from sphinx.config import Config
    from sphinx.writers.html5 import HTML5Translator

    from sphinx_kwindex.fixtures import UsedFixture
    from sphinx_kwindex.module_tree import GeneratedTree
    from sphinx_kwindex.view import Entry, EntryLocation, TestGroup

ApiLink = tuple[str, str, bool] | None
"""``(href, title, external)`` of an entry's API documentation, if any."""

Users = tuple[int, tuple[tuple[str, str], ...]]
"""How many tests use a fixture, and ``(node id, address)`` of the first few."""

Uses = tuple[int, tuple[tuple[str, ApiLink], ...]]
"""How many objects of the project under test a test uses, and the first
few: the name shown, and the link to its documentation, if any."""

Results = tuple[tuple[str, str, str], ...]
"""How a test ran, per record of a run: the record's label (``""`` where
there is one record), the outcome that colours it, and what it says
(``failed (0.12 s): AssertionError…``, ``3 passed, 1 failed: [2]``)."""

FoundByRun = tuple[
    tuple[str, tuple[str, ...], tuple[tuple[str, str, Results], ...]], ...
]
"""The tests of a module only a run shows, per group (a class's dotted node
path, ``""`` for the module's own): the code the page names as their maker,
and per test its name, node id and results."""

TestUses = tuple[int, tuple[tuple[str, nodes.reference | None], ...]]
""":data:`Uses` as resolved, before the HTML writer's links are made of the
references."""

STATIC_DIR = Path(__file__).parent / "static"
STYLESHEET = "kwindex.css"
SCRIPT = "kwindex.js"
"""A copy button beside each test's node id."""


class kwindex_keywords(nodes.General, nodes.Element):
    """The keywords of one kind of the module ``path``; attributes ``kind``,
    ``entries`` (packed, :func:`shown_entries` unpacks them) and ``count``,
    ``source_path`` (the module's, or ``""`` where entries do not link to
    source pages), for tests ``groups`` (a
    :class:`~sphinx_kwindex.view.TestGroup` each, covering the entries in
    order: an entry per test), ``local_from``, and where a page shows a part
    of the list, ``offset`` and ``total``
    (:class:`~sphinx_kwindex.view.KindView`).

    Its only child is a text of the names, so that search indexes them. Once
    resolved, HTML builders find ``source_uris`` (``(module, part)`` to
    address, ``""`` for the block's own module), ``api_links`` (an
    ``(href, title, external)`` or ``None`` per entry) and ``fixture_uris``
    (``(module, name)`` of a fixture to the address of its entry) on it,
    and for fixtures ``users`` (per entry: how many tests use it, and the
    ``(node id, address)`` of the first few).
    """


class kwindex_related(nodes.General, nodes.Element):
    """Placeholder for the links to the other indexed modules of ``folder``."""


class kwindex_totals(nodes.General, nodes.Element):
    """Placeholder for the project's totals (the generated top page)."""


class kwindex_source_link(nodes.General, nodes.Element):
    """Placeholder for the link to the source page ``page`` (HTML only)."""


def keyword_list(
    path: str, shown: KindView, source_path: str, anchor: str
) -> kwindex_keywords:
    """The compact node of the list ``shown`` of the module at ``path``,
    its id ``anchor``."""
    node = kwindex_keywords(
        anchor=anchor,
        kind=shown.kind,
        path=path,
        entries=pack_entries(shown.entries),
        count=len(shown.entries),
        source_path=source_path,
        groups=shown.groups,
        local_from=shown.local_from,
    )
    if shown.total is not None:
        node.attributes.update(offset=shown.offset, total=shown.total)
    node += nodes.Text(" ".join(search_words(shown.entries)))
    return node


def jump_links(lists: Sequence[tuple[str, str]]) -> nodes.paragraph:
    """Links to each list of a block, ``(kind, anchor)``: a long page's
    way to its Imports without scrolling."""
    jump = nodes.paragraph("", "", classes=["kwindex-jump"])
    for kind, anchor in lists:
        if len(jump):
            jump += nodes.Text(" · ")
        heading = kind_labels(kind)[0]
        jump += nodes.reference("", heading, refid=anchor, internal=True)
    return jump


def search_words(entries: Sequence[Entry]) -> Iterator[str]:
    """What the search index learns of a list (its HTML is written from the
    entries, not from text nodes): each name, and of a test the classes of
    its node id (its path is the page's title: searching the node id finds
    the page), fixtures and markers, so that searching a fixture finds its
    users."""
    words: dict[str, None] = {}
    for entry in entries:
        words[entry.name] = None
        for location in entry.locations:
            if location.fixtures or location.markers or "::" in location.shown:
                words.update(dict.fromkeys(location.shown.split("::")[1:-1]))
                words.update(dict.fromkeys(f.name for f in location.fixtures))
                words.update(
                    dict.fromkeys(m[0].rpartition(".")[2] for m in location.markers)
                )
    return iter(words)


def shown_entries(node: kwindex_keywords) -> tuple[Entry, ...]:
    """The entries ``node`` shows."""
    return unpack_entries(node["entries"])


def shown_sections(node: kwindex_keywords) -> list[Section]:
    """The sections of the entries ``node`` shows (:func:`part_sections`)."""
    return part_sections(
        node["count"],
        node["groups"],
        node.get("local_from"),
        node.get("offset", 0),
        node.get("total"),
    )


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


TRAIL_SEPARATOR = " \N{RIGHT-POINTING DOUBLE ANGLE QUOTATION MARK} "


def way_up(fromdocname: str, tree: GeneratedTree, folder: str) -> list[nodes.Node]:
    """The way up from the generated page ``fromdocname`` of the tree,
    which shows something of ``folder``: its :func:`trail` (none where the
    folder has no page)."""
    steps = tree.way_down_to(folder, str(_("Indexed modules")))
    return [trail(fromdocname, steps)] if steps else []


def trail(fromdocname: str, steps: Sequence[tuple[str, str]]) -> nodes.paragraph:
    """The way up from a generated page: a link to each page of ``steps``
    (``(docname, title)``, from the top down), in every builder."""
    paragraph = nodes.paragraph(classes=["kwindex-trail"])
    paragraph["support_smartquotes"] = False  # folder names are data
    for position, (docname, title) in enumerate(steps):
        if position:
            paragraph += nodes.Text(TRAIL_SEPARATOR)
        paragraph += page_reference(fromdocname, docname, nodes.inline(title, title))
    return paragraph


def part_links(
    fromdocname: str, first: str, number: int, count: int
) -> nodes.paragraph:
    """The links to the other parts of a module's page cut into ``count``
    (``first`` the docname of the first), this one, ``number``, unlinked."""
    paragraph = nodes.paragraph(classes=["kwindex-parts"])
    paragraph += nodes.Text(_("Part %d of %d:") % (number, count))
    for part in range(1, count + 1):
        label = nodes.inline(str(part), str(part))
        paragraph += nodes.Text(" ")
        if part == number:
            paragraph += nodes.strong("", "", label)
        else:
            docname = part_name(first, part)
            paragraph += page_reference(fromdocname, docname, label)
    return paragraph


def kind_labels(kind: str) -> tuple[str, str]:
    """The translated heading of a list of keywords of ``kind``, and the
    translated label of one of them."""
    return _(KINDS[kind].heading), _(KINDS[kind].label)


def labels() -> Labels:
    """The words of locations, in the current language: each English one of
    :class:`~sphinx_kwindex.present.Labels` is the message translated."""
    return Labels._make(_(message) for message in ENGLISH)


def kind_count(node: kwindex_keywords, words: Labels) -> str:
    """The count a kind's heading ends with: ``12`` keywords, or for tests
    ``12 tests, 30 items``."""
    size = node.get("total", node["count"])
    return words.list_count(node["kind"], size, node.get("groups", ()))


def visit_keywords_html(self: HTML5Translator, node: kwindex_keywords) -> None:
    """Write a keyword list as the HTML contract says; children are not visited."""
    self.body.append(keyword_list_html(node))
    raise nodes.SkipNode


class _Writer:
    """Writes one keyword list's HTML (every name and docstring escaped)."""

    def __init__(self, node: kwindex_keywords) -> None:
        self.node = node
        self.words = labels()
        self.source_uris: dict[tuple[str, int], str] = node.get("source_uris", {})
        self.fixture_uris: dict[tuple[str, str], str] = node.get("fixture_uris", {})

    def line(self, path: str, line: int) -> str:
        line_text = escape(self.words.line % line)
        source_uri = self.source_uris.get((path, source_page_part(line)))
        if source_uri:
            href = escape(f"{source_uri}#L{line}")
            return f'<a class="kwindex-line" href="{href}">{line_text}</a>'
        return f'<span class="kwindex-line">{line_text}</span>'

    def place(self, path: str, line: int) -> str:
        """A line of the module (``path`` ``""``) or of another one, linked
        to its source where there is a page of it."""
        html = self.line(path, line)
        if path:
            module = f'<code class="kwindex-defined-in">{escape(path)}</code>'
            html += " " + escape(self.words.in_module).replace("%s", module)
        return html

    def entries(
        self,
        entries: Sequence[Entry],
        links: Sequence[ApiLink],
        users: Sequence[Users | None],
        uses: Sequence[Uses | None],
        results: Sequence[Results | None],
    ) -> str:
        singular = kind_labels(self.node["kind"])[1]
        parts = ['<ul class="kwindex-entries">\n']
        for entry, api_link, used, using, ran in zip(
            entries, links, users, uses, results, strict=True
        ):
            parts.append(
                f'<li class="kwindex-entry" id="{escape(entry.entry_id)}">'
                f"{_name_html(entry.name, api_link)} "
                f'<span class="kwindex-kindname">{escape(singular)}</span>'
            )
            uses_html = "" if using is None else self.uses(*using)
            if ran:
                uses_html = self.results(ran) + (" " + uses_html if uses_html else "")
            if len(entry.locations) == 1:
                parts.append(" " + self.location(entry.locations[0], uses_html))
            else:
                items = "".join(
                    f"<li>{self.location(location)}</li>"
                    for location in entry.locations
                )
                parts.append(f'<ul class="kwindex-locations">{items}</ul>')
                if uses_html:
                    parts.append(" " + uses_html)
            if used is not None:
                parts.append(" " + self.users(*used))
            parts.append("</li>\n")
        parts.append("</ul>\n")
        return "".join(parts)

    def location(self, location: EntryLocation, uses_html: str = "") -> str:
        """One location of an entry; for a test, ``uses_html`` (what it
        uses) before the node id that closes it."""
        words = self.words
        shown = (
            f'<code class="kwindex-qualname">{escape(location.shown)}</code>'
            if location.shown
            else ""
        )
        # A test's node id closes its entry, on a line of its own: the name
        # says which test it is, the id is there to copy.
        test = self.node["kind"] == "tests"
        html = "" if test or not shown else shown + " "
        html += self.place(location.path, location.line)
        if location.defined_in:
            base = f"<code>{escape(location.defined_in)}</code>"
            inherited = escape(words.inherited).replace("%s", base)
            html += f' <span class="kwindex-inherited">{inherited}</span>'
        if location.items != 1:
            items = escape(words.items_text(location.items, location.unknown))
            html += f' <span class="kwindex-items">({items})</span>'
        if location.deselected:
            said = escape(words.deselected % location.deselected)
            html += f' <span class="kwindex-deselected">{said}</span>'
        if location.condition:
            html += " " + self.condition(location.condition)
        for name, reason in location.markers:
            text = name.rpartition(".")[2] + (f": {reason}" if reason else "")
            html += f' <span class="kwindex-marker">{escape(text)}</span>'
        if location.doc:
            html += f' <span class="kwindex-doc">{summary_html(location.doc)}</span>'
        named = [f for f in location.fixtures if not f.through]
        through = [f for f in location.fixtures if f.through]
        if named:
            used = ", ".join(self.fixture(fixture) for fixture in named)
            text = escape(words.fixtures).replace("%s", used)
            html += f' <span class="kwindex-fixtures">{text}</span>'
        if through:
            used = ", ".join(self.fixture(fixture) for fixture in through)
            text = escape(words.through).replace("%s", used)
            html += f' <span class="kwindex-through">{text}</span>'
        if uses_html:
            html += " " + uses_html
        if test and shown:
            node_id = _breakable(escape(location.shown))
            html += f' <code class="kwindex-qualname">{node_id}</code>'
        return html

    def fixture(self, fixture: UsedFixture) -> str:
        code = f'<code class="kwindex-fixture">{escape(fixture.name)}</code>'
        if fixture.autouse:
            code += f" ({escape(self.words.autouse)})"
        uri = self.fixture_uris.get((fixture.path, fixture.entry_name))
        if uri is None:
            return code
        return f'<a class="reference internal" href="{escape(uri)}">{code}</a>'

    def users(self, count: int, shown: Sequence[tuple[str, str]]) -> str:
        """Which tests use a fixture: how many, the first few linked."""
        words = self.words
        links = ", ".join(
            f'<a class="reference internal" href="{escape(uri)}">'
            f"<code>{escape(node_id)}</code></a>"
            for node_id, uri in shown
        )
        if count > len(shown):
            links += " " + escape(words.more % (count - len(shown)))
        used_by = escape(words.used_by % words.tests_text(count))
        return f'<span class="kwindex-users">{used_by}: {links}</span>'

    def uses(self, count: int, shown: Sequence[tuple[str, ApiLink]]) -> str:
        """What a test uses of the project under test: the first few, each
        linked to its documentation where there is one, and how many more."""
        names = ", ".join(
            _name_html(name, api_link, "kwindex-uses-name") for name, api_link in shown
        )
        if count > len(shown):
            names += " " + escape(self.words.more % (count - len(shown)))
        text = escape(self.words.uses).replace("%s", names)
        return f'<span class="kwindex-uses">{text}</span>'

    def found_by_run(self, found: FoundByRun) -> str:
        """The tests only a run shows, under the class or module pytest put
        them in, with the code the page names as their maker."""
        words = self.words
        count = sum(len(tests) for _group, _makers, tests in found)
        label = escape(words.found_by_run % count)
        parts = [
            '<div class="kwindex-run-found">\n'
            f'<p class="kwindex-run-found-label">{label}</p>\n'
        ]
        singular = escape(kind_labels("tests")[1])
        for group, makers, tests in found:
            name = group or posixpath.basename(self.node["path"])
            header = f'<code class="kwindex-group-name">{escape(name)}</code>'
            if makers:
                code = ", ".join(f"<code>{escape(m)}</code>" for m in makers)
                made = escape(words.made_by).replace("%s", code)
                header += f' <span class="kwindex-made">{made}</span>'
            parts.append(
                f'<div class="kwindex-group">\n<p class="kwindex-group-label">{header}'
                '</p>\n<ul class="kwindex-entries">\n'
            )
            for test, node_id, results in tests:
                ran = f" {self.results(results)}" if results else ""
                parts.append(
                    f'<li class="kwindex-entry kwindex-run-found-entry">'
                    f'<code class="kwindex-name">{escape(test)}</code> '
                    f'<span class="kwindex-kindname">{singular}</span>{ran} '
                    f'<code class="kwindex-qualname">{_breakable(escape(node_id))}'
                    "</code></li>\n"
                )
            parts.append("</ul>\n</div>\n")
        parts.append("</div>\n")
        return "".join(parts)

    def results(self, results: Results) -> str:
        """How a test ran, per record of a run."""
        spans = []
        for label, outcome, text in results:
            said = escape(text)
            if label:
                said = (
                    f'<span class="kwindex-result-record">{escape(label)}</span> {said}'
                )
            spans.append(
                f'<span class="kwindex-result kwindex-result-{escape(outcome)}">'
                f"{said}</span>"
            )
        return " ".join(spans)

    def condition(self, condition: str) -> str:
        """The note that a class or test is defined only where ``condition``
        holds."""
        code = f"<code>{escape(condition)}</code>"
        text = escape(self.words.defined_if).replace("%s", code)
        return f'<span class="kwindex-condition">{text}</span>'

    def unseen(self, bases: Sequence[str]) -> str:
        """The note that bases found nowhere bring tests not listed."""
        names = ", ".join(f"<code>{escape(base)}</code>" for base in bases)
        text = escape(self.words.unseen_bases).replace("%s", names)
        return f'<span class="kwindex-unseen">{text}</span>'

    def made(self, notes: Sequence[ImportTimeNote]) -> str:
        """The note that code run when the module is imported may make tests
        not listed, each piece of code with its place."""
        listed = ", ".join(
            f"<code>{escape(note.code)}</code> ({self.place(note.path, note.line)})"
            for note in notes
        )
        text = escape(self.words.made_at_import).replace("%s", listed)
        return f'<span class="kwindex-made">{text}</span>'

    def ignored(self, entry: Ignored) -> str:
        """That a ``collect_ignore`` entry keeps pytest from the module."""
        said = (
            f"<code>{escape(entry.code)}</code> ({self.place(entry.path, entry.line)})"
        )
        if entry.condition:
            condition = f"<code>{escape(entry.condition)}</code>"
            text = escape(self.words.ignored_if) % (condition, said)
        else:
            text = escape(self.words.ignored).replace("%s", said)
        return f'<span class="kwindex-ignored">{text}</span>'

    def group_label(self, group: TestGroup) -> str:
        """The heading of the tests one class collects."""
        name = group_name(group, self.node["path"])
        count = escape(self.words.group_count(group))
        header = f'<code class="kwindex-group-name">{escape(name)}</code>'
        if group.line:
            header += " " + self.line("", group.line)
        header += f' <span class="kwindex-count">({count})</span>'
        if group.doc:
            header += f' <span class="kwindex-doc">{summary_html(group.doc)}</span>'
        if group.unseen_bases:
            header += " " + self.unseen(group.unseen_bases)
        if group.made_at_import:
            header += " " + self.made(group.made_at_import)
            run_found: dict[str, int] = self.node.get("run_found") or {}
            found = run_found.get(group.node)
            if found:
                said = escape(self.words.run_found % found)
                header += f' <span class="kwindex-run-found-count">{said}</span>'

        if group.condition:
            header += " " + self.condition(group.condition)
        for entry in group.ignored:
            header += " " + self.ignored(entry)
        if group.not_collected:
            said = escape(self.words.not_collected_text(group.not_collected))
            header += f' <span class="kwindex-ignored">{said}</span>'
        return f'<p class="kwindex-group-label">{header}</p>\n'


def keyword_list_html(node: kwindex_keywords) -> str:
    """The HTML of a keyword list (every name and docstring escaped)."""
    kind, entries = node["kind"], shown_entries(node)
    writer = _Writer(node)
    heading = kind_labels(kind)[0]
    api_links = node.get("api_links") or (None,) * len(entries)
    users = node.get("users") or (None,) * len(entries)
    uses = node.get("api_uses") or (None,) * len(entries)
    results = node.get("results") or (None,) * len(entries)
    count = escape(kind_count(node, writer.words))
    anchor = f' id="{escape(node["anchor"])}"' if node.get("anchor") else ""
    parts = [
        f'<div class="kwindex-kind kwindex-kind-{kind}"{anchor}>\n'
        f'<p class="rubric kwindex-label">{escape(heading)} '
        f'<span class="kwindex-count">({count})</span></p>\n'
    ]
    if kind == "tests" and (
        glance := glance_text(needed_at_a_glance(entries), writer.words)
    ):
        parts.append(f'<p class="kwindex-glance">{escape(glance)}</p>\n')
    for start, end, group, local in shown_sections(node):
        listed = (
            writer.entries(
                entries[start:end],
                api_links[start:end],
                users[start:end],
                uses[start:end],
                results[start:end],
            )
            if end > start
            else ""
        )
        if group is not None:
            label = writer.group_label(group)
            anchor = f' id="{escape(group.anchor)}"' if group.anchor else ""
            parts.append(
                f'<div class="kwindex-group"{anchor}>\n{label}{listed}</div>\n'
            )
            continue
        if local:
            label = escape(local_label(end - start))
            parts.append(f'<p class="kwindex-local-label">{label}</p>\n')
        parts.append(listed)
    if node.get("found_by_run"):
        parts.append(writer.found_by_run(node["found_by_run"]))
    if not entries and not node.get("found_by_run"):
        parts.append(f'<p class="kwindex-empty">{escape(_("None."))}</p>\n')
    parts.append("</div>\n")
    return "".join(parts)


def local_label(count: int) -> str:
    """The heading of the keywords defined only inside function bodies."""
    return labels().local % count


def _name_html(name: str, api_link: ApiLink, classes: str = "kwindex-name") -> str:
    code = f'<code class="{classes}">{escape(name)}</code>'
    if api_link is None:
        return code
    href, title, external = api_link
    classes = "reference kwindex-api " + ("external" if external else "internal")
    title_attribute = f' title="{escape(title)}"' if title else ""
    return f'<a class="{classes}" href="{escape(href)}"{title_attribute}>{code}</a>'


TEMPLATES_DIR = Path(__file__).parent / "templates"
"""Templates a project may name: ``kwindex-indexes.html``, a sidebar block
linking the Keyword Index."""


def add_templates(app: Sphinx, config: Config) -> None:
    """Let ``html_sidebars`` name the shipped templates (``config-inited``);
    a project's own template of the same name comes first."""
    config.templates_path = [*config.templates_path, str(TEMPLATES_DIR)]


def add_static_files(app: Sphinx) -> None:
    """Link ``kwindex.css`` and ``kwindex.js`` from HTML pages
    (``builder-inited``)."""
    if app.builder.format == "html":
        app.add_css_file(STYLESHEET)
        app.add_js_file(SCRIPT)


def copy_static_files(app: Sphinx, exception: BaseException | None) -> None:
    """Copy ``kwindex.css`` and ``kwindex.js`` into ``_static`` after an HTML
    build."""
    if exception is None and app.builder.format == "html":
        static = Path(app.outdir, "_static")
        static.mkdir(parents=True, exist_ok=True)
        for name in (STYLESHEET, SCRIPT):
            shutil.copyfile(STATIC_DIR / name, static / name)


def register(app: Sphinx) -> None:
    """Register the nodes and the HTML visitor of keyword lists."""
    app.add_node(kwindex_keywords, html=(visit_keywords_html, None))
    app.add_node(kwindex_related)
    app.add_node(kwindex_totals)
    app.add_node(kwindex_source_link)


def _breakable(node_id: str) -> str:
    """A node id (escaped) that may break after each ``/`` of its path,
    not inside a name (``<wbr>``; copying it copies no break)."""
    return node_id.replace("/", "/<wbr>")


def summary_html(summary: str) -> str:
    """A docstring's summary in HTML: text escaped, inline literals as
    ``code`` (nothing else of the file is taken for markup)."""
    return "".join(
        f'<code class="docutils literal notranslate">{escape(text)}</code>'
        if literal
        else escape(text)
        for text, literal in summary_parts(summary)
    )


def summary_nodes(summary: str) -> list[nodes.Node]:
    """A docstring's summary as docutils nodes: text, and literals."""
    return [
        nodes.literal(text, text) if literal else nodes.Text(text)
        for text, literal in summary_parts(summary)
    ]
