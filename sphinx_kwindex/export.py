"""``kwindex.json``: every indexed module and its keywords, from domain data
and the parsed modules (never from visitors), in the main process."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
    modules = [
        module_json(app.env, record, rules, resolve) for record in domain.all_modules()
    ]
    document = {"version": JSON_VERSION, "modules": modules}
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"
    path.write_text(text, encoding="utf-8")


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
