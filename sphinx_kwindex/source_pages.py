"""Highlighted source pages (``_kwsource/<path>.html``) with an anchor per line.

A page is written only when something it shows changed since the last build
into the same output folder: the file's content, where its back link leads,
or what every page shares (configuration, tags, templates, this version).
What the last build wrote is kept in :data:`STATE_NAME` in the output folder;
pages of files that are gone or no longer linked are removed.
"""

from __future__ import annotations

import hashlib
import json
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.util.display import status_iterator

from sphinx_kwindex import __version__
from sphinx_kwindex._i18n import _, __
from sphinx_kwindex.domain import ModuleRecord, get_domain
from sphinx_kwindex.extract import decode_source, replace_control_characters
from sphinx_kwindex.names import source_page_name
from sphinx_kwindex.outputs import has_source_pages, writes_html_site
from sphinx_kwindex.parse_cache import parse_cache

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sphinx.application import Sphinx

STATE_NAME = ".kwindex-sources.json"
"""What the source pages of the last build show: ``{"shared": …, "pages":
{path: [digest, docname, anchor]}}``."""


def collect_source_pages(app: Sphinx) -> Iterator[tuple[str, dict[str, Any], str]]:
    """Yield the source pages to write: one per module that some entry links
    to, unless it is written already and nothing it shows changed
    (``html-collect-pages``); remove the pages no longer linked."""
    builder = app.builder
    if not isinstance(builder, StandaloneHTMLBuilder) or not writes_html_site(builder):
        return
    state_path = Path(builder.outdir, STATE_NAME)
    previous = _load_state(state_path)
    records = _linked_records(app) if has_source_pages(builder) else {}
    root = Path(app.config.kwindex_root)
    shared = _shared_signature(builder)
    pages = {path: _page_state(app, root / path, r) for path, r in records.items()}
    for path in previous["pages"].keys() - pages.keys():
        Path(builder.get_outfilename(source_page_name(path))).unlink(missing_ok=True)
    if not pages:
        state_path.unlink(missing_ok=True)
        return
    stale = [
        records[path]
        for path, state in pages.items()
        if previous["shared"] != shared
        or previous["pages"].get(path) != state
        or not Path(builder.get_outfilename(source_page_name(path))).is_file()
    ]
    announced = status_iterator(
        stale,
        __("writing keyword index source pages... "),
        "blue",
        len(stale),
        app.verbosity,
        stringify_func=lambda record: record.path,
    )
    for record in announced if stale else ():
        page = source_page_name(record.path)
        body = source_page_body(app, root / record.path, record, page)
        context = {"title": record.path, "body": body, "parents": []}
        yield page, context, "page.html"
    # Reached once every page above is written.
    state = {"shared": shared, "pages": pages}
    state_path.write_text(json.dumps(state, sort_keys=True), encoding="utf-8")


def _linked_records(app: Sphinx) -> dict[str, ModuleRecord]:
    """The first record of each module that some entry links to, by path."""
    first_record: dict[str, ModuleRecord] = {}
    for record in get_domain(app.env).all_modules():
        if record.linked_to_source:
            first_record.setdefault(record.path, record)
    return first_record


def _page_state(app: Sphinx, path: Path, record: ModuleRecord) -> list[str]:
    """What the source page of ``path`` shows that may change: the file's
    content (its digest, from the parse cache where it is known) and where
    the back link leads."""
    parsed = parse_cache(app.env).parsed.get(str(path))
    if parsed is not None:
        digest = parsed.digest.hex()
    else:
        try:
            digest = hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
        except OSError:
            digest = ""
    return [digest, record.docname, record.anchor]


def _shared_signature(builder: StandaloneHTMLBuilder) -> list[str]:
    """What every source page shows alike: the extension's version, the
    builder, its configuration and tags, its templates."""
    info = builder.build_info
    templates = str(builder.templates.newest_template_mtime())
    return [__version__, builder.name, info.config_hash, info.tags_hash, templates]


def _load_state(path: Path) -> dict[str, Any]:
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(state, dict) and isinstance(state.get("pages"), dict):
            return state
    except (OSError, ValueError):
        pass
    return {"shared": None, "pages": {}}


def source_page_body(app: Sphinx, path: Path, record: ModuleRecord, page: str) -> str:
    """The page's HTML: a back link, then the highlighted lines with anchors."""
    try:
        data = path.read_bytes()
    except OSError:
        data = b""
    try:
        code = replace_control_characters(decode_source(data))
        highlighted = app.builder.highlighter.highlight_block(  # type: ignore[attr-defined]
            code, "python", force=True
        )
    except UnicodeError:  # shown, but not highlighted
        code = replace_control_characters(data.decode("utf-8", "replace"))
        highlighted = f'<div class="highlight"><pre>{escape(code)}</pre></div>'
    back = app.builder.get_relative_uri(page, record.docname) + "#" + record.anchor
    heading = _("Source code of %s") % record.path
    link = _("keyword index")
    return (
        f"<h1>{escape(heading)}</h1>\n"
        f'<p><a class="kwindex-back" href="{escape(back)}">{escape(link)}</a></p>\n'
        + number_lines(highlighted)
    )


def number_lines(highlighted: str) -> str:
    """Prefix every line of a highlighted block with an ``id="L<n>"`` anchor."""
    before, _sep, after = highlighted.partition("<pre>")
    code, _sep, tail = after.rpartition("</pre>")
    lines = code.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    numbered = (
        f'<span class="kwindex-lineno" id="L{n}"><a href="#L{n}">{n}</a></span>{line}'
        for n, line in enumerate(lines, start=1)
    )
    return (
        f'{before}<pre class="kwindex-source">'
        + "\n".join(numbered)
        + f"\n</pre>{tail}"
    )
