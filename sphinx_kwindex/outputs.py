"""Which builders write what besides the documents (source pages, the
Keyword Index pages, the lists of tests that use an object,
``kwindex.json``), and what such pages showed when they
were last written, so that unchanged ones are not written again."""

from __future__ import annotations

import hashlib
import json
import marshal
from typing import TYPE_CHECKING, Any

from sphinx_kwindex import __version__
from sphinx_kwindex.names import KEYWORD_INDEX

if TYPE_CHECKING:
    from pathlib import Path

    from sphinx.builders import Builder
    from sphinx.builders.html import StandaloneHTMLBuilder
    from sphinx.config import Config


def writes_html_site(builder: Builder) -> bool:
    """Whether ``builder`` writes a browsable HTML site (an epub is a book)."""
    return builder.format == "html" and not builder.name.startswith("epub")


ONE_DOCUMENT_BUILDERS = frozenset({"singlehtml", "latex", "texinfo", "man"})
"""Sphinx's builders that make one document of the toctree (and e-books)."""


def makes_one_document(builder: Builder) -> bool:
    """Whether ``builder`` makes one document (a book, a single page) of
    what the toctree holds: pages outside it are left out, and it shows no
    navigation on every page."""
    return builder.name in ONE_DOCUMENT_BUILDERS or builder.name.startswith("epub")


def has_source_pages(builder: Builder) -> bool:
    """Whether ``builder`` writes source pages: like ``viewcode``, not in a
    single page."""
    return bool(
        builder.config.kwindex_source_pages
        and writes_html_site(builder)
        and builder.name != "singlehtml"
    )


def writes_tested_by_pages(builder: Builder) -> bool:
    """Whether ``builder`` writes the complete lists of the tests that use
    each documented object (like source pages, not in a single page)."""
    return writes_html_site(builder) and builder.name != "singlehtml"


def keyword_index_enabled(config: Config) -> bool:
    """Whether ``html_domain_indices`` lets HTML builders write the Keyword Index."""
    indices = config.html_domain_indices
    return indices if isinstance(indices, bool) else KEYWORD_INDEX in indices


def has_keyword_index(builder: Builder) -> bool:
    """Whether ``builder`` writes the Keyword Index pages (no single-page build
    writes indices)."""
    return (
        writes_html_site(builder)
        and builder.name != "singlehtml"
        and keyword_index_enabled(builder.config)
    )


def shared_signature(builder: StandaloneHTMLBuilder) -> list[str]:
    """What every extra page shows alike: the extension's version, the
    builder, its configuration and tags, its templates."""
    info = builder.build_info
    templates = str(builder.templates.newest_template_mtime())
    return [__version__, builder.name, info.config_hash, info.tags_hash, templates]


def load_state(path: Path) -> dict[str, Any]:
    """What the pages of a kind showed when last written (``{"shared": …,
    "pages": {…}}``), or nothing when ``path`` holds no such record."""
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(state, dict) and isinstance(state.get("pages"), dict):
            return state
    except (OSError, ValueError):
        pass
    return {"shared": None, "pages": {}}


def save_state(path: Path, state: dict[str, Any]) -> None:
    """Record what the pages of a kind show, once they are written."""
    path.write_text(json.dumps(state, sort_keys=True), encoding="utf-8")


def shown_digest(shown: Any) -> str:
    """A digest of what a page shows, ``shown`` (strings, numbers, lists and
    tuples of them): its marshal of version 0, which writes equal values
    alike."""
    return hashlib.blake2b(marshal.dumps(shown, 0), digest_size=16).hexdigest()
