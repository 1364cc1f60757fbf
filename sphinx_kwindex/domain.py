"""The ``kw`` domain: what every document indexed, kept per document; the
folder map and reverse index derived from it; keyword objects, references
and the Keyword Index."""

from __future__ import annotations

import itertools
import marshal
import os
import posixpath
import secrets
import stat
from collections import Counter
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple, TypeVar

from sphinx.domains import Domain, Index, IndexEntry, ObjType
from sphinx.util.nodes import make_refnode

from sphinx_kwindex._i18n import _
from sphinx_kwindex.garbage_collection import collection_paused
from sphinx_kwindex.kinds import BY_OBJECT_TYPE, KEYWORD, KINDS
from sphinx_kwindex.module_tree import GeneratedTree
from sphinx_kwindex.names import folder_docname, index_page_name
from sphinx_kwindex.outputs import has_keyword_index
from sphinx_kwindex.reverse_index import (
    IndexLayout,
    KeywordGroup,
    RecordedKeyword,
    build_reverse_index,
    lay_out_index,
)
from sphinx_kwindex.roles import KeywordRole

if TYPE_CHECKING:
    from collections.abc import (
        Container,
        Iterable,
        Iterator,
        Mapping,
        Sequence,
        Set,
    )

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

ObjectEntry = tuple[str, str, str, str, str, int]
"""What :meth:`KeywordDomain.get_objects` gives of an object: name, display
name, object type, docname, anchor, search priority."""

FIXTURE_USERS_SHOWN = 8
"""How many of the tests that use a fixture its entry links to."""


class ModuleRecord:
    """One ``kwindex`` directive's module, as rendered in ``docname``.

    Stored in the pickled environment, which every build loads: its keywords
    are kept as one marshalled string, unpacked when first asked for (a
    build that reads no document never does; named tuples would unpickle
    one by one through Python code, each a garbage collector's charge). A
    change of its shape, or of
    :class:`~sphinx_kwindex.reverse_index.RecordedKeyword`'s, needs a new
    :attr:`KeywordDomain.data_version`.
    """

    __slots__ = (
        "_keywords",
        "_tests",
        "anchor",
        "docname",
        "fixture_uses",
        "in_indexes",
        "kinds",
        "linked_to_source",
        "part",
        "path",
        "uses",
    )

    def __init__(
        self,
        path: str,
        docname: str,
        anchor: str,
        kinds: tuple[str, ...],
        keywords: tuple[RecordedKeyword, ...] | bytes,
        in_indexes: bool,
        linked_to_source: bool,
        fixture_uses: tuple[FixtureUse, ...] = (),
        part: tuple[int, int] = (1, 1),
        tests: tuple[tuple[str, str, int | None], ...] | bytes = (),
        uses: tuple[tuple[str, tuple[str, ...]], ...] = (),
    ) -> None:
        self.path = path
        """Relative to ``kwindex_root``, POSIX."""
        self.docname = docname
        self.anchor = anchor
        self.kinds = kinds
        self._keywords = keywords
        self.in_indexes = in_indexes
        """Whether its keywords are in the indexes and link targets (False
        under ``:no-index:``)."""
        self.linked_to_source = linked_to_source
        """False under ``:no-source:`` or without source pages."""
        self.fixture_uses = fixture_uses
        """The fixtures of the tree its listed tests use."""
        self.part = part
        """``(k, n)``: the block shows the ``k``-th of ``n`` runs of the
        module's entries (``:part:``)."""
        self._tests = tests if isinstance(tests, bytes) else marshal.dumps(tests)
        self.uses = uses
        """``(node id, objects)`` of each test it shows that uses objects of
        the project under test (``api_uses.test_uses``), by defined name."""

    @property
    def keywords(self) -> tuple[RecordedKeyword, ...]:
        """Its keywords as the page shows them, in order."""
        if isinstance(self._keywords, bytes):
            with collection_paused():
                found = marshal.loads(self._keywords) if self._keywords else ()
                self._keywords = tuple(map(RecordedKeyword._make, found))
        return self._keywords

    @property
    def tests(self) -> tuple[tuple[str, str, int | None], ...]:
        """``(node id, entry id, items)`` of each test it shows: every node
        id is a target of its own (tests of one name in several classes).
        Kept marshalled, unpacked anew each time asked for: a module of
        100,000 tests would hold them all, every build, for the few asked."""
        tests: tuple[tuple[str, str, int | None], ...] = marshal.loads(self._tests)
        return tests

    @property
    def has_keywords(self) -> bool:
        """Whether it shows any keyword (without unpacking them)."""
        return bool(self._keywords)

    @property
    def folder(self) -> str:
        """The module's folder, relative to ``kwindex_root``."""
        return posixpath.dirname(self.path)

    def __reduce__(self) -> tuple[Any, ...]:
        keywords = self._keywords
        if not isinstance(keywords, bytes):
            keywords = marshal.dumps(tuple(map(tuple, keywords))) if keywords else b""
        fixtures = tuple(map(tuple, self.fixture_uses))
        return _record, (
            self.path,
            self.docname,
            self.anchor,
            self.kinds,
            keywords,
            self.in_indexes,
            self.linked_to_source,
            fixtures,
            self.part,
            self._tests,
            self.uses,
        )


