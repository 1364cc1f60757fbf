"""The one table of keyword kinds: every name a kind goes by, declared once.

Extraction (``extract.py``) says which kinds a file holds; everything else —
the ``kw`` domain's object types and roles, headings and labels, general
index entries, links to API documentation, ``kwindex.json`` and the command
line — reads this table. Adding a kind is: extraction, a row here, docs.

No Sphinx here. Labels are English messages; the Sphinx glue translates them
where it shows them (``sphinx.locale``, catalog ``sphinx_kwindex``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class LinkRule(Enum):
    """Which Python names a keyword's name may be documented under."""

    DEFINITION = "definition"
    """Its qualified name inside the module (classes, functions …)."""
    IMPORT = "import"
    """The full dotted path of what is imported."""
    MARKER = "marker"
    """The decorator's own name (``pytest.mark.skip``)."""

    @property
    def external(self) -> bool:
        """Whether the name comes from elsewhere (the standard library, pytest
        …): it is used here, not defined, so other projects' inventories are
        asked too and search lists it after definitions."""
        return self is not LinkRule.DEFINITION


@dataclass(frozen=True, slots=True)
class Kind:
    """A kind of keyword and every name it goes by."""

    key: str
    """As written in ``:kinds:``, config and JSON: ``classes``."""
    object_type: str
    """The ``kw`` object type, also its role (``:kw:class:``)."""
    heading: str
    """The heading of its list on a page: ``Classes``."""
    label: str
    """What one keyword of it is called: ``class``."""
    index_text: str
    """Its general index entry, from the name and the module's path (for
    tests, a test class's: a test class has one, a test has none)."""
    link_rule: LinkRule
    node_ids: bool = False
    """Whether its locations are shown as pytest node ids."""


KINDS: dict[str, Kind] = {
    kind.key: kind
    for kind in (
        Kind(
            "classes", "class", "Classes", "class", "%s (class in %s)",
            LinkRule.DEFINITION,
        ),
        Kind(
            "functions", "function", "Functions", "function",
            "%s (function in %s)", LinkRule.DEFINITION,
        ),
        Kind(
            "imports", "import", "Imports", "import", "%s (imported in %s)",
            LinkRule.IMPORT,
        ),
        Kind(
            "tests", "test", "Tests", "test", "%s (test class in %s)",
            LinkRule.DEFINITION, node_ids=True,
        ),
        Kind(
            "fixtures", "fixture", "Fixtures", "fixture", "%s (fixture in %s)",
            LinkRule.DEFINITION,
        ),
        Kind(
            "markers", "marker", "Markers", "marker", "%s (marker in %s)",
            LinkRule.MARKER, node_ids=True,
        ),
        Kind(
            "constants", "constant", "Constants", "constant",
            "%s (constant in %s)", LinkRule.DEFINITION,
        ),
    )
}  # fmt: skip
"""Every kind by key, in the order the documentation lists them."""

DEFAULT_KINDS = ("classes", "functions", "imports")
"""The kinds shown when none are asked for (the seed example's three lists)."""

TEST_KINDS = ("tests", "fixtures", "markers", "classes", "functions", "imports")
"""The kinds a generated page shows of a module pytest collects tests from
(``conftest.py``: but tests) when none are configured."""

DEFAULT_INDEX_KINDS = ("tests", "fixtures")
"""The kinds that get general index entries when none are configured: what a
reader looks a test suite up by, test classes (``tests``: an entry per class
that collects tests) and fixtures. Every keyword of every kind is in the
Keyword Index."""

DEFAULT_OBJECT_KINDS = ("tests", "classes", "fixtures")
"""The kinds whose keywords are objects of the ``kw`` domain when none are
configured: in ``objects.inv`` (other projects link to them) and search
results. Every keyword is still a target of ``:kw:`` in the project."""

KEYWORD = "keyword"
"""The object type of a keyword as a whole (its Keyword Index entry), and the
role that finds a keyword of any kind."""

BY_OBJECT_TYPE: dict[str, Kind] = {kind.object_type: kind for kind in KINDS.values()}
"""Every kind by its object type."""
