"""Every builder renders the index: HTML ones per the contract, others as plain lists."""

from __future__ import annotations

import json
import re

import pytest
from html_contract import keyword_lists, kwindex_blocks, squash
from support import (
    SEED_CLASSES,
    SEED_CLASSES_JSON,
    SEED_FUNCTIONS,
    SEED_IMPORTS,
    own_warnings,
)

pytestmark = pytest.mark.slow

SEED_LISTS = {
    "classes": SEED_CLASSES,
    "functions": SEED_FUNCTIONS,
    "imports": SEED_IMPORTS,
}
HTML_OUTPUTS = {
    "html": "index.html",
    "dirhtml": "index.html",
    "singlehtml": "index.html",
    "epub": "index.xhtml",
}
PLAIN_OUTPUTS = {
    "text": "index.txt",
    "latex": "seed.tex",
    "man": "seed.1",
    "texinfo": "seed.texi",
}


@pytest.mark.parametrize("buildername", sorted(HTML_OUTPUTS))
def test_html_builders_follow_the_contract(build_root, buildername) -> None:
    app = build_root(buildername, "seed")
    assert app.warning.getvalue() == ""
    html = (app.outdir / HTML_OUTPUTS[buildername]).read_text(encoding="utf-8")
    blocks = {block.attrs["id"]: block for block in kwindex_blocks(html)}
    seed = blocks.pop("kw-test.distributed.elastic.rendezvous.etcd_rendezvous_test.py")
    assert keyword_lists(seed) == SEED_LISTS
    if buildername == "singlehtml":
        (server,) = blocks.values()
        assert keyword_lists(server)["classes"] == ["EtcdServerTest"]
    source_pages = (app.outdir / "_kwsource").exists()
    assert source_pages == (buildername in ("html", "dirhtml"))
    assert (app.outdir / "kwindex.json").exists() == (buildername != "epub")
    assert (app.outdir / "_static" / "kwindex.css").exists()


@pytest.mark.sphinx("dirhtml", testroot="seed", freshenv=True)
def test_dirhtml_links_reach_the_source_pages(app) -> None:
    app.build()
    html = (app.outdir / "index.html").read_text(encoding="utf-8")
    page = "_kwsource/test/distributed/elastic/rendezvous/etcd_rendezvous_test.py"
    assert f'href="{page}/#L20"' in html
    assert (app.outdir / page / "index.html").exists()
    related = "server/#kw-test.distributed.elastic.rendezvous.etcd_server_test.py"
    assert related in html


@pytest.mark.parametrize("buildername", sorted(PLAIN_OUTPUTS))
def test_other_builders_get_plain_lists(build_root, buildername) -> None:
    app = build_root(buildername, "seed")
    assert app.warning.getvalue() == ""
    output = (app.outdir / PLAIN_OUTPUTS[buildername]).read_text(encoding="utf-8")
    for label in ("Classes (1)", "Functions (5)", "Imports (10)"):
        assert label in output
    for name in ("EtcdRendezvousTest", "setUpClass", "RendezvousParameters", "uuid"):
        assert name in output
    assert not (app.outdir / "kwindex.json").exists()
    assert not (app.outdir / "_kwsource").exists()


@pytest.mark.sphinx("text", testroot="seed", freshenv=True)
def test_text_lists_read_well(app) -> None:
    app.build()
    text = squash((app.outdir / "index.txt").read_text(encoding="utf-8"))
    assert (
        '* "EtcdRendezvousTest" (class) — line 20: Create rendezvous handlers' in text
    )
    assert '* "os" (import) — line 5' in text
    assert (
        '* "EtcdServer" (import) — torch.distributed.elastic.rendezvous.etcd_server.EtcdServer, line 12'
        in text
    )
    assert 'Related: "etcd_server_test.py"' in text
    assert "highlighted source" not in text


@pytest.mark.parametrize("buildername", ["gettext", "linkcheck", "xml", "pseudoxml"])
def test_remaining_builders_succeed(build_root, buildername) -> None:
    app = build_root(buildername, "seed")
    assert app.warning.getvalue() == ""
    assert app.statuscode == 0


def test_kwindex_json_is_deterministic(make_app, tmp_path, rootdir) -> None:
    outputs = []
    for name in ("first", "second"):
        app = make_app("html", srcdir=rootdir / "test-seed", builddir=tmp_path / name)
        app.build()
        outputs.append((app.outdir / "kwindex.json").read_bytes())
    assert outputs[0] == outputs[1]
    data = json.loads(outputs[0])
    assert [m["path"] for m in data["modules"]] == [
        "test/distributed/elastic/rendezvous/etcd_rendezvous_test.py",
        "test/distributed/elastic/rendezvous/etcd_server_test.py",
    ]
    assert data["modules"][0]["keywords"]["classes"] == SEED_CLASSES_JSON


TREE = {
    "index.rst": "Tree\n====\n\n.. toctree::\n\n   kwindex/index\n",
    "tests/unit/test_cart.py": "class TestCart:\n    def test_empty(self): ...\n",
    "tests/unit/test_price.py": "def test_round(): ...\n",
    "tests/integration/test_pay.py": "def test_pay(): ...\n",
}
WAY_UP = r"Indexed modules.{0,300}?».{0,300}?tests.{0,300}?».{0,300}?unit"
"""The way up on a page, whatever the markup between its links."""
TREE_OUTPUTS = {
    "html": "kwindex/tests/unit/test_cart.py.html",
    "dirhtml": "kwindex/tests/unit/test_cart.py/index.html",
    "singlehtml": "index.html",
    "epub": "kwindex/tests/unit/test_cart.py.xhtml",
    "latex": "tree.tex",
    "text": "kwindex/tests/unit/test_cart.py.txt",
    "man": "tree.1",
    "texinfo": "tree.texi",
    "xml": "kwindex/tests/unit/test_cart.py.xml",
}


@pytest.mark.parametrize("buildername", sorted(TREE_OUTPUTS))
def test_every_builder_shows_a_tree_with_its_ways_up(
    make_app, write_project, buildername: str
) -> None:
    project = write_project(TREE)
    with (project / "conf.py").open("a") as conf:
        conf.write(
            'project = "tree"\ncopyright = "2026"\nversion = "1"\n'
            'kwindex_modules = ["tests/**/*.py"]\n'
        )
    app = make_app(buildername, srcdir=project)
    app.build()
    assert own_warnings(app) == []
    text = (app.outdir / TREE_OUTPUTS[buildername]).read_text(encoding="utf-8")
    # Each page below the top starts with its way up, whatever the format; a
    # book or a single page holds every page of the tree.
    assert re.search(WAY_UP, text, re.DOTALL), buildername
    if buildername == "text":
        top = (app.outdir / "kwindex/index.txt").read_text(encoding="utf-8")
        # The top page maps every folder, nested.
        assert squash(top).endswith(
            "-[ Folders ]- * tests (modules: 3, in its sub-folders too) * integration (modules: 1) "
            "* unit (modules: 2)"
        )
    if buildername == "latex":
        # The test class's general index entry has a target in the book.
        assert "kw-tests.unit.test_cart.py-group-TestCart}}" in text
