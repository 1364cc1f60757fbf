"""``kwindex.json``: every indexed module and its keywords.

A ``kwindex`` block writes what the file says of it, a *fragment*, as it is
read, from what it has in hand (the parsed module, the collected tests):
``kwindex-json/<docname>/<block id>`` beside the environment, in reading
processes too. After an HTML site build, the main process writes the file
an entry at a time, each entry a piece at a time, so that no entry is ever
whole in memory (a module of 100,000 tests makes 39 MB of JSON): the
entries of documents read in this build from their fragments, the others
copied from the file it replaces, where the last build kept their place.
"""

from __future__ import annotations

import json
import marshal
import os
import shutil
from contextlib import nullcontext
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NamedTuple

from sphinx.util import logging

from sphinx_kwindex import __version__
from sphinx_kwindex._i18n import __
from sphinx_kwindex.domain import ModuleRecord, get_domain
from sphinx_kwindex.outputs import writes_html_site
from sphinx_kwindex.parse_cache import load_pickle, save_pickle
from sphinx_kwindex.present import JSON_VERSION
from sphinx_kwindex.records import records_json
from sphinx_kwindex.warnings import Subtype, warn

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence, Set

    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

logger = logging.getLogger(__name__)

JSON_NAME = "kwindex.json"
SPANS_NAME = "kwindex-json.pickle"
"""Where the entries of the last ``kwindex.json`` stand in it, beside the
environment: ``{"file": [mtime in ns, size], "spans": {(docname, anchor):
(start, length)}}``, the key that of the block of an entry's (first)
record."""
FRAGMENTS_DIR = "kwindex-json"
"""Beside the environment: the fragment of each block."""

_COPY_CHUNK = 1 << 20


class Fragment(NamedTuple):
    """What ``kwindex.json`` says of one block, as JSON text: per kind the
    items of its ``keywords`` list (without brackets), and the members
    after ``keywords`` (without braces; ``""`` for none)."""

    keywords: dict[str, str]
    extras: str = ""


def fragment_path(env: BuildEnvironment, docname: str, anchor: str) -> Path:
    """Where the fragment of the block ``anchor`` of ``docname`` is kept."""
    return Path(env.doctreedir, FRAGMENTS_DIR, docname, anchor)


def write_fragment(
    env: BuildEnvironment, docname: str, anchor: str, fragment: Fragment
) -> None:
    """Keep the fragment of the block ``anchor`` of ``docname``."""
    path = fragment_path(env, docname, anchor)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(marshal.dumps(tuple(fragment)))


def read_fragment(env: BuildEnvironment, record: ModuleRecord) -> Fragment | None:
    """The fragment ``record``'s block wrote, if it is there and whole."""
    try:
        data = fragment_path(env, record.docname, record.anchor).read_bytes()
        keywords, extras = marshal.loads(data)
    except (OSError, EOFError, ValueError, TypeError):
        return None
    return Fragment(keywords, extras)


def outdated_fragments(
    app: Sphinx,
    env: BuildEnvironment,
    added: Set[str],
    changed: Set[str],
    removed: Set[str],
) -> list[str]:
    """Every document with a ``kwindex`` block where the fragments were
    written for another version of ``kwindex.json`` (``env-get-outdated``)."""
    domain = get_domain(env)
    if domain.data.get("json_version") == JSON_VERSION:
        return []
    domain.data["json_version"] = JSON_VERSION
    return sorted(domain.modules.keys() - added - changed - removed)


