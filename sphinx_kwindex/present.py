"""How a module's view is told: its words and its JSON.

No Sphinx here: the English words of locations, counts and notes (the
Sphinx glue has them translated), what a module is called (test module,
conftest, …), a problem described, and the JSON that ``kwindex.json`` and
the command line give (:data:`JSON_VERSION`) of a
:class:`~sphinx_kwindex.view.ModuleView`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import PurePosixPath
from typing import Any, NamedTuple

from sphinx_kwindex.collect import (
    CollectedTest,
    Collection,
    Ignored,
    ImportTimeNote,
    NotCollected,
)
from sphinx_kwindex.extract import Keyword, ModuleExtraction, Problem
from sphinx_kwindex.fixtures import UsedFixture
from sphinx_kwindex.kinds import KINDS
from sphinx_kwindex.names import pytest_node_id
from sphinx_kwindex.pytest_config import DEFAULT_RULES, CollectRules
from sphinx_kwindex.view import (
    Entry,
    EntryLocation,
    KindView,
    ModuleView,
    TestGroup,
    markers_by_target,
    markers_of_test,
    total_items,
)

RELATED_LIMIT = 8
"""How many other modules of its folder a module's page links to at most."""

JSON_VERSION = 9
"""The version of the JSON that ``kwindex.json`` and the command line give:
bump it whenever its shape changes (and say how in the docs)."""


_KIND_SEPARATORS = re.compile(r"[\s,]+")


def parse_kinds(value: str) -> tuple[tuple[str, ...], list[str]]:
    """Split a comma- or space-separated list: ``(known kinds, unknown names)``.

    Known kinds keep their order, each once.
    """
    names = [name for name in _KIND_SEPARATORS.split(value) if name]
    kinds = tuple(dict.fromkeys(name for name in names if name in KINDS))
    return kinds, [name for name in names if name not in KINDS]


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
    not_conftest: str = (
        "pytest collects no tests from a conftest.py: it reads its fixtures and hooks"
    )
    not_python_files: str = (
        "pytest collects no tests from this module: its name matches no "
        "python_files pattern (%s)"
    )
    not_norecursedirs: str = (
        "pytest collects no tests from this module: its folder %s matches norecursedirs"
    )
    not_test_flag: str = (
        "pytest collects no tests from this module: it sets __test__ = False"
    )
    item: str = "%d item"
    items: str = "%d items"
    items_unknown: str = "items known when pytest runs"
    items_unknown_because: str = "items known when pytest runs: %s"
    deselected: str = "deselected by default (addopts: %s)"
    deselected_count: str = "%d deselected by default"
    fixtures: str = "fixtures: %s"
    through: str = "through them: %s"
    autouse: str = "autouse"
    test: str = "%d test"
    tests: str = "%d tests"
    used_by: str = "used by %s"
    tested_by: str = "Tested by %s"
    """What a documented object's tests start with: ``Tested by 12 tests``."""
    found_by_run: str = (
        "Found by the run (%d): tests made when the module is imported, "
        "which only a run lists"
    )
    made_by: str = "made by: %s"
    run_found: str = "(the run found %d)"
    uses: str = "uses: %s"
    """What a test uses of the project under test: ``uses: shop.Cart.add``."""
    glance_fixtures: str = "Fixtures: %s."
    glance_markers: str = "Markers: %s."
    """What a module's tests need at a glance: fixtures, markers."""
    more: str = "and %d more"
    local: str = "Defined inside functions (%d)"
    """The heading of the definitions that stand only inside functions."""

    def items_text(self, items: int | None, unknown: str = "") -> str:
        """``4 items``, or that only a run tells, and why (``unknown``)."""
        if items is not None:
            return _count(self.item, self.items, items)
        return self.items_unknown_because % unknown if unknown else self.items_unknown

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
        if group.not_collected:
            notes.append(self.not_collected_text(group.not_collected))
        return notes

    def not_collected_text(self, against: NotCollected) -> str:
        """Which rule keeps pytest from collecting the module."""
        said = {
            "conftest": self.not_conftest,
            "python_files": self.not_python_files,
            "norecursedirs": self.not_norecursedirs,
            "__test__": self.not_test_flag,
        }[against.rule]
        return said % against.value if "%s" in said else said

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

    def test_count(self, tests: int, items: int | None, deselected: int = 0) -> str:
        """``12 tests, 30 items`` (the items only where known), and how many
        of the tests ``addopts`` deselects, if any."""
        text = self.tests_text(tests)
        if items is not None:
            text += f", {self.items_text(items)}"
        if deselected:
            text += f", {self.deselected_count % deselected}"
        return text

    def group_count(self, group: TestGroup) -> str:
        """A test group's :meth:`test_count`."""
        return self.test_count(group.size, group.items, group.deselected)

    def list_count(self, kind: str, size: int, groups: Iterable[TestGroup]) -> str:
        """The count a list's heading ends with: ``12`` keywords, or for tests
        ``12 tests, 30 items``."""
        if kind != "tests":
            return str(size)
        groups = list(groups)
        deselected = sum(group.deselected for group in groups)
        return self.test_count(size, total_items(groups), deselected)

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


_INLINE_LITERAL = re.compile(r"``(.+?)``")


def summary_parts(summary: str) -> list[tuple[str, bool]]:
    """A docstring's summary as runs of text, each with whether it is an
    inline literal (````PluginManager````): the only markup rendered from a
    file, the rest is text."""
    parts: list[tuple[str, bool]] = []
    position = 0
    for match in _INLINE_LITERAL.finditer(summary):
        if match.start() > position:
            parts.append((summary[position : match.start()], False))
        parts.append((match[1], True))
        position = match.end()
    if position < len(summary):
        parts.append((summary[position:], False))
    return parts


