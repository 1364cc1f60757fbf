"""The ``kwindex`` directive: path rules, options, extraction, recorded data."""

from __future__ import annotations

import dataclasses
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.util.docutils import SphinxDirective

from sphinx_kwindex._i18n import _, __
from sphinx_kwindex.collect import collect_module
from sphinx_kwindex.domain import (
    FixtureUse,
    ModuleRecord,
    generated_tree,
    get_domain,
    note_file,
)
from sphinx_kwindex.export import Fragment, as_json, write_fragment
from sphinx_kwindex.kinds import KINDS
from sphinx_kwindex.names import (
    kind_anchor,
    module_anchor,
    module_docname,
    pytest_node_id,
    source_page_name,
)
from sphinx_kwindex.nodes import (
    jump_links,
    keyword_list,
    kwindex_related,
    kwindex_source_link,
    page_reference,
    part_links,
    summary_nodes,
    way_up,
)
from sphinx_kwindex.parse_cache import module_resolver, parse_module
from sphinx_kwindex.present import (
    classify_module,
    describe_problem,
    parse_kinds,
    view_json,
)
from sphinx_kwindex.project_rules import noted_rules
from sphinx_kwindex.results import kwindex_run_totals
from sphinx_kwindex.reverse_index import RecordedKeyword
from sphinx_kwindex.tested_by import tested_by_shown, uses_of_tests
from sphinx_kwindex.view import (
    SORT_ORDERS,
    KindView,
    ViewOptions,
    is_local,
    kinds_by_default,
    module_view,
)
from sphinx_kwindex.warnings import Subtype, warn

if TYPE_CHECKING:
    from collections.abc import Container, Iterable, Iterator, Set

    from sphinx.util.typing import OptionSpec

    from sphinx_kwindex.collect import CollectedTest, Collection
    from sphinx_kwindex.extract import ModuleExtraction
    from sphinx_kwindex.view import Entry, TestGroup

_FLAGS = ("no-index", "no-metadata", "no-source")
_PART = re.compile(r"(\d+)\s*/\s*(\d+)")


@dataclass(frozen=True)
class DisplayOptions:
    """The directive's options, validated."""

    kinds: tuple[str, ...]
    sort: str = "name"
    exclude: re.Pattern[str] | None = None
    index: bool = True
    metadata: bool = True
    source: bool = True
    part: tuple[int, int] = (1, 1)
    """``(k, n)``: show the ``k``-th of ``n`` near-equal runs of the entries."""

    def view(self) -> ViewOptions:
        """What they ask of the module's view."""
        return ViewOptions(self.kinds, self.exclude, self.sort, self.part)


def resolve_module_path(
    argument: str, document_folder: Path, root: Path
) -> Path | None:
    """The file ``argument`` names, or None when it lies outside ``root``.

    ``/path`` is relative to ``root``, anything else to the document's folder
    (the ``literalinclude`` convention). Symbolic links are resolved first.
    """
    base = root if argument.startswith("/") else document_folder
    resolved = (base / argument.lstrip("/")).resolve()
    return resolved if resolved.is_relative_to(root) else None


