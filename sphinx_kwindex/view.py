"""What a page shows of one module: the view that every output renders.

No Sphinx here. :func:`module_view` takes a module's extraction, its
collection (where tests are shown), the kinds and the options, and decides
everything a reader sees of it: per kind its entries in order, a test's per
node id, grouped by the class that collects them with what may make tests
not listed, the definitions local to functions after the module's own, the
counts, and on a part of a long page, which run of the entries. The page's
nodes, the lists of other builders, the command line's text and JSON,
``kwindex.json`` and the folder tables render it and decide nothing.
"""

from __future__ import annotations

import itertools
import marshal
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence, Set
from pathlib import PurePosixPath
from typing import NamedTuple, TypeVar

from sphinx_kwindex.collect import (
    CollectedClass,
    CollectedTest,
    Collection,
    Ignored,
    ImportTimeNote,
    NotCollected,
)
from sphinx_kwindex.extract import (
    Keyword,
    Location,
    ModuleExtraction,
)
from sphinx_kwindex.fixtures import UsedFixture
from sphinx_kwindex.kinds import KINDS, LinkRule
from sphinx_kwindex.names import (
    api_targets,
    entry_anchor,
    group_anchor,
    pytest_node_id,
)
from sphinx_kwindex.parameters import PARAMETRIZE
from sphinx_kwindex.pytest_config import CollectRules


def test_keywords(tests: Iterable[CollectedTest]) -> tuple[Keyword, ...]:
    """The ``tests`` keywords of collected ``tests``: one per name, sorted,
    located where each collecting class has it."""
    by_name: dict[str, list[Location]] = {}
    for test in tests:
        by_name.setdefault(test.name, []).append(test_location(test))
    return tuple(Keyword(name, tuple(by_name[name])) for name in sorted(by_name))


def test_location(test: CollectedTest) -> Location:
    """Where a collected test stands, as its keyword locates it."""
    return Location(
        test.qualname,
        test.line,
        test.doc,
        test.defined_path,
        test.items,
        test.inherited_from,
        test.fixtures,
        test.unknown,
        test.deselected,
        test.condition,
    )


class ViewOptions(NamedTuple):
    """What a module's view is asked to show: ``kinds`` in order, without
    the keywords whose name ``exclude`` finds, sorted by ``sort`` (one of
    :data:`SORT_ORDERS`), and of a page cut into parts, ``part`` ``(k, n)``."""

    kinds: tuple[str, ...]
    exclude: re.Pattern[str] | None = None
    sort: str = "name"
    part: tuple[int, int] = (1, 1)


class KindItems(NamedTuple):
    """What the list of one kind shows, in order, before its entries are
    made: its ``keywords``, or for tests the ``tests`` (an entry each);
    ``local_from`` the first keyword defined inside a function, if any."""

    kind: str
    keywords: Sequence[Keyword] = ()
    tests: list[CollectedTest] | None = None
    local_from: int | None = None

    @property
    def size(self) -> int:
        """How many entries the list has."""
        return len(self.keywords) if self.tests is None else len(self.tests)


class ModuleView(NamedTuple):
    """What a page shows of the module at ``path``: the list of each kind
    it shows (on a part of a page, those with entries on it), the
    collection its tests come from, where it lists tests, and the qualnames
    of the functions the module defines (what is local to one)."""

    path: str
    lists: tuple[KindView, ...]
    collection: Collection | None = None
    functions: frozenset[str] = frozenset()


def module_view(
    path: str,
    module: ModuleExtraction,
    options: ViewOptions,
    collection: Collection | None = None,
    block_id: str = "",
) -> ModuleView:
    """The view of ``module`` at ``path`` under ``options``, its tests from
    ``collection`` (given where ``tests`` is among the kinds), entry ids
    within the block ``block_id``."""
    functions = frozenset(function_qualnames(module.of_kind("functions")))
    items = [
        kind_items(kind, module, options, collection, functions)
        for kind in options.kinds
    ]
    windows = part_windows([i.size for i in items], *options.part)
    lists = tuple(
        kind_view(path, module, listed, window, collection, block_id)
        for listed, window in zip(items, windows, strict=True)
        if window is not None
    )
    return ModuleView(path, lists, collection, functions)


