"""Whole trees from ``kwindex_modules``: generated pages, folder pages, and
how rebuilds and parallel builds treat them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from html_contract import keyword_lists, kwindex_blocks, metadata_fields, parse_html
from support import (
    build_serial_and_parallel,
    own_warnings,
    record_read_documents,
)

import sphinx_kwindex.domain
import sphinx_kwindex.keyword_index
import sphinx_kwindex.pages
from sphinx_kwindex.parse_cache import CACHE_NAME, parse_cache


@pytest.fixture
def tree_project(rootdir: Path, tmp_path: Path) -> Path:
    """A copy of ``tests/roots/test-tree``: a ``kwindex_modules`` tree of
    nested folders, a file that is no Python, an excluded helper."""
    project = tmp_path / "project"
    shutil.copytree(rootdir / "test-tree", project)
    return project


def generated(project: Path) -> list[str]:
    return sorted(p.relative_to(project).as_posix() for p in project.rglob("*.rst"))


def test_a_tree_gets_a_page_per_module_and_per_folder(make_app, tree_project) -> None:
    app = make_app("html", srcdir=tree_project)
    app.build()
    assert own_warnings(app) == []
    assert generated(tree_project) == [
        "index.rst",
        "kwindex/index.rst",
        "kwindex/tests/index.rst",
        "kwindex/tests/integration/index.rst",
        "kwindex/tests/integration/test_checkout.py.rst",
        "kwindex/tests/unit/index.rst",
        "kwindex/tests/unit/test_cart.py.rst",
        "kwindex/tests/unit/test_price.py.rst",
    ]
    assert "reading indexed modules" in app.status.getvalue()
    outdir = Path(app.outdir)
    page = (outdir / "kwindex/tests/unit/test_cart.py.html").read_text("utf-8")
    assert "<h1>tests/unit/test_cart.py" in page
    (block,) = kwindex_blocks(page)
    # A module pytest collects from shows its tests, fixtures and markers too
    # (CartTest is no test class: its method is a plain function).
    assert keyword_lists(block) == {
        "tests": [],
        "fixtures": [],
        "markers": [],
        "classes": ["CartTest"],
        "functions": ["test_empty"],
        "imports": ["os"],
    }
    price = (outdir / "kwindex/tests/unit/test_price.py.html").read_text("utf-8")
    (price_block,) = kwindex_blocks(price)
    assert keyword_lists(price_block)["tests"] == ["test_round"]
    assert keyword_lists(price_block)["functions"] == []  # the test, listed once

    fields = metadata_fields(block)
    assert fields["Folder"] == "tests/unit"
    assert fields["Related"] == "test_price.py"
    folder_link = next(
        a
        for a in block.find("kwindex-metadata").iter()
        if a.tag == "a" and a.text() == "tests/unit"
    )
    assert folder_link.attrs["href"] == "index.html"


def table_rows(html: str) -> list[list[str]]:
    table = parse_html(html).find("kwindex-folder-modules")
    return [
        [
            " ".join(cell.text().split())
            for cell in row.iter()
            if cell.tag in ("th", "td")
        ]
        for row in table.iter()
        if row.tag == "tr"
    ]


def test_folder_pages_list_sub_folders_and_modules(make_app, tree_project) -> None:
    app = make_app("html", srcdir=tree_project)
    app.build()
    outdir = Path(app.outdir)
    unit = (outdir / "kwindex/tests/unit/index.html").read_text("utf-8")
    # Summaries are the module docstrings' first lines, shown as text.
    # A column per kind the modules' pages show; a test counted once.
    assert table_rows(unit) == [
        [
            "Module",
            "Summary",
            "Tests",
            "Fixtures",
            "Markers",
            "Classes",
            "Functions",
            "Imports",
        ],
        ["test_cart.py", "Carts.", "0", "0", "0", "1", "1", "1"],
        ["test_price.py", "Prices *and* taxes.", "1", "0", "0", "0", "0", "2"],
    ]
    links = [
        a.attrs["href"]
        for a in parse_html(unit).find("kwindex-folder").iter()
        if a.tag == "a"
    ]
    assert links == ["test_cart.py.html", "test_price.py.html"]
    tests = (outdir / "kwindex/tests/index.html").read_text("utf-8")
    folder = parse_html(tests).find("kwindex-folder")
    items = [" ".join(li.text().split()) for li in folder.iter() if li.tag == "li"]
    assert items == ["tests/integration (modules: 1)", "tests/unit (modules: 2)"]
    assert [a.attrs["href"] for a in folder.iter() if a.tag == "a"] == [
        "integration/index.html",
        "unit/index.html",
    ]
    top = (outdir / "kwindex/index.html").read_text("utf-8")
    assert "<h1>Indexed modules" in top
    assert "tests (modules: 3, in its sub-folders too)" in " ".join(
        parse_html(top).find("kwindex-folder").text().split()
    )


def test_an_unchanged_tree_is_neither_rewritten_nor_reread(
    make_app, tree_project
) -> None:
    make_app("html", srcdir=tree_project).build()
    times = {p: p.stat().st_mtime_ns for p in tree_project.rglob("*.rst")}
    again = make_app("html", srcdir=tree_project)
    read = record_read_documents(again)
    again.build()
    assert read == []
    assert {p: p.stat().st_mtime_ns for p in tree_project.rglob("*.rst")} == times


def test_a_rebuild_with_nothing_changed_derives_and_writes_nothing_again(
    make_app, tree_project, monkeypatch
) -> None:
    first = make_app("html", srcdir=tree_project)
    first.build()
    outdir = Path(first.outdir)
    shown = ["kw-index.html", "objects.inv", "genindex.html", "kwindex.json"]
    before = {name: (outdir / name).read_bytes() for name in shown}
    called: list[str] = []
    for module, name in (
        (sphinx_kwindex.domain, "build_reverse_index"),
        (sphinx_kwindex.pages, "write_pages"),
        (sphinx_kwindex.keyword_index, "index_page_context"),
    ):
        original = getattr(module, name)
        monkeypatch.setattr(
            module,
            name,
            lambda *args, _f=original, _n=name, **kw: (
                called.append(_n) or _f(*args, **kw)
            ),
        )
    again = make_app("html", srcdir=tree_project)
    again.build()
    # No reverse index, no generated page compared or written, the first
    # Keyword Index page shown as it was: and the same output.
    assert called == []
    assert {name: (outdir / name).read_bytes() for name in shown} == before
    # A module edited: derived and written again.
    module = tree_project / "tests/unit/test_cart.py"
    module.write_text(module.read_text() + "\nimport json\n")
    make_app("html", srcdir=tree_project).build()
    assert sorted(set(called)) == ["build_reverse_index", "index_page_context"]
    assert 'id="kw-json"' in (outdir / "kw-index.html").read_text("utf-8")


def test_an_edited_module_rereads_its_page_and_its_folder_page_only(
    make_app, tree_project, parsed_files
) -> None:
    make_app("html", srcdir=tree_project).build()
    module = tree_project / "tests/unit/test_price.py"
    module.write_text(module.read_text().replace("Prices", "Net prices"))
    parsed_files.clear()
    again = make_app("html", srcdir=tree_project)
    read = record_read_documents(again)
    again.build()
    assert read == ["kwindex/tests/unit/index", "kwindex/tests/unit/test_price.py"]
    assert parsed_files == ["test_price.py"]
    unit = (Path(again.outdir) / "kwindex/tests/unit/index.html").read_text("utf-8")
    assert table_rows(unit)[2][1] == "Net prices *and* taxes."


def test_a_deleted_module_loses_its_page(make_app, tree_project) -> None:
    make_app("html", srcdir=tree_project).build()
    (tree_project / "tests/integration/test_checkout.py").unlink()
    again = make_app("html", srcdir=tree_project)
    read = record_read_documents(again)
    again.build()
    assert own_warnings(again) == []
    assert "kwindex/tests/integration/index.rst" not in generated(tree_project)
    assert not (tree_project / "kwindex/tests/integration").exists()
    assert read == ["kwindex/index", "kwindex/tests/index"]
    assert "kwindex/tests/integration/test_checkout.py" not in again.env.all_docs
    tests = (Path(again.outdir) / "kwindex/tests/index.html").read_text("utf-8")
    assert "integration" not in parse_html(tests).find("kwindex-folder").text()
    top = (Path(again.outdir) / "kwindex/index.html").read_text("utf-8")
    assert "tests (modules: 2, in its sub-folders too)" in " ".join(
        parse_html(top).text().split()
    )


def test_pages_a_user_wrote_are_never_removed(make_app, tree_project) -> None:
    own = tree_project / "kwindex" / "notes.rst"
    own.parent.mkdir()
    own.write_text("Notes\n=====\n\nMine.\n")
    with (tree_project / "conf.py").open("a") as conf:
        conf.write("kwindex_modules = ['tests/unit/*.py']\n")
    app = make_app("html", srcdir=tree_project)
    app.build()
    assert own.read_text() == "Notes\n=====\n\nMine.\n"
    assert "kwindex/tests/integration/index.rst" not in generated(tree_project)


@pytest.mark.parametrize("suppressed", [False, True])
def test_a_glob_matching_nothing_warns(make_app, write_project, suppressed) -> None:
    project = write_project({"index.rst": "Index\n=====\n"})
    with (project / "conf.py").open("a") as conf:
        conf.write('kwindex_modules = ["nothing/**/*.py"]\n')
        if suppressed:
            conf.write('suppress_warnings = ["kwindex.config"]\n')
    app = make_app("html", srcdir=project)
    app.build()
    warnings = own_warnings(app)
    if suppressed:
        assert warnings == []
    else:
        (warning,) = warnings
        assert (
            "WARNING: kwindex_modules: 'nothing/**/*.py' matches no file under"
            in warning
        )


def test_each_glob_matching_nothing_warns_even_when_others_match(
    make_app, write_project
) -> None:
    index = "Index\n=====\n\n.. toctree::\n\n   kwindex/index\n"
    project = write_project({"index.rst": index, "tests/test_a.py": ""})
    with (project / "conf.py").open("a") as conf:
        conf.write(
            'kwindex_modules = ["tests/*.py", "nothing/*.py", "none_*.py", "!x/*.py"]\n'
        )
    app = make_app("html", srcdir=project)
    app.build()
    warnings = own_warnings(app)
    assert len(warnings) == 2
    assert "kwindex_modules: 'nothing/*.py' matches no file" in warnings[0]
    assert "kwindex_modules: 'none_*.py' matches no file" in warnings[1]
    assert (app.srcdir / "kwindex" / "tests" / "test_a.py.rst").is_file()
    with (project / "conf.py").open("a") as conf:
        conf.write('suppress_warnings = ["kwindex.config"]\n')
    again = make_app("html", srcdir=project, freshenv=True)
    again.build()
    assert own_warnings(again) == []


def test_a_kwindex_root_that_is_no_folder_says_so(make_app, write_project) -> None:
    page = "Index\n=====\n\n.. kwindex:: /tests/test_a.py\n"
    project = write_project({"index.rst": page}, kwindex_root="missing")
    with (project / "conf.py").open("a") as conf:
        conf.write('kwindex_modules = ["tests/*.py"]\n')
    app = make_app("html", srcdir=project)
    app.build()
    first, *others = own_warnings(app)
    assert f"WARNING: kwindex_root {project / 'missing'} is not a folder" in first
    # The directive's own warning follows; no glob is said to match nothing.
    (missing,) = others
    assert "index.rst:4: WARNING: cannot read tests/test_a.py" in missing
    with (project / "conf.py").open("a") as conf:
        conf.write('suppress_warnings = ["kwindex.config"]\n')
    again = make_app("html", srcdir=project, freshenv=True)
    again.build()
    assert [w.split("WARNING: ")[1] for w in own_warnings(again)] == [
        missing.split("WARNING: ")[1]
    ]


def test_a_file_unchanged_since_the_last_build_is_not_parsed_again(
    make_app, write_project, parsed_files
) -> None:
    project = write_project(
        {
            "lib_test.py": "import os\n",
            "index.rst": "A\n=\n\n.. kwindex:: /lib_test.py\n",
        }
    )
    make_app("html", srcdir=project).build()
    index = project / "index.rst"
    index.write_text(index.read_text() + "\nMore text.\n")
    parsed_files.clear()
    again = make_app("html", srcdir=project)
    read = record_read_documents(again)
    again.build()
    assert read == ["index"]
    assert parsed_files == []


def test_a_rebuild_with_nothing_changed_neither_parses_nor_loads_parsed_modules(
    make_app, tree_project, parsed_files
) -> None:
    make_app("html", srcdir=tree_project).build()
    assert sorted(parsed_files) == ["test_cart.py", "test_checkout.py", "test_price.py"]
    parsed_files.clear()
    again = make_app("html", srcdir=tree_project)
    read = record_read_documents(again)
    again.build()
    assert read == []
    assert parsed_files == []
    # What earlier builds parsed stays on disk, unread.
    assert not parse_cache(again.env).loaded
    assert (Path(again.doctreedir) / CACHE_NAME).is_file()


def test_a_generated_tree_builds_the_same_with_two_processes(
    make_app, tree_project, tmp_path
) -> None:
    serial, parallel = build_serial_and_parallel(make_app, tree_project, tmp_path)
    assert "kwindex/tests/unit/index.html" in serial
    assert serial.keys() == parallel.keys()
    for name in serial:
        assert serial[name] == parallel[name], name


def test_two_clean_builds_of_a_tree_are_identical(
    make_app, tree_project, tmp_path
) -> None:
    first, second = build_serial_and_parallel(
        make_app, tree_project, tmp_path, parallels=(1, 1)
    )
    assert first.keys() == second.keys()
    for name in first:
        assert first[name] == second[name], name


def test_a_fresh_environment_or_a_broken_cache_parses_again(
    make_app, write_project, parsed_files
) -> None:
    project = write_project(
        {
            "lib_test.py": "import os\n",
            "index.rst": "A\n=\n\n.. kwindex:: /lib_test.py\n",
        }
    )
    first = make_app("html", srcdir=project)
    first.build()
    cache = Path(first.doctreedir) / CACHE_NAME
    assert cache.exists()
    parsed_files.clear()
    make_app("html", srcdir=project, freshenv=True).build()
    assert parsed_files == ["lib_test.py"]
    cache.write_bytes(b"not a pickle")
    (project / "index.rst").write_text("A\n=\n\n.. kwindex:: /lib_test.py\n\nMore.\n")
    again = make_app("html", srcdir=project)
    again.build()
    assert own_warnings(again) == []
    assert parsed_files == ["lib_test.py", "lib_test.py"]
    (block,) = kwindex_blocks((Path(again.outdir) / "index.html").read_text("utf-8"))
    assert keyword_lists(block)["imports"] == ["os"]


SUMMARIES = '''"""Plugins registered by specifying a
``PluginManager.register`` call. More about them."""


class TestPlugins:
    def test_entry_points(self):
        """Registers ``a.b`` plugins, e.g. ones from *entry points*.

        More."""
'''


@pytest.mark.parametrize("builder", ["html", "text"])
def test_summaries_are_first_sentences_with_their_literals(
    make_app, write_project, builder: str
) -> None:
    page = "Plugins\n=======\n\n.. kwindex:: test_plugins.py\n   :kinds: tests\n"
    project = write_project({"test_plugins.py": SUMMARIES, "index.rst": page})
    app = make_app(builder, srcdir=project)
    app.build()
    if builder == "text":
        text = " ".join((app.outdir / "index.txt").read_text("utf-8").split())
        # The text writer quotes literals; a list's line is plain text.
        summary = 'Plugins registered by specifying a "PluginManager.register" call.'
        assert summary in text
        assert "Registers a.b plugins, e.g. ones from *entry points*." in text
        return
    html = (app.outdir / "index.html").read_text("utf-8")
    (block,) = kwindex_blocks(html)
    (doc,) = block.find("kwindex-entry").find_all("kwindex-doc")
    assert doc.text() == "Registers a.b plugins, e.g. ones from *entry points*."
    (code,) = [e for e in doc.iter() if e.tag == "code"]
    assert code.text() == "a.b"
    metadata = block.find("kwindex-metadata")
    codes = [e.text() for e in metadata.iter() if e.tag == "code"]
    assert "PluginManager.register" in codes


GLANCE = """\
import pytest


