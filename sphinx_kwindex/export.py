"""``kwindex.json``: every indexed module and its keywords, from domain data
and the parsed modules (never from visitors), in the main process.

Each module's entry is kept, as JSON text, in a file beside the environment:
a build remakes only those of the documents it read (a module's entry
depends on files whose change makes its document read again) and joins
the rest as they were."""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sphinx_kwindex import __version__
from sphinx_kwindex.config import collect_rules
from sphinx_kwindex.domain import ModuleRecord, get_domain
from sphinx_kwindex.outputs import writes_html_site
from sphinx_kwindex.parse_cache import module_resolver, parse_module
from sphinx_kwindex.present import JSON_VERSION, keywords_json

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

    from sphinx_kwindex.collect import CollectRules, Resolver
    from sphinx_kwindex.extract import Keyword

JSON_NAME = "kwindex.json"
ENTRIES_NAME = "kwindex-json.pickle"
"""The entries of the last ``kwindex.json``, beside the environment."""

Entries = dict[tuple[str, str], str]
"""Each module's entry as JSON text, by the ``(docname, anchor)`` of its block."""


def export_json(app: Sphinx, exception: BaseException | None) -> None:
    """Write ``kwindex.json`` after a successful HTML site build, unless no
    document was read or removed since it was written."""
    if exception is not None or not writes_html_site(app.builder):
        return
    domain = get_domain(app.env)
    path = Path(app.outdir, JSON_NAME)
    if not domain.changed and path.is_file():
        return
    rules, _source = collect_rules(app.config)
    resolve = module_resolver(app.env)
    kept = Path(app.doctreedir, ENTRIES_NAME)
    before = load_entries(kept)
    entries: Entries = {}
    for record in domain.all_modules():
        key = (record.docname, record.anchor)
        entry = None if record.docname in domain.read else before.get(key)
        if entry is None:
            entry = as_json(module_json(app.env, record, rules, resolve))
        entries[key] = entry
    header = as_json({"version": JSON_VERSION})[:-1]
    text = f'{header},"modules":[{",".join(entries.values())}]}}\n'
    path.write_text(text, encoding="utf-8")
    save_entries(kept, entries)


def as_json(value: Any) -> str:
    """``value`` as ``kwindex.json`` spells it: compact, not ASCII-escaped."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def load_entries(path: Path) -> Entries:
    """The entries kept by the last build of this version, if any."""
    try:
        with path.open("rb") as file:
            version, entries = pickle.load(file)
    except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError):
        return {}
    if version != (__version__, JSON_VERSION) or not isinstance(entries, dict):
        return {}
    return entries


def save_entries(path: Path, entries: Entries) -> None:
    """Keep ``entries`` for the next build."""
    partial = path.with_suffix(".partial")
    with partial.open("wb") as file:
        pickle.dump(
            ((__version__, JSON_VERSION), entries), file, pickle.HIGHEST_PROTOCOL
        )
    os.replace(partial, path)


def module_json(
    env: BuildEnvironment, record: ModuleRecord, rules: CollectRules, resolve: Resolver
) -> dict[str, Any]:
    """One module's entry: path, docname and its keywords per kind, as
    rendered (the page's kinds, order and exclusions)."""
    module = parse_module(env, Path(env.config.kwindex_root, record.path).resolve())

    def rendered(kind: str, keywords: tuple[Keyword, ...]) -> list[Keyword]:
        by_name = {keyword.name: keyword for keyword in keywords}
        return [
            by_name[entry.name]
            for entry in record.keywords
            if entry.kind == kind and entry.name in by_name
        ]

    keywords = keywords_json(
        record.path, module, record.kinds, rendered, rules, resolve
    )
    return {"path": record.path, "docname": record.docname, "keywords": keywords}
