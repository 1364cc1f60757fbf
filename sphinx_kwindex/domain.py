"""The ``kw`` domain: what every document indexed, kept per document; the
reverse index derived from it; keyword objects, references and the Keyword
Index."""

from __future__ import annotations

import hashlib
import posixpath
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from sphinx.domains import Domain, Index, IndexEntry, ObjType
from sphinx.util.nodes import make_refnode

from sphinx_kwindex._i18n import _
from sphinx_kwindex.builders import (
    has_keyword_index,
    index_page_name,
    keyword_index_enabled,
)
from sphinx_kwindex.extract import ModuleIndex, index_file, index_source
from sphinx_kwindex.module_tree import Folder
from sphinx_kwindex.reverse_index import (
    IndexLayout,
    KeywordGroup,
    KeywordTarget,
    build_reverse_index,
    lay_out_index,
)
from sphinx_kwindex.roles import KeywordRole

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Set

    from docutils.nodes import Element, reference
    from sphinx.addnodes import pending_xref
    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.environment import BuildEnvironment
    from sphinx.roles import XRefRole
    from sphinx.util.typing import RoleFunction

    RelatedModule = tuple[str, str, str]
    """``(path, docname, anchor)`` of an indexed module."""


@dataclass(frozen=True, slots=True)
class ParsedModule:
    """A module's index as the environment keeps it, with what identifies the
    file's content: ``stamp`` (modification time in ns, size) and a digest."""

    stamp: tuple[int, int]
    digest: bytes
    index: ModuleIndex


class RecordedKeyword(NamedTuple):
    """A keyword as a page shows it: kind, name, the entry's id, its lines
    (a named tuple, as :class:`~sphinx_kwindex.extract.Keyword` is)."""

    kind: str
    name: str
    entry_id: str
    lines: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class ModuleRecord:
    """One ``kwindex`` directive's module, as rendered in ``docname``.

    Stored in the pickled environment: a change of fields needs a new
    ``ENV_VERSION`` in ``__init__.py``.
    """

    path: str
    """Relative to ``kwindex_root``, POSIX."""
    docname: str
    anchor: str
    kinds: tuple[str, ...]
    keywords: tuple[RecordedKeyword, ...]
    indexed: bool
    """False under ``:no-index:``."""
    linked_to_source: bool
    """False under ``:no-source:`` or without source pages."""

    @property
    def folder(self) -> str:
        """The module's folder, relative to ``kwindex_root``."""
        return posixpath.dirname(self.path)


OBJECT_TYPES = {
    "classes": "class",
    "functions": "function",
    "imports": "import",
    "tests": "test",
    "fixtures": "fixture",
    "markers": "marker",
    "constants": "constant",
}
"""The ``kw`` object type of each keyword kind (also the role restricted to it)."""

KEYWORD = "keyword"
"""The object type of a keyword as a whole (its Keyword Index entry), and the
role that finds a keyword of any kind."""

_SEARCH_PRIORITY = {"imports": 2, "markers": 2}
"""Imports and markers are where a name is used, not defined: listed after
definitions in search results."""


class KeywordIndex(Index):
    """The Keyword Index: every keyword from A to Z with the modules that hold it.

    :meth:`generate` gives Sphinx's standard index content (a keyword in
    several modules has a sub-entry per module); HTML builders render the
    pages themselves (``keyword_index.py``), paged for large projects.
    """

    name = "index"
    localname = _("Keyword Index")
    shortname = _("keywords")

    def generate(
        self, docnames: Iterable[str] | None = None
    ) -> tuple[list[tuple[str, list[IndexEntry]]], bool]:
        assert isinstance(self.domain, KeywordDomain)
        wanted = None if docnames is None else set(docnames)
        content: dict[str, list[IndexEntry]] = {}
        for group in self.domain.keywords.values():
            targets = [
                t for t in group.targets if wanted is None or t.docname in wanted
            ]
            if targets:
                entries = content.setdefault(group.letter or _("Symbols"), [])
                entries.extend(_index_entries(group.name, targets))
        return list(content.items()), True