class KwindexDirective(SphinxDirective):
    """``.. kwindex:: PATH``: the keyword index of one Python module."""

    has_content = False
    required_arguments = 1
    final_argument_whitespace = True
    # Every option is parsed leniently here and checked in run(), so that a bad
    # value costs a warning, not the whole directive.
    option_spec: ClassVar[OptionSpec] = {
        "kinds": directives.unchanged,
        "sort": directives.unchanged,
        "exclude": directives.unchanged,
        "part": directives.unchanged,
        **dict.fromkeys(_FLAGS, directives.unchanged),
    }

    def run(self) -> list[nodes.Node]:
        options = self.display_options()
        argument = self.arguments[0]
        root = Path(self.config.kwindex_root)
        folder = Path(self.env.doc2path(self.env.docname)).parent
        path = resolve_module_path(argument, folder, root)
        if path is None:
            message = __("%r is outside kwindex_root (%s); not read") % (argument, root)
            self.warn(message, Subtype.PATH)
            return []
        note_file(self.env, path)
        relative = path.relative_to(root).as_posix()
        module = parse_module(self.env, path, self.env.docname)
        if module.problem is not None:
            self.warn(describe_problem(relative, module.problem), module.problem.kind)
            if module.problem.kind == "missing":
                return []
        tree = generated_tree(self.env)
        if not tree.holds(self.env.docname):
            return self.render(relative, module, options)
        if "kinds" not in self.options:
            # A generated page lists the fixtures a module defines: tests link there.
            kinds = kinds_by_default(options.kinds, module)
            options = dataclasses.replace(options, kinds=kinds)
        above = way_up(self.env.docname, tree, posixpath.dirname(relative))
        if options.part[1] > 1:
            first = module_docname(tree.output_dir, relative)
            above.append(part_links(self.env.docname, first, *options.part))
        return above + self.render(relative, module, options)

    def render(
        self, path: str, module: ModuleExtraction, options: DisplayOptions
    ) -> list[nodes.Node]:
        """The index node and the block showing ``module``; records it in the domain."""
        # Entries keep their ids in whichever part they are: the ids start
        # with the module's, and a part's block has an id of its own.
        block_id = self.unique_anchor(module_anchor(path))
        number = options.part[0]
        anchor = block_id if number == 1 else f"{block_id}-part-{number}"
        block = nodes.container(classes=["kwindex"], ids=[anchor])
        block["support_smartquotes"] = False  # names and docstrings are data
        block["refdoc"] = self.env.docname
        self.state.document.ids[block_id] = self.state.document.ids[anchor] = block
        source_path = path if options.source else ""
        if options.metadata:
            block += self.metadata_block(path, module, source_path)
        recorded: list[RecordedKeyword] = []
        uses: list[FixtureUse] = []
        tests: tuple[tuple[str, str, int | None], ...] = ()
        test_uses: tuple[tuple[str, tuple[str, ...]], ...] = ()
        groups: tuple[TestGroup, ...] = ()
        fragment = Fragment({})
        if module.problem is not None:
            note = _("This file could not be indexed: %s") % module.problem.message
            block += nodes.paragraph("", note, classes=["kwindex-problem"])
        else:
            collection = self.collection(path, module, options.kinds)
            view = module_view(path, module, options.view(), collection, block_id)
            if len(view.lists) > 1:
                anchors = [(v.kind, kind_anchor(block_id, v.kind)) for v in view.lists]
                block += jump_links(anchors)
            for listed in view.lists:
                list_id = kind_anchor(block_id, listed.kind)
                if listed.kind == "tests" and not listed.offset:
                    block += self.run_totals(path)
                block += keyword_list(path, listed, source_path, list_id)
                recorded += self.keyword_entries(path, block_id, listed, view.functions)
                if listed.kind == "tests" and collection is not None:
                    uses.extend(fixture_uses(path, collection.tests, listed.entries))
                    tests = tuple(
                        (
                            entry.locations[0].shown,
                            entry.entry_id,
                            entry.locations[0].items,
                        )
                        for entry in listed.entries
                    )
                    groups = tuple(
                        section.group
                        for section in listed.sections()
                        if section.group is not None
                    )
                    shown = {node_id for node_id, _entry, _items in tests}
                    test_uses = uses_of_tests(self.env, path, collection.tests, shown)
            used = dict(test_uses) if tested_by_shown(self.env) else None
            fragment = json_fragment(view_json(view, module, used))
        kinds = () if module.problem is not None else options.kinds
        record = ModuleRecord(
            path,
            self.env.docname,
            anchor,
            kinds,
            tuple(recorded),
            in_indexes=options.index,
            linked_to_source=options.source,
            fixture_uses=tuple(uses),
            part=options.part,
            tests=tests,
            uses=test_uses,
        )
        get_domain(self.env).note_module(record)
        write_fragment(self.env, self.env.docname, anchor, fragment)
        general = []
        if options.index:
            general = index_entries(
                path, recorded, groups, self.config.kwindex_index_kinds
            )
        if not general:
            return [block]
        return [addnodes.index(entries=general), block]

    def run_totals(self, path: str) -> list[nodes.Node]:
        """Where :confval:`kwindex_results` names records: the place of what
        they say of the module at ``path`` in all."""
        if not self.config.kwindex_results:
            return []
        return [kwindex_run_totals(prefix=path + "::")]

    def collection(
        self, path: str, module: ModuleExtraction, kinds: Iterable[str]
    ) -> Collection | None:
        """The tests pytest collects from ``module`` at ``path``, where the
        block shows ``kinds`` that list them."""
        if "tests" not in kinds:
            return None
        resolve = module_resolver(self.env, self.env.docname)
        return collect_module(path, module.shape, noted_rules(self.env), resolve)

    def keyword_entries(
        self, path: str, block_id: str, listed: KindView, functions: Set[str]
    ) -> list[RecordedKeyword]:
        """The keywords ``listed`` shows, as the domain records them."""
        kind = listed.kind
        return [
            RecordedKeyword(
                keyword.name,
                kind,
                path,
                self.env.docname,
                block_id,
                keyword.lines,
                local=is_local(kind, keyword, functions),
            )
            for keyword in listed.keywords
        ]

    def metadata_block(
        self, path: str, module: ModuleExtraction, source_path: str
    ) -> nodes.container:
        """The file's facts, as the seed's "File Information"."""
        folder = posixpath.dirname(path)
        path_paragraph = nodes.paragraph("", "", nodes.literal(path, path))
        if source_path:
            path_paragraph += kwindex_source_link(page=source_page_name(source_path))
        fields: list[tuple[str, nodes.Node]] = [
            (_("Path"), path_paragraph),
            (_("Folder"), self.folder_link(folder)),
            (_("Type"), nodes.Text(module_type_label(self.module_type(path)))),
            (_("Size"), nodes.Text(_("%s bytes") % f"{module.size:,}")),
            (_("Lines"), nodes.Text(str(module.line_count))),
        ]
        if module.docstring:
            summary = nodes.inline("", "", *summary_nodes(module.docstring))
            fields.append((_("Summary"), summary))
        command = self.config.kwindex_run_command
        if command is not None:
            run = command.format(path=run_target(path))
            fields.append((_("Run"), nodes.literal(run, run)))
        fields.append((_("Related"), kwindex_related(folder=folder, path=path)))
        field_list = nodes.field_list()
        for name, body in fields:
            if not isinstance(body, nodes.paragraph):
                body = nodes.paragraph("", "", body)
            field = nodes.field(
                "", nodes.field_name(name, name), nodes.field_body("", body)
            )
            if any(isinstance(child, kwindex_related) for child in body.children):
                # Other modules' names: what this page is about is not them.
                field["classes"].append("no-search")
            field_list += field
        return nodes.container("", field_list, classes=["kwindex-metadata"])

    def module_type(self, path: str) -> str:
        """What the module at ``path`` is (``classify_module``) under the
        project's pytest rules; the page is read again when they change."""
        return classify_module(path, noted_rules(self.env))

    def folder_link(self, folder: str) -> nodes.Node:
        """The folder as code, linked to its page when ``kwindex_modules``
        generated one."""
        text = nodes.literal(folder, folder or ".")
        page = generated_tree(self.env).folder_page(folder)
        return text if page is None else page_reference(self.env.docname, page, text)

    def display_options(self) -> DisplayOptions:
        """Check every option; a bad value warns and falls back to its default."""
        for flag in _FLAGS:
            if self.options.get(flag):
                self.warn(__(":%s: takes no value") % flag, Subtype.OPTION)
        return DisplayOptions(
            kinds=self.option_kinds(),
            sort=self.option_sort(),
            exclude=self.option_exclude(),
            index="no-index" not in self.options,
            metadata="no-metadata" not in self.options,
            source="no-source" not in self.options and self.config.kwindex_source_pages,
            part=self.option_part(),
        )

    def option_part(self) -> tuple[int, int]:
        if "part" not in self.options:
            return (1, 1)
        value = self.options["part"].strip()
        found = _PART.fullmatch(value)
        if found is not None:
            number, count = int(found[1]), int(found[2])
            if 1 <= number <= count:
                return (number, count)
        message = __(":part: must be K/N with 1 <= K <= N, not %r; showing all")
        self.warn(message % value, Subtype.OPTION)
        return (1, 1)

    def option_kinds(self) -> tuple[str, ...]:
        default = tuple(self.config.kwindex_default_kinds)
        if "kinds" not in self.options:
            return default
        kinds, unknown = parse_kinds(self.options["kinds"])
        if unknown:
            message = __(":kinds: unknown kind(s) %s; known kinds: %s")
            self.warn(message % (", ".join(unknown), ", ".join(KINDS)), Subtype.OPTION)
        if not kinds:
            if not unknown:
                self.warn(__(":kinds: needs at least one kind"), Subtype.OPTION)
            return default
        return kinds

    def option_sort(self) -> str:
        sort: str = self.options.get("sort", "name").strip()
        if sort in SORT_ORDERS:
            return sort
        message = __(":sort: must be one of %s, not %r") % (
            ", ".join(SORT_ORDERS),
            sort,
        )
        self.warn(message, Subtype.OPTION)
        return "name"

    def option_exclude(self) -> re.Pattern[str] | None:
        if "exclude" not in self.options:
            return None
        pattern = self.options["exclude"].strip()
        if not pattern:
            self.warn(__(":exclude: needs a regular expression"), Subtype.OPTION)
            return None
        try:
            return re.compile(pattern)
        except re.error as exc:
            message = __(":exclude: %r is not a valid regular expression: %s")
            self.warn(message % (pattern, exc), Subtype.OPTION)
            return None

    def unique_anchor(self, anchor: str) -> str:
        """``anchor``, numbered when the document already has that id."""
        candidate, number = anchor, 1
        while candidate in self.state.document.ids:
            number += 1
            candidate = f"{anchor}-{number}"
        return candidate

    def warn(self, message: str, subtype: Subtype | str) -> None:
        """One ``kwindex.<subtype>`` warning at this directive's line."""
        warn(message, subtype, self.get_location())