def _record(
    path: str,
    docname: str,
    anchor: str,
    kinds: tuple[str, ...],
    keywords: bytes,
    in_indexes: bool,
    linked_to_source: bool,
    fixtures: Iterable[Iterable[Any]],
    part: tuple[int, int],
    tests: bytes,
    uses: tuple[tuple[str, tuple[str, ...]], ...],
) -> ModuleRecord:
    """A :class:`ModuleRecord` from what it pickles into."""
    fixture_uses = tuple(map(FixtureUse._make, fixtures))
    return ModuleRecord(
        path,
        docname,
        anchor,
        kinds,
        keywords,
        in_indexes,
        linked_to_source,
        fixture_uses,
        part,
        tests,
        uses,
    )


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
        if docnames is None:
            # Only HTML builders ask for every document, and they write the
            # pages themselves: Sphinx need only know whether there is one.
            has_entries = any(
                r.in_indexes and r.has_keywords for r in self.domain.records()
            )
            return ([("", [])] if has_entries else []), True
        wanted = set(docnames)
        content: dict[str, list[IndexEntry]] = {}
        labels = {key: _(kind.label) for key, kind in KINDS.items()}
        for group in self.domain.keywords.values():
            entries = [e for e in group.entries if e.docname in wanted]
            if entries:
                listed = content.setdefault(group.letter or _("Symbols"), [])
                listed.extend(_index_entries(group.name, entries, labels))
        return list(content.items()), True


