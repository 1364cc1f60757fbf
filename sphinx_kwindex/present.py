"""Display choices shared by the directive and the command line.

No Sphinx here: which kinds and keywords are shown, in what order, and how a
keyword's locations and a module are described.
"""

from __future__ import annotations

import itertools
import marshal
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import PurePosixPath
from typing import Any, NamedTuple, TypeVar

from sphinx_kwindex.collect import (
    DEFAULT_RULES,
    CollectedClass,
    CollectedTest,
    Collection,
    CollectRules,
    Ignored,
    ImportTimeNote,
    Resolver,
    collect_module,
    collect_tests,
)
from sphinx_kwindex.extract import (
    Keyword,
    Location,
    ModuleIndex,
    Problem,
    test_keywords,
    test_location,
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

RELATED_LIMIT = 8
"""How many other modules of its folder a module's page links to at most."""

JSON_VERSION = 4
"""The version of the JSON that ``kwindex.json`` and the command line give:
bump it whenever its shape changes (and say how in the docs)."""

SORT_ORDERS = ("name", "source")
"""``name``: plain string order; ``source``: order of first appearance."""

_KIND_SEPARATORS = re.compile(r"[\s,]+")


class ShownLocation(NamedTuple):
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

    @property
    def noted(self) -> bool:
        """Whether its heading says why tests may be missing, or listed
        though pytest may not collect them."""
        return bool(
            self.unseen_bases or self.made_at_import or self.condition or self.ignored
        )


class ShownKeyword(NamedTuple):
    """A keyword as a page shows it (named tuples: a page holds hundreds)."""

    name: str
    entry_id: str
    locations: tuple[ShownLocation, ...]
    api_targets: tuple[str, ...]
    """The Python names it may be documented under, most likely first."""


class KindList(NamedTuple):
    """The list of one kind as a page shows it: its entries, and for tests
    their ``groups``; ``local_from`` the first entry defined inside a
    function, if any. Where the page shows a part of the list, its entries
    start at ``offset`` of the ``total`` it holds whole."""

    kind: str
    entries: tuple[ShownKeyword, ...]
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


def pack_entries(entries: Iterable[ShownKeyword]) -> bytes:
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
                    )
                    for location in entry.locations
                ),
                entry.api_targets,
            )
            for entry in entries
        )
    )


def unpack_entries(data: bytes) -> tuple[ShownKeyword, ...]:
    """The entries :func:`pack_entries` packed into ``data``."""
    return tuple(
        ShownKeyword(
            name,
            entry_id,
            tuple(
                ShownLocation._make(
                    (*fields, tuple(map(UsedFixture._make, used)), markers)
                )
                for *fields, used, markers in locations
            ),
            api_targets,
        )
        for name, entry_id, locations, api_targets in marshal.loads(data)
    )


def parse_kinds(value: str) -> tuple[tuple[str, ...], list[str]]:
    """Split a comma- or space-separated list: ``(known kinds, unknown names)``.

    Known kinds keep their order, each once.
    """
    names = [name for name in _KIND_SEPARATORS.split(value) if name]
    kinds = tuple(dict.fromkeys(name for name in names if name in KINDS))
    return kinds, [name for name in names if name not in KINDS]


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


def kinds_by_default(kinds: Sequence[str], module: ModuleIndex) -> tuple[str, ...]:
    """The kinds a generated page shows of ``module`` that is no test
    module: ``kinds``, and the module's fixtures if it defines any (tests
    link to them)."""
    if "fixtures" in kinds or not module.of_kind("fixtures"):
        return tuple(kinds)
    return (*kinds, "fixtures")


def kind_sizes(
    module: ModuleIndex,
    path: str,
    kinds: Iterable[str],
    rules: CollectRules = DEFAULT_RULES,
    resolve: Resolver | None = None,
) -> dict[str, int]:
    """How many entries a page showing ``kinds`` of the module at ``path``
    lists of each: tests by node id, functions without the tests and
    fixtures listed as such (:func:`functions_shown`)."""
    kinds = tuple(kinds)
    tests = (
        collect_tests(path, module.shape, rules, resolve) if "tests" in kinds else None
    )
    sizes = {}
    for kind in kinds:
        if kind == "tests" and tests is not None:
            sizes[kind] = len(tests)
            continue
        found = module.of_kind(kind)
        if kind == "functions":
            found = functions_shown(found, module, kinds, tests)
        sizes[kind] = len(found)
    return sizes


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
    module: ModuleIndex,
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
    kind: str, keywords: list[Keyword], functions: set[str]
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


