"""The project-wide reverse index: every keyword, the modules that hold it, and
the page of the Keyword Index it is listed on.

Plain data only (no Sphinx): the domain derives it once all documents are
read, and both the ``kw`` role and the Keyword Index pages read it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from sphinx_kwindex.kinds import KINDS
from sphinx_kwindex.names import SYMBOLS, entry_anchor, keyword_anchor

LINKS_PER_PAGE = 2000
"""How many module links one page of the Keyword Index holds at most (a
keyword is never split across pages, and alone may hold more). A link
takes about 380 bytes of HTML, so a page stays under about 1 MB however
large the project (CPython's test package: some forty pages, not one of 21 MB),
and a project of a few dozen modules has its whole index on one page."""


class RecordedKeyword(NamedTuple):
    """A keyword a block shows, as the ``kw`` domain records it: where its
    entry is (named tuples: a large project has hundreds of thousands)."""

    name: str
    kind: str
    path: str
    """The module, relative to ``kwindex_root``, POSIX."""
    docname: str
    block: str
    """The id of the block that shows it on ``docname``."""
    lines: tuple[int, ...]
    """Every line the keyword stands on, ascending."""
    local: bool = False
    """Whether it is a definition made only inside function bodies (a class
    a test makes for itself): no general index entry, no search result."""

    @property
    def entry_id(self) -> str:
        """The id of its entry on ``docname`` (made, not kept: the
        environment holds one entry per keyword of every module)."""
        return entry_anchor(self.block, self.kind, self.name)


@dataclass(frozen=True, slots=True)
class KeywordGroup:
    """A keyword of the project and every entry of it, by path then kind."""

    name: str
    letter: str
    """The index letter (:data:`SYMBOLS` for names like ``.mod``)."""
    entries: tuple[RecordedKeyword, ...]
    folded: str
    """The name as the index orders and pages it (:func:`fold`)."""

    @property
    def anchor(self) -> str:
        """The id of the keyword on its Keyword Index page."""
        return keyword_anchor(self.name)

    @property
    def paths(self) -> tuple[str, ...]:
        """The modules that hold the keyword, each once, sorted."""
        return tuple(dict.fromkeys(entry.path for entry in self.entries))


@dataclass(frozen=True, slots=True)
class IndexPage:
    """A page of the Keyword Index: keywords, or the pages it is split into.

    A page is known by its key, a prefix of the folded names it holds
    (:func:`fold`): ``""`` is the first page. Keys depend on the names alone,
    never on what other pages hold, so a page keeps its address while the
    project grows; a page that grows too large becomes the list of its
    sub-pages, and redirects links to keywords it no longer holds.
    """

    key: str
    groups: tuple[KeywordGroup, ...] = ()
    subpages: tuple[str, ...] = ()

    @property
    def links(self) -> int:
        """How many module links the page holds."""
        return sum(len(group.entries) for group in self.groups)


@dataclass(frozen=True, slots=True)
class IndexLayout:
    """How the Keyword Index is laid out on its pages."""

    pages: dict[str, IndexPage]
    """Every page by key, in index order, each before its sub-pages."""
    page_of: dict[str, str]
    """The key of the page that lists each keyword."""
    first_page_of_letter: dict[str, str]
    module_count: int
    """How many modules hold the keywords listed."""
    parents: dict[str, str] = field(default_factory=dict)
    """The key of the page each page (but the first) is a part of."""
    indexed_modules: int = 0
    """How many modules the project indexes, those holding no keyword too
    (an empty ``__init__.py``)."""

    @property
    def keyword_count(self) -> int:
        """How many keywords the index lists."""
        return len(self.page_of)

    @property
    def listing_pages(self) -> list[IndexPage]:
        """The pages that list keywords, in index order."""
        return [page for page in self.pages.values() if page.groups]

    def listing_pages_below(self, key: str) -> list[IndexPage]:
        """The pages that list keywords in the part of the index ``key``
        is the page of (itself included), in index order."""
        page = self.pages[key]
        found = [page] if page.groups else []
        for subkey in page.subpages:
            found += self.listing_pages_below(subkey)
        return found

    def ancestors(self, key: str) -> list[str]:
        """The keys of the pages ``key`` is a part of, the first page first."""
        found = []
        while key in self.parents:
            key = self.parents[key]
            found.append(key)
        return found[::-1]


def lay_out_index(
    groups: Sequence[KeywordGroup], limit: int | None = None
) -> IndexLayout:
    """The pages of the Keyword Index, from groups in index order.

    One page holds everything while it has at most ``limit`` module links
    (:data:`LINKS_PER_PAGE`); past that, a page is split by the next letters
    of its names into sub-pages, and so on. A keyword is never split, however
    many links it has.
    """
    limit = LINKS_PER_PAGE if limit is None else limit
    pages: dict[str, IndexPage] = {}
    _place(pages, "", list(groups), limit)
    page_of = {group.name: page.key for page in pages.values() for group in page.groups}
    first_page_of_letter: dict[str, str] = {}
    paths: set[str] = set()
    for group in groups:
        first_page_of_letter.setdefault(group.letter, page_of[group.name])
        paths.update(entry.path for entry in group.entries)
    parents = {sub: page.key for page in pages.values() for sub in page.subpages}
    return IndexLayout(pages, page_of, first_page_of_letter, len(paths), parents)


def _place(
    pages: dict[str, IndexPage],
    key: str,
    groups: list[KeywordGroup],
    limit: int,
) -> None:
    """Lay out ``groups`` (whose folded names start with ``key``) on the page
    ``key`` and, if they hold more than ``limit`` links, on the pages of its
    parts: its names by their next letter, runs of small letters together on
    one page (named by the first), a letter too large for a page split the
    same way. A name that is all of ``key`` stays on the page itself.

    A page's name is the first letters of the first keyword it may hold, so
    each page holds the names from its own up to the next page's: a link to
    a keyword goes to the page with the greatest name not after the
    keyword's (what the pages' script does with a saved link).
    """
    links = _links(groups)
    if links <= limit or len(groups) == 1:
        pages[key] = IndexPage(key, tuple(groups))
        return
    pages[key] = IndexPage(key)  # keeps its place before its parts
    depth = len(key) + 1
    buckets: dict[str, list[KeywordGroup]] = {}
    for group in groups:
        buckets.setdefault(group.folded[:depth], []).append(group)
    own = buckets.pop(key, [])
    parts: list[str] = []
    run: list[KeywordGroup] = []
    run_links = 0
    for bucket, members in buckets.items():
        size = _links(members)
        if size > limit and len(members) > 1:
            _close_run(pages, run, depth, parts)
            run, run_links = [], 0
            parts.append(bucket)
            _place(pages, bucket, members, limit)
        elif run and run_links + size <= limit:
            run += members
            run_links += size
        else:
            _close_run(pages, run, depth, parts)
            run, run_links = list(members), size
    _close_run(pages, run, depth, parts)
    pages[key] = IndexPage(key, tuple(own), tuple(parts))


def _close_run(
    pages: dict[str, IndexPage], run: list[KeywordGroup], depth: int, parts: list[str]
) -> None:
    """Make the page of a run of small letters, named by its first."""
    if run:
        key = run[0].folded[:depth]
        pages[key] = IndexPage(key, tuple(run))
        parts.append(key)


def _links(groups: Sequence[KeywordGroup]) -> int:
    return sum(len(group.entries) for group in groups)


def fold(name: str) -> str:
    """``name`` as the Keyword Index orders and pages it: lower case, accents
    apart (``Éclair`` gives ``e\u0301clair``), as ``genindex`` orders."""
    return unicodedata.normalize("NFD", name.lower())


def index_letter(name: str) -> str:
    """The letter a name is listed under: ``genindex``'s rule (``é`` under ``E``)."""
    first = unicodedata.normalize("NFD", name[:1])[:1].upper()
    return first if first.isalpha() or first == "_" else SYMBOLS


