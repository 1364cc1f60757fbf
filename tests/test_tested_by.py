"""Tested by, on the pages: every object the Python domain documents
(autodoc, hand-written ``py:`` directives) names the tests that use it,
linked to their entries; in every builder; kept up to date."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support import build_serial_and_parallel, own_warnings, record_read_documents

TEST = "tests/test_shop.py::"
CART_TESTS = [
    f"{TEST}TestState::test_clear",
    f"{TEST}test_annotated_returns",
    f"{TEST}test_argument_to_a_helper",
    f"{TEST}test_fixture_value",
    f"{TEST}test_protocol",
]


@pytest.fixture
def docs(rootdir: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    shutil.copytree(rootdir / "test-tested-by", folder)
    return folder


def build(make_app, docs: Path, builder: str = "html", **overrides):
    app = make_app(
        builder, srcdir=docs, builddir=docs / "_build", confoverrides=overrides
    )
    read = record_read_documents(app)
    app.build()
    assert own_warnings(app) == []
    return app, read


def named_tests(html: str) -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """Per documented object (its id): the "Tested by" text, and each test
    named with where its link points."""
    found = {}
    for block in re.split(r'(?=<dt class="sig)', html)[1:]:
        anchor = re.search(r'id="([^"]+)"', block).group(1)
        paragraph = re.search(r'<p class="kwindex-tested-by">(.*?)</p>', block, re.S)
        if paragraph is None:
            continue
        found[anchor] = text_and_links(
            paragraph.group(1),
            r'<a class="reference internal" href="([^"]+)">'
            r'<code class="kwindex-test[^"]*"><span class="pre">([^<]+)</span>',
        )
    return found


def text_and_links(fragment: str, link: str) -> tuple[str, list[tuple[str, str]]]:
    """The text of an HTML ``fragment``, and ``(name, href)`` of each link
    the pattern ``link`` finds (its groups: the href, the name)."""
    links = re.findall(link, fragment)
    text = " ".join(re.sub(r"<[^>]+>", "", fragment).split())
    return text, [(name, href) for href, name in links]


def test_documented_objects_name_the_tests_that_use_them(make_app, docs: Path) -> None:
    app, _read = build(make_app, docs)
    api = named_tests((app.outdir / "api.html").read_text("utf-8"))
    # The name a page documents and where it is defined are one object.
    assert set(api) == {
        "shop.Cart",
        "shop.make_cart",
        "shop.pricing.Tariff",
        "shop.pricing.Tariff.apply",
        "shop.pricing.discount",
    }
    text, links = api["shop.Cart"]
    assert text == "Tested by 5 tests: " + ", ".join(CART_TESTS) + "."
    assert [name for name, _href in links] == CART_TESTS
    # Each link lands on the test's entry on its module's page.
    for name, href in links:
        page, _hash, anchor = href.partition("#")
        assert page == "kwindex/tests/test_shop.py.html"
        entry = (app.outdir / page).read_text("utf-8")
        assert f'id="{anchor}"' in entry
        assert name.rpartition("::")[2] in anchor
    assert api["shop.pricing.Tariff"][0] == f"Tested by 1 test: {TEST}test_metaclass."
    # No test uses surcharge: nothing is said (static reading may miss).
    assert "shop.pricing.surcharge" not in api
    # Hand-written directives, by the name the object is defined under.
    hand = named_tests((app.outdir / "hand.html").read_text("utf-8"))
    assert hand["shop.base.Base.clear"][0] == (
        f"Tested by 2 tests: {TEST}TestState::test_clear, "
        f"{TEST}test_helper_and_inherited_method."
    )
    assert set(hand) == {"shop.cart.Receipt.printed", "shop.base.Base.clear"}


def test_other_builders_name_the_tests(make_app, docs: Path) -> None:
    app, _read = build(make_app, docs, "text")
    text = " ".join((app.outdir / "api.txt").read_text("utf-8").split())
    quoted = ", ".join(f'"{name}"' for name in CART_TESTS)
    assert f"Tested by 5 tests: {quoted}." in text


def test_tested_by_can_be_turned_off(make_app, docs: Path) -> None:
    app, _read = build(make_app, docs, kwindex_tested_by=False)
    assert "kwindex-tested-by" not in (app.outdir / "api.html").read_text("utf-8")


def test_a_new_test_updates_the_api_pages_that_name_its_objects(
    make_app, docs: Path
) -> None:
    build(make_app, docs)
    module = docs / "project" / "tests" / "test_shop.py"
    module.write_text(module.read_text() + "\n\ndef test_more():\n    Cart().add(2)\n")
    app, read = build(make_app, docs)
    # Only the test's page (and its folder's, which counts its tests) is read
    # again; the API page is written again.
    assert read == ["kwindex/tests/index", "kwindex/tests/test_shop.py"]
    api = named_tests((app.outdir / "api.html").read_text("utf-8"))
    text, links = api["shop.Cart"]
    assert text.startswith("Tested by 6 tests: ")
    assert text.endswith(" and 1 more.")
    assert len(links) == 5


def test_editing_the_package_reads_again_the_pages_that_resolved_through_it(
    make_app, docs: Path
) -> None:
    build(make_app, docs)
    cart = docs / "project" / "src" / "shop" / "cart.py"
    # make_cart's annotation goes: what filled() returns is no longer known.
    cart.write_text(
        cart.read_text().replace("def make_cart() -> Cart:", "def make_cart():")
    )
    cart.write_text(
        cart.read_text().replace(
            "    return Cart()\n\n\ndef either", "    return build()\n\n\ndef either"
        )
    )
    app, read = build(make_app, docs)
    assert "kwindex/tests/test_shop.py" in read
    hand = named_tests((app.outdir / "hand.html").read_text("utf-8"))
    assert hand["shop.base.Base.clear"][0] == (
        f"Tested by 1 test: {TEST}TestState::test_clear."
    )


def test_a_test_module_is_parsed_once_for_its_keywords_and_its_uses(
    make_app, docs: Path, parsed_files: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sphinx_kwindex.tested_by

    read: list[str] = []
    original = sphinx_kwindex.tested_by.read_module_uses

    def reading(file: Path, bodies: bool):
        read.append(file.name)
        return original(file, bodies)

    monkeypatch.setattr(sphinx_kwindex.tested_by, "read_module_uses", reading)
    build(make_app, docs)
    assert parsed_files.count("test_shop.py") == 1
    # Its uses came with its extraction; the package's modules are read.
    assert "test_shop.py" not in read
    assert "cart.py" in read


@pytest.mark.slow
def test_parallel_builds_say_the_same(make_app, docs: Path, tmp_path: Path) -> None:
    add_test_of_cart(docs)  # a complete list of Cart's tests
    (docs / "hand.rst").write_text((docs / "hand.rst").read_text() + HAND_LISTS)
    serial, parallel = build_serial_and_parallel(
        make_app, docs, tmp_path, expected_warnings=1
    )
    assert "_kwtested/shop.cart.Cart.html" in serial
    assert "kwindex/untested-api.html" in serial
    assert serial == parallel


def test_kwindex_json_says_what_each_test_uses_and_each_object_s_tests(
    make_app, docs: Path
) -> None:
    app, _read = build(make_app, docs)
    data = json.loads((app.outdir / "kwindex.json").read_text("utf-8"))
    (module,) = [m for m in data["modules"] if m["path"] == "tests/test_shop.py"]
    uses = {
        location["node_id"]: location["uses"]
        for test in module["keywords"]["tests"]
        for location in test["locations"]
    }
    assert uses[f"{TEST}test_module_alias"] == ["shop.pricing.discount"]
    assert uses[f"{TEST}test_ambiguous"] == ["shop.cart.either"]
    assert data["tested_by"]["shop.cart.Cart"] == CART_TESTS
    assert data["tested_by"]["shop.base.Base.clear"] == [
        f"{TEST}TestState::test_clear",
        f"{TEST}test_helper_and_inherited_method",
    ]
    # The command line says the same of each test.
    cli = json.loads(
        subprocess.run(
            [
                *(sys.executable, "-m", "sphinx_kwindex", "tests/test_shop.py"),
                *("--kinds", "tests", "--format", "json"),
            ],
            cwd=docs / "project",
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    assert cli["modules"][0]["keywords"]["tests"] == module["keywords"]["tests"]


def entry_uses(html: str) -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """Per test entry of a module's page (its node id): the text of what it
    uses, and each object linked with where the link points."""
    found = {}
    for entry in re.findall(r'<li class="kwindex-entry".*?</li>', html, re.S):
        uses = re.search(r'<span class="kwindex-uses">(.*?)</span>\s*<code', entry)
        if uses is None:
            continue
        node_id = re.sub(
            r"<[^>]+>", "", re.findall(r"<code[^>]*>(.*?)</code>", entry)[-1]
        )
        found[node_id] = text_and_links(
            uses.group(1),
            r'<a class="reference kwindex-api internal" href="([^"]+)"[^>]*>'
            r'<code class="kwindex-uses-name">([^<]+)</code>',
        )
    return found


def test_each_test_entry_says_what_it_uses_linked_to_the_api_pages(
    make_app, docs: Path
) -> None:
    module = docs / "project" / "tests" / "test_shop.py"
    many = "\n".join(
        [
            "def test_many():",
            "    cart = Cart().add(1)",
            "    cart.clear()",
            "    p.discount(1)",
            "    p.surcharge(1)",
            "    p.Tariff(1).apply(2)",
            "    Cart().receipt().printed()",
            "",
            "",
            "def test_nothing():",
            "    assert len([1]) == 1",
        ]
    )
    module.write_text(module.read_text() + "\n\n" + many + "\n")
    app, _read = build(make_app, docs)
    html = (app.outdir / "kwindex" / "tests" / "test_shop.py.html").read_text()
    uses = entry_uses(html)
    # Documented objects come first, under the name the docs give them and
    # linked there; the others by the name they are defined under.
    text, links = uses[f"{TEST}test_annotated_returns"]
    assert text == "uses: shop.Cart, shop.cart.Receipt.printed, shop.cart.Cart.receipt"
    assert links == [
        ("shop.Cart", "../../api.html#shop.Cart"),
        ("shop.cart.Receipt.printed", "../../hand.html#shop.cart.Receipt.printed"),
    ]
    assert uses[f"{TEST}test_module_alias"][0] == "uses: shop.pricing.discount"
    # Bounded: five named, the rest counted.
    text, links = uses[f"{TEST}test_many"]
    assert text == (
        "uses: shop.Cart, shop.base.Base.clear, shop.cart.Receipt.printed, "
        "shop.pricing.Tariff, shop.pricing.Tariff.apply and 5 more"
    )
    assert len(links) == 5
    # A test that uses nothing of the package says nothing.
    assert f"{TEST}TestState::test_clear" in uses
    assert re.search(r'<li class="kwindex-entry" id="[^"]*test_nothing"', html)
    assert f"{TEST}test_nothing" not in uses


def test_each_test_entry_says_what_it_uses_in_other_builders(
    make_app, docs: Path
) -> None:
    app, _read = build(make_app, docs, "text")
    text = " ".join(
        (app.outdir / "kwindex" / "tests" / "test_shop.py.txt").read_text().split()
    )
    assert (
        'uses: "shop.Cart", "shop.cart.Receipt.printed", "shop.cart.Cart.receipt"'
        in text
    )


def add_test_of_cart(docs: Path, name: str = "test_more") -> None:
    module = docs / "project" / "tests" / "test_shop.py"
    module.write_text(module.read_text() + f"\n\ndef {name}():\n    Cart().add(2)\n")


def test_and_n_more_links_to_every_test_that_uses_the_object(
    make_app, docs: Path, monkeypatch
) -> None:
    monkeypatch.setattr("sphinx_kwindex.tested_by_pages.LINKS_PER_PAGE", 4)
    add_test_of_cart(docs)
    app, _read = build(make_app, docs)
    api = (app.outdir / "api.html").read_text("utf-8")
    more = re.search(
        r'<a class="reference internal" href="([^"]+)">and 1 more</a>', api
    )
    assert more is not None
    assert more.group(1) == "_kwtested/shop.cart.Cart.html"
    first = (app.outdir / more.group(1)).read_text("utf-8")
    second = (app.outdir / "_kwtested" / "shop.cart.Cart-2.html").read_text("utf-8")
    # The name links back to its documentation; the pages link each other.
    assert '<a class="reference internal" href="../api.html#shop.Cart">' in first
    assert "Tested by 6 tests." in first
    assert "Tested by 6 tests." in second
    assert 'href="shop.cart.Cart-2.html">2</a>' in first
    assert 'href="shop.cart.Cart.html">1</a>' in second
    links = re.findall(
        r'<li><a class="reference internal" href="([^"]+)">'
        r'<code class="kwindex-test">([^<]+)</code>',
        first + second,
    )
    assert sorted(name for _href, name in links) == sorted(
        [*CART_TESTS, f"{TEST}test_more"]
    )
    for href, name in links:
        page, _hash, anchor = href.partition("#")
        assert page == "../kwindex/tests/test_shop.py.html"
        entry = (app.outdir / "_kwtested" / page).read_text("utf-8")
        assert f'id="{anchor}"' in entry
        assert name.rpartition("::")[2] in anchor
    # Objects with no more tests than "Tested by" names get no page.
    assert sorted(p.name for p in (app.outdir / "_kwtested").iterdir()) == [
        "shop.cart.Cart-2.html",
        "shop.cart.Cart.html",
    ]
    # The test goes: so do the pages.
    module = docs / "project" / "tests" / "test_shop.py"
    module.write_text(module.read_text().replace("def test_more", "def _more"))
    app, _read = build(make_app, docs)
    assert not list((app.outdir / "_kwtested").iterdir())
    assert "and 1 more" not in (app.outdir / "api.html").read_text("utf-8")


def test_and_n_more_is_text_where_no_complete_list_is_written(
    make_app, docs: Path
) -> None:
    add_test_of_cart(docs)
    app, _read = build(make_app, docs, "singlehtml")
    html = (app.outdir / "index.html").read_text("utf-8")
    assert " and 1 more." in " ".join(re.sub(r"<[^>]+>", "", html).split())
    assert "_kwtested" not in html
    assert not (app.outdir / "_kwtested").exists()


HAND_LISTS = """