def shown_keyword(
    path: str, module_id: str, kind: str, keyword: Keyword
) -> ShownKeyword:
    """What a page shows of ``keyword`` of ``kind`` in the module at ``path``,
    whose block has the id ``module_id``."""
    targets = api_targets(
        path,
        KINDS[kind].link_rule,
        keyword.name,
        (location.qualname for location in keyword.locations),
    )
    entry_id = entry_anchor(module_id, kind, keyword.name)
    return ShownKeyword(
        keyword.name, entry_id, shown_locations(path, kind, keyword), targets
    )


def shown_locations(
    path: str, kind: str, keyword: Keyword
) -> tuple[ShownLocation, ...]:
    """Every location of ``keyword`` of ``kind`` in the module at ``path``."""
    return tuple(
        shown_location(shown_name(path, kind, keyword.name, loc.qualname), loc)
        for loc in keyword.locations
    )


def shown_location(
    shown: str, location: Location, markers: tuple[tuple[str, str], ...] = ()
) -> ShownLocation:
    """``location`` as a page shows it, named ``shown``, with ``markers``."""
    return ShownLocation(
        shown,
        location.line,
        location.doc,
        location.path,
        location.items,
        location.defined_in,
        location.fixtures,
        markers,
    )


def shown_tests(
    path: str,
    module_id: str,
    module: ModuleIndex,
    tests: Iterable[CollectedTest],
    classes: Iterable[CollectedClass] = (),
    made_at_import: Sequence[ImportTimeNote] = (),
    ignored: Sequence[Ignored] = (),
    window: range | None = None,
) -> tuple[tuple[ShownKeyword, ...], tuple[TestGroup, ...]]:
    """What a page shows of ``tests`` of the module at ``path``: an entry
    per node id, grouped by the class that collects them, classes and tests
    in pytest's order (the module's own functions first, with what may make
    tests of the module when it is imported, ``made_at_import``, and the
    ``collect_ignore`` entries naming it, ``ignored``). A class
    of ``classes`` that collects none of them is shown where it has bases
    found nowhere or code that may make its tests: what they bring is not
    known. The first entry of a name has the keyword's id. Where a page
    shows a part, only the entries at the positions of ``window`` are made
    (the groups are the whole list's)."""
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
    nodes: list[str] = [""] if "" in by_class or made_at_import or ignored else []
    nodes += [
        cls.node
        for cls in classes
        if cls.node in by_class or cls.unseen_bases or cls.made_at_import
    ]
    nodes += [node for node in by_class if node not in nodes]
    entries: list[ShownKeyword] = []
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
                group_anchor(module_id, node) if node else "",
            )
        )
        for test in members:
            anchor_name = test.qualname if test.name in named else test.name
            named.add(test.name)
            if window is None or position in window:
                shown = _shown_test(path, module_id, test, anchor_name, markers)
                entries.append(shown)
            position += 1
    return tuple(entries), tuple(groups)


def _notes_of(path: str, notes: Iterable[ImportTimeNote]) -> tuple[ImportTimeNote, ...]:
    """``notes`` as a page of the module at ``path`` tells them: its own
    module without a name."""
    return tuple(n._replace(path="") if n.path == path else n for n in notes)


def _shown_test(
    path: str,
    module_id: str,
    test: CollectedTest,
    anchor_name: str,
    markers: Mapping[str, list[tuple[str, str]]],
) -> ShownKeyword:
    location = shown_location(
        pytest_node_id(path, test.qualname),
        test_location(test),
        tuple(m for m in markers_of_test(test, markers) if m[0] != PARAMETRIZE),
    )
    targets = api_targets(
        test.defined_path or path, LinkRule.DEFINITION, test.name, [test.definition]
    )
    entry_id = entry_anchor(module_id, "tests", anchor_name)
    return ShownKeyword(test.name, entry_id, (location,), targets)


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