def kind_items(
    kind: str,
    module: ModuleExtraction,
    options: ViewOptions,
    collection: Collection | None,
    functions: Set[str],
) -> KindItems:
    """What the list of ``kind`` of ``module`` shows under ``options``, in
    order: tests as ``collection`` has them; functions without the tests
    and fixtures listed as such; definitions local to ``functions`` (the
    qualnames of the module's) last."""
    tests = None if collection is None else collection.tests
    if kind == "tests" and tests is not None:
        return KindItems(kind, tests=select_tests(tests, options.exclude))
    found = module.of_kind(kind)
    if kind == "functions":
        found = functions_shown(found, module, options.kinds, tests)
    keywords = select_keywords(found, options.exclude, options.sort)
    keywords, local_from = own_first(kind, keywords, functions)
    return KindItems(kind, keywords, local_from=local_from)


def kind_view(
    path: str,
    module: ModuleExtraction,
    items: KindItems,
    window: range,
    collection: Collection | None,
    block_id: str,
) -> KindView:
    """The list of ``items``, of its entries those at the positions of
    ``window`` (only those are made), with the keywords they show."""
    kind = items.kind
    whole = len(window) == items.size
    groups: tuple[TestGroup, ...] = ()
    if items.tests is not None and collection is not None:
        entries, groups = shown_tests(
            path, block_id, module, items.tests, collection, None if whole else window
        )
        # A test's keyword belongs to the part where its name is first shown.
        firsts = {
            entry.name
            for entry in entries
            if entry.entry_id == entry_anchor(block_id, kind, entry.name)
        }
        keywords = test_keywords(t for t in items.tests if whole or t.name in firsts)
    else:
        keywords = tuple(items.keywords[window.start : window.stop])
        entries = tuple(keyword_entry(path, block_id, kind, k) for k in keywords)
    view = KindView(kind, entries, keywords, groups, items.local_from)
    if whole:
        return view
    return view._replace(offset=window.start, total=items.size)


def kind_sizes(
    module: ModuleExtraction, kinds: Sequence[str], collection: Collection | None = None
) -> dict[str, int]:
    """How many entries a page showing ``kinds`` of ``module`` lists of
    each (tests from ``collection``), without making them."""
    options = ViewOptions(tuple(kinds))
    functions = function_qualnames(module.of_kind("functions"))
    return {
        kind: kind_items(kind, module, options, collection, functions).size
        for kind in kinds
    }


SORT_ORDERS = ("name", "source")
"""``name``: plain string order; ``source``: order of first appearance."""


class EntryLocation(NamedTuple):
    """One location of a keyword as a page shows it."""

    shown: str
    """The qualified name or node id, or ``""`` when it says no more than the name."""
    line: int
    doc: str
    """The first line of the docstring, for classes and functions."""
    path: str = ""
    """The module the line is in, when it is another one (an inherited test)."""
    items: int | None = 1
    """For a test: how many items pytest makes of it (None: only a run knows)."""
    defined_in: str = ""
    """For a test: the class that defines it, where it inherits it."""
    fixtures: tuple[UsedFixture, ...] = ()
    """For a test: the fixtures it uses."""
    markers: tuple[tuple[str, str], ...] = ()
    """For a test: its markers (but ``parametrize``) and their reasons."""
    unknown: str = ""
    """For a test whose items or their ids only a run knows: why."""
    deselected: str = ""
    """For a test ``addopts`` deselects: by what (``-m 'not slow'``)."""
    condition: str = ""
    """For a module-level test function defined in ``if`` blocks, when."""


class TestGroup(NamedTuple):
    """The tests one class collects (``node`` its node path, ``""`` for the
    module's own functions) as a page shows them: so many entries on."""

    node: str
    line: int
    doc: str
    size: int
    items: int | None
    """How many items its tests make, None when only a run can tell."""
    unseen_bases: tuple[str, ...] = ()
    """Its bases found nowhere in the tree, whose tests are not listed."""
    made_at_import: tuple[ImportTimeNote, ...] = ()
    """What may make tests of it when the module is imported, which only a
    run can list (``path`` ``""``: the page's module)."""
    condition: str = ""
    """When its class is defined, where an ``if`` decides."""
    ignored: tuple[Ignored, ...] = ()
    """For the module's own group: the ``collect_ignore`` entries naming
    it."""
    anchor: str = ""
    """The id of a class's group (its general index entry's target); ``""``
    for the module's own."""
    deselected: int = 0
    """How many of its tests ``addopts`` deselects."""
    not_collected: NotCollected | None = None
    """For the module's own group: the rule that keeps pytest from the
    module."""

    @property
    def noted(self) -> bool:
        """Whether its heading says why tests may be missing, or listed
        though pytest may not collect them."""
        return bool(
            self.unseen_bases
            or self.made_at_import
            or self.condition
            or self.ignored
            or self.not_collected
        )