def _index_entries(name: str, targets: list[KeywordTarget]) -> list[IndexEntry]:
    if len(targets) == 1:
        (t,) = targets
        kind = _(OBJECT_TYPES[t.kind])
        return [IndexEntry(name, 0, t.docname, t.entry_id, kind, "", t.path)]
    modules = len({t.path for t in targets})
    return [
        IndexEntry(name, 1, "", "", "", "", _("modules: %d") % modules),
        *(
            IndexEntry(
                t.path, 2, t.docname, t.entry_id, _(OBJECT_TYPES[t.kind]), "", ""
            )
            for t in targets
        ),
    ]


class KeywordDomain(Domain):
    """Keywords of indexed Python modules."""

    name = "kw"
    label = "Keyword"
    object_types: ClassVar[dict[str, ObjType]] = {
        **{
            objtype: ObjType(_(objtype), objtype, KEYWORD)
            for objtype in OBJECT_TYPES.values()
        },
        KEYWORD: ObjType(_("keyword"), KEYWORD),
    }
    roles: ClassVar[dict[str, RoleFunction | XRefRole]] = {
        role: KeywordRole() for role in (KEYWORD, *OBJECT_TYPES.values())
    }
    indices: ClassVar[list[type[Index]]] = [KeywordIndex]
    initial_data: ClassVar[dict[str, Any]] = {
        "modules": {},
        "folders": {},
        "parsed_while_reading": {},
        "tree": {},
        "output_dir": "",
    }
    data_version = 3

    def __init__(self, env: BuildEnvironment) -> None:
        super().__init__(env)
        # These live as long as the application: Sphinx never pickles domain
        # objects, and reading processes fork with them.
        self.parsed: dict[str, ParsedModule] = {}
        """What :meth:`index_module` parsed, by absolute path. Kept beside the
        environment (``parse_cache.py``), not in it: a parallel read pickles
        the whole environment once per batch of documents."""
        self.parsed_changed = False
        self._keywords: dict[str, KeywordGroup] = {}
        self._layout: tuple[dict[str, KeywordGroup], IndexLayout] | None = None
        self.folder_pages_to_reread: list[str] = []

    @property
    def parsed_while_reading(self) -> dict[str, dict[str, ParsedModule]]:
        """Modules parsed while reading a document, by docname: how a reading
        process hands them to the main one."""
        found: dict[str, dict[str, ParsedModule]]
        found = self.data.setdefault("parsed_while_reading", {})
        return found

    def index_module(self, path: Path, docname: str = "") -> ModuleIndex:
        """The index of the file ``path``, parsed only when its content is new:
        once per build however many documents ask for it, and not at all in
        a later build if the file did not change. ``docname`` is the document
        being read, if any."""
        try:
            stat = path.stat()
            if not S_ISREG(stat.st_mode):
                return index_file(path)
            key, stamp = str(path), (stat.st_mtime_ns, stat.st_size)
            cached = self.parsed.get(key)
            if cached is not None and cached.stamp == stamp:
                return cached.index
            data = path.read_bytes()
        except OSError:
            return index_file(path)
        digest = hashlib.blake2b(data, digest_size=16).digest()
        if cached is None or cached.digest != digest:
            cached = ParsedModule(stamp, digest, index_source(data, key))
        parsed = ParsedModule(stamp, digest, cached.index)
        self.parsed[key] = parsed
        self.parsed_changed = True
        if docname:
            self.parsed_while_reading.setdefault(docname, {})[key] = parsed
        return parsed.index

    def keep_parsed(self, keep: Set[str]) -> None:
        """Take in what documents' reading parsed, then forget parsed modules
        whose path is not in ``keep``."""
        for found in self.parsed_while_reading.values():
            for key, parsed in found.items():
                mine = self.parsed.get(key)
                if mine is None or parsed.stamp > mine.stamp:
                    self.parsed[key] = parsed
                    self.parsed_changed = True
        self.parsed_while_reading.clear()
        for key in self.parsed.keys() - keep:
            del self.parsed[key]
            self.parsed_changed = True

    @property
    def tree(self) -> dict[str, Folder]:
        """The folders of ``kwindex_modules`` (empty without it)."""
        tree: dict[str, Folder] = self.data.setdefault("tree", {})
        return tree

    @property
    def output_dir(self) -> str:
        """Where the generated pages of :attr:`tree` are, in the source folder."""
        return str(self.data.get("output_dir", ""))

    def set_tree(self, output_dir: str, tree: dict[str, Folder]) -> None:
        """Record the folders of ``kwindex_modules`` and where their pages are."""
        self.data["tree"] = tree
        self.data["output_dir"] = output_dir

    @property
    def modules(self) -> dict[str, list[ModuleRecord]]:
        """The modules each document indexes, in document order."""
        modules: dict[str, list[ModuleRecord]] = self.data.setdefault("modules", {})
        return modules

    @property
    def folders(self) -> dict[str, tuple[RelatedModule, ...]]:
        """Indexed modules per folder, derived after every read phase."""
        folders: dict[str, tuple[RelatedModule, ...]]
        folders = self.data.setdefault("folders", {})
        return folders

    @property
    def keywords(self) -> dict[str, KeywordGroup]:
        """The reverse index (keyword name to its entries, in Keyword Index
        order), derived after every read phase from modules not under
        ``:no-index:``; not pickled, since it is derived anew every build."""
        return self._keywords

    def derive_reverse_index(self, records: Iterable[ModuleRecord]) -> None:
        """Group the keywords of ``records`` (those not under ``:no-index:``)."""
        self._keywords = build_reverse_index(_keyword_targets(records))

    def index_layout(self) -> IndexLayout:
        """The pages of the Keyword Index, laid out once per reverse index."""
        if self._layout is None or self._layout[0] is not self.keywords:
            self._layout = (self.keywords, lay_out_index(self.keywords.values()))
        return self._layout[1]

    def note_module(self, record: ModuleRecord) -> None:
        """Record that ``record.docname`` indexes a module."""
        self.modules.setdefault(record.docname, []).append(record)

    def all_modules(self) -> list[ModuleRecord]:
        """Every module record of the project, in a stable order."""
        records = (record for recs in self.modules.values() for record in recs)
        return sorted(records, key=lambda r: (r.path, r.docname, r.anchor))

    def clear_doc(self, docname: str) -> None:
        self.modules.pop(docname, None)
        self.parsed_while_reading.pop(docname, None)

    def merge_domaindata(self, docnames: Set[str], otherdata: dict[str, Any]) -> None:
        for docname in docnames:
            if docname in otherdata["modules"]:
                self.modules[docname] = otherdata["modules"][docname]
            if docname in otherdata["parsed_while_reading"]:
                found = otherdata["parsed_while_reading"][docname]
                self.parsed_while_reading[docname] = found

    def find_targets(self, target: str, objtypes: Iterable[str]) -> list[KeywordTarget]:
        """The entries ``target`` names: ``name``, or ``path::name`` for one
        module's; a pytest node id ``path::Class::test`` names the test."""
        path, separator, name = target.strip().lstrip("/").partition("::")
        if not separator:
            path, name = "", path
        node_id_of_test = "::" in name
        group = self.keywords.get(name.rpartition("::")[2])
        if group is None:
            return []
        kinds = {kind for kind, objtype in OBJECT_TYPES.items() if objtype in objtypes}
        if node_id_of_test and "tests" in kinds:
            kinds = {"tests"}
        return [t for t in group.targets if t.kind in kinds and path in ("", t.path)]

    def resolve_xref(
        self,
        env: BuildEnvironment,
        fromdocname: str,
        builder: Builder,
        typ: str,
        target: str,
        node: pending_xref,
        contnode: Element,
    ) -> reference | None:
        found = self.find_targets(target, self.objtypes_for_role(typ) or ())
        if not found:
            return None
        first = found[0]
        title = f"{first.path}::{first.name}"
        docname, anchor = first.docname, first.entry_id
        if len({t.path for t in found}) > 1 and has_keyword_index(builder):
            group = self.keywords[first.name]
            docname, anchor, title = (
                index_page_name(group.page),
                group.anchor,
                group.name,
            )
        return make_refnode(builder, fromdocname, docname, anchor, contnode, title)

    def resolve_any_xref(
        self,
        env: BuildEnvironment,
        fromdocname: str,
        builder: Builder,
        target: str,
        node: pending_xref,
        contnode: Element,
    ) -> list[tuple[str, reference]]:
        reference = self.resolve_xref(
            env, fromdocname, builder, KEYWORD, target, node, contnode
        )
        return [] if reference is None else [(f"{self.name}:{KEYWORD}", reference)]

    def get_objects(self) -> Iterator[tuple[str, str, str, str, str, int]]:
        """Each entry as ``path::name``, and each keyword as ``name`` (its
        Keyword Index entry, or its one entry where there is no such page)."""
        with_index = keyword_index_enabled(self.env.config)
        for group in self.keywords.values():
            for t in group.targets:
                priority = _SEARCH_PRIORITY.get(t.kind, 1)
                fullname = f"{t.path}::{t.name}"
                yield (
                    fullname,
                    fullname,
                    OBJECT_TYPES[t.kind],
                    t.docname,
                    t.entry_id,
                    priority,
                )
            if with_index:
                docname, anchor = index_page_name(group.page), group.anchor
            else:
                docname, anchor = group.targets[0].docname, group.targets[0].entry_id
            yield group.name, group.name, KEYWORD, docname, anchor, -1