class Labels(NamedTuple):
    """The words a location is told in (English here, for the command line;
    the Sphinx glue gives them translated). Counts have a form for one and
    one for more (``%d test``, ``%d tests``)."""

    line: str = "line %d"
    in_module: str = "in %s"
    inherited: str = "inherited from %s"
    unseen_bases: str = (
        "bases found nowhere in the tree, whose tests are not listed: %s"
    )
    made_at_import: str = (
        "tests made when the module is imported are not listed, by: %s"
    )
    defined_if: str = "defined only if %s"
    ignored: str = "pytest does not collect this module: %s"
    ignored_if: str = "pytest does not collect this module if %s: %s"
    item: str = "%d item"
    items: str = "%d items"
    items_unknown: str = "items known when pytest runs"
    fixtures: str = "fixtures: %s"
    autouse: str = "autouse"
    test: str = "%d test"
    tests: str = "%d tests"
    used_by: str = "used by %s"
    more: str = "and %d more"

    def items_text(self, items: int | None) -> str:
        """``4 items``, or that only a run tells."""
        return (
            self.items_unknown
            if items is None
            else _count(self.item, self.items, items)
        )

    def place_text(self, path: str, line: int) -> str:
        """``line 12``, or in another module ``line 12 in tests/base.py``."""
        text = self.line % line
        return f"{text} {self.in_module % path}" if path else text

    def made_text(self, notes: Iterable[ImportTimeNote]) -> str:
        """The note that code made when the module is imported may make
        tests not listed, and which code: ``globals()[name] = … (line 3)``."""
        made = ", ".join(f"{n.code} ({self.place_text(n.path, n.line)})" for n in notes)
        return self.made_at_import % made

    def group_notes(self, group: TestGroup) -> list[str]:
        """What a test group's heading says beyond its name and counts:
        bases found nowhere, code that may make tests not listed, the
        condition its class is defined under."""
        notes = []
        if group.unseen_bases:
            notes.append(self.unseen_bases % ", ".join(group.unseen_bases))
        if group.made_at_import:
            notes.append(self.made_text(group.made_at_import))
        if group.condition:
            notes.append(self.defined_if % group.condition)
        notes.extend(self.ignored_text(entry) for entry in group.ignored)
        return notes

    def ignored_text(self, entry: Ignored) -> str:
        """That a ``collect_ignore`` entry keeps pytest from collecting the
        module, and if so when."""
        said = f"{entry.code} ({self.place_text(entry.path, entry.line)})"
        if entry.condition:
            return self.ignored_if % (entry.condition, said)
        return self.ignored % said

    def tests_text(self, tests: int) -> str:
        """``12 tests``."""
        return _count(self.test, self.tests, tests)

    def fixture_text(self, fixture: UsedFixture) -> str:
        """A fixture's name, and ``(autouse)`` where the test does not ask for it."""
        return f"{fixture.name} ({self.autouse})" if fixture.autouse else fixture.name

    def test_count(self, tests: int, items: int | None) -> str:
        """``12 tests, 30 items`` (the items only where known)."""
        if items is None:
            return self.tests_text(tests)
        return f"{self.tests_text(tests)}, {self.items_text(items)}"

    def users_text(self, count: int, shown: Iterable[str]) -> str:
        """``used by 12 tests: a, b and 10 more``."""
        names = list(shown)
        text = f"{self.used_by % self.tests_text(count)}: {', '.join(names)}"
        return text + (
            f" {self.more % (count - len(names))}" if count > len(names) else ""
        )


def _count(one: str, more: str, count: int) -> str:
    return (one if count == 1 else more) % count


ENGLISH = Labels()


def location_text(location: ShownLocation, labels: Labels = ENGLISH) -> str:
    """A location as plain text: ``A.setUp, line 12: Set up.``; a line of
    another module says which (``line 12 in tests/base.py``), a test the
    class it inherits it from, how many items it makes, its markers and
    fixtures."""
    text = (location.shown + ", " if location.shown else "") + labels.place_text(
        location.path, location.line
    )
    if location.defined_in:
        text += ", " + labels.inherited % location.defined_in
    if location.items != 1:
        text += f" ({labels.items_text(location.items)})"
    for name, reason in location.markers:
        text += f" [{name}{': ' + reason if reason else ''}]"
    if location.fixtures:
        names = ", ".join(labels.fixture_text(f) for f in location.fixtures)
        text += f"; {labels.fixtures % names}"
    if location.doc:
        text += f": {location.doc}"
    return text


def describe_problem(path: str, problem: Problem) -> str:
    """One line naming ``path``, the position in it when known, and the problem."""
    lead = {"missing": "cannot read", "encoding": "cannot decode"}.get(
        problem.kind, "syntax error in"
    )
    position = f":{problem.line}" if problem.line else ""
    if problem.line and problem.column:
        position += f":{problem.column}"
    return f"{lead} {path}{position}: {problem.message}"


def classify_module(path: str) -> str:
    """What a module is, from its name and folders.

    One of ``"conftest"``, ``"package init"``, ``"test module"``,
    ``"benchmark"``, ``"example"``, ``"other"``.
    """
    pure = PurePosixPath(path)
    name, folders = pure.name, {part.lower() for part in pure.parts[:-1]}
    if name == "conftest.py":
        return "conftest"
    if name == "__init__.py":
        return "package init"
    if name.startswith("test_") or name.endswith("_test.py") or name == "tests.py":
        return "test module"
    if folders & {"benchmarks", "benchmark", "bench"} or name.startswith("bench"):
        return "benchmark"
    if folders & {"examples", "example"}:
        return "example"
    return "other"


