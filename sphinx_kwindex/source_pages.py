"""Highlighted source pages (``_kwsource/<path>.html``) with an anchor per line."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sphinx.util.display import status_iterator

from sphinx_kwindex._i18n import _, __
from sphinx_kwindex.domain import ModuleRecord, get_domain
from sphinx_kwindex.extract import decode_source, replace_control_characters
from sphinx_kwindex.names import source_page_name
from sphinx_kwindex.outputs import has_source_pages

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sphinx.application import Sphinx


def collect_source_pages(app: Sphinx) -> Iterator[tuple[str, dict[str, Any], str]]:
    """Yield a page per module that some entry links to (``html-collect-pages``)."""
    if not has_source_pages(app.builder):
        return
    first_record: dict[str, ModuleRecord] = {}
    for record in get_domain(app.env).all_modules():
        if record.linked_to_source:
            first_record.setdefault(record.path, record)
    root = Path(app.config.kwindex_root)
    for record in status_iterator(
        first_record.values(),
        __("writing keyword index source pages... "),
        "blue",
        len(first_record),
        app.verbosity,
        stringify_func=lambda record: record.path,
    ):
        page = source_page_name(record.path)
        body = source_page_body(app, root / record.path, record, page)
        context = {"title": record.path, "body": body, "parents": []}
        yield page, context, "page.html"


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