def get_domain(env: BuildEnvironment) -> KeywordDomain:
    """The ``kw`` domain of ``env``."""
    domain = env.get_domain(KeywordDomain.name)
    assert isinstance(domain, KeywordDomain)
    return domain


def derive_project_data(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Once all is read: keep the parsed modules still indexed, derive the
    folder map and the reverse index, and rewrite the pages whose folder
    changed.

    Connected to ``env-updated``: a module added to or removed from a folder
    changes the "related modules" of every page indexing that folder.
    """
    domain = get_domain(env)
    records = domain.all_modules()
    root = Path(env.config.kwindex_root)
    domain.keep_parsed(
        {str(root / r.path) for r in records}
        | {str((root / m).resolve()) for f in domain.tree.values() for m in f.modules}
    )
    folders = _group_by_folder(records)
    previous = domain.folders
    changed = {
        f for f in folders.keys() | previous.keys() if folders.get(f) != previous.get(f)
    }
    domain.data["folders"] = folders
    domain.derive_reverse_index(records)
    return sorted({r.docname for r in records if r.folder in changed})


def _keyword_targets(records: Iterable[ModuleRecord]) -> Iterator[KeywordTarget]:
    for record in records:
        if record.indexed:
            for keyword in record.keywords:
                yield KeywordTarget(
                    keyword.name,
                    record.path,
                    keyword.kind,
                    record.docname,
                    keyword.entry_id,
                )


def _group_by_folder(
    records: Iterable[ModuleRecord],
) -> dict[str, tuple[RelatedModule, ...]]:
    folders: dict[str, dict[str, RelatedModule]] = {}
    for record in records:
        # The first document (in sorted order) that indexes a path stands for it.
        folder = folders.setdefault(record.folder, {})
        folder.setdefault(record.path, (record.path, record.docname, record.anchor))
    return {name: tuple(paths.values()) for name, paths in sorted(folders.items())}
