"""Which builders write what besides the documents: source pages, the
Keyword Index pages, ``kwindex.json``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sphinx_kwindex.names import KEYWORD_INDEX

if TYPE_CHECKING:
    from sphinx.builders import Builder
    from sphinx.config import Config


def writes_html_site(builder: Builder) -> bool:
    """Whether ``builder`` writes a browsable HTML site (an epub is a book)."""
    return builder.format == "html" and not builder.name.startswith("epub")


def has_source_pages(builder: Builder) -> bool:
    """Whether ``builder`` writes source pages: like ``viewcode``, not in a
    single page."""
    return bool(
        builder.config.kwindex_source_pages
        and writes_html_site(builder)
        and builder.name != "singlehtml"
    )


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
