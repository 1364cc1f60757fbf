"""The golden test: the seed example's three lists, typed from
shared/seed-example.md, must come out of our module with the same identifiers."""

from __future__ import annotations

import json

import pytest
from html_contract import keyword_lists, kwindex_blocks, metadata_fields
from support import SEED_CLASSES, SEED_FUNCTIONS, SEED_IMPORTS


@pytest.mark.sphinx("html", testroot="seed")
def test_seed_lists_render_exactly(app) -> None:
    app.build()
    html = (app.outdir / "index.html").read_text(encoding="utf-8")
    (block,) = kwindex_blocks(html)
    assert keyword_lists(block) == {
        "classes": SEED_CLASSES,
        "functions": SEED_FUNCTIONS,
        "imports": SEED_IMPORTS,
    }
    labels = [label.text() for label in block.find_all("kwindex-label")]
    assert labels == ["Classes (1)", "Functions (5)", "Imports (10)"]


@pytest.mark.sphinx("html", testroot="seed")
def test_seed_metadata_block(app) -> None:
    app.build()
    html = (app.outdir / "index.html").read_text(encoding="utf-8")
    (block,) = kwindex_blocks(html)
    path = "test/distributed/elastic/rendezvous/etcd_rendezvous_test.py"
    source = app.srcdir / path
    assert metadata_fields(block) == {
        "Path": f"{path} (highlighted source)",
        "Folder": "test/distributed/elastic/rendezvous",
        "Type": "test module",
        "Size": f"{source.stat().st_size:,} bytes",
        "Lines": str(len(source.read_bytes().splitlines())),
        "Summary": "Tests of the etcd rendezvous handler (same identifiers as PyTorch's).",
        "Run": f"python -m pytest {path}",
        "Related": "etcd_server_test.py",
    }
    related = [a for a in block.find("kwindex-metadata").iter() if a.tag == "a"]
    hrefs = [a.attrs["href"] for a in related]
    assert (
        "server.html#kw-test.distributed.elastic.rendezvous.etcd_server_test.py"
        in hrefs
    )
    assert "Text before the index." in html
    assert "Text after the index." in html


@pytest.mark.sphinx("html", testroot="seed")
def test_keywords_are_in_the_search_index(app) -> None:
    app.build()
    script = (app.outdir / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(script[script.index("(") + 1 : script.rindex(")")])
    docnames = index["docnames"]

    def documents(term: str) -> list[str]:
        found = index["terms"][term]
        return sorted(
            docnames[d] for d in (found if isinstance(found, list) else [found])
        )

    assert documents("etcdrendezvoustest") == ["index"]
    assert documents("etcdserv") == ["index", "server"]
    assert documents("create_rdzv_handl") == ["index"]