def _index_entries(
    name: str, entries: list[RecordedKeyword], labels: dict[str, str]
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


PAGE_SETS = ("untested_pages", "failures_pages")
"""The documents holding a directive whose list is made once all is read
(``kwindex-untested``, ``kwindex-failures``), by directive."""


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
        "files": {},
    }
    data_version = 19
    """The version of all the extension keeps in the environment (also its
    ``env_version``): bump it whenever :class:`ModuleRecord`, the
    :class:`~sphinx_kwindex.module_tree.GeneratedTree` or what they hold
    change shape, and when pages show more of the same modules: Sphinx then
    starts from a fresh environment, and every page is read again."""

    def __init__(self, env: BuildEnvironment) -> None:
        super().__init__(env)
        # Derived from the records when first asked for in a process, so
        # never pickled (Sphinx pickles domain data, not domain objects): a
        # build that reads nothing and writes no page derives nothing.
        self._derived: _Derived | None = None
        self._test_targets: dict[str, dict[str, TestTarget]] = {}
        self._by_path: dict[str, list[ModuleRecord]] | None = None
        self._layout: tuple[dict[str, KeywordGroup], IndexLayout] | None = None
        self.read: set[str] = set()
        """The documents read or removed in this build."""
        self.results_changed = False
        """Whether the records of runs (``kwindex_results``) changed in this
        build."""

    @property
    def changed(self) -> bool:
        """Whether a document was read or removed in this build."""
        return bool(self.read)

    @property
    def generation(self) -> str:
        """Names the records as they stand: a new one whenever a build reads
        or removes a document, kept with them in the environment, so pages
        made from the records can be known to be up to date."""
        return str(self.data.get("generation", ""))

    @property
    def tree(self) -> GeneratedTree:
        """The tree of :confval:`kwindex_modules` as last generated (empty
        before any)."""
        tree: GeneratedTree | None = self.data.get("tree")
        return tree or GeneratedTree()

    def note_tree(self, tree: GeneratedTree) -> None:
        """Keep ``tree``, the tree just generated."""
        self.data["tree"] = tree

    @property
    def parsed_while_reading(self) -> dict[str, dict[str, Any]]:
        """What reading each document parsed (``parsed_store.ParsedModule`` by
        path), which reading processes hand back with their documents, for
        the main process to keep once all is read."""
        parsed: dict[str, dict[str, Any]] = self.data.setdefault("parsed", {})
        return parsed

    @property
    def modules(self) -> dict[str, list[ModuleRecord]]:
        """The modules each document indexes, in document order."""
        modules: dict[str, list[ModuleRecord]] = self.data.setdefault("modules", {})
        return modules

    @property
    def files(self) -> dict[str, set[str]]:
        """The files each document shows something of, by absolute path."""
        files: dict[str, set[str]] = self.data.setdefault("files", {})
        return files

    def note_file(self, docname: str, path: str) -> None:
        """Note that ``docname`` shows what the file at ``path`` holds: it is
        read again when the file changes or goes (Sphinx's own dependencies
        would do the same, each kept as a ``Path`` that every build unpickles
        one by one: a large tree's pages hold several thousand)."""
        self.files.setdefault(docname, set()).add(path)

    @property
    def folders(self) -> dict[str, tuple[RelatedModule, ...]]:
        """Indexed modules per folder, derived after every read phase."""
        folders: dict[str, tuple[RelatedModule, ...]]
        folders = self.data.setdefault("folders", {})
        return folders

    @property
    def derived(self) -> _Derived:
        """What the records give together, derived once they are all read."""
        if self._derived is None:
            self._derived = _derive(self.all_modules())
        return self._derived

    @property
    def keywords(self) -> dict[str, KeywordGroup]:
        """The reverse index (keyword name to its entries, in Keyword Index
        order), of the modules not under ``:no-index:``."""
        return self.derived.keywords

    @property
    def linked_sources(self) -> frozenset[str]:
        """The modules some entry links to the source page of."""
        return self.derived.linked

    def test_target(self, node_id: str) -> TestTarget | None:
        """The entry showing the test ``node_id`` (the first page's), where
        keywords are targets; a module's tests are looked up together, the
        first time one of them is asked for."""
        path = node_id.partition("::")[0]
        if path not in self._test_targets:
            records = self.derived.test_records.get(path, ())
            self._test_targets[path] = tests_by_node_id(records)
        return self._test_targets[path].get(node_id)

    def tested_by(self, name: str) -> tuple[str, ...]:
        """The tests (node ids) that use the object defined as ``name``,
        nearest first."""
        return self.derived.tested_by.get(name, ())

    def fixture_users(self, path: str, name: str) -> list[FixtureUser]:
        """The tests that use the fixture ``name`` of the module ``path``, by
        node id (each once)."""
        return self.derived.users.get((path, name), [])

    def index_layout(self) -> IndexLayout:
        """The pages of the Keyword Index, laid out once per reverse index."""
        if self._layout is None or self._layout[0] is not self.keywords:
            groups = list(self.keywords.values())
            indexed = len({r.path for r in self.records() if r.in_indexes})
            with collection_paused():
                layout = replace(lay_out_index(groups), indexed_modules=indexed)
                self._layout = (self.keywords, layout)
        return self._layout[1]

    def index_page_of(self, group: KeywordGroup) -> str:
        """The docname of the Keyword Index page that lists ``group``."""
        return index_page_name(self.index_layout().page_of[group.name])

    def note_module(self, record: ModuleRecord) -> None:
        """Record that ``record.docname`` indexes a module."""
        self.modules.setdefault(record.docname, []).append(record)
        self.note_read(record.docname)

    def note_read(self, docname: str) -> None:
        """Note that ``docname`` was read or removed: what is derived is stale."""
        self.read.add(docname)
        self._derived = None
        self._test_targets = {}
        self._by_path = None
        self.data.pop("objects", None)

    def records(self) -> Iterator[ModuleRecord]:
        """Every module record of the project, in no particular order."""
        return (record for recs in self.modules.values() for record in recs)

    def records_of(self, path: str) -> list[ModuleRecord]:
        """The records of the module at ``path``, on every page showing it
        (grouped by path once per process while nothing is read)."""
        if self._by_path is None:
            self._by_path = {}
            for record in self.records():
                self._by_path.setdefault(record.path, []).append(record)
        return self._by_path.get(path, [])

    def all_modules(self) -> list[ModuleRecord]:
        """Every module record of the project, in a stable order."""
        return sorted(self.records(), key=lambda r: (r.path, r.docname, r.anchor))

    def derive(self) -> tuple[set[str], set[tuple[str, str]], bool]:
        """Derive the folder map from every record, and what the records
        give together; the folders whose indexed modules changed, the
        fixtures whose entries show other users, and whether the project's
        totals changed."""
        folders = _group_by_folder(self.all_modules())
        previous = self.folders
        self.data["folders"] = folders
        shown = {
            key: (len(users), tuple(users[:FIXTURE_USERS_SHOWN]))
            for key, users in self.derived.users.items()
        }
        shown_before: dict[tuple[str, str], Any] = self.data.get("fixture_users", {})
        self.data["fixture_users"] = shown
        totals = project_totals(self.all_modules())
        totals_changed = totals != self.data.get("totals")
        self.data["totals"] = totals
        with collection_paused():
            self.data["objects"] = self.make_objects()
        changed = changed_keys(folders, previous), changed_keys(shown, shown_before)
        return (*changed, totals_changed)

    def clear_doc(self, docname: str) -> None:
        self.modules.pop(docname, None)
        for key in ("files", "parsed", "tested_lists"):
            self.data.get(key, {}).pop(docname, None)
        for key in PAGE_SETS:
            self.data.get(key, set()).discard(docname)
        self.note_read(docname)

    def merge_domaindata(self, docnames: Set[str], otherdata: dict[str, Any]) -> None:
        for docname in docnames:
            if docname in otherdata["modules"]:
                self.modules[docname] = otherdata["modules"][docname]
                self.note_read(docname)
            for key in ("files", "parsed", "tested_lists"):
                if docname in otherdata.get(key, {}):
                    self.data.setdefault(key, {})[docname] = otherdata[key][docname]
            for key in PAGE_SETS:
                if docname in otherdata.get(key, ()):
                    self.data.setdefault(key, set()).add(docname)

    def find_entries(
        self, target: str, objtypes: Iterable[str]
    ) -> list[RecordedKeyword] | list[TestTarget]:
        """The entries ``target`` names: ``name``, or ``path::name`` for one
        module's; a pytest node id ``path::Class::test`` names the test."""
        path, separator, name = target.strip().lstrip("/").partition("::")
        if not separator:
            path, name = "", path
        node_id_of_test = "::" in name
        objtypes = list(objtypes)
        if node_id_of_test and KINDS["tests"].object_type in objtypes:
            found = self.test_target(f"{path}::{name}")
            return [] if found is None else [found]
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

    def get_objects(self) -> Iterator[ObjectEntry]:
        """Each entry of ``kwindex_object_kinds`` as ``path::name``, where a
        module not under ``:no-index:`` shows it (the first such page).

        They make ``objects.inv`` and the search's object results; search
        lists definitions before names used from elsewhere and leaves out
        definitions made only inside functions. Every keyword, of every
        kind, stays a target of ``:kw:`` in the project."""
        # Sphinx asks twice per build (inventory, search): made once, kept
        # with the records (a build that reads nothing unpacks no record) in
        # marshalled runs, unpacked a run at a time (100,000 tests are as
        # many objects, every build).
        runs = self.data.get("objects")
        if not isinstance(runs, tuple):
            runs = self.data["objects"] = self.make_objects()
        for run in runs:
            with collection_paused():
                found: list[ObjectEntry] = marshal.loads(run)
            yield from found

    def make_objects(self) -> tuple[bytes, ...]:
        """The objects of :meth:`get_objects`, made from the records, in
        marshalled runs of :data:`_OBJECTS_RUN`."""
        kinds = frozenset(self.env.config.kwindex_object_kinds)
        found = _objects(self.all_modules(), kinds)
        runs = []
        while run := list(itertools.islice(found, _OBJECTS_RUN)):
            runs.append(marshal.dumps(run))
        return tuple(runs)


