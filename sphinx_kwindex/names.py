"""Naming rules: docnames of generated pages, ids in pages, Python names.

No Sphinx here. Every page name and id the extension makes comes from one
function of this module, so a link and its target can never disagree.
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import PurePosixPath

from sphinx_kwindex.kinds import LinkRule

SOURCE_DIR = "_kwsource"
TESTED_DIR = "_kwtested"
"""Where HTML builders write the complete list of the tests that use each
documented object that more tests use than its "Tested by" names."""
"""Output folder of the highlighted source pages."""

LINES_PER_SOURCE_PAGE = 2000
"""Lines per highlighted source page: a line of Python highlights into about
200 bytes of HTML, so a part stays under about 500 kB however long the file
(CPython's ``test_typing.py``, 10,000 lines, made one page of 2.2 MB)."""

KEYWORD_INDEX = "kw-index"
"""The page name of the Keyword Index (the ``kw`` domain's index ``index``)."""

SYMBOLS = ""
"""The Keyword Index letter of names that start with neither a letter nor ``_``."""

_UNSAFE_ID_CHARS = re.compile(r"[^\w.-]")
_PAGE_KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")


def module_anchor(path: str) -> str:
    """The id of the block that indexes the module at ``path``."""
    return "kw-" + _UNSAFE_ID_CHARS.sub("-", path.replace("/", "."))


def entry_anchor(block_id: str, kind: str, name: str) -> str:
    """The id of a keyword's entry inside the block ``block_id``."""
    return f"{block_id}-{kind}-{_UNSAFE_ID_CHARS.sub('-', name)}"


def kind_anchor(block_id: str, kind: str) -> str:
    """The id of the list of ``kind`` inside the block ``block_id``."""
    return f"{block_id}-{kind}"


def group_anchor(block_id: str, node: str) -> str:
    """The id of the tests a class ``node`` collects, inside the block
    ``block_id``."""
    return entry_anchor(block_id, "group", node)


def keyword_anchor(name: str) -> str:
    """The id of a keyword on its Keyword Index page."""
    return "kw-" + name


def letter_anchor(letter: str) -> str:
    """The id of a letter's heading on the Keyword Index."""
    return "kw-letter-" + (letter if letter != SYMBOLS else "symbols")


def part_name(name: str, part: int) -> str:
    """The name of part ``part`` of the page ``name``: ``name`` itself, then
    ``name-2``, ``name-3`` …"""
    return name if part == 1 else f"{name}-{part}"


def source_page_name(path: str, part: int = 1) -> str:
    """The page name of part ``part`` of the highlighted source of ``path``:
    ``_kwsource/a/b.py``, then ``_kwsource/a/b.py-2`` … for long files."""
    return part_name(posixpath.join(SOURCE_DIR, path), part)


def source_page_part(line: int) -> int:
    """Which part of a highlighted source holds line ``line`` (1-based)."""
    return (line - 1) // LINES_PER_SOURCE_PAGE + 1


def tested_by_page_name(name: str, part: int) -> str:
    """The page name of the tests that use the object defined as ``name``:
    ``_kwtested/shop.cart.Cart``, then ``…-2`` for a long list."""
    return part_name(posixpath.join(TESTED_DIR, name), part)


def index_page_name(key: str) -> str:
    """The page name of the Keyword Index page ``key`` (``""``: the first
    page), its letters kept where a file name may hold them: ``kw-index-te``,
    ``kw-index-~2e~`` for ``.``."""
    if not key:
        return KEYWORD_INDEX
    safe = "".join(c if c in _PAGE_KEY_CHARS else f"~{ord(c):x}~" for c in key)
    return f"{KEYWORD_INDEX}-{safe}"


def folder_docname(output_dir: str, folder: str) -> str:
    """The docname of the generated page of ``folder`` (``""``: the top page)."""
    return posixpath.join(output_dir, folder, "index")


def untested_docname(output_dir: str) -> str:
    """The docname of the generated page of what no test uses."""
    return posixpath.join(output_dir, "untested-api")


def failures_docname(output_dir: str) -> str:
    """The docname of the generated page of the failures of the records."""
    return posixpath.join(output_dir, "failures")


def module_docname(output_dir: str, module: str) -> str:
    """The docname of the generated page of ``module``."""
    return posixpath.join(output_dir, module)


def pytest_node_id(path: str, qualname: str) -> str:
    """The pytest node id of ``qualname`` in the module at ``path``."""
    return "::".join([path, *qualname.split(".")]) if qualname else path


def module_dotted_name(path: str) -> str:
    """``a/b/c.py`` gives ``a.b.c``; a package's ``a/b/__init__.py`` gives ``a.b``."""
    pure = PurePosixPath(path)
    parts = (
        pure.parent.parts
        if pure.stem == "__init__"
        else (*pure.parent.parts, pure.stem)
    )
    return ".".join(parts)


def api_targets(
    path: str, rule: LinkRule, name: str, qualnames: Iterable[str]
) -> tuple[str, ...]:
    """The Python names a keyword ``name`` of the module at ``path`` may be
    documented under, most likely first; ``qualnames`` are its locations'.

    Imports: the full dotted path of what is imported, a relative import
    resolved against the module's package. Markers: the decorator's name.
    Definitions: the qualified name inside the module, under the module's
    dotted name and each shorter tail of it, since the folders above the
    importable package (``src/``, ``tests/``) are not part of its name.
    """
    if rule is LinkRule.MARKER:
        return (name,)
    module, package = _module_and_package(path)
    names: list[str] = []
    for qualname in qualnames:
        if rule is LinkRule.DEFINITION:
            names.extend(_under_module_tails(module, qualname))
        elif qualname.startswith("."):
            names.extend(_relative_import_targets(package, qualname))
        else:
            names.append(qualname)
    return tuple(dict.fromkeys(names))


@functools.lru_cache(maxsize=256)
def _module_and_package(path: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The dotted parts of the module at ``path`` and of its package (the
    same module's keywords ask for it over and over)."""
    module = tuple(module_dotted_name(path).split("."))
    return module, module if path.endswith("__init__.py") else module[:-1]


def _under_module_tails(module: Sequence[str], qualname: str) -> Iterator[str]:
    for start in range(len(module)):
        yield ".".join((*module[start:], qualname))


def _relative_import_targets(package: Sequence[str], dotted: str) -> Iterator[str]:
    rest = dotted.lstrip(".")
    up = len(dotted) - len(rest) - 1
    if up >= len(package) or not rest:
        return
    base = package[: len(package) - up]
    for start in range(len(base) + 1):
        yield ".".join((*base[start:], rest))
