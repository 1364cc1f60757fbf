"""Tests on a page as a developer reads them: grouped by the class that
collects them, each once with its node id, markers, fixtures and where it
is inherited from; each fixture with the tests that need it. What pytest
collects and which fixtures it gives are asked of real pytest."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from html_contract import (
    Element,
    keyword_lists,
    kwindex_blocks,
    metadata_fields,
    parse_html,
    squash,
)
from support import (
    own_warnings,
    pytest_fixtures_per_test,
    pytest_items,
    record_read_documents,
)


@pytest.fixture
def fixtures_project(rootdir: Path, tmp_path: Path) -> Path:
    """A copy of ``tests/roots/test-fixtures``: a suite with fixtures in a
    class, a module, two levels of ``conftest.py``, an imported one,
    pytest's own, ``autouse`` and parametrized ones."""
    project = tmp_path / "project"
    shutil.copytree(rootdir / "test-fixtures", project)
    return project


@pytest.fixture
def suite(fixtures_project: Path, tmp_path: Path) -> Path:
    """Another copy of the suite alone, for real pytest to run in."""
    copy = tmp_path / "suite"
    shutil.copytree(fixtures_project / "suite", copy)
    return copy


def build_html(make_app, project: Path) -> Path:
    """Build ``project`` as HTML; the output folder."""
    app = make_app("html", srcdir=project)
    app.build()
    assert own_warnings(app) == []
    return Path(app.outdir)


def page(outdir: Path, module: str) -> Element:
    (block,) = kwindex_blocks((outdir / f"kwindex/{module}.html").read_text("utf-8"))
    return block


def kind_block(block: Element, kind: str) -> Element:
    return next(
        k for k in block.find_all("kwindex-kind") if f"kwindex-kind-{kind}" in k.classes
    )


@pytest.mark.slow
def test_tests_are_grouped_by_the_class_that_collects_them(
    make_app, fixtures_project: Path, suite: Path
) -> None:
    block = page(build_html(make_app, fixtures_project), "sub/test_deep.py")
    tests = kind_block(block, "tests")
    items = [i for i in pytest_items(suite) if i.startswith("sub/test_deep.py::")]
    node_ids = {item.partition("[")[0] for item in items}
    # The heading counts node ids and items, as pytest collects them.
    heading = squash(tests.find("kwindex-label").text())
    assert heading == f"Tests ({len(node_ids)} tests, {len(items)} items)"
    groups = [
        (
            g.find("kwindex-group-name").text(),
            squash(g.find("kwindex-group-label").find_all("kwindex-count")[0].text()),
            [e.find("kwindex-name").text() for e in g.find_all("kwindex-entry")],
        )
        for g in tests.find_all("kwindex-group")
    ]
    per_node = Counter(item.partition("[")[0].rpartition("::")[2] for item in items)

    def count(names: list[str]) -> str:
        return f"({len(names)} tests, {sum(per_node[n] for n in names)} items)"

    module_tests = [
        "test_builtin_only",
        "test_overridden_db",
        "test_mark_and_fixtures",
        "test_imported_fixture",
        "test_parametrize_wins",
        "test_from_a_plugin",
    ]
    # In source order, as pytest runs them: the module's functions, then
    # each class (a test inherited from a mixin under the class collecting it).
    assert groups == [
        ("test_deep.py", count(module_tests), module_tests),
        (
            "TestWithFixtures",
            count(["test_class_local", "test_make"]),
            ["test_class_local", "test_make"],
        ),
        ("TestSqlStore", "(1 test, 1 item)", ["test_saves"]),
        ("TestCaseStyle", "(1 test, 1 item)", ["test_unittest_autouse"]),
    ]
    # One node id per test, to copy: exactly pytest's.
    entries = tests.find_all("kwindex-entry")
    shown = [e.find("kwindex-qualname").text() for e in entries]
    assert len(shown) == len(set(shown))
    assert set(shown) == node_ids
    by_name = {e.find("kwindex-name").text(): e for e in entries}
    saves = by_name["test_saves"]
    assert squash(saves.find("kwindex-inherited").text()) == "inherited from Checks"
    assert saves.find("kwindex-defined-in").text() == "sub/base.py"
    assert saves.find("kwindex-doc").text() == "Saving keeps the row."
    plugin = by_name["test_from_a_plugin"]
    assert plugin.find("kwindex-marker").text() == "skip: needs a plugin"
    assert squash(plugin.find("kwindex-fixtures").text()) == (
        "fixtures: some_plugin_fixture, root_auto (autouse)"
    )
    assert by_name["test_mark_and_fixtures"].find("kwindex-items").text() == (
        f"({per_node['test_mark_and_fixtures']} items)"
    )
    # Each definition is listed once: tests under Tests, fixtures under
    # Fixtures; what is left of Functions is a helper inside a test.
    lists = keyword_lists(block)
    assert lists["fixtures"] == ["class_auto", "local"]
    assert lists["functions"] == ["helper_inside"]
    assert lists["classes"] == [
        "TestCaseStyle",
        "TestSqlStore",
        "TestWithFixtures",
        "Throwaway",
    ]
    classes = kind_block(block, "classes")
    assert squash(classes.find("kwindex-local-label").text()) == (
        "Defined inside functions (1)"
    )