_OBJECTS_RUN = 5000
"""How many objects are marshalled together."""


def generated_tree(env: BuildEnvironment) -> GeneratedTree:
    """The tree of :confval:`kwindex_modules` generated for ``env``."""
    return get_domain(env).tree


def get_domain(env: BuildEnvironment) -> KeywordDomain:
    """The ``kw`` domain of ``env``."""
    domain = env.get_domain(KeywordDomain.name)
    assert isinstance(domain, KeywordDomain)
    return domain


def note_file(env: BuildEnvironment, path: str | os.PathLike[str]) -> None:
    """Note that the document being read shows what the file at ``path``
    holds (:meth:`KeywordDomain.note_file`)."""
    get_domain(env).note_file(env.docname, os.fspath(path))


def outdated_by_files(
    app: Sphinx,
    env: BuildEnvironment,
    added: Set[str],
    changed: Set[str],
    removed: Set[str],
) -> list[str]:
    """The documents to read again because a file they show changed or went
    since they were read (``env-get-outdated``), as Sphinx decides for its
    own dependencies: each file is looked at once."""
    settled = added | changed | removed
    modified: dict[str, int | None] = {}
    outdated = []
    for docname, files in get_domain(env).files.items():
        read_at = env.all_docs.get(docname)
        if docname in settled or read_at is None:
            continue
        for file in files:
            if file not in modified:
                modified[file] = _modified_time(file)
            mtime = modified[file]
            if mtime is None or mtime > read_at:
                outdated.append(docname)
                break
    return sorted(outdated)