class Entry(NamedTuple):
    """A keyword as a page shows it (named tuples: a page holds hundreds)."""

    name: str
    entry_id: str
    locations: tuple[EntryLocation, ...]
    api_targets: tuple[str, ...]
    """The Python names it may be documented under, most likely first."""


class KindView(NamedTuple):
    """The list of one kind as a page shows it: its entries, the keywords
    they show (a test's keyword where its name is first shown), for tests
    their ``groups``; ``local_from`` the first entry defined inside a
    function, if any. Where the page shows a part of the list, its entries
    start at ``offset`` of the ``total`` it holds whole."""

    kind: str
    entries: tuple[Entry, ...]
    keywords: tuple[Keyword, ...] = ()
    groups: tuple[TestGroup, ...] = ()
    local_from: int | None = None
    offset: int = 0
    total: int | None = None

    def sections(self) -> list[Section]:
        """How its entries are laid out (:func:`part_sections`)."""
        return part_sections(
            len(self.entries), self.groups, self.local_from, self.offset, self.total
        )


def part_windows(sizes: Sequence[int], number: int, count: int) -> list[range | None]:
    """Which entries of lists of ``sizes`` part ``number`` of ``count`` of a
    page shows: the entries of every list, in order, cut into ``count``
    near-equal runs; per list its positions in this part's run, None for a
    list with none in it (but an empty list shows on the first part)."""
    if count == 1:
        return [range(size) for size in sizes]
    total = sum(sizes)
    start, end = (number - 1) * total // count, number * total // count
    windows: list[range | None] = []
    offset = 0
    for size in sizes:
        first = min(max(start - offset, 0), size)
        last = min(max(end - offset, 0), size)
        offset += size
        empty = first == last and (size or number > 1)
        windows.append(None if empty else range(first, last))
    return windows


def pack_entries(entries: Iterable[Entry]) -> bytes:
    """``entries`` as one marshalled string, for a doctree to keep: Sphinx
    holds every doctree a build reads until it is written, and a module of
    100,000 tests shows as many entries, in named tuples a kilobyte each."""
    return marshal.dumps(
        tuple(
            (
                entry.name,
                entry.entry_id,
                tuple(
                    (
                        *location[:6],
                        tuple(map(tuple, location.fixtures)),
                        location.markers,
                        location.unknown,
                        location.deselected,
                        location.condition,
                    )
                    for location in entry.locations
                ),
                entry.api_targets,
            )
            for entry in entries
        )
    )


def unpack_entries(data: bytes) -> tuple[Entry, ...]:
    """The entries :func:`pack_entries` packed into ``data``."""
    return tuple(
        Entry(
            name,
            entry_id,
            tuple(
                EntryLocation._make(
                    (
                        *fields,
                        tuple(map(UsedFixture._make, used)),
                        markers,
                        unknown,
                        deselected,
                        condition,
                    )
                )
                for *fields, used, markers, unknown, deselected, condition in locations
            ),
            api_targets,
        )
        for name, entry_id, locations, api_targets in marshal.loads(data)
    )


def test_module_kinds(
    path: str, rules: CollectRules, test_kinds: Sequence[str]
) -> tuple[str, ...] | None:
    """The kinds the generated page of the module at ``path`` shows if it is
    a module pytest collects tests from under ``rules`` (``test_kinds``) or
    a ``conftest.py`` (the same, but tests); None for other modules, whose
    pages show the directive's default kinds (:func:`kinds_by_default`)."""
    if PurePosixPath(path).name == "conftest.py":
        return tuple(kind for kind in test_kinds if kind != "tests")
    if rules.collects_file(path):
        return tuple(test_kinds)
    return None


