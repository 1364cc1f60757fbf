"""How exactly the ``tests`` kind lists what pytest collects, on real suites.

For each suite (a temporary copy of the interpreter's own ``test`` package,
the test folders of real projects' sdists), real ``pytest --collect-only``
with a plugin recording each item (``pytest_oracle.py``) is the oracle: its
node ids (parametrize suffixes set apart) are compared with the
extension's, module by module; then, for each test both list, every value
the extension states: its number of items, their ids, the fixtures it
names and its fixture closure (one that a plugin's fixture needs is left
out by the extension, and counted as explained). Modules pytest could not
import (a Windows-only module, a missing dependency) are reported apart and
left out of the ratios.

With each, the cost of reading the suite the extension's way (extraction,
then collection with bases, fixtures and conftests resolved across the
suite, every module parsed once as in a build) against the floor: reading,
decoding and ``ast.parse`` of every module, both run in turn five times:
the best time of each, and the median of the five rounds' ratios.

    python benchmarks/accuracy.py [--sdists attrs python-dateutil pytest ...]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import pytest_oracle
from real_suites import prepare_suites
from run import floor, interleaved_times

from sphinx_kwindex.collect import CollectedTest, collect_module, collect_tests
from sphinx_kwindex.extract import ModuleExtraction, extract_file, extract_source
from sphinx_kwindex.garbage_collection import collection_paused
from sphinx_kwindex.module_tree import find_modules
from sphinx_kwindex.names import pytest_node_id
from sphinx_kwindex.pytest_config import read_rules
from sphinx_kwindex.records import read_run_record, tests_only_a_run_shows
from sphinx_kwindex.tree_resolver import file_resolver


@dataclass
class Result:
    suite: str
    pytest_ids: set[str] = field(default_factory=set)
    our_ids: set[str] = field(default_factory=set)
    items: int = 0
    not_imported: list[str] = field(default_factory=list)
    counted: int = 0
    """Tests (found by both) whose number of items the extension states."""
    counts_equal: int = 0
    ids_known: int = 0
    """Parametrized tests (found by both) whose item ids the extension states."""
    ids_equal: int = 0
    fixtures_compared: int = 0
    """Tests (found by both) whose fixtures are compared."""
    named_equal: int = 0
    """Of those, the tests whose named fixtures are pytest's."""
    closure_equal: int = 0
    """Of those, the tests whose closure is pytest's, a plugin's needs apart."""
    deselected_said: int = 0
    """Tests (found by both) the extension says ``addopts`` deselects."""
    deselected_by_pytest: int = 0
    """Tests (found by both) whose every item ``addopts`` deselects."""
    wrong: dict[str, list[str]] = field(default_factory=dict)
    """What is stated and wrong, by node id."""
    missed_said: int = 0
    """Node ids missed where the page says tests may be missing."""
    extra_said: int = 0
    """Node ids listed but not collected where the page names the
    condition their class is defined under."""
    with_record: set[str] = field(default_factory=set)
    """The tests the pages list with a record of ``pytest --collect-only
    -q``: those listed statically and those only the record shows."""
    found_by_record: int = 0
    """Of those, the tests only the record shows."""
    notes_counted: int = 0
    """Of the modules and classes whose page says they may hold tests it
    cannot list, those the record shows tests of (a note of code that makes
    tests when the module is imported says how many)."""
    notes: int = 0
    """Modules and classes whose page says they may hold tests it cannot
    list."""
    floor_s: float = 0.0
    """Reading, decoding and ``ast.parse`` of every module."""
    ours_s: float = 0.0
    """Extraction and collection, bases and fixtures resolved."""
    ratio: float = 0.0
    """The median, over the rounds, of one round's ``ours_s`` to its
    ``floor_s`` (the machine's pace varies from second to second)."""

    @property
    def found(self) -> int:
        return len(self.pytest_ids & self.our_ids)

    @property
    def recall(self) -> float:
        return self.found / len(self.pytest_ids) if self.pytest_ids else 1.0

    @property
    def precision(self) -> float:
        return self.found / len(self.our_ids) if self.our_ids else 1.0


class Ours(NamedTuple):
    """The tests the extension lists, by node id; the node ids of the
    modules and classes whose pages say that tests may be missing from them
    (code that makes tests when the module is imported, bases found
    nowhere), and of the classes they say are defined under a condition
    and the modules a conftest ignores under one."""

    tests: dict[str, CollectedTest]
    said_missing: set[str]
    said_conditional: set[str]


