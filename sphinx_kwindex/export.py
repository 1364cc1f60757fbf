"""``kwindex.json``: every indexed module and its keywords, from domain data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sphinx_kwindex.domain import ModuleRecord, get_domain
from sphinx_kwindex.outputs import writes_html_site

if TYPE_CHECKING:
    from sphinx.application import Sphinx

JSON_NAME = "kwindex.json"
JSON_VERSION = 1


def export_json(app: Sphinx, exception: BaseException | None) -> None:
    """Write ``kwindex.json`` after a successful HTML site build (main process)."""
    if exception is not None or not writes_html_site(app.builder):
        return
    modules = [module_json(record) for record in get_domain(app.env).all_modules()]
    document = {"version": JSON_VERSION, "modules": modules}
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"
    Path(app.outdir, JSON_NAME).write_text(text, encoding="utf-8")


def module_json(record: ModuleRecord) -> dict[str, Any]:
    """One module's entry: path, docname and its keywords per kind, as rendered."""
    keywords: dict[str, list[dict[str, Any]]] = {kind: [] for kind in record.kinds}
    for keyword in record.keywords:
        keywords[keyword.kind].append(
            {"name": keyword.name, "lines": list(keyword.lines)}
        )
    return {"path": record.path, "docname": record.docname, "keywords": keywords}