def nearest_by_name(count: int, position: int, limit: int) -> range:
    """The positions of up to ``limit`` + 1 items around ``position`` among
    ``count`` items in name order: the item and its nearest neighbours,
    as many on each side as there are (the caller skips the item itself)."""
    start = min(max(position - limit // 2, 0), max(count - limit - 1, 0))
    return range(start, min(start + limit + 1, count))


def is_local(kind: str, keyword: Keyword, functions: set[str]) -> bool:
    """Whether ``keyword`` is a definition that stands only inside function
    bodies (``functions`` holds the module's function qualnames): a
    throwaway class of one test is in the Keyword Index only, not in the
    general index or search."""
    if KINDS[kind].link_rule is not LinkRule.DEFINITION:
        return False
    return only_inside_functions(keyword, functions)


def only_inside_functions(keyword: Keyword, functions: set[str]) -> bool:
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


def keyword_json(
    path: str,
    kind: str,
    keyword: Keyword,
    tests: Mapping[str, CollectedTest],
    markers: Mapping[str, list[tuple[str, str]]],
) -> dict[str, Any]:
    """One keyword as ``kwindex.json`` and the command line give it: its
    lines and locations; for a test, per location its node id, the class and
    module defining it, its markers and items. ``tests`` are the module's
    collected tests by qualname, ``markers`` the markers by the qualname they
    decorate (``""``: the module)."""
    locations = []
    for location in keyword.locations:
        found: dict[str, Any] = {
            "qualname": location.qualname,
            "line": location.line,
            "doc": location.doc,
        }
        test = tests.get(location.qualname) if kind == "tests" else None
        if test is not None:
            found |= {
                "node_id": pytest_node_id(path, test.qualname),
                "defined_in": {
                    "class": test.defined_in,
                    "path": test.defined_path or path,
                },
                "markers": [
                    {"name": name, "reason": reason}
                    for name, reason in markers_of_test(test, markers)
                ],
                "fixtures": [_fixture_json(fixture) for fixture in test.fixtures],
                "items": test.items,
                "item_ids": None if test.item_ids is None else list(test.item_ids),
            }
        locations.append(found)
    return {"name": keyword.name, "lines": list(keyword.lines), "locations": locations}


def module_fields_json(
    path: str,
    module: ModuleIndex,
    kinds: Iterable[str],
    select: Callable[[str, tuple[Keyword, ...]], Iterable[Keyword]],
    rules: CollectRules = DEFAULT_RULES,
    resolve: Resolver | None = None,
) -> dict[str, Any]:
    """What JSON says of the module at ``path``: ``keywords``, per kind of
    ``kinds`` an iterator of its keywords (:func:`keyword_json`, made one
    at a time: a module of 100,000 tests would hold as many dictionaries),
    ``select`` picking and ordering those shown, the tests collected once;
    where tests are listed, ``made_at_import``, the code that may make tests
    not listed, and ``ignored``, the ``collect_ignore`` entries naming the
    module."""
    kinds = tuple(kinds)
    collection = (
        collect_module(path, module.shape, rules, resolve) if "tests" in kinds else None
    )
    tests = [] if collection is None else collection.tests
    by_qualname = {test.qualname: test for test in tests}
    markers = markers_by_target(module)

    def keywords(kind: str) -> Iterator[dict[str, Any]]:
        found = test_keywords(tests) if kind == "tests" else module.of_kind(kind)
        for keyword in select(kind, found):
            yield keyword_json(path, kind, keyword, by_qualname, markers)

    fields: dict[str, Any] = {"keywords": {kind: keywords(kind) for kind in kinds}}
    if collection is not None:
        fields |= collection_json(collection)
    return fields


def collection_json(collection: Collection) -> dict[str, Any]:
    """What JSON says of a module whose tests are listed, besides its
    keywords: ``made_at_import``, the code that may make tests not listed,
    and ``ignored``, the ``collect_ignore`` entries naming the module."""
    return {
        "made_at_import": [
            {"class": node, "code": note.code, "path": note.path, "line": note.line}
            for node, notes in (
                ("", collection.made_at_import),
                *((cls.node, cls.made_at_import) for cls in collection.classes),
            )
            for note in notes
        ],
        "ignored": [entry._asdict() for entry in collection.ignored],
    }


def _fixture_json(fixture: UsedFixture) -> dict[str, Any]:
    return {
        "name": fixture.name,
        "path": fixture.path or None,
        "qualname": fixture.qualname or None,
        "line": fixture.line or None,
        "autouse": fixture.autouse,
        "builtin": fixture.builtin,
    }


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


def markers_by_target(module: ModuleIndex) -> dict[str, list[tuple[str, str]]]:
    """The module's markers by the qualname of what they mark, each with its
    reason (``""`` where it gives none)."""
    found: dict[str, list[tuple[str, str]]] = {}
    for marker in module.of_kind("markers"):
        for location in marker.locations:
            found.setdefault(location.qualname, []).append((marker.name, location.doc))
    return found
