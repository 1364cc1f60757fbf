"""The reverse index on plain data: grouping, order, letters and pages."""

from __future__ import annotations

import pytest

from sphinx_kwindex.names import SYMBOLS
from sphinx_kwindex.reverse_index import (
    RecordedKeyword,
    build_reverse_index,
    fold,
    index_letter,
    lay_out_index,
)


def target(name: str, path: str, kind: str = "imports", docname: str = "doc"):
    return RecordedKeyword(name, kind, path, docname, f"kw-{path}", (1,))


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
    # As genindex orders: symbols, then "_" before letters, accents apart.
    assert list(groups) == [
        ".mod",
        "_x",
        "éclair",
        "OS",
        "os",
        "sys",
        "Widget",
        "widget",
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


def test_pages_hold_a_bounded_number_of_links_and_never_split_a_keyword() -> None:
    entries = [target("big", f"m{n}.py") for n in range(5)]
    entries += [target(name, "a.py") for name in ("ca", "cb", "cc", "cd", "d")]
    layout = lay_out_index(list(build_reverse_index(entries).values()), limit=3)
    assert {key: [g.name for g in p.groups] for key, p in layout.pages.items()} == {
        "": [],
        "b": ["big"],  # alone on its page, however many links it has
        "c": [],
        # Small letters share a page, named by the first.
        "ca": ["ca", "cb", "cc"],
        "cd": ["cd"],
        "d": ["d"],
    }
    assert layout.pages[""].subpages == ("b", "c", "d")
    assert layout.pages["c"].subpages == ("ca", "cd")
    assert layout.page_of["cb"] == "ca"
    assert [p.key for p in layout.listing_pages] == ["b", "ca", "cd", "d"]


def test_a_small_index_is_one_page() -> None:
    entries = [target(name, "a.py") for name in ("os", "sys", "Widget")]
    layout = lay_out_index(list(build_reverse_index(entries).values()), limit=3)
    assert list(layout.pages) == [""]
    assert set(layout.page_of.values()) == {""}


def test_a_name_that_is_all_of_a_split_page_key_stays_on_it() -> None:
    entries = [target("t", f"m{n}.py") for n in range(2)]
    entries += [target(name, "a.py") for name in ("ta", "tb")]
    layout = lay_out_index(list(build_reverse_index(entries).values()), limit=3)
    assert [g.name for g in layout.pages["t"].groups] == ["t"]
    assert layout.pages["t"].subpages == ("ta",)
    assert [g.name for g in layout.pages["ta"].groups] == ["ta", "tb"]


def page_by_lookup(layout, name: str) -> str:
    """What a page's script does: the greatest page name not after the
    keyword's folded name."""
    folded = fold(name)
    return max(p.key for p in layout.listing_pages if p.key <= folded)


def test_every_keyword_is_on_the_page_a_saved_link_is_sent_to() -> None:
    """As a project grows, each keyword is on the page with the greatest name
    not after its own: the rule by which every page sends on a saved link to
    a keyword it no longer holds."""
    names = [f"test_{a}{b}" for a in "abcdefgh" for b in "xyz"]
    names += ["os", "Ωmega", "_private", ".helpers", "éclair", "Eclipse", "t"]
    for modules in (1, 2, 5, 20, 60):
        entries = [target(name, f"m{m}.py") for m in range(modules) for name in names]
        entries += [target(f"helper_{m}", f"m{m}.py") for m in range(modules)]
        layout = lay_out_index(list(build_reverse_index(entries).values()), limit=40)
        for name, key in layout.page_of.items():
            assert page_by_lookup(layout, name) == key, (modules, name)
        for page in layout.listing_pages:
            assert page.links <= 40 or len(page.groups) == 1
