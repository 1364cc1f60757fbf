"""The ``kw`` domain: what every document indexed, kept per document; the
folder map and reverse index derived from it; keyword objects, references
and the Keyword Index."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple, TypeVar

from sphinx.domains import Domain, Index, IndexEntry, ObjType
from sphinx.util.nodes import make_refnode

from sphinx_kwindex._i18n import _
from sphinx_kwindex.kinds import BY_OBJECT_TYPE, KEYWORD, KINDS
from sphinx_kwindex.names import index_page_name
from sphinx_kwindex.outputs import has_keyword_index, keyword_index_enabled
from sphinx_kwindex.reverse_index import (
    IndexLayout,
    KeywordEntry,
    KeywordGroup,
    build_reverse_index,
    lay_out_index,
)
from sphinx_kwindex.roles import KeywordRole

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping, Set

    from docutils.nodes import Element, reference
    from sphinx.addnodes import pending_xref
    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.environment import BuildEnvironment
    from sphinx.roles import XRefRole
    from sphinx.util.typing import RoleFunction

    RelatedModule = tuple[str, str, str]
    """``(path, docname, anchor)`` of an indexed module."""


class FixtureUse(NamedTuple):
    """A test that uses a fixture of the tree: the fixture's module and
    name, the test's node id and the id of its entry."""

    path: str
    name: str
    node_id: str
    entry_id: str


class FixtureUser(NamedTuple):
    """A test that uses a fixture, where its entry is."""

    node_id: str
    docname: str
    entry_id: str


_K = TypeVar("_K")

FIXTURE_USERS_SHOWN = 8
"""How many of the tests that use a fixture its entry links to."""


@dataclass(frozen=True, slots=True)
class ModuleRecord:
    """One ``kwindex`` directive's module, as rendered in ``docname``.

    Stored in the pickled environment: a change of its shape, or of
    :class:`~sphinx_kwindex.reverse_index.KeywordEntry`'s, needs a new
    :attr:`KeywordDomain.data_version`.
    """

    path: str
    """Relative to ``kwindex_root``, POSIX."""
    docname: str
    anchor: str
    kinds: tuple[str, ...]
    keywords: tuple[KeywordEntry, ...]
    indexed: bool
    """False under ``:no-index:``."""
    linked_to_source: bool
    """False under ``:no-source:`` or without source pages."""
    fixture_uses: tuple[FixtureUse, ...] = ()
    """The fixtures of the tree its listed tests use."""

    @property
    def folder(self) -> str:
        """The module's folder, relative to ``kwindex_root``."""
        return posixpath.dirname(self.path)