def kinds_by_default(kinds: Sequence[str], module: ModuleExtraction) -> tuple[str, ...]:
    """The kinds a generated page shows of ``module`` that is no test
    module: ``kinds``, and the module's fixtures if it defines any (tests
    link to them)."""
    if "fixtures" in kinds or not module.of_kind("fixtures"):
        return tuple(kinds)
    return (*kinds, "fixtures")


def select_keywords(
    keywords: Iterable[Keyword], exclude: re.Pattern[str] | None, sort: str
) -> list[Keyword]:
    """``keywords`` without those whose name ``exclude`` finds, ordered by ``sort``."""
    kept = _not_excluded(keywords, exclude)
    if sort == "source":
        kept.sort(key=lambda keyword: (keyword.first_line, keyword.name))
    return kept


def select_tests(
    tests: Iterable[CollectedTest], exclude: re.Pattern[str] | None
) -> list[CollectedTest]:
    """``tests`` without those whose name ``exclude`` finds (their order is
    pytest's: ``:sort:`` does not apply)."""
    return _not_excluded(tests, exclude)


_Named = TypeVar("_Named", Keyword, CollectedTest)


def _not_excluded(
    items: Iterable[_Named], exclude: re.Pattern[str] | None
) -> list[_Named]:
    return [item for item in items if exclude is None or not exclude.search(item.name)]


def functions_shown(
    keywords: Iterable[Keyword],
    module: ModuleExtraction,
    kinds: Iterable[str],
    tests: Iterable[CollectedTest] | None,
) -> tuple[Keyword, ...]:
    """The functions ``keywords`` a page showing ``kinds`` lists: not the
    module's ``tests`` (where it lists them) nor its fixtures (where it
    lists those), so that each is shown once."""
    defined = {test.definition for test in tests or () if not test.defined_path}
    if "fixtures" in kinds:
        defined.update(function_qualnames(module.of_kind("fixtures")))
    kept = []
    for keyword in keywords:
        locations = tuple(
            location
            for location in keyword.locations
            if location.qualname not in defined
        )
        if locations:
            kept.append(keyword._replace(locations=locations))
    return tuple(kept)


def own_first(
    kind: str, keywords: list[Keyword], functions: Set[str]
) -> tuple[list[Keyword], int | None]:
    """``keywords`` with those defined only inside function bodies (a class
    a test makes for itself; ``functions`` holds the module's function
    qualnames) moved after the module's own, and where they start (None
    when there are none)."""
    if KINDS[kind].link_rule is not LinkRule.DEFINITION:
        return keywords, None
    own: list[Keyword] = []
    local: list[Keyword] = []
    for keyword in keywords:
        (local if only_inside_functions(keyword, functions) else own).append(keyword)
    return own + local, len(own) if local else None


def shown_name(path: str, kind: str, name: str, qualname: str) -> str:
    """How a location is named: pytest node ids for tests and markers, else the
    qualified name or import path when it says more than ``name``."""
    if KINDS[kind].node_ids:
        return pytest_node_id(path, qualname)
    return "" if qualname == name else qualname


def keyword_entry(path: str, block_id: str, kind: str, keyword: Keyword) -> Entry:
    """What a page shows of ``keyword`` of ``kind`` in the module at ``path``,
    whose block has the id ``block_id``."""
    targets = api_targets(
        path,
        KINDS[kind].link_rule,
        keyword.name,
        (location.qualname for location in keyword.locations),
    )
    entry_id = entry_anchor(block_id, kind, keyword.name)
    return Entry(keyword.name, entry_id, entry_locations(path, kind, keyword), targets)


def entry_locations(
    path: str, kind: str, keyword: Keyword
) -> tuple[EntryLocation, ...]:
    """Every location of ``keyword`` of ``kind`` in the module at ``path``."""
    return tuple(
        entry_location(shown_name(path, kind, keyword.name, loc.qualname), loc)
        for loc in keyword.locations
    )


def entry_location(
    shown: str, location: Location, markers: tuple[tuple[str, str], ...] = ()
) -> EntryLocation:
    """``location`` as a page shows it, named ``shown``, with ``markers``."""
    return EntryLocation(
        shown,
        location.line,
        location.doc,
        location.path,
        location.items,
        location.defined_in,
        location.fixtures,
        markers,
        location.unknown,
        location.deselected,
        location.condition,
    )


