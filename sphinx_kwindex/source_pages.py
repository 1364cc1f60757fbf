"""Highlighted source pages (``_kwsource/<path>.html``) with an anchor per line.

A page is written only when something it shows changed since the last build
into the same output folder: the file's content, where its back link leads,
or what every page shares (configuration, tags, templates, this version).
What the last build wrote is kept in :data:`STATE_NAME` in the output folder;
pages of files that are gone or no longer linked are removed.
"""

from __future__ import annotations

import hashlib
import io
import os
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.util.display import status_iterator

from sphinx_kwindex._i18n import _, __
from sphinx_kwindex.api_links import entry_href
from sphinx_kwindex.domain import ModuleRecord, get_domain
from sphinx_kwindex.extract import decode_source, replace_control_characters
from sphinx_kwindex.names import LINES_PER_SOURCE_PAGE, source_page_name
from sphinx_kwindex.outputs import (
    has_source_pages,
    load_state,
    save_state,
    shared_signature,
    writes_html_site,
)

if TYPE_CHECKING:
    from collections.abc import Generator, Iterable, Iterator

    from sphinx.application import Sphinx

STATE_NAME = ".kwindex-sources.json"
"""What the source pages of the last build show: ``{"shared": …, "pages":
{path: {"shows": [digest, docname, anchor], "parts": n, "stamp": [mtime
in ns, size]}}}``."""