class KeywordIndex(Index):
    """The Keyword Index: every keyword from A to Z with the modules that hold it.

    :meth:`generate` gives Sphinx's standard index content (a keyword in
    several modules has a sub-entry per module); HTML builders render the
    pages themselves (``keyword_index.py``), split for large projects.
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
        labels = {key: _(kind.label) for key, kind in KINDS.items()}
        for group in self.domain.keywords.values():
            entries = [
                e for e in group.entries if wanted is None or e.docname in wanted
            ]
            if entries:
                listed = content.setdefault(group.letter or _("Symbols"), [])
                listed.extend(_index_entries(group.name, entries, labels))
        return list(content.items()), True


def _index_entries(
    name: str, entries: list[KeywordEntry], labels: dict[str, str]
) -> list[IndexEntry]:
    if len(entries) == 1:
        (e,) = entries
        return [IndexEntry(name, 0, e.docname, e.entry_id, labels[e.kind], "", e.path)]
    modules = len({e.path for e in entries})
    return [
        IndexEntry(name, 1, "", "", "", "", _("modules: %d") % modules),
        *(
            IndexEntry(e.path, 2, e.docname, e.entry_id, labels[e.kind], "", "")
            for e in entries
        ),
    ]


class KeywordDomain(Domain):
    """Keywords of indexed Python modules."""

    name = "kw"
    label = "Keyword"
    object_types: ClassVar[dict[str, ObjType]] = {
        **{
            kind.object_type: ObjType(_(kind.label), kind.object_type, KEYWORD)
            for kind in KINDS.values()
        },
        KEYWORD: ObjType(_("keyword"), KEYWORD),
    }
    roles: ClassVar[dict[str, RoleFunction | XRefRole]] = {
        role: KeywordRole() for role in (KEYWORD, *BY_OBJECT_TYPE)
    }
    indices: ClassVar[list[type[Index]]] = [KeywordIndex]
    initial_data: ClassVar[dict[str, Any]] = {
        "modules": {},
        "folders": {},
        "fixture_users": {},
    }
    data_version = 6
    """Bump whenever :class:`ModuleRecord` or what it holds changes shape:
    Sphinx then starts from a fresh environment."""

    def __init__(self, env: BuildEnvironment) -> None:
        super().__init__(env)
        # Derived anew every build, so never pickled (Sphinx pickles domain
        # data, not domain objects).
        self._keywords: dict[str, KeywordGroup] = {}
        self._layout: tuple[dict[str, KeywordGroup], IndexLayout] | None = None
        self._linked: frozenset[str] = frozenset()
        self._users: dict[tuple[str, str], list[FixtureUser]] = {}
        self.read: set[str] = set()
        """The documents read or removed in this build."""

    @property
    def changed(self) -> bool:
        """Whether a document was read or removed in this build."""
        return bool(self.read)

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
        ``:no-index:``."""
        return self._keywords

    @property
    def linked_sources(self) -> frozenset[str]:
        """The modules some entry links to the source page of, derived after
        every read phase."""
        return self._linked

    def fixture_users(self, path: str, name: str) -> list[FixtureUser]:
        """The tests that use the fixture ``name`` of the module ``path``, by
        node id (each once), derived after every read phase."""
        return self._users.get((path, name), [])

    def index_layout(self) -> IndexLayout:
        """The pages of the Keyword Index, laid out once per reverse index."""
        if self._layout is None or self._layout[0] is not self.keywords:
            groups = list(self.keywords.values())
            self._layout = (self.keywords, lay_out_index(groups))
        return self._layout[1]

    def index_page_of(self, group: KeywordGroup) -> str:
        """The docname of the Keyword Index page that lists ``group``."""
        return index_page_name(self.index_layout().page_of[group.name])

    def note_module(self, record: ModuleRecord) -> None:
        """Record that ``record.docname`` indexes a module."""
        self.modules.setdefault(record.docname, []).append(record)
        self.read.add(record.docname)

    def all_modules(self) -> list[ModuleRecord]:
        """Every module record of the project, in a stable order."""
        records = (record for recs in self.modules.values() for record in recs)
        return sorted(records, key=lambda r: (r.path, r.docname, r.anchor))

    def derive(self) -> tuple[set[str], set[tuple[str, str]]]:
        """Derive the folder map, the reverse index and the users of each
        fixture from every record; the folders whose indexed modules
        changed, and the fixtures whose entries show other users."""
        records = self.all_modules()
        folders = _group_by_folder(records)
        previous = self.folders
        self.data["folders"] = folders
        self._keywords = build_reverse_index(
            entry for record in records if record.indexed for entry in record.keywords
        )
        self._linked = frozenset(r.path for r in records if r.linked_to_source)
        self._users = _fixture_users(records)
        shown = {
            key: (len(users), tuple(users[:FIXTURE_USERS_SHOWN]))
            for key, users in self._users.items()
        }
        shown_before: dict[tuple[str, str], Any] = self.data.get("fixture_users", {})
        self.data["fixture_users"] = shown
        return _changed_keys(folders, previous), _changed_keys(shown, shown_before)

    def clear_doc(self, docname: str) -> None:
        self.modules.pop(docname, None)
        self.read.add(docname)

    def merge_domaindata(self, docnames: Set[str], otherdata: dict[str, Any]) -> None:
        for docname in docnames:
            if docname in otherdata["modules"]:
                self.modules[docname] = otherdata["modules"][docname]
                self.read.add(docname)

    def find_entries(self, target: str, objtypes: Iterable[str]) -> list[KeywordEntry]:
        """The entries ``target`` names: ``name``, or ``path::name`` for one
        module's; a pytest node id ``path::Class::test`` names the test."""
        path, separator, name = target.strip().lstrip("/").partition("::")
        if not separator:
            path, name = "", path
        node_id_of_test = "::" in name
        group = self.keywords.get(name.rpartition("::")[2])
        if group is None:
            return []
        kinds = {BY_OBJECT_TYPE[t].key for t in objtypes if t in BY_OBJECT_TYPE}
        if node_id_of_test and "tests" in kinds:
            kinds = {"tests"}
        return [e for e in group.entries if e.kind in kinds and path in ("", e.path)]

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
        found = self.find_entries(target, self.objtypes_for_role(typ) or ())
        if not found:
            return None
        first = found[0]
        title = f"{first.path}::{first.name}"
        docname, anchor = first.docname, first.entry_id
        if len({e.path for e in found}) > 1 and has_keyword_index(builder):
            group = self.keywords[first.name]
            docname, anchor, title = self.index_page_of(group), group.anchor, group.name
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
        Keyword Index entry, or its one entry where there is no such page).

        Search lists the entries of ``kwindex_index_kinds`` (names used here
        but defined elsewhere after definitions); every object is in
        ``objects.inv``."""
        with_index = keyword_index_enabled(self.env.config)
        for group in self.keywords.values():
            for e in group.entries:
                kind = KINDS[e.kind]
                priority = (2 if kind.link_rule.external else 1) if e.general else -1
                fullname = f"{e.path}::{e.name}"
                yield (
                    fullname,
                    fullname,
                    kind.object_type,
                    e.docname,
                    e.entry_id,
                    priority,
                )
            if with_index:
                docname, anchor = self.index_page_of(group), group.anchor
            else:
                docname, anchor = group.entries[0].docname, group.entries[0].entry_id
            yield group.name, group.name, KEYWORD, docname, anchor, -1


def get_domain(env: BuildEnvironment) -> KeywordDomain:
    """The ``kw`` domain of ``env``."""
    domain = env.get_domain(KeywordDomain.name)
    assert isinstance(domain, KeywordDomain)
    return domain


def derive_project_data(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Once all is read: derive the folder map, the reverse index and the
    users of each fixture, and rewrite the pages whose folder or fixtures'
    users changed (``env-updated``): a module added to or removed from a
    folder changes the "related modules" of every page indexing that
    folder, a test module edited the "used by" of the fixtures it needs."""
    domain = get_domain(env)
    folders, fixtures = domain.derive()
    return sorted(
        {
            r.docname
            for r in domain.all_modules()
            if r.folder in folders
            or any(
                k.kind == "fixtures" and (r.path, k.name) in fixtures
                for k in r.keywords
            )
        }
    )


