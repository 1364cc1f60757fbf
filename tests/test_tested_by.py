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
        links = re.findall(
            r'<a class="reference internal" href="([^"]+)">'
            r'<code class="kwindex-test[^"]*"><span class="pre">([^<]+)</span>',
            paragraph.group(1),
        )
        text = " ".join(re.sub(r"<[^>]+>", "", paragraph.group(1)).split())
        found[anchor] = (text, [(name, href) for href, name in links])
    return found


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
    serial, parallel = build_serial_and_parallel(make_app, docs, tmp_path)
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