.. kwindex-tested-by:: shop.Cart

.. py:currentmodule:: shop.pricing

.. kwindex-tested-by:: discount

.. kwindex-tested-by:: surcharge

.. kwindex-tested-by:: shop.nothing
"""


def test_the_directive_lists_every_test_of_an_object_on_a_hand_written_page(
    make_app, docs: Path
) -> None:
    (docs / "hand.rst").write_text((docs / "hand.rst").read_text() + HAND_LISTS)
    app = make_app("html", srcdir=docs, builddir=docs / "_build")
    app.build()
    # A name that is no object says so, where it is written.
    (warning,) = own_warnings(app)
    assert "hand.rst:" in warning
    assert "kwindex-tested-by: 'shop.nothing' is no object of the packages shop" in (
        warning
    )
    html = (app.outdir / "hand.html").read_text("utf-8")
    lists = re.findall(
        r'<div class="kwindex-tested-by-list[^"]*">(.*?)</div>', html, re.S
    )
    texts = [" ".join(re.sub(r"<[^>]+>", " ", block).split()) for block in lists]
    assert texts == [
        "Tested by 5 tests: " + " ".join(CART_TESTS),
        f"Tested by 1 test: {TEST}test_module_alias",
        "No test is found to use shop.pricing.surcharge.",
    ]
    for href in re.findall(r'href="([^"]+)"', lists[0]):
        assert href.startswith("kwindex/tests/test_shop.py.html#")
    # A new test of the object writes the page again, though it is not read.
    add_test_of_cart(docs)
    app = make_app("html", srcdir=docs, builddir=docs / "_build")
    read = record_read_documents(app)
    app.build()
    assert "hand" not in read
    html = (app.outdir / "hand.html").read_text("utf-8")
    assert "Tested by 6 tests:" in " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_directive_lists_the_tests_in_other_builders(make_app, docs: Path) -> None:
    (docs / "hand.rst").write_text((docs / "hand.rst").read_text() + HAND_LISTS)
    app = make_app("text", srcdir=docs, builddir=docs / "_build")
    app.build()
    text = (app.outdir / "hand.txt").read_text("utf-8")
    assert f'Tested by 1 test:\n\n* "{TEST}test_module_alias"' in text


def test_a_generated_page_says_what_no_test_uses(make_app, docs: Path) -> None:
    app, _read = build(make_app, docs)
    top = (app.outdir / "kwindex" / "index.html").read_text("utf-8")
    assert 'href="untested-api.html"' in top
    html = (app.outdir / "kwindex" / "untested-api.html").read_text("utf-8")
    body = html[html.index('<div class="kwindex-untested') :]
    body = body[: body.index("</div>")]
    assert "may still run under a test" in body  # what a use means
    shares = body[body.index('<p class="kwindex-reach">') :]
    text = " ".join(re.sub(r"<[^>]+>", " ", shares).split())
    # Documented and public: Cart, make_cart, Tariff, Tariff.apply,
    # discount, surcharge (api.rst), Receipt, Receipt.printed, Base.clear
    # (hand.rst); the class Base is not documented.
    assert text == (
        "In all: 8 of 9 documented objects used by tests (89 %). "
        "shop.base : 1 of 1 documented objects used by tests (100 %) "
        "shop.cart : 4 of 4 documented objects used by tests (100 %) "
        "shop.pricing : 3 of 4 documented objects used by tests (75 %) "
        "shop.pricing.surcharge"
    )
    assert (
        '<a class="reference internal" href="../api.html#shop.pricing.surcharge"'
        in (body)
    )
    # Other builders say the same.
    app, _read = build(make_app, docs, "text")
    text = (app.outdir / "kwindex" / "untested-api.txt").read_text("utf-8")
    assert "In all: 8 of 9 documented objects used by tests (89 %)." in text
    assert '"shop.pricing": 3 of 4 documented objects used by tests (75 %)' in text
