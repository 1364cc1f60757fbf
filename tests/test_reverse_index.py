"""The reverse index on plain data: grouping, order, letters and pages."""

from __future__ import annotations

import pytest

from sphinx_kwindex import reverse_index
from sphinx_kwindex.names import SYMBOLS
from sphinx_kwindex.reverse_index import (
    KeywordEntry,
    build_reverse_index,
    index_letter,
)


def target(name: str, path: str, kind: str = "imports", docname: str = "doc"):
    return KeywordEntry(
        name, kind, path, docname, f"kw-{path}-{kind}-{name}", (1,), general=True
    )


@pytest.mark.parametrize(
    ("name", "letter"),
    [
        ("os", "O"),
        ("Widget", "W"),
        ("_private", "_"),
        ("__init__", "_"),
        (".helpers", SYMBOLS),
        ("éclair", "E"),
        ("Ωmega", "Ω"),
    ],
)
def test_index_letter(name: str, letter: str) -> None:
    assert index_letter(name) == letter


def test_keywords_sort_case_insensitively_symbols_first() -> None:
    names = ["sys", "Widget", "_x", ".mod", "os", "widget", "OS", "éclair"]
    groups = build_reverse_index(target(name, "a.py") for name in names)
    assert list(groups) == [
        ".mod",
        "éclair",
        "OS",
        "os",
        "sys",
        "Widget",
        "widget",
        "_x",
    ]


def test_a_keyword_groups_its_modules_by_path_then_kind() -> None:
    groups = build_reverse_index(
        [
            target("test_x", "b.py", "tests"),
            target("os", "b.py"),
            target("test_x", "a.py", "tests"),
            target("test_x", "a.py", "functions"),
            target("os", "a.py"),
        ]
    )
    assert [(t.path, t.kind) for t in groups["test_x"].entries] == [
        ("a.py", "functions"),
        ("a.py", "tests"),
        ("b.py", "tests"),
    ]
    assert groups["test_x"].paths == ("a.py", "b.py")
    assert groups["os"].anchor == "kw-os"


def test_a_module_indexed_by_two_documents_counts_once() -> None:
    groups = build_reverse_index(
        [target("os", "a.py", docname="first"), target("os", "a.py", docname="second")]
    )
    (only,) = groups["os"].entries
    assert only.docname == "first"


def test_pages_hold_a_bounded_number_of_links_and_never_split_a_keyword(
    monkeypatch,
) -> None:
    monkeypatch.setattr(reverse_index, "LINKS_PER_PAGE", 3)
    targets = [target("big", f"m{n}.py") for n in range(5)]
    targets += [target(name, "a.py") for name in ("c1", "c2", "c3", "c4")]
    groups = build_reverse_index(targets)
    assert {name: group.page for name, group in groups.items()} == {
        "big": 1,  # alone on its page, however many links it has
        "c1": 2,
        "c2": 2,
        "c3": 2,
        "c4": 3,
    }