def test_a_conftest_page_runs_the_folder_it_serves(
    make_app, fixtures_project: Path
) -> None:
    outdir = build_html(make_app, fixtures_project)
    assert metadata_fields(page(outdir, "sub/conftest.py"))["Run"] == (
        "python -m pytest sub"
    )
    assert metadata_fields(page(outdir, "conftest.py"))["Run"] == "python -m pytest ."
    assert metadata_fields(page(outdir, "sub/test_deep.py"))["Run"] == (
        "python -m pytest sub/test_deep.py"
    )


@pytest.mark.slow
def test_a_class_says_which_bases_bring_tests_it_cannot_see(
    make_app, fixtures_project: Path, suite: Path
) -> None:
    outdir = build_html(make_app, fixtures_project)
    tests = kind_block(page(outdir, "test_root.py"), "tests")
    (managed,) = [
        g
        for g in tests.find_all("kwindex-group")
        if g.find("kwindex-group-name").text() == "TestManaged"
    ]
    assert squash(managed.find("kwindex-unseen").text()) == (
        "bases found nowhere in the tree, whose tests are not listed: "
        "contextlib.AbstractContextManager"
    )
    # What it defines itself is listed, as pytest collects it.
    names = [
        e.find("kwindex-qualname").text() for e in managed.find_all("kwindex-entry")
    ]
    assert names == [i for i in pytest_items(suite) if "TestManaged" in i]
    # A class whose bases are all in the tree says nothing of the kind.
    assert len(tests.find_all("kwindex-unseen")) == 1
    # kwindex.json says it of the same class.
    data = json.loads((outdir / "kwindex.json").read_text("utf-8"))
    (module,) = [m for m in data["modules"] if m["path"] == "test_root.py"]
    unseen = {g["class"]: g["unseen_bases"] for g in module["test_groups"]}
    assert {name: bases for name, bases in unseen.items() if bases} == {
        "TestManaged": ["contextlib.AbstractContextManager"]
    }