def _modified_time(path: str) -> int | None:
    """When the file at ``path`` was last modified, in microseconds rounded
    up (as Sphinx compares them), or None when it is no file."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return -(found.st_mtime_ns // -1_000) if stat.S_ISREG(found.st_mode) else None


def derive_project_data(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Once all is read: derive the folder map, the reverse index and the
    users of each fixture, and rewrite the pages whose folder or fixtures'
    users changed (``env-updated``): a module added to or removed from a
    folder changes the "related modules" of every page indexing that
    folder, a test module edited the "used by" of the fixtures it needs.
    Where no document was read or removed, nothing changed."""
    domain = get_domain(env)
    if not domain.changed:
        return []
    domain.data["generation"] = secrets.token_hex(8)
    folders, fixtures, totals = domain.derive()
    tree = domain.tree
    top = [folder_docname(tree.output_dir, "")] if totals and tree.folders else []
    return sorted(
        {
            *top,
            *(
                r.docname
                for r in domain.all_modules()
                if r.folder in folders
                or any(
                    k.kind == "fixtures" and (r.path, k.name) in fixtures
                    for k in r.keywords
                )
            ),
        }
    )


def _objects(
    records: Iterable[ModuleRecord], kinds: Container[str]
) -> Iterator[ObjectEntry]:
    """The objects of the entries of ``kinds`` of ``records`` not under
    ``:no-index:``, each keyword of a module once (its first record's)."""
    seen: set[tuple[str, str, str]] = set()
    for record in records:
        if not record.in_indexes:
            continue
        for e in record.keywords:
            key = (e.path, e.kind, e.name)
            # A test is an object by its node id, each its own.
            if e.kind not in kinds or e.kind == "tests" or key in seen:
                continue
            seen.add(key)
            kind = KINDS[e.kind]
            priority = -1 if e.local else (2 if kind.link_rule.external else 1)
            fullname = f"{e.path}::{e.name}"
            yield fullname, fullname, kind.object_type, e.docname, e.entry_id, priority
        if "tests" in kinds:
            for node_id, entry_id, _items in record.tests:
                if (record.path, "tests", node_id) not in seen:
                    seen.add((record.path, "tests", node_id))
                    test = KINDS["tests"].object_type
                    yield node_id, node_id, test, record.docname, entry_id, 1


@dataclass(frozen=True, slots=True)
class _Derived:
    """What the records of every document give together."""

    keywords: dict[str, KeywordGroup]
    linked: frozenset[str]
    users: dict[tuple[str, str], list[FixtureUser]]
    test_records: dict[str, tuple[ModuleRecord, ...]]
    """The records showing each module's tests where keywords are targets,
    by the module's path, in a stable order."""
    tested_by: dict[str, tuple[str, ...]]
    """The tests (node ids) that use each object of the project under test,
    by its defined name, nearest first (:func:`nearest_first`)."""


