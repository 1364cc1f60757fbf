"""The ``kwindex-folder`` directive: a folder of ``kwindex_modules`` as the
seed's folder index shows it: its sub-folders, then its modules with their
one-line summaries and keyword counts."""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.util.docutils import SphinxDirective

from sphinx_kwindex._i18n import _, __
from sphinx_kwindex.collect import collect_module
from sphinx_kwindex.domain import generated_tree, note_file
from sphinx_kwindex.kinds import KINDS
from sphinx_kwindex.module_tree import modules_below
from sphinx_kwindex.names import (
    failures_docname,
    folder_docname,
    module_docname,
    untested_docname,
)
from sphinx_kwindex.nodes import (
    kind_labels,
    kwindex_totals,
    page_reference,
    summary_nodes,
    way_up,
)
from sphinx_kwindex.outputs import keyword_index_enabled
from sphinx_kwindex.parse_cache import module_resolver, parse_module
from sphinx_kwindex.project_rules import generated_test_kinds, rules_for_page
from sphinx_kwindex.results import kwindex_run_totals
from sphinx_kwindex.view import kind_sizes, kinds_by_default
from sphinx_kwindex.warnings import Subtype, warn

_COUNTS = 2
"""The column of the folder table where the keyword counts start."""


class KwindexFolderDirective(SphinxDirective):
    """``.. kwindex-folder:: /FOLDER``: the listing of a ``kwindex_modules`` folder."""

    has_content = False
    required_arguments = 1
    final_argument_whitespace = True

    def run(self) -> list[nodes.Node]:
        tree = generated_tree(self.env)
        folder = self.arguments[0].strip().strip("/")
        node = tree.folders.get(folder)
        if node is None:
            message = __("%r is not a folder of kwindex_modules")
            warn(message, Subtype.MISSING, self.get_location(), self.arguments[0])
            return []
        block = nodes.container(classes=["kwindex-folder"])
        block["support_smartquotes"] = False  # summaries are data
        if not folder:
            block += kwindex_totals()
        if not folder and keyword_index_enabled(self.config):
            block += self.keyword_index_link()
        if not folder:
            block += self.list_links(tree.output_dir)
        if self.config.kwindex_results:
            block += kwindex_run_totals(prefix=f"{folder}/" if folder else "")
        if node.subfolders:
            block += nodes.rubric("", _("Folders"))
            # The top page maps the whole tree; a folder's page its sub-folders.
            block += self.folder_list(node.subfolders, nested=not folder)
        if node.modules:
            block += nodes.rubric("", _("Modules"))
            block += self.modules_table(node.modules)
        if folder and tree.holds(self.env.docname):
            return [*way_up(self.env.docname, tree, posixpath.dirname(folder)), block]
        return [block]

    def keyword_index_link(self) -> nodes.paragraph:
        """The way from the top page to the Keyword Index (left out by the
        builders that do not write it: ``FinishKeywordIndexes``)."""
        text = _("Keyword Index")
        link = addnodes.pending_xref(
            "",
            nodes.inline(text, text),
            refdomain="std",
            reftype="ref",
            reftarget="kw-index",
            refexplicit=True,
            refwarn=True,
        )
        said = nodes.Text(_(": every keyword of these modules, from A to Z"))
        return nodes.paragraph("", "", link, said, classes=["kwindex-index-link"])

    def list_links(self, output_dir: str) -> list[nodes.paragraph]:
        """The ways from the top page to the generated pages of lists: what
        no test uses, the failures of the records of runs."""
        pages = (
            (
                untested_docname(output_dir),
                _("What no test uses"),
                _(": the documented objects no test uses, per module"),
                "kwindex-untested-link",
            ),
            (
                failures_docname(output_dir),
                _("Failures"),
                _(": every test that failed in the records of runs"),
                "kwindex-failures-link",
            ),
        )
        links = []
        for docname, text, said, name in pages:
            if docname in self.env.found_docs:
                link = page_reference(
                    self.env.docname, docname, nodes.inline(text, text)
                )
                links.append(
                    nodes.paragraph("", "", link, nodes.Text(said), classes=[name])
                )
        return links

    def folder_list(self, folders: Sequence[str], nested: bool) -> nodes.bullet_list:
        """A link to each of ``folders``' pages with how many modules it
        holds; ``nested``, each with the list of its own sub-folders."""
        tree = generated_tree(self.env)
        items = nodes.bullet_list(classes=["kwindex-folders"])
        for sub in folders:
            total = modules_below(tree.folders, sub)
            if tree.folders[sub].subfolders:
                count = _("modules: %d, in its sub-folders too") % total
            else:
                count = _("modules: %d") % total
            text = posixpath.basename(sub) if nested else sub
            link = self.page_link(folder_docname(tree.output_dir, sub), text)
            paragraph = nodes.paragraph("", "", link, nodes.Text(f" ({count})"))
            item = nodes.list_item("", paragraph)
            below = tree.folders[sub].subfolders
            if nested and below:
                item += self.folder_list(below, nested)
            items += item
        return items

    def modules_table(self, modules: tuple[str, ...]) -> nodes.table:
        """Module, summary and a count per kind its page shows, a row per
        module (a blank where a module's page does not show that kind)."""
        output_dir = generated_tree(self.env).output_dir
        root = Path(self.config.kwindex_root)
        indexes = {}
        for module in modules:
            path = (root / module).resolve()
            # The listing shows what the module says: read it again when it changes.
            note_file(self.env, path)
            indexes[module] = parse_module(self.env, path, self.env.docname)
        default = self.config.kwindex_default_kinds
        shown = {
            module: generated_test_kinds(self.config, module)
            or kinds_by_default(default, index)
            for module, index in indexes.items()
        }
        kinds = [
            kind
            for kind in dict.fromkeys(
                [*self.config.kwindex_test_kinds, *default, *KINDS]
            )
            if any(kind in page_kinds for page_kinds in shown.values())
        ]
        rules = rules_for_page(self.env, kinds)
        resolve = module_resolver(self.env, self.env.docname)
        header = [_("Module"), _("Summary"), *(kind_labels(kind)[0] for kind in kinds)]
        rows = []
        for module, index in indexes.items():
            name = posixpath.basename(module)
            link = self.page_link(module_docname(output_dir, module), name)
            summary = index.docstring or (
                index.problem.message if index.problem is not None else ""
            )
            sizes = {}
            if index.problem is None:
                collection = None
                if "tests" in shown[module]:
                    collection = collect_module(module, index.shape, rules, resolve)
                sizes = kind_sizes(index, shown[module], collection)
            counts = [str(sizes[kind]) if kind in sizes else "" for kind in kinds]
            cell = nodes.inline("", "", *summary_nodes(summary))
            rows.append([link, cell, *map(nodes.Text, counts)])
        return _table(header, rows, classes=["kwindex-folder-modules"])

    def page_link(self, docname: str, text: str) -> addnodes.pending_xref:
        """A link to the generated page ``docname``, showing ``text`` as code."""
        return page_reference(self.env.docname, docname, nodes.literal(text, text))


def _table(
    header: list[str], rows: list[list[nodes.Node]], classes: list[str]
) -> nodes.table:
    table = nodes.table(classes=classes)
    group = nodes.tgroup(cols=len(header))
    table += group
    # Widths in characters, as text builders lay tables out (Sphinx 7.4's
    # text writer never ends wrapping a heading into a column of width 1);
    # HTML sizes columns by their content.
    widths = [24, 36, *(max(len(label), 3) for label in header[_COUNTS:])]
    group.extend(nodes.colspec(colwidth=width) for width in widths)
    headings = [nodes.Text(label) for label in header]
    group += nodes.thead("", _row(headings, "kwindex-count-heading"))
    group += nodes.tbody("", *(_row(cells, "kwindex-count-cell") for cells in rows))
    return table


def _row(cells: Sequence[nodes.Node], count_class: str) -> nodes.row:
    """A row of ``cells``: module, summary, then counts (of class ``count_class``)."""
    return nodes.row(
        "",
        *(
            nodes.entry(
                "",
                nodes.paragraph("", "", cell),
                classes=[count_class] if column >= _COUNTS else [],
            )
            for column, cell in enumerate(cells)
        ),
    )