def shown_tests(
    path: str,
    block_id: str,
    module: ModuleExtraction,
    tests: Iterable[CollectedTest],
    collection: Collection,
    window: range | None = None,
) -> tuple[tuple[Entry, ...], tuple[TestGroup, ...]]:
    """What a page shows of ``tests`` (of ``collection``) of the module at
    ``path``: an entry per node id, grouped by the class that collects
    them, classes and tests in pytest's order (the module's own functions
    first, with what concerns the module whole: what may make its tests
    when it is imported, the ``collect_ignore`` entries naming it, the rule
    that keeps pytest from it). A class of the collection's that collects
    none of them is shown where it has bases found nowhere or code that may
    make its tests: what they bring is not known. The first entry of a name
    has the keyword's id. Where a page shows a part, only the entries at
    the positions of ``window`` are made (the groups are the whole
    list's)."""
    classes, made_at_import = collection.classes, collection.made_at_import
    ignored, not_collected = collection.ignored, collection.not_collected
    markers = markers_by_target(module)
    defined = {
        location.qualname: location
        for keyword in module.of_kind("classes")
        for location in keyword.locations
    }
    by_class: dict[str, list[CollectedTest]] = {}
    for test in tests:
        by_class.setdefault(test.qualname.rpartition(".")[0], []).append(test)
    collected = {cls.node: cls for cls in classes}
    # The module's own group: its functions, and what concerns it whole.
    collected[""] = CollectedClass("", (), tuple(made_at_import))
    whole = made_at_import or ignored or not_collected
    nodes: list[str] = [""] if "" in by_class or whole else []
    nodes += [
        cls.node
        for cls in classes
        if cls.node in by_class or cls.unseen_bases or cls.made_at_import
    ]
    nodes += [node for node in by_class if node not in nodes]
    entries: list[Entry] = []
    groups: list[TestGroup] = []
    named: set[str] = set()
    position = 0
    for node in nodes:
        members = by_class.get(node, [])
        cls = collected.get(node, CollectedClass(node))
        own = defined.get(node)
        line, doc = (own.line, own.doc) if own is not None else (cls.line, "")
        items = _total_items(test.items for test in members)
        groups.append(
            TestGroup(
                node,
                line,
                doc,
                len(members),
                items,
                cls.unseen_bases,
                _notes_of(path, cls.made_at_import),
                cls.condition,
                () if node else tuple(ignored),
                group_anchor(block_id, node) if node else "",
                sum(bool(test.deselected) for test in members),
                None if node else not_collected,
            )
        )
        for test in members:
            anchor_name = test.qualname if test.name in named else test.name
            named.add(test.name)
            if window is None or position in window:
                shown = _shown_test(path, block_id, test, anchor_name, markers)
                entries.append(shown)
            position += 1
    return tuple(entries), tuple(groups)


def _notes_of(path: str, notes: Iterable[ImportTimeNote]) -> tuple[ImportTimeNote, ...]:
    """``notes`` as a page of the module at ``path`` tells them: its own
    module without a name."""
    return tuple(n._replace(path="") if n.path == path else n for n in notes)


def _shown_test(
    path: str,
    block_id: str,
    test: CollectedTest,
    anchor_name: str,
    markers: Mapping[str, list[tuple[str, str]]],
) -> Entry:
    location = entry_location(
        pytest_node_id(path, test.qualname),
        test_location(test),
        tuple(m for m in markers_of_test(test, markers) if m[0] != PARAMETRIZE),
    )
    targets = api_targets(
        test.defined_path or path, LinkRule.DEFINITION, test.name, [test.definition]
    )
    entry_id = entry_anchor(block_id, "tests", anchor_name)
    return Entry(test.name, entry_id, (location,), targets)


class Section(NamedTuple):
    """A run ``[start:end]`` of a list's entries under one heading: the tests
    a class collects (``group``), the definitions inside function bodies
    (``local``), or, with neither, the list's own entries."""

    start: int
    end: int
    group: TestGroup | None = None
    local: bool = False


