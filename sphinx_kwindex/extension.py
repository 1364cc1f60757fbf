"""What the extension registers with Sphinx, in the order data flows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sphinx_kwindex import (
    __version__,
    config,
    nodes,
    results,
    tested_by,
    tested_by_directives,
    tested_by_pages,
    transforms,
)
from sphinx_kwindex.directive import KwindexDirective
from sphinx_kwindex.domain import (
    KeywordDomain,
    derive_project_data,
    outdated_by_files,
)
from sphinx_kwindex.export import export_json, outdated_fragments, purge_fragments
from sphinx_kwindex.folder_directive import KwindexFolderDirective
from sphinx_kwindex.keyword_index import collect_index_pages, render_first_index_page
from sphinx_kwindex.pages import (
    generate_pages,
    parse_before_reading,
    reread_changed_folder_pages,
)
from sphinx_kwindex.parse_cache import (
    close_before_reading,
    find_parsed_modules,
    save_parsed_modules,
)
from sphinx_kwindex.roles import KeywordRole
from sphinx_kwindex.source_pages import collect_source_pages

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata


def setup_extension(app: Sphinx) -> ExtensionMetadata:
    """Register everything the extension is made of.

    - config values ``kwindex_*``, checked at ``config-inited``;
    - the parse cache: found at ``builder-inited``, read a module at a time
      when needed, closed before reading processes fork
      (``env-before-read-docs``), handed back from them, saved at
      ``env-updated``;
    - whole trees: pages generated at ``builder-inited``, folder pages re-read
      at ``env-get-outdated``, the modules of pages to read parsed at
      ``env-before-read-docs``;
    - the ``kwindex`` and ``kwindex-folder`` directives, the ``kw`` domain and
      the ``:kw:`` role; the documents that show a changed file re-read at
      ``env-get-outdated``; the derivation at ``env-updated``;
    - the nodes, their post-transform and HTML visitor, the stylesheet;
    - source pages and Keyword Index pages (``html-collect-pages``),
      ``kwindex.json`` (``build-finished``).
    """
    config.register(app)
    app.connect("builder-inited", find_parsed_modules)
    app.connect("env-purge-doc", purge_fragments)
    app.connect("env-get-outdated", outdated_fragments)
    app.connect("env-updated", save_parsed_modules)
    app.connect("builder-inited", generate_pages)
    app.connect("env-get-outdated", reread_changed_folder_pages)
    app.connect("env-get-outdated", outdated_by_files)
    app.connect("env-before-read-docs", parse_before_reading)
    app.connect("env-before-read-docs", close_before_reading)
    app.add_directive("kwindex", KwindexDirective)
    app.add_directive("kwindex-folder", KwindexFolderDirective)
    app.add_domain(KeywordDomain)
    app.add_role("kw", KeywordRole())
    app.connect("env-updated", derive_project_data)
    nodes.register(app)
    transforms.register(app)
    tested_by.register(app)
    tested_by_directives.register(app)
    tested_by_pages.register(app)
    results.register(app)
    app.connect("config-inited", nodes.add_templates)
    app.connect("builder-inited", nodes.add_static_files)
    app.connect("build-finished", nodes.copy_static_files)
    app.connect("html-collect-pages", collect_source_pages)
    app.connect("html-collect-pages", collect_index_pages)
    app.connect("html-page-context", render_first_index_page)
    app.connect("build-finished", export_json)
    return {
        "version": __version__,
        # All the extension keeps in the environment is the kw domain's.
        "env_version": KeywordDomain.data_version,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
