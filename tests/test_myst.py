"""The directive from MyST Markdown."""

from __future__ import annotations

import pytest
from html_contract import keyword_lists, kwindex_blocks


@pytest.mark.sphinx("html", testroot="options")
def test_myst_directive_with_options(app) -> None:
    app.build()
    assert app.warning.getvalue() == ""
    html = (app.outdir / "myst.html").read_text(encoding="utf-8")
    (block,) = kwindex_blocks(html)
    assert keyword_lists(block) == {
        "classes": ["Alpha", "TestZebra"],
        "tests": ["test_module_function", "test_stripes"],
    }
    assert block.find_all("kwindex-metadata") == []
    assert "After the index." in html
