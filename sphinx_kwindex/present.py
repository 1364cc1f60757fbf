"""Display choices shared by the directive and the command line.

No Sphinx here: which kinds and keywords are shown, in what order, and how a
keyword's locations and a module are described.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import PurePosixPath
from typing import Any, NamedTuple

from sphinx_kwindex.collect import (
    DEFAULT_RULES,
    CollectedTest,
    CollectRules,
    Resolver,
    collect_tests,
)
from sphinx_kwindex.extract import Keyword, ModuleIndex, Problem, test_keywords
from sphinx_kwindex.kinds import KINDS, LinkRule
from sphinx_kwindex.names import api_targets, entry_anchor, pytest_node_id

RELATED_LIMIT = 8
"""How many other modules of its folder a module's page links to at most."""

JSON_VERSION = 2
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


class ShownKeyword(NamedTuple):
    """A keyword as a page shows it (named tuples: a page holds hundreds)."""

    name: str
    entry_id: str
    locations: tuple[ShownLocation, ...]
    api_targets: tuple[str, ...]
    """The Python names it may be documented under, most likely first."""


def parse_kinds(value: str) -> tuple[tuple[str, ...], list[str]]:
    """Split a comma- or space-separated list: ``(known kinds, unknown names)``.

    Known kinds keep their order, each once.
    """
    names = [name for name in _KIND_SEPARATORS.split(value) if name]
    kinds = tuple(dict.fromkeys(name for name in names if name in KINDS))
    return kinds, [name for name in names if name not in KINDS]


def keywords_of(
    module: ModuleIndex,
    kind: str,
    path: str,
    rules: CollectRules = DEFAULT_RULES,
    resolve: Resolver | None = None,
) -> tuple[Keyword, ...]:
    """The keywords of ``kind`` of the module at ``path``: its tests as
    pytest collects them under ``rules``, bases in other modules found by
    ``resolve`` (extraction assumed the default rules and saw one module)."""
    if kind != "tests" or (
        rules == DEFAULT_RULES and (resolve is None or not module.shape.foreign_bases)
    ):
        return module.of_kind(kind)
    return test_keywords(collect_tests(path, module.shape, rules, resolve))


def select_keywords(
    keywords: Iterable[Keyword], exclude: re.Pattern[str] | None, sort: str
) -> list[Keyword]:
    """``keywords`` without those whose name ``exclude`` finds, ordered by ``sort``."""
    kept = [k for k in keywords if exclude is None or not exclude.search(k.name)]
    if sort == "source":
        kept.sort(key=lambda keyword: (keyword.first_line, keyword.name))
    return kept


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
        ShownLocation(
            shown_name(path, kind, keyword.name, location.qualname),
            location.line,
            location.doc,
            location.path,
            location.items,
        )
        for location in keyword.locations
    )


def location_text(
    location: ShownLocation,
    line_format: str = "line %d",
    in_format: str = "in %s",
    items_text: Callable[[int | None], str] | None = None,
) -> str:
    """A location as plain text: ``A.setUp, line 12: Set up.``; a line of
    another module says which (``line 12 in tests/base.py``), a
    parametrized test how many items it makes (``items_text``)."""
    shown, line, doc, path, items = location
    text = (shown + ", " if shown else "") + line_format % line
    if path:
        text += " " + in_format % path
    if items != 1:
        text += f" ({(items_text or default_items_text)(items)})"
    return f"{text}: {doc}" if doc else text


def default_items_text(items: int | None) -> str:
    """``4 items``, or that only a run tells (English, for the command line)."""
    return "items known when pytest runs" if items is None else f"{items} items"


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


def in_general_index(kind: str, keyword: Keyword, functions: set[str]) -> bool:
    """Whether ``keyword`` of a kind that gets general index entries gets
    one: a definition does when it stands somewhere outside a function body
    (``functions`` holds the module's function qualnames); a throwaway
    class inside a test is in the Keyword Index only."""
    if KINDS[kind].link_rule is not LinkRule.DEFINITION:
        return True
    return any(
        not any(prefix in functions for prefix in _enclosing(location.qualname))
        for location in keyword.locations
    )


def function_qualnames(keywords: Iterable[Keyword]) -> set[str]:
    """The qualified names of the functions ``keywords`` define."""
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
    markers: Mapping[str, list[str]],
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
                "markers": _test_markers(test, markers),
                "items": test.items,
                "item_ids": None if test.item_ids is None else list(test.item_ids),
            }
        locations.append(found)
    return {"name": keyword.name, "lines": list(keyword.lines), "locations": locations}


def keywords_json(
    path: str,
    module: ModuleIndex,
    kinds: Iterable[str],
    select: Callable[[str, tuple[Keyword, ...]], Iterable[Keyword]],
    rules: CollectRules = DEFAULT_RULES,
    resolve: Resolver | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """The keywords of ``kinds`` of the module at ``path`` as JSON
    (:func:`keyword_json`), the tests collected once; ``select`` picks and
    orders those shown of a kind."""
    kinds = tuple(kinds)
    tests = (
        collect_tests(path, module.shape, rules, resolve) if "tests" in kinds else []
    )
    by_qualname = {test.qualname: test for test in tests}
    markers = markers_by_target(module)
    return {
        kind: [
            keyword_json(path, kind, keyword, by_qualname, markers)
            for keyword in select(
                kind, test_keywords(tests) if kind == "tests" else module.of_kind(kind)
            )
        ]
        for kind in kinds
    }


def _test_markers(test: CollectedTest, markers: Mapping[str, list[str]]) -> list[str]:
    """The markers of this module on a test: on its ``def`` (where this
    module defines it), its collecting class, the module (``pytestmark``)."""
    own = f"{test.defined_in}.{test.name}" if test.defined_in else test.name
    collecting = test.qualname.rpartition(".")[0]
    targets = [collecting, ""] if test.defined_path else [own, collecting, ""]
    return sorted({name for target in targets for name in markers.get(target, ())})


def markers_by_target(module: ModuleIndex) -> dict[str, list[str]]:
    """The module's markers by the qualname of what they mark."""
    found: dict[str, list[str]] = {}
    for marker in module.of_kind("markers"):
        for location in marker.locations:
            found.setdefault(location.qualname, []).append(marker.name)
    return found