def run_target(path: str) -> str:
    """What runs the tests of the module at ``path``: the module, or for a
    ``conftest.py`` (which holds no tests) the folder it serves."""
    if classify_module(path) != "conftest":
        return path
    return posixpath.dirname(path) or "."


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


def json_fragment(fields: dict[str, Any]) -> Fragment:
    """The fragment of ``kwindex.json`` of a block whose JSON is ``fields``
    (:func:`~sphinx_kwindex.present.view_json`)."""
    keywords = {
        kind: ",".join(map(as_json, found))
        for kind, found in fields.pop("keywords").items()
    }
    return Fragment(keywords, as_json(fields)[1:-1] if fields else "")


def fixture_uses(
    path: str, tests: Iterable[CollectedTest], entries: Iterable[Entry]
) -> Iterator[FixtureUse]:
    """The fixtures of the tree that ``tests`` of the module at ``path``
    need, with the entries that show the tests (those not shown, passed
    over)."""
    shown = {entry.locations[0].shown: entry.entry_id for entry in entries}
    for test in tests:
        node_id = pytest_node_id(path, test.qualname)
        if node_id in shown:
            for fixture_path, name in dict.fromkeys(test.needs):
                yield FixtureUse(fixture_path, name, node_id, shown[node_id])


def index_entries(
    path: str,
    keywords: Iterable[RecordedKeyword],
    groups: Iterable[TestGroup],
    kinds: Container[str],
) -> list[tuple[str, str, str, str, None]]:
    """General-index entries of the keywords of ``kinds`` not local to a
    function: ``name (fixture in path)``, ``os (imported in path)``; for
    tests, of the test classes (``groups``): ``TestCart (test class in
    path)``."""
    found = [
        (_(KINDS[k.kind].index_text) % (k.name, path), k.entry_id)
        for k in keywords
        if k.kind in kinds and k.kind != "tests" and not k.local
    ]
    if "tests" in kinds:
        text = _(KINDS["tests"].index_text)
        found += [(text % (g.node, path), g.anchor) for g in groups if g.anchor]
    return [("single", text, anchor, "", None) for text, anchor in found]
