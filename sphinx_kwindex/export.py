"""``kwindex.json``: every indexed module and its keywords, from domain data
and the parsed modules (never from visitors), in the main process.

Each module's entry is kept, as JSON text, in a file beside the environment:
a build remakes only those of the documents it read (a module's entry
depends on files whose change makes its document read again) and joins
the rest as they were."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sphinx_kwindex import __version__
from sphinx_kwindex.config import collect_rules
from sphinx_kwindex.domain import ModuleRecord, get_domain
from sphinx_kwindex.outputs import writes_html_site
from sphinx_kwindex.parse_cache import (
    load_pickle,
    module_resolver,
    parse_module,
    save_pickle,
)
from sphinx_kwindex.present import JSON_VERSION, module_fields_json

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
    version = (__version__, JSON_VERSION)
    before: Entries = load_pickle(kept, version)
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
    save_pickle(kept, version, entries)


def as_json(value: Any) -> str:
    """``value`` as ``kwindex.json`` spells it: compact, not ASCII-escaped."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def module_json(
    env: BuildEnvironment, record: ModuleRecord, rules: CollectRules, resolve: Resolver
) -> dict[str, Any]:
    """One module's entry: path, docname, its keywords per kind as
    rendered (the page's kinds, order and exclusions), and where tests are
    listed, what may make tests not listed."""
    module = parse_module(env, Path(env.config.kwindex_root, record.path).resolve())

    def rendered(kind: str, keywords: tuple[Keyword, ...]) -> list[Keyword]:
        by_name = {keyword.name: keyword for keyword in keywords}
        return [
            by_name[entry.name]
            for entry in record.keywords
            if entry.kind == kind and entry.name in by_name
        ]

    fields = module_fields_json(
        record.path, module, record.kinds, rendered, rules, resolve
    )
    return {"path": record.path, "docname": record.docname, **fields}