@pytest.mark.slow
def test_each_fixture_links_to_its_definition_as_pytest_finds_it(
    make_app, fixtures_project: Path, suite: Path
) -> None:
    outdir = build_html(make_app, fixtures_project)
    used = pytest_fixtures_per_test(suite)
    tests = kind_block(page(outdir, "sub/test_deep.py"), "tests")
    checked = 0
    for entry in tests.find_all("kwindex-entry"):
        name = entry.find("kwindex-name").text()
        for link in entry.find("kwindex-fixtures").iter():
            if link.tag != "a":
                continue
            href = link.attrs["href"]
            target, anchor = href.split("#")
            target = target or "test_deep.py.html"
            html = (outdir / "kwindex/sub" / target).resolve().read_text("utf-8")
            (target_entry,) = [
                e for e in parse_html(html).iter() if e.attrs.get("id") == anchor
            ]
            # The entry it lands on is the fixture's, in the file pytest says.
            fixture = link.text().removesuffix(" (autouse)")
            module = anchor.split("-fixtures-")[0].removeprefix("kw-")
            files = {f.replace("/", ".") for n, f in used[name] if n == fixture}
            if fixture == "helper":  # imported as helper: its entry is helper_fix
                assert target_entry.find("kwindex-name").text() == "helper_fix"
            else:
                assert target_entry.find("kwindex-name").text() == fixture
            assert module in files, (name, fixture)
            checked += 1
    assert checked >= 12
    # pytest's own fixtures are named, not linked.
    builtin = next(
        e for e in tests.find_all("kwindex-entry") if "test_builtin_only" in e.text()
    )
    linked = [a.text() for a in builtin.find("kwindex-fixtures").iter() if a.tag == "a"]
    assert linked == ["root_auto (autouse)"]


def test_links_to_fixtures_and_their_users_stay_in_a_single_page(
    make_app, fixtures_project: Path
) -> None:
    conf = fixtures_project / "conf.py"
    conf.write_text(conf.read_text() + 'kwindex_toctree = "modules"\n')
    app = make_app("singlehtml", srcdir=fixtures_project)
    app.build()
    html = parse_html((Path(app.outdir) / "index.html").read_text("utf-8"))
    ids = {element.attrs["id"] for element in html.iter() if "id" in element.attrs}
    hrefs = [
        link.attrs["href"]
        for css_class in ("kwindex-fixtures", "kwindex-users")
        for span in html.find_all(css_class)
        for link in span.iter()
        if link.tag == "a"
    ]
    assert len(hrefs) > 20
    for href in hrefs:
        assert href.startswith("#"), href
        assert href[1:] in ids, href


def users_of(block: Element) -> dict[str, tuple[str, list[str]]]:
    """Per fixture entry: its "used by" text and the node ids it links."""
    found = {}
    for entry in kind_block(block, "fixtures").find_all("kwindex-entry"):
        users = [u for u in entry.iter() if "kwindex-users" in u.classes]
        if users:
            links = [a.text() for a in users[0].iter() if a.tag == "a"]
            found[entry.find("kwindex-name").text()] = (squash(users[0].text()), links)
    return found


@pytest.mark.slow
def test_each_fixture_says_which_tests_need_it(
    make_app, fixtures_project: Path, suite: Path
) -> None:
    outdir = build_html(make_app, fixtures_project)
    used = pytest_fixtures_per_test(suite)
    items = pytest_items(suite)
    node_ids = {
        item.partition("[")[0].rpartition("::")[2]: item.partition("[")[0]
        for item in items
    }

    def needing(fixture: str, file: str) -> list[str]:
        return sorted(
            node_ids[test] for test, pairs in used.items() if (fixture, file) in pairs
        )

    root = users_of(page(outdir, "conftest.py"))
    # Tests that ask for a fixture, get it by autouse, or need it through
    # another fixture, as pytest lists them; the first eight linked.
    flavour = needing("flavour", "conftest.py")
    assert root["flavour"] == (
        f"used by {len(flavour)} tests: {', '.join(flavour)}",
        flavour,
    )
    everyone = needing("root_auto", "conftest.py")
    assert len(everyone) == len(node_ids) > 8
    assert root["root_auto"][1] == everyone[:8]
    assert root["root_auto"][0].endswith(f"and {len(everyone) - 8} more")
    # The root's db also runs for the tests whose sub/conftest.py db overrides
    # it (pytest names only the nearest definition).
    overriding = needing("db", "sub/conftest.py")
    assert root["db"][1] == sorted({*needing("db", "conftest.py"), *overriding})
    sub = users_of(page(outdir, "sub/conftest.py"))
    assert sub["size"][1] == needing("size", "sub/conftest.py")
    helpers = users_of(page(outdir, "sub/helpers.py"))
    assert helpers["helper_fix"][1] == needing("helper", "sub/helpers.py")


