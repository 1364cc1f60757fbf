"""What a page shows of a module, decided on a source string, no Sphinx."""

from __future__ import annotations

import re
from textwrap import dedent

import pytest

from sphinx_kwindex.collect import collect_module
from sphinx_kwindex.extract import extract_source
from sphinx_kwindex.view import (
    ModuleView,
    ViewOptions,
    kind_sizes,
    module_view,
    part_windows,
)

SOURCE = dedent(
    '''
    """A test module."""
    import os
    from typing import NamedTuple

    import pytest


    @pytest.fixture
    def cart():
        return []


    def helper():
        class Local:
            pass
        return Local


    class Base:
        def test_inherited(self):
            assert os.sep


    class TestCart(Base):
        def test_empty(self, cart):
            assert cart == []

        @pytest.mark.parametrize("n", [1, 2, 3])
        def test_many(self, n):
            assert n


    def test_alone(cart):
        pass


    class Point(NamedTuple):
        x: int
    '''
)
KINDS = ("tests", "fixtures", "classes", "functions", "imports")


def view(
    source: str = SOURCE, kinds=KINDS, path: str = "tests/test_cart.py", **options
) -> ModuleView:
    module = extract_source(source.encode(), path)
    collection = collect_module(path, module.shape) if "tests" in kinds else None
    return module_view(
        path, module, ViewOptions(tuple(kinds), **options), collection, "kw-m"
    )


def names(found: ModuleView) -> dict[str, list[str]]:
    return {listed.kind: [e.name for e in listed.entries] for listed in found.lists}


def test_each_definition_is_listed_once_under_the_kind_that_says_most() -> None:
    assert names(view()) == {
        # pytest's order: what a class inherits, then its own tests.
        "tests": ["test_alone", "test_inherited", "test_empty", "test_many"],
        "fixtures": ["cart"],
        "classes": ["Base", "Point", "TestCart", "Local"],
        # Tests and fixtures are not functions again; the helper is.
        "functions": ["helper"],
        "imports": ["NamedTuple", "os", "pytest", "typing"],
    }


def test_without_tests_and_fixtures_their_functions_are_functions() -> None:
    found = names(view(kinds=("functions",)))
    assert found["functions"] == [
        "cart",
        "helper",
        "test_alone",
        "test_empty",
        "test_inherited",
        "test_many",
    ]


def test_tests_are_grouped_by_the_class_that_collects_them() -> None:
    (tests,) = [listed for listed in view().lists if listed.kind == "tests"]
    # Base's name does not make pytest collect it; TestCart collects its
    # test inherited from Base, and three items of the parametrized one.
    groups = [(g.node, g.size, g.items) for g in tests.groups]
    assert groups == [("", 1, 1), ("TestCart", 3, 5)]
    sections = [(s.start, s.end, s.group.node) for s in tests.sections()]
    assert sections == [(0, 1, ""), (1, 4, "TestCart")]
    assert [e.entry_id for e in tests.entries][:2] == [
        "kw-m-tests-test_alone",
        "kw-m-tests-test_inherited",
    ]


def test_definitions_local_to_functions_come_last_under_their_heading() -> None:
    (classes,) = [listed for listed in view().lists if listed.kind == "classes"]
    assert classes.local_from == 3
    (own, local) = classes.sections()
    assert (own.start, own.end, own.local) == (0, 3, False)
    assert (local.start, local.end, local.local) == (3, 4, True)


def test_exclude_and_sort_apply_to_every_kind_but_the_order_of_tests() -> None:
    found = names(view(exclude=re.compile("^test_e|^P"), sort="source"))
    assert found["tests"] == ["test_alone", "test_inherited", "test_many"]
    assert found["classes"] == ["Base", "TestCart", "Local"]
    assert found["imports"] == ["os", "NamedTuple", "typing", "pytest"]


@pytest.mark.parametrize("count", [1, 2, 3, 5, 13])
def test_the_parts_of_a_page_show_every_entry_once_in_order(count: int) -> None:
    whole = view()
    parts = [view(part=(number, count)) for number in range(1, count + 1)]
    shown = [
        (listed.kind, entry.entry_id)
        for part in parts
        for listed in part.lists
        for entry in listed.entries
    ]
    assert shown == [
        (listed.kind, entry.entry_id)
        for listed in whole.lists
        for entry in listed.entries
    ]
    # Each keyword is recorded once, on the part showing its first entry.
    recorded = [
        (listed.kind, keyword.name)
        for part in parts
        for listed in part.lists
        for keyword in listed.keywords
    ]
    assert sorted(recorded) == sorted(
        (listed.kind, keyword.name)
        for listed in whole.lists
        for keyword in listed.keywords
    )
    for part in parts:
        for listed in part.lists:
            total = len(next(w for w in whole.lists if w.kind == listed.kind).entries)
            assert listed.total in (None, total)


def test_a_part_keeps_the_heading_of_a_group_begun_before_it_not_its_id() -> None:
    # 14 entries in 4 parts: the first shows tests 0-2, the second test 3.
    (tests,) = [listed for listed in view(part=(1, 4)).lists if listed.kind == "tests"]
    begun = [(s.start, s.end, s.group.node, s.group.anchor) for s in tests.sections()]
    assert begun == [(0, 1, "", ""), (1, 3, "TestCart", "kw-m-group-TestCart")]
    (tests,) = [listed for listed in view(part=(2, 4)).lists if listed.kind == "tests"]
    assert (tests.offset, tests.total) == (3, 4)
    (section,) = tests.sections()
    assert (section.start, section.end, section.group.node) == (0, 1, "TestCart")
    assert section.group.anchor == ""


def test_part_windows_cut_the_lists_into_near_equal_runs() -> None:
    assert part_windows([3, 0, 5], 1, 1) == [range(3), range(0), range(5)]
    assert part_windows([3, 0, 5], 1, 2) == [range(3), range(0), range(1)]
    assert part_windows([3, 0, 5], 2, 2) == [None, None, range(1, 5)]


def test_kind_sizes_are_the_sizes_of_the_view() -> None:
    module = extract_source(SOURCE.encode(), "tests/test_cart.py")
    collection = collect_module("tests/test_cart.py", module.shape)
    sizes = kind_sizes(module, KINDS, collection)
    assert sizes == {listed.kind: len(listed.entries) for listed in view().lists}
