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


@pytest.mark.parametrize("toctree", ["top", "folders", "modules"])
def test_a_myst_only_project_gets_pages_it_reads(
    make_app, write_project, toctree: str
) -> None:
    project = write_project(
        {
            "suite/tests/test_cart.py": "def test_total(): ...\n",
            "suite/tests/unit/test_price.py": "class TestPrice:\n"
            "    def test_round(self): ...\n",
            "index.md": "# Shop\n\n```{toctree}\nkwindex/index\n```\n",
        },
        kwindex_root="suite",
    )
    with (project / "conf.py").open("a") as conf:
        conf.write('extensions.insert(0, "myst_parser")\n')
        conf.write('source_suffix = {".md": "markdown"}\n')
        conf.write('kwindex_modules = ["tests/**/*.py"]\n')
        conf.write(f"kwindex_toctree = {toctree!r}\n")
    app = make_app("html", srcdir=project)
    app.build()
    assert app.warning.getvalue() == ""
    generated = sorted(
        p.relative_to(project).as_posix() for p in (project / "kwindex").rglob("*.*")
    )
    assert generated == [
        "kwindex/index.md",
        "kwindex/tests/index.md",
        "kwindex/tests/test_cart.py.md",
        "kwindex/tests/unit/index.md",
        "kwindex/tests/unit/test_price.py.md",
    ]
    html = (app.outdir / "kwindex/tests/unit/test_price.py.html").read_text("utf-8")
    (block,) = kwindex_blocks(html)
    assert keyword_lists(block)["tests"] == ["test_round"]
    assert "<h1>tests/unit/test_price.py" in html
    # A page of the module is removed with it, as a page in reST would be.
    (project / "suite/tests/test_cart.py").unlink()
    app = make_app("html", srcdir=project)
    app.build()
    assert not (project / "kwindex/tests/test_cart.py.md").exists()
    assert (project / "kwindex/tests/unit/test_price.py.md").exists()