def purge_fragments(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    """Remove the fragments of ``docname``'s blocks (``env-purge-doc``)."""
    shutil.rmtree(Path(env.doctreedir, FRAGMENTS_DIR, docname), ignore_errors=True)


def export_json(app: Sphinx, exception: BaseException | None) -> None:
    """Write ``kwindex.json`` after a successful HTML site build, unless no
    document was read or removed since it was written."""
    if exception is not None or not writes_html_site(app.builder):
        return
    domain = get_domain(app.env)
    path = Path(app.outdir, JSON_NAME)
    if not domain.changed and not domain.results_changed and path.is_file():
        return
    kept = Path(app.doctreedir, SPANS_NAME)
    version = (__version__, JSON_VERSION)
    before = load_pickle(kept, version)
    # A file changed since this extension wrote it is remade whole.
    reusable = before.get("file") == _stamp(path)
    previous: dict[tuple[str, str], tuple[int, int]] = (
        before.get("spans", {}) if reusable else {}
    )
    spans: dict[tuple[str, str], tuple[int, int]] = {}
    partial = path.with_name(path.name + ".partial")
    header = as_json({"version": JSON_VERSION})[:-1] + ',"modules":['
    with (
        partial.open("wb") as out,
        path.open("rb") if previous else nullcontext() as old,
    ):
        out.write(header.encode())
        for records in module_entries(domain.all_modules()):
            key = (records[0].docname, records[0].anchor)
            read = any(record.docname in domain.read for record in records)
            span = None if read else previous.get(key)
            comma = b"," if spans else b""
            if old is not None and span is not None:
                out.write(comma)
                start = out.tell()
                _copy(old, out, *span)
            else:
                pieces = entry_json(app.env, records)
                if pieces is None:
                    continue
                out.write(comma)
                start = out.tell()
                for piece in pieces:
                    out.write(piece.encode())
            spans[key] = (start, out.tell() - start)
        out.write(b"]")
        if app.config.kwindex_tested_by:
            tested = domain.derived.tested_by
            out.write(b',"tested_by":' + as_json(dict(sorted(tested.items()))).encode())
        results = domain.data.get("results") or {}
        if results:
            said = records_json(results[label] for label in sorted(results))
            out.write(b',"results":' + as_json(said).encode())
        out.write(b"}\n")
    os.replace(partial, path)
    save_pickle(kept, version, {"file": _stamp(path), "spans": spans})


def _stamp(path: Path) -> tuple[int, int] | None:
    """The modification time in ns and size of ``path`` (None: no file)."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size)


def _copy(source: IO[bytes], target: IO[bytes], start: int, length: int) -> None:
    """Copy ``length`` bytes of ``source`` from ``start`` on to ``target``."""
    source.seek(start)
    while length > 0:
        chunk = source.read(min(length, _COPY_CHUNK))
        if not chunk:
            return
        target.write(chunk)
        length -= len(chunk)


def as_json(value: Any) -> str:
    """``value`` as ``kwindex.json`` spells it: compact, not ASCII-escaped."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def module_entries(records: Iterable[ModuleRecord]) -> list[list[ModuleRecord]]:
    """The records an entry of ``kwindex.json`` each stands for: one, or
    the parts of a module's page cut into parts (``:part:``), in order."""
    entries: dict[tuple[str, ...], list[ModuleRecord]] = {}
    for record in records:
        count = record.part[1]
        key = (
            ("parts", record.path, str(count))
            if count > 1
            else (record.docname, record.anchor)
        )
        entries.setdefault(key, []).append(record)
    return [sorted(found, key=lambda record: record.part) for found in entries.values()]


def entry_json(
    env: BuildEnvironment, records: Sequence[ModuleRecord]
) -> Iterator[str] | None:
    """The entry of the module of ``records`` (a block, or the parts of
    one), as pieces of JSON text, from their fragments; None, with a
    warning, where a fragment is missing."""
    for record in records:
        if not fragment_path(env, record.docname, record.anchor).is_file():
            message = __(
                "kwindex.json leaves out %s: what its page says of it is "
                "missing; a build with -E (a fresh environment) remakes it"
            )
            warn(message, Subtype.EXPORT, (record.docname, None), record.path)
            return None
    return _entry_pieces(env, records)


def _entry_pieces(
    env: BuildEnvironment, records: Sequence[ModuleRecord]
) -> Iterator[str]:
    """The pieces of a module's entry, its parts' fragments read one at a
    time (those of a module of 100,000 tests hold 40 MB of JSON)."""
    first = records[0]
    yield as_json({"path": first.path, "docname": first.docname})[:-1]
    yield ',"keywords":{'
    # One block's fragment is read once; parts' anew for each kind.
    kept = [read_fragment(env, first)] if len(records) == 1 else None
    extras = None
    for number, kind in enumerate(first.kinds):
        yield f"{',' if number else ''}{as_json(kind)}:["
        position = 0
        for record in records:
            fragment = kept[0] if kept else read_fragment(env, record)
            fragment = fragment or Fragment({}, "")
            if extras is None and "tests" in fragment.keywords:
                # What concerns the tests whole is on the first part listing them.
                extras = fragment.extras
            if fragment.keywords.get(kind):
                yield ("," if position else "") + fragment.keywords[kind]
                position += 1
        yield "]"
    if extras is None:
        extras = (read_fragment(env, first) or Fragment({}, "")).extras
    yield "}" + ("," + extras if extras else "") + "}"