def our_tests(root: Path, modules: list[str]) -> Ours:
    """What the extension lists under the project's own rules, bases found
    across the suite."""
    rules, _source = read_rules(root)
    resolve = file_resolver(root, lambda file: extract_file(file).shape)
    ours = Ours({}, set(), set())
    for module in modules:
        shape = extract_file(root / module).shape
        collection = collect_module(module, shape, rules, resolve)
        for test in collection.tests:
            node = pytest_node_id(module, test.qualname)
            ours.tests[node] = test
            if test.condition:
                ours.said_conditional.add(node)
        if collection.made_at_import:
            ours.said_missing.add(module)
        if collection.ignored:  # only those made under a condition are left
            ours.said_conditional.add(module)
        for cls in collection.classes:
            node = pytest_node_id(module, cls.node)
            if cls.made_at_import or cls.unseen_bases:
                ours.said_missing.add(node)
            if cls.condition:
                ours.said_conditional.add(node)
    return ours


def said_of(node: str, said: set[str]) -> bool:
    """Whether the page of the test ``node`` says so (what ``said`` holds)
    of the test itself, its class, an enclosing one, or its module."""
    parts = node.split("::")
    return any("::".join(parts[:end]) in said for end in range(1, len(parts) + 1))


def extract_and_collect(root: Path, modules: list[str]) -> None:
    """The extension's reading: every module extracted once, kept, with the
    garbage collector paused as a build parses its batch, then its tests
    collected, bases, fixtures and conftests resolved across the suite."""
    rules, _source = read_rules(root)
    indexes: dict[Path, ModuleExtraction] = {}

    def load(file: Path) -> ModuleExtraction:
        if file not in indexes:
            indexes[file] = extract_source(file.read_bytes(), str(file))
        return indexes[file]

    with collection_paused():
        for module in modules:
            load(root / module)
    resolve = file_resolver(root, lambda file: load(file).shape)
    for module in modules:
        collect_tests(module, load(root / module).shape, rules, resolve)


def measure(name: str, root: Path, patterns: list[str]) -> Result:
    modules = find_modules(root, patterns).modules
    folders = sorted({module.split("/")[0] for module in modules})
    collected = pytest_oracle.collect(root, *folders)
    failed = collected.not_collected
    imported = [m for m in modules if m not in set(failed)]
    # Only the modules both sides look at: pytest also walks other folders.
    by_node = {
        node: items
        for node, items in collected.by_node().items()
        if node.partition("::")[0] in set(imported)
    }
    result = Result(name, items=sum(map(len, by_node.values())), not_imported=failed)
    floors, ours_times = interleaved_times(
        [lambda: floor(root, modules), lambda: extract_and_collect(root, modules)], 5
    )
    result.floor_s, result.ours_s = min(floors), min(ours_times)
    result.ratio = statistics.median(
        ours / floor for ours, floor in zip(ours_times, floors, strict=True)
    )
    result.pytest_ids = set(by_node)
    found = our_tests(root, imported)
    ours = found.tests
    result.our_ids = set(ours)
    result.missed_said = sum(
        said_of(node, found.said_missing) for node in result.pytest_ids - result.our_ids
    )
    result.extra_said = sum(
        said_of(node, found.said_conditional)
        for node in result.our_ids - result.pytest_ids
    )
    for node in sorted(result.pytest_ids & result.our_ids):
        compare(result, node, ours[node], by_node[node], root)
    with_collection_record(result, collected.text, imported, found)
    return result


def with_collection_record(
    result: Result, text: str, modules: list[str], found: Ours
) -> None:
    """What the pages list with ``text``, the record of ``pytest
    --collect-only -q``, read as ``kwindex_results`` reads it: the tests
    listed statically, and those only the record shows, per module."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "collected.txt")
        path.write_text(text, encoding="utf-8")
        record = read_run_record(path, "collected.txt", modules)
    listed: dict[str, set[str]] = {}
    for node in result.our_ids:
        listed.setdefault(node.partition("::")[0], set()).add(node)
    result.with_record = set(result.our_ids)
    for module in modules:
        only = tests_only_a_run_shows(module, listed.get(module, set()), [record])
        tests = {test for group in only.values() for test in group.values()}
        result.found_by_record += len(tests)
        result.with_record |= tests
        for group in only:  # the notes said on the page, counted as it counts
            node = pytest_node_id(module, group)
            if node in found.said_missing:
                result.notes_counted += 1
    result.notes = len(found.said_missing)


def compare(
    result: Result,
    node: str,
    test: CollectedTest,
    items: list[pytest_oracle.Item],
    root: Path,
) -> None:
    """Count what the extension states of one test against pytest's items."""
    named = {fixture.name for fixture in test.fixtures if not fixture.through}
    listed = {fixture.name for fixture in test.fixtures}
    closure = listed | {name for _path, name in test.needs}
    deselected = bool(test.deselected)
    wrong = pytest_oracle.disagreements(
        items, test.items, test.item_ids, named, closure, root, deselected
    )
    if wrong:
        result.wrong[node] = wrong
    kinds = {line.partition(":")[0] for line in wrong}
    if test.items is not None:
        result.counted += 1
        result.counts_equal += "count" not in kinds
    if test.item_ids is not None:
        result.ids_known += 1
        result.ids_equal += "ids" not in kinds
    result.deselected_said += deselected
    result.deselected_by_pytest += all(item.deselected for item in items)
    result.fixtures_compared += 1
    result.named_equal += "named fixtures" not in kinds
    result.closure_equal += "closure" not in kinds