def _changed_keys(new: Mapping[_K, object], old: Mapping[_K, object]) -> set[_K]:
    """The keys whose values differ between ``old`` and ``new`` (added and
    removed ones too)."""
    return {key for key in new.keys() | old.keys() if new.get(key) != old.get(key)}


def _fixture_users(
    records: Iterable[ModuleRecord],
) -> dict[tuple[str, str], list[FixtureUser]]:
    """Per fixture, the tests that use it, by node id; a test listed on
    several pages by the first."""
    users: dict[tuple[str, str], dict[str, FixtureUser]] = {}
    for record in records:
        for use in record.fixture_uses:
            found = users.setdefault((use.path, use.name), {})
            found.setdefault(
                use.node_id, FixtureUser(use.node_id, record.docname, use.entry_id)
            )
    return {key: sorted(found.values()) for key, found in users.items()}


def _group_by_folder(
    records: Iterable[ModuleRecord],
) -> dict[str, tuple[RelatedModule, ...]]:
    folders: dict[str, dict[str, RelatedModule]] = {}
    for record in records:
        # The first document (in sorted order) that indexes a path stands for it.
        folder = folders.setdefault(record.folder, {})
        folder.setdefault(record.path, (record.path, record.docname, record.anchor))
    return {name: tuple(paths.values()) for name, paths in sorted(folders.items())}
