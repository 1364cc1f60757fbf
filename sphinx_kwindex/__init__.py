"""sphinx-kwindex: a static keyword index of Python (test) modules for Sphinx."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from sphinx.application import Sphinx

STATIC_DIR = Path(__file__).parent / "static"
ENV_VERSION = 5
"""Bump whenever what the environment stores changes shape (``domain.py``):
Sphinx then starts from a fresh environment instead of unpickling old data."""


STYLESHEET = "kwindex.css"


def add_stylesheet(app: Sphinx) -> None:
    """Link ``kwindex.css`` from HTML pages (``builder-inited``)."""
    if app.builder.format == "html":
        app.add_css_file(STYLESHEET)


def copy_stylesheet(app: Sphinx, exception: BaseException | None) -> None:
    """Copy ``kwindex.css`` into ``_static`` after an HTML build."""
    if exception is None and app.builder.format == "html":
        static = Path(app.outdir, "_static")
        static.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(STATIC_DIR / STYLESHEET, static / STYLESHEET)


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the ``kwindex`` directive and everything it relies on.

    Config values (``kwindex_*``), the ``kw`` domain, the compact keyword
    nodes with their HTML visitor, the stylesheet (HTML builders), the
    source pages (``html-collect-pages``) and ``kwindex.json``
    (``build-finished``).
    """
    from sphinx_kwindex import config, nodes
    from sphinx_kwindex.directive import KwindexDirective
    from sphinx_kwindex.domain import KeywordDomain, derive_project_data
    from sphinx_kwindex.export import export_json
    from sphinx_kwindex.folders import KwindexFolderDirective
    from sphinx_kwindex.keyword_index import (
        collect_index_pages,
        render_first_index_page,
    )
    from sphinx_kwindex.pages import generate_pages, reread_changed_folder_pages
    from sphinx_kwindex.parse_cache import load_parsed_modules, save_parsed_modules
    from sphinx_kwindex.roles import KeywordRole
    from sphinx_kwindex.source_pages import collect_source_pages

    config.register(app)
    app.add_domain(KeywordDomain)
    nodes.register(app)
    app.add_directive("kwindex", KwindexDirective)
    app.add_directive("kwindex-folder", KwindexFolderDirective)
    app.add_role("kw", KeywordRole())
    app.connect("env-updated", derive_project_data)
    app.connect("env-updated", save_parsed_modules)
    app.connect("builder-inited", add_stylesheet)
    # The parsed modules of earlier builds first: generating pages uses them.
    app.connect("builder-inited", load_parsed_modules, priority=400)
    app.connect("builder-inited", generate_pages)
    app.connect("env-get-outdated", reread_changed_folder_pages)
    app.connect("html-collect-pages", collect_source_pages)
    app.connect("html-collect-pages", collect_index_pages)
    app.connect("html-page-context", render_first_index_page)
    app.connect("build-finished", copy_stylesheet)
    app.connect("build-finished", export_json)
    return {
        "version": __version__,
        "env_version": ENV_VERSION,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
