"""The project-wide reverse index: every keyword, the modules that hold it, and
the page of the Keyword Index it is listed on.

Plain data only (no Sphinx): the domain derives it once all documents are
read, and both the ``kw`` role and the Keyword Index pages read it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from sphinx_kwindex.kinds import KINDS
from sphinx_kwindex.names import SYMBOLS, keyword_anchor

LINKS_PER_PAGE = 1000
"""How many module links one page of the Keyword Index holds at most (a
keyword is never split across pages). A link takes about 380 bytes of HTML,
so a page stays under about 400 kB however large the project: 45,000
keywords in 1,000 modules make some 50 pages, not one page of 21 MB."""


class KeywordEntry(NamedTuple):
    """A keyword's entry on a documentation page, as the environment keeps it
    (named tuples: a large project has hundreds of thousands)."""

    name: str
    kind: str
    path: str
    """The module, relative to ``kwindex_root``, POSIX."""
    docname: str
    entry_id: str
    lines: tuple[int, ...]
    """Every line the keyword stands on, ascending."""
    general: bool
    """Whether it has a general index entry and is a search result
    (``kwindex_index_kinds``)."""


@dataclass(frozen=True, slots=True)
class KeywordGroup:
    """A keyword of the project and every entry of it, by path then kind."""

    name: str
    letter: str
    """The index letter (:data:`SYMBOLS` for names like ``.mod``)."""
    page: int
    """1-based number of the Keyword Index page that lists it."""
    entries: tuple[KeywordEntry, ...]

    @property
    def anchor(self) -> str:
        """The id of the keyword on its Keyword Index page."""
        return keyword_anchor(self.name)

    @property
    def paths(self) -> tuple[str, ...]:
        """The modules that hold the keyword, each once, sorted."""
        return tuple(dict.fromkeys(entry.path for entry in self.entries))


@dataclass(frozen=True, slots=True)
class IndexLayout:
    """How the Keyword Index is laid out on its pages."""

    pages: tuple[tuple[KeywordGroup, ...], ...]
    """The keywords of each page, page 1 first."""
    first_page_of_letter: dict[str, int]
    module_count: int

    @property
    def keyword_count(self) -> int:
        """How many keywords the index lists."""
        return sum(len(page) for page in self.pages)


def lay_out_index(groups: Iterable[KeywordGroup]) -> IndexLayout:
    """The pages of the Keyword Index, from groups in index order."""
    pages: list[list[KeywordGroup]] = []
    first_page_of_letter: dict[str, int] = {}
    paths: set[str] = set()
    for group in groups:
        if group.page > len(pages):
            pages.append([])
        pages[-1].append(group)
        first_page_of_letter.setdefault(group.letter, group.page)
        paths.update(entry.path for entry in group.entries)
    return IndexLayout(
        tuple(map(tuple, pages)) or ((),), first_page_of_letter, len(paths)
    )


def index_letter(name: str) -> str:
    """The letter a name is listed under: ``genindex``'s rule (``é`` under ``E``)."""
    first = unicodedata.normalize("NFD", name[:1])[:1].upper()
    return first if first.isalpha() or first == "_" else SYMBOLS


def index_sort_key(name: str) -> tuple[str, str, str]:
    """Letters first grouped as ``genindex`` does, case-insensitive, then exact."""
    letter = index_letter(name)
    # Symbols sort before letters, like genindex.
    return (letter and "1" + letter, name.lower(), name)


def build_reverse_index(entries: Iterable[KeywordEntry]) -> dict[str, KeywordGroup]:
    """Group ``entries`` by keyword name, in Keyword Index order, with pages.

    A module's keyword counts once per kind even when several documents index
    the module: the first entry given for it stands for it.
    """
    by_name: dict[str, dict[tuple[str, str], KeywordEntry]] = {}
    for entry in entries:
        of_name = by_name.setdefault(entry.name, {})
        of_name.setdefault((entry.path, entry.kind), entry)
    kind_order = {kind: number for number, kind in enumerate(KINDS)}
    groups: dict[str, KeywordGroup] = {}
    page, links_on_page = 1, 0
    for name in sorted(by_name, key=index_sort_key):
        found = by_name[name]
        ordered = tuple(
            found[key] for key in sorted(found, key=lambda k: (k[0], kind_order[k[1]]))
        )
        if links_on_page and links_on_page + len(ordered) > LINKS_PER_PAGE:
            page, links_on_page = page + 1, 0
        links_on_page += len(ordered)
        groups[name] = KeywordGroup(name, index_letter(name), page, ordered)
    return groups