def plain_summary(summary: str) -> str:
    """A summary as plain text: inline literals without their backquotes."""
    return "".join(text for text, _literal in summary_parts(summary))


def needed_at_a_glance(
    entries: Sequence[Entry],
) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """What the tests of ``entries`` need, most needed first: each fixture
    they name, then each marker on them (but ``parametrize``), with how
    many tests it is."""
    fixtures: Counter[str] = Counter()
    markers: Counter[str] = Counter()
    for entry in entries:
        for location in entry.locations[:1]:
            fixtures.update({f.name for f in location.fixtures if not f.through})
            markers.update({m[0].rpartition(".")[2] for m in location.markers})
    return _most_first(fixtures), _most_first(markers)


def _most_first(counts: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def glance_text(
    needed: tuple[Sequence[tuple[str, int]], Sequence[tuple[str, int]]],
    labels: Labels = ENGLISH,
) -> str:
    """``Fixtures: cart (5). Markers: slow (2).``, or ``""`` where the
    tests need neither."""
    fixtures, markers = needed
    said = [
        label % ", ".join(f"{name} ({count})" for name, count in counted)
        for label, counted in (
            (labels.glance_fixtures, fixtures),
            (labels.glance_markers, markers),
        )
        if counted
    ]
    return " ".join(said)


def location_text(location: EntryLocation, labels: Labels = ENGLISH) -> str:
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
        text += f" ({labels.items_text(location.items, location.unknown)})"
    if location.deselected:
        text += f" [{labels.deselected % location.deselected}]"
    if location.condition:
        text += f" [{labels.defined_if % location.condition}]"
    for name, reason in location.markers:
        text += f" [{name}{': ' + reason if reason else ''}]"
    named = [f for f in location.fixtures if not f.through]
    through = [f for f in location.fixtures if f.through]
    if named:
        names = ", ".join(labels.fixture_text(f) for f in named)
        text += f"; {labels.fixtures % names}"
    if through:
        text += f"; {labels.through % ', '.join(f.name for f in through)}"
    if location.doc:
        text += f": {plain_summary(location.doc)}"
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


def classify_module(path: str, rules: CollectRules = DEFAULT_RULES) -> str:
    """What a module is, from its name and folders: a test module where
    pytest collects it under the project's ``rules`` (``python_files``,
    ``norecursedirs``).

    One of ``"conftest"``, ``"package init"``, ``"test module"``,
    ``"benchmark"``, ``"example"``, ``"other"``.
    """
    pure = PurePosixPath(path)
    name, folders = pure.name, {part.lower() for part in pure.parts[:-1]}
    if name == "conftest.py":
        return "conftest"
    if name == "__init__.py":
        return "package init"
    if rules.collects_file(path):
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


def keyword_json(
    path: str,
    kind: str,
    keyword: Keyword,
    tests: Mapping[str, CollectedTest],
    markers: Mapping[str, list[tuple[str, str]]],
    uses: Mapping[str, Sequence[str]] | None = None,
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
                "unknown": test.unknown,
                "deselected": test.deselected,
                "condition": test.condition,
            }
            if uses is not None:
                found["uses"] = list(uses.get(found["node_id"], ()))
        locations.append(found)
    return {"name": keyword.name, "lines": list(keyword.lines), "locations": locations}


def view_json(
    view: ModuleView,
    module: ModuleExtraction,
    uses: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, Any]:
    """What JSON says of the module ``view`` shows: ``keywords``, per kind
    it lists an iterator of the keywords it shows (:func:`keyword_json`,
    made one at a time: a module of 100,000 tests would hold as many
    dictionaries); where it lists tests, what :func:`collection_json` says
    besides. ``uses``, where given, are the objects each test uses, by node
    id."""
    collection = view.collection
    tests = {} if collection is None else {t.qualname: t for t in collection.tests}
    markers = markers_by_target(module)

    def keywords(listed: KindView) -> Iterator[dict[str, Any]]:
        for keyword in listed.keywords:
            yield keyword_json(view.path, listed.kind, keyword, tests, markers, uses)

    fields: dict[str, Any] = {
        "keywords": {listed.kind: keywords(listed) for listed in view.lists}
    }
    if collection is not None:
        fields |= collection_json(collection)
    for listed in view.lists:
        if listed.kind == "tests":
            fields["test_groups"] = [group_json(group) for group in listed.groups]
    return fields


def group_json(group: TestGroup) -> dict[str, Any]:
    """A test group as JSON says it: the class collecting the tests (its
    node path, ``""`` for the module's own functions), its line and
    docstring, how many tests and items (``null``: only a run knows), and
    why tests may be missing or listed though pytest may not collect them:
    bases found nowhere in the tree, the condition its class is defined
    under."""
    return {
        "class": group.node,
        "line": group.line or None,
        "doc": group.doc,
        "tests": group.size,
        "items": group.items,
        "unseen_bases": list(group.unseen_bases),
        "condition": group.condition,
        "deselected": group.deselected,
    }


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
        "not_collected": (
            None
            if collection.not_collected is None
            else collection.not_collected._asdict()
        ),
    }


def _fixture_json(fixture: UsedFixture) -> dict[str, Any]:
    return {
        "name": fixture.name,
        "path": fixture.path or None,
        "qualname": fixture.qualname or None,
        "line": fixture.line or None,
        "autouse": fixture.autouse,
        "builtin": fixture.builtin,
        "through": fixture.through,
    }