def collect_source_pages(app: Sphinx) -> Iterator[tuple[str, dict[str, Any], str]]:
    """Yield the source pages to write: the parts of each module that some
    entry links to, unless they are written already and nothing they show
    changed (``html-collect-pages``); remove the pages no longer linked."""
    builder = app.builder
    if not isinstance(builder, StandaloneHTMLBuilder) or not writes_html_site(builder):
        return
    state_path = Path(builder.outdir, STATE_NAME)
    previous = load_state(state_path)
    records = _linked_records(app) if has_source_pages(builder) else {}
    root = Path(app.config.kwindex_root)
    shared = shared_signature(builder)
    before = {path: previous["pages"].get(path, {}) for path in records}
    stamps = {path: _stamp(os.path.join(root, path)) for path in records}
    shows = {
        path: [_digest(root / path, stamps[path], before[path]), r.docname, r.anchor]
        for path, r in records.items()
    }
    parts = {path: before[path].get("parts", 0) for path in shows}
    for path in previous["pages"].keys() - shows.keys():
        _remove_parts(builder, path, previous["pages"][path].get("parts", 1), 0)
    stale = [
        records[path]
        for path in shows
        if previous["shared"] != shared
        or before[path].get("shows") != shows[path]
        or not os.path.isfile(builder.get_outfilename(source_page_name(path)))
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
        written = yield from source_pages(app, root / record.path, record)
        _remove_parts(builder, record.path, parts[record.path], written)
        parts[record.path] = written
    # Reached once every page above is written.
    if not shows:
        state_path.unlink(missing_ok=True)
        return
    pages = {
        path: {"shows": shows[path], "parts": parts[path], "stamp": stamps[path]}
        for path in shows
    }
    save_state(state_path, {"shared": shared, "pages": pages})


def _remove_parts(
    builder: StandaloneHTMLBuilder, path: str, had: int, keep: int
) -> None:
    """Remove the parts past ``keep`` of the ``had`` a source page had."""
    for part in range(keep + 1, had + 1):
        Path(builder.get_outfilename(source_page_name(path, part))).unlink(
            missing_ok=True
        )


def _linked_records(app: Sphinx) -> dict[str, ModuleRecord]:
    """The first record of each module that some entry links to, by path."""
    first_record: dict[str, ModuleRecord] = {}
    for record in get_domain(app.env).all_modules():
        if record.linked_to_source:
            first_record.setdefault(record.path, record)
    return first_record


def _stamp(path: str) -> list[int]:
    """The file's modification time in ns and size (``[]`` if unreadable)."""
    try:
        stat = os.stat(path)
    except OSError:
        return []
    return [stat.st_mtime_ns, stat.st_size]


def _digest(path: Path, stamp: list[int], before: dict[str, Any]) -> str:
    """The digest of the file's content: the one recorded last time when the
    file has the same stamp, else read anew."""
    if stamp and before.get("stamp") == stamp and before.get("shows"):
        return str(before["shows"][0])
    try:
        return hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
    except OSError:
        return ""


def source_pages(
    app: Sphinx, path: Path, record: ModuleRecord
) -> Generator[tuple[str, dict[str, Any], str], None, int]:
    """Yield the parts of the highlighted source of ``path``, each a back
    link, the links to every part, then its lines with their anchors;
    return how many parts there are."""
    count, lines, parts = highlighted_parts(app, path)
    for part, part_lines in enumerate(parts, 1):
        page = source_page_name(record.path, part)
        first = (part - 1) * LINES_PER_SOURCE_PAGE + 1
        body = [
            f"<h1>{escape(_('Source code of %s') % record.path)}</h1>\n",
            _back_link(app, page, record),
        ]
        if count > 1:
            body.append(_parts_html(app, page, record.path, part, count, lines))
        body.append(number_lines(part_lines, first))
        context = {"title": record.path, "body": "".join(body), "parents": []}
        yield page, context, "page.html"
    return count


def highlighted_parts(app: Sphinx, path: Path) -> tuple[int, int, Iterator[list[str]]]:
    """How many parts the source page of the file ``path`` has, how many
    lines, and the lines of each part highlighted as Python where the file
    decodes: made a part at a time (an 11 MB module highlighted whole took
    more memory than the rest of its build)."""
    try:
        data = path.read_bytes()
    except OSError:
        data = b""
    try:
        code, highlight = replace_control_characters(decode_source(data)), True
    except UnicodeError:  # shown, but not highlighted
        code = replace_control_characters(data.decode("utf-8", "replace"))
        highlight = False
    # Lines as Pygments counts them: any newline, and one at the end.
    code = code.replace("\r\n", "\n").replace("\r", "\n")
    if not code.endswith("\n"):
        code += "\n"
    lines = code.count("\n")
    count = max(1, -(-lines // LINES_PER_SOURCE_PAGE))
    found = _highlighted(app, code) if highlight else _escaped(code)
    return count, lines, _in_parts(found)


def _highlighted(app: Sphinx, code: str) -> Iterator[str]:
    """The lines of ``code`` highlighted as Python, a few thousand at a time
    (formatted between tokens that end a line: each line's spans close on
    it)."""
    highlighter = app.builder.highlighter  # type: ignore[attr-defined]
    lexer = highlighter.get_lexer(code, "python", force=True)
    formatter = highlighter.get_formatter(nowrap=True)
    pending: list[tuple[Any, str]] = []
    newlines = 0

    def formatted() -> list[str]:
        html = io.StringIO()
        formatter.format(pending, html)
        return html.getvalue().split("\n")[:-1]

    for token in lexer.get_tokens(code):
        pending.append(token)
        newlines += token[1].count("\n")
        if newlines >= LINES_PER_SOURCE_PAGE and token[1].endswith("\n"):
            yield from formatted()
            pending, newlines = [], 0
    if pending:
        yield from formatted()


def _escaped(code: str) -> Iterator[str]:
    """The lines of ``code``, escaped for HTML."""
    return (escape(line) for line in code.split("\n")[:-1])


def _in_parts(lines: Iterable[str]) -> Iterator[list[str]]:
    """``lines`` in parts of :data:`LINES_PER_SOURCE_PAGE`; one part at least."""
    part: list[str] = []
    for line in lines:
        part.append(line)
        if len(part) == LINES_PER_SOURCE_PAGE:
            yield part
            part = []
    if part:
        yield part


def _back_link(app: Sphinx, page: str, record: ModuleRecord) -> str:
    back = entry_href(app.builder, page, record.docname, record.anchor)
    link = _("keywords of %s") % record.path
    return f'<p><a class="kwindex-back" href="{escape(back)}">{escape(link)}</a></p>\n'


def _parts_html(
    app: Sphinx, page: str, path: str, current: int, count: int, lines: int
) -> str:
    items = []
    for part in range(1, count + 1):
        first = (part - 1) * LINES_PER_SOURCE_PAGE + 1
        last = min(part * LINES_PER_SOURCE_PAGE, lines)
        numbers = {"first": first, "last": last}
        span = escape(_("lines %(first)d–%(last)d") % numbers)  # noqa: RUF001
        if part == current:
            items.append(f'<li class="current"><strong>{span}</strong></li>')
        else:
            uri = app.builder.get_relative_uri(page, source_page_name(path, part))
            items.append(f'<li><a href="{escape(uri)}">{span}</a></li>')
    return f'<nav class="kwindex-source-parts"><ol>{"".join(items)}</ol></nav>\n'


def number_lines(lines: list[str], first: int = 1) -> str:
    """Highlighted ``lines`` in a block, each prefixed with an ``id="L<n>"``
    anchor, numbered from ``first``."""
    numbered = (
        f'<span class="kwindex-lineno" id="L{n}"><a href="#L{n}">{n}</a></span>{line}'
        for n, line in enumerate(lines, start=first)
    )
    return (
        '<div class="highlight"><pre class="kwindex-source">'
        + "\n".join(numbered)
        + "\n</pre></div>\n"
    )