def _derive(records: Sequence[ModuleRecord]) -> _Derived:
    """The reverse index, the modules linked to their source pages and the
    users of each fixture, from ``records``."""
    with collection_paused():  # tens of thousands of entries, no cycle
        return _Derived(
            build_reverse_index(
                entry
                for record in records
                if record.in_indexes
                for entry in record.keywords
            ),
            frozenset(r.path for r in records if r.linked_to_source),
            _fixture_users(records),
            _test_records(records),
            _tested_by(records),
        )


def _tested_by(records: Iterable[ModuleRecord]) -> dict[str, tuple[str, ...]]:
    """The tests that use each object, from the records' uses."""
    users: dict[str, set[str]] = {}
    for record in records:
        for node_id, used in record.uses:
            for name in used:
                users.setdefault(name, set()).add(node_id)
    return {name: nearest_first(name, tests) for name, tests in users.items()}


def nearest_first(name: str, tests: Iterable[str]) -> tuple[str, ...]:
    """``tests`` (node ids) that use the object ``name``, those whose module
    is named after the object's module or class first (``test_cart.py`` for
    ``shop.cart.Cart.add``), then in node id order."""
    words = {part.lower() for part in name.split(".")[1:]}

    def distance(node_id: str) -> tuple[int, str]:
        module = node_id.partition("::")[0].rpartition("/")[2].removesuffix(".py")
        named = {w for w in module.lower().split("_") if w} & words
        return (0 if named else 1, node_id)

    return tuple(sorted(tests, key=distance))


class TestTarget(NamedTuple):
    """A test as the target of its node id: ``name`` is the node id's part
    after the module's path (``TestCart::test_total``)."""

    name: str
    kind: str
    path: str
    docname: str
    entry_id: str


def _test_records(
    records: Iterable[ModuleRecord],
) -> dict[str, tuple[ModuleRecord, ...]]:
    """The records that show tests where keywords are targets, by path."""
    found: dict[str, list[ModuleRecord]] = {}
    for record in records:
        if record.in_indexes and "tests" in record.kinds:
            found.setdefault(record.path, []).append(record)
    return {path: tuple(recs) for path, recs in found.items()}


def tests_by_node_id(records: Iterable[ModuleRecord]) -> dict[str, TestTarget]:
    """Each test of ``records`` by node id; a test shown on several pages by
    the first."""
    found: dict[str, TestTarget] = {}
    for record in records:
        for node_id, entry_id, _items in record.tests:
            if node_id not in found:
                name = node_id.partition("::")[2]
                found[node_id] = TestTarget(
                    name, "tests", record.path, record.docname, entry_id
                )
    return found


_COUNTED_MARKERS = ("skip", "skipif", "xfail")


def project_totals(records: Iterable[ModuleRecord]) -> dict[str, int]:
    """What the project's indexed modules hold in all: modules, tests (by
    node id), their items (as far as known, and how many tests' items only
    a run knows), fixtures, and the tests or classes marked ``skip``,
    ``skipif`` and ``xfail`` (each place once)."""
    by_path: dict[str, list[ModuleRecord]] = {}
    fixtures: set[tuple[str, str]] = set()
    marked: dict[str, set[tuple[str, int]]] = {m: set() for m in _COUNTED_MARKERS}
    for record in records:
        if not record.in_indexes:
            continue
        by_path.setdefault(record.path, []).append(record)
        for keyword in record.keywords:
            if keyword.kind == "fixtures":
                fixtures.add((record.path, keyword.name))
            elif keyword.kind == "markers":
                name = keyword.name.rpartition(".")[2]
                if keyword.name.startswith("pytest.mark.") and name in marked:
                    marked[name].update((record.path, line) for line in keyword.lines)
    counts: Counter[str] = Counter()
    for recs in by_path.values():
        # A module shown on several pages (or in parts) counts each test once.
        tests = {node: items for record in recs for node, _e, items in record.tests}
        counts["tests"] += len(tests)
        counts["items"] += sum(items for items in tests.values() if items is not None)
        counts["items_unknown"] += sum(items is None for items in tests.values())
    return {
        "modules": len(by_path),
        "tests": counts["tests"],
        "items": counts["items"],
        "items_unknown": counts["items_unknown"],
        "fixtures": len(fixtures),
        **{name: len(places) for name, places in marked.items()},
    }


def changed_keys(new: Mapping[_K, object], old: Mapping[_K, object]) -> set[_K]:
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