def test_other_builders_show_the_groups_fixtures_and_users(
    make_app, fixtures_project: Path
) -> None:
    app = make_app("text", srcdir=fixtures_project)
    app.build()
    text = (Path(app.outdir) / "kwindex/sub/test_deep.py.txt").read_text("utf-8")
    assert '"TestSqlStore" (1 test, 1 item)' in text
    assert (
        "sub/test_deep.py::TestSqlStore::test_saves, line 7 in sub/base.py, "
        "inherited from Checks; fixtures: db, root_auto (autouse); through them: "
        "tmp_path, tmp_path_factory: Saving keeps the row." in squash(text)
    )
    assert "[pytest.mark.skip: needs a plugin]" in text
    conftest = (Path(app.outdir) / "kwindex/sub/conftest.py.txt").read_text("utf-8")
    assert "used by 2 tests: sub/test_deep.py::TestSqlStore::test_saves" in squash(
        conftest
    )


def test_pages_follow_changes_to_the_fixtures_and_tests_they_show(
    make_app, fixtures_project: Path
) -> None:
    build_html(make_app, fixtures_project)
    suite = fixtures_project / "suite"
    # A fixture gets another parameter: the tests needing it make more items.
    conftest = suite / "conftest.py"
    conftest.write_text(conftest.read_text().replace('["a", "b"]', '["a", "b", "c"]'))
    outdir = build_html(make_app, fixtures_project)
    root_tests = kind_block(page(outdir, "test_root.py"), "tests")
    assert squash(root_tests.find("kwindex-label").text()) == "Tests (3 tests, 7 items)"
    # A new test needing db: the conftest page says so, though it did not change.
    module = suite / "test_root.py"
    module.write_text(module.read_text() + "\n\ndef test_more(db): ...\n")
    build_html(make_app, fixtures_project)
    root = users_of(page(outdir, "conftest.py"))
    assert "test_root.py::test_more" in root["db"][1]


def test_a_new_json_version_reads_every_indexed_document_again(
    make_app, fixtures_project: Path, monkeypatch
) -> None:
    import sphinx_kwindex.export

    outdir = build_html(make_app, fixtures_project)
    before = json.loads((outdir / "kwindex.json").read_text("utf-8"))
    monkeypatch.setattr(sphinx_kwindex.export, "JSON_VERSION", 99)
    app = make_app("html", srcdir=fixtures_project)
    read = record_read_documents(app)
    app.build()
    indexed = sorted(m["docname"] for m in before["modules"])
    assert read == indexed
    after = json.loads((outdir / "kwindex.json").read_text("utf-8"))
    assert after == {**before, "version": 99}


def test_kwindex_json_remakes_only_the_entries_of_documents_read(
    make_app, fixtures_project: Path, tmp_path: Path, monkeypatch
) -> None:
    import sphinx_kwindex.export

    build_html(make_app, fixtures_project)
    module = fixtures_project / "suite" / "test_root.py"
    module.write_text(module.read_text() + "\n\ndef test_added(db): ...\n")
    made: list[str] = []
    original = sphinx_kwindex.export.entry_json

    def counting(env, records):
        made.append(records[0].path)
        return original(env, records)

    monkeypatch.setattr(sphinx_kwindex.export, "entry_json", counting)
    outdir = build_html(make_app, fixtures_project)
    assert made == ["test_root.py"]
    # The same bytes as a build from scratch.
    fresh = make_app("html", srcdir=fixtures_project, builddir=tmp_path / "fresh")
    fresh.build()
    assert (outdir / "kwindex.json").read_bytes() == (
        Path(fresh.outdir) / "kwindex.json"
    ).read_bytes()
    assert b"test_root.py::test_added" in (outdir / "kwindex.json").read_bytes()