def index_sort_key(name: str) -> tuple[int, str, str]:
    """``genindex``'s order: symbols first, then case- and accent-insensitive
    (``_`` before letters), then exact."""
    return (0 if index_letter(name) == SYMBOLS else 1, fold(name), name)


def build_reverse_index(entries: Iterable[RecordedKeyword]) -> dict[str, KeywordGroup]:
    """Group ``entries`` by keyword name, in Keyword Index order, each
    keyword's entries by path then kind.

    A module's keyword counts once per kind even when several documents index
    the module: the first entry given for it stands for it.
    """
    by_name: dict[str, dict[tuple[str, str], RecordedKeyword]] = {}
    for entry in entries:
        of_name = by_name.get(entry.name)
        if of_name is None:
            of_name = by_name[entry.name] = {}
        key = (entry.path, entry.kind)
        if key not in of_name:
            of_name[key] = entry
    kind_order = {kind: number for number, kind in enumerate(KINDS)}
    groups: dict[str, KeywordGroup] = {}
    for _symbol, folded, name in sorted(map(index_sort_key, by_name)):
        found = by_name[name]
        if len(found) == 1:
            ordered = tuple(found.values())
        else:
            keys = sorted(found, key=lambda k: (k[0], kind_order[k[1]]))
            ordered = tuple(found[key] for key in keys)
        groups[name] = KeywordGroup(name, index_letter(name), ordered, folded)
    return groups