@pytest.fixture
def cart(): ...


@pytest.mark.slow
def test_a(cart, tmp_path): ...


@pytest.mark.slow
@pytest.mark.parametrize("n", [1, 2])
def test_b(cart, n): ...


def test_c(): ...
"""


@pytest.mark.parametrize("builder", ["html", "text"])
def test_a_tests_list_says_what_its_tests_need_at_a_glance(
    make_app, write_project, builder: str, capsys
) -> None:
    page = "Cart\n====\n\n.. kwindex:: test_cart.py\n   :kinds: tests\n"
    project = write_project({"test_cart.py": GLANCE, "index.rst": page})
    app = make_app(builder, srcdir=project)
    app.build()
    glance = "Fixtures: cart (2), tmp_path (1). Markers: slow (2)."
    if builder == "text":
        assert glance in (app.outdir / "index.txt").read_text("utf-8")
    else:
        html = (app.outdir / "index.html").read_text("utf-8")
        (block,) = kwindex_blocks(html)
        assert block.find("kwindex-glance").text() == glance
    from sphinx_kwindex.__main__ import main

    assert main([str(project / "test_cart.py"), "--kinds", "tests"]) == 0
    assert f"    {glance}" in capsys.readouterr().out.splitlines()


def test_a_page_of_several_lists_links_to_each_of_them(make_app, write_project) -> None:
    page = (
        "Cart\n====\n\n.. kwindex:: test_cart.py\n   :kinds: tests, fixtures, imports\n"
    )
    project = write_project({"test_cart.py": GLANCE, "index.rst": page})
    app = make_app("html", srcdir=project)
    app.build()
    html = (app.outdir / "index.html").read_text("utf-8")
    (block,) = kwindex_blocks(html)
    links = [
        (a.text(), a.attrs["href"])
        for a in block.find("kwindex-jump").iter()
        if a.tag == "a"
    ]
    assert links == [
        ("Tests", "#kw-test_cart.py-tests"),
        ("Fixtures", "#kw-test_cart.py-fixtures"),
        ("Imports", "#kw-test_cart.py-imports"),
    ]
    ids = [k.attrs.get("id") for k in block.find_all("kwindex-kind")]
    assert ids == [href[1:] for _text, href in links]
    text = make_app("text", srcdir=project)
    text.build()
    assert "Tests · Fixtures" not in (text.outdir / "index.txt").read_text("utf-8")