def report(results: list[Result]) -> None:
    print(f"\n{sys.version.split()[0]}, pytest {pytest_version()}\n")
    print(
        "| suite | pytest node ids (items) | listed | right | recall | precision "
        "| missed / where the page says so "
        "| not collected / under a condition the page names "
        "| item counts stated / equal | item ids stated / equal "
        "| fixtures: tests / named equal / closure equal "
        "| deselected by addopts: said / pytest "
        "| modules not imported or skipped whole "
        "| extraction + collection / ast.parse: best s; median ratio |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r.suite} | {len(r.pytest_ids)} ({r.items}) | {len(r.our_ids)} | "
            f"{r.found} | {r.recall:.3f} | {r.precision:.3f} | "
            f"{len(r.pytest_ids - r.our_ids)} / {r.missed_said} | "
            f"{len(r.our_ids - r.pytest_ids)} / {r.extra_said} | "
            f"{r.counted} / {r.counts_equal} | {r.ids_known} / {r.ids_equal} | "
            f"{r.fixtures_compared} / {r.named_equal} / {r.closure_equal} | "
            f"{r.deselected_said} / {r.deselected_by_pytest} | "
            f"{len(r.not_imported)} | {r.ours_s:.2f} / {r.floor_s:.2f}; "
            f"{r.ratio:.2f}x |"
        )
    print(
        "\nWith a record of `pytest --collect-only -q` (`kwindex_results`): "
        "the tests the pages list, those listed statically and those only "
        "the record shows.\n"
    )
    print(
        "| suite | pytest node ids | listed | right | recall | precision "
        "| found by the record | said to hold tests the page cannot list: "
        "with tests the record shows / all |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        right = len(r.pytest_ids & r.with_record)
        recall = right / len(r.pytest_ids) if r.pytest_ids else 1.0
        precision = right / len(r.with_record) if r.with_record else 1.0
        print(
            f"| {r.suite} | {len(r.pytest_ids)} | {len(r.with_record)} | {right} | "
            f"{recall:.3f} | {precision:.3f} | {r.found_by_record} | "
            f"{r.notes_counted} / {r.notes} |"
        )
    for r in results:
        missed = sorted(r.pytest_ids - r.our_ids)
        extra = sorted(r.our_ids - r.pytest_ids)
        print(f"\n{r.suite}: {len(missed)} missed, {len(extra)} not collected")
        by_module = Counter(node.partition("::")[0] for node in missed)
        for module, count in by_module.most_common(8):
            print(f"  missed in {module}: {count}")
        for node in missed[:8]:
            print(f"  missed: {node}")
        for node in extra[:8]:
            print(f"  not collected: {node}")
        print(f"{r.suite}: {len(r.wrong)} tests with a stated value pytest contradicts")
        for node, wrong in list(r.wrong.items())[:12]:
            print(f"  {node}: {'; '.join(wrong)[:300]}")


SDISTS = [
    "attrs",
    "python-dateutil",
    "pytest",
    "packaging",  # parametrize everywhere
    "tomlkit",  # fixtures, conftest, parametrize
    "click",  # addopts: -m 'not stress'
    "more-itertools",  # unittest
    "jinja2",
    "pluggy",
    "cachetools",  # unittest
    "toolz",
]
"""Real projects' sdists, their tests as shipped."""


def pytest_version() -> str:
    import pytest

    return pytest.__version__


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sdists", nargs="*", default=SDISTS)
    parser.add_argument("--no-lib-test", action="store_true")
    parser.add_argument("--work", type=Path)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="kwindex-accuracy-"))
    suites = prepare_suites(work, not args.no_lib_test, [], args.sdists)
    results = []
    for suite in suites:
        try:
            results.append(measure(suite.name, suite.root, suite.patterns))
        except RuntimeError as error:  # its conftest needs what is not here
            print(f"{suite.name}: left out, {str(error).splitlines()[-1]}")
    report(results)
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