def list_sections(
    size: int, groups: Sequence[TestGroup] = (), local_from: int | None = None
) -> list[Section]:
    """How a list of ``size`` entries is laid out: a section per test group
    where there are ``groups``, else its own entries, then those from
    ``local_from`` on, which are defined inside functions. An empty list
    keeps only the groups whose headings say why tests may be missing."""
    if not size:
        return [Section(0, 0, group) for group in groups if group.noted]
    if groups:
        ends = list(itertools.accumulate(group.size for group in groups))
        starts = [0, *ends[:-1]]
        return [
            Section(start, end, group)
            for start, end, group in zip(starts, ends, groups, strict=True)
        ]
    split = size if local_from is None else local_from
    sections = [Section(0, split)]
    if split < size:
        sections.append(Section(split, size, local=True))
    return sections


def part_sections(
    size: int,
    groups: Sequence[TestGroup] = (),
    local_from: int | None = None,
    offset: int = 0,
    total: int | None = None,
) -> list[Section]:
    """The sections of ``size`` entries that start at ``offset`` of a list
    of ``total`` (None: the whole list): those of :func:`list_sections`
    of the whole, cut to the part. A group begun on an earlier part keeps
    its heading there, not its id; a section with no entries is on the part
    where it stands."""
    if total is None:
        return list_sections(size, groups, local_from)
    end = offset + size
    sections = []
    for section in list_sections(total, groups, local_from):
        first, last = max(section.start, offset), min(section.end, end)
        empty_here = section.start == section.end and (
            offset <= section.start < end or section.start == end == total
        )
        if first >= last and not empty_here:
            continue
        group = section.group
        if group is not None and section.start < offset:
            group = group._replace(anchor="")
        sections.append(
            Section(first - offset, max(first, last) - offset, group, section.local)
        )
    return sections


def group_name(group: TestGroup, path: str) -> str:
    """A test group's heading: its class's node path, or the module's file
    name for the module's own functions."""
    return group.node or PurePosixPath(path).name


def total_items(groups: Iterable[TestGroup]) -> int | None:
    """How many items the tests of ``groups`` make (None: only a run knows)."""
    return _total_items(group.items for group in groups)


def _total_items(counts: Iterable[int | None]) -> int | None:
    total = 0
    for count in counts:
        if count is None:
            return None
        total += count
    return total


def is_local(kind: str, keyword: Keyword, functions: Set[str]) -> bool:
    """Whether ``keyword`` is a definition that stands only inside function
    bodies (``functions`` holds the module's function qualnames): a
    throwaway class of one test is in the Keyword Index only, not in the
    general index or search."""
    if KINDS[kind].link_rule is not LinkRule.DEFINITION:
        return False
    return only_inside_functions(keyword, functions)


def only_inside_functions(keyword: Keyword, functions: Set[str]) -> bool:
    """Whether every location of ``keyword`` lies inside the body of one of
    ``functions`` (qualnames)."""
    return all(
        any(prefix in functions for prefix in _enclosing(location.qualname))
        for location in keyword.locations
    )


def function_qualnames(keywords: Iterable[Keyword]) -> set[str]:
    """The qualified names of the functions (or fixtures) ``keywords`` define."""
    return {location.qualname for keyword in keywords for location in keyword.locations}


def _enclosing(qualname: str) -> Iterator[str]:
    """``a.b.c`` gives ``a`` then ``a.b``."""
    parts = qualname.split(".")
    for end in range(1, len(parts)):
        yield ".".join(parts[:end])


def markers_of_test(
    test: CollectedTest, markers: Mapping[str, list[tuple[str, str]]]
) -> list[tuple[str, str]]:
    """The markers of this module on a test, with their reasons: on its
    ``def`` (where this module defines it), its collecting class, the module
    (``pytestmark``)."""
    collecting = test.qualname.rpartition(".")[0]
    targets = [collecting, ""]
    if not test.defined_path:
        targets.insert(0, test.definition)
    return sorted({marker for target in targets for marker in markers.get(target, ())})


def markers_by_target(module: ModuleExtraction) -> dict[str, list[tuple[str, str]]]:
    """The module's markers by the qualname of what they mark, each with its
    reason (``""`` where it gives none)."""
    found: dict[str, list[tuple[str, str]]] = {}
    for marker in module.of_kind("markers"):
        for location in marker.locations:
            found.setdefault(location.qualname, []).append((marker.name, location.doc))
    return found
