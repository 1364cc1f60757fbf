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


def test_the_kw_role_from_myst(make_app, write_project) -> None:
    project = write_project(
        {
            "tests/test_a.py": "import os\n",
            "index.md": "# Index\n\nSee {kw}`os` and {kw}`tests/test_a.py::os`.\n\n"
            "```{kwindex} /tests/test_a.py\n```\n",
        }
    )
    with (project / "conf.py").open("a") as conf:
        conf.write('extensions.insert(0, "myst_parser")\n')
    app = make_app("html", srcdir=project, confoverrides={"nitpicky": True})
    app.build()
    assert app.warning.getvalue() == ""
    html = (app.outdir / "index.html").read_text(encoding="utf-8")
    assert html.count('href="#kw-tests.test_a.py-imports-os"') == 2
